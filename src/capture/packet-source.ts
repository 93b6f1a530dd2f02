/**
 * Drives one or more inputs and hands every packet to a callback. Several inputs are merged
 * into one capture in time order: each keeps its current packet, and the earliest goes next.
 * Per packet the loop is synchronous; it awaits only when a reader needs its next chunk.
 */
import type { CapturedPacket } from './captured-packet.js';
import { CaptureInput } from './input.js';

export type PacketHandler = (pkt: CapturedPacket, input: CaptureInput) => void;

/**
 * Called before each chunk is read: a promise (a slow output) holds the reading back until it
 * settles, so that what the packets produce never piles up in memory.
 */
export type Backpressure = () => Promise<void> | undefined;

/**
 * The input's next chunk (see CaptureInput.fill), or false as soon as `signal` aborts: a pipe
 * that stays open must not keep an interrupted run waiting.
 */
async function fill(input: CaptureInput, signal: AbortSignal | undefined, backpressure: Backpressure | undefined): Promise<boolean> {
  const wait = backpressure?.();
  if (wait !== undefined) await wait;
  if (signal === undefined) return input.fill();
  if (signal.aborted) return false;
  let onAbort = (): void => {};
  const aborted = new Promise<false>((resolve) => {
    onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([input.fill(), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/** Pulls chunks into `input` until it holds a packet; false when it is exhausted or aborted. */
async function prime(input: CaptureInput, signal: AbortSignal | undefined, backpressure: Backpressure | undefined): Promise<boolean> {
  while (!input.reader.next()) {
    if (!(await fill(input, signal, backpressure))) return false;
  }
  return true;
}

function earlier(a: CapturedPacket, b: CapturedPacket): boolean {
  return a.tsSec < b.tsSec || (a.tsSec === b.tsSec && a.tsNsec < b.tsNsec);
}

/**
 * Opens every input. With `signal`, an open that waits (a FIFO with no writer yet) gives up when
 * it aborts: then the inputs opened so far are closed and the result is undefined.
 */
export async function openInputs(paths: readonly string[]): Promise<CaptureInput[]>;
export async function openInputs(paths: readonly string[], signal: AbortSignal | undefined): Promise<CaptureInput[] | undefined>;
export async function openInputs(paths: readonly string[], signal?: AbortSignal): Promise<CaptureInput[] | undefined> {
  const inputs: CaptureInput[] = [];
  try {
    for (const path of paths) {
      const input = new CaptureInput(path);
      inputs.push(input);
      if (!(await input.open(signal))) {
        for (const opened of inputs) opened.close();
        return undefined;
      }
    }
  } catch (err) {
    for (const input of inputs) input.close();
    throw err;
  }
  return inputs;
}

/**
 * Reads every packet, or stops between chunks once `signal` is aborted (then closes the inputs:
 * a pipe or FIFO left open would keep the process waiting for its writer). On an error, closes
 * all inputs (their files) before passing it on.
 */
export async function readPackets(inputs: readonly CaptureInput[], onPacket: PacketHandler, signal?: AbortSignal, backpressure?: Backpressure): Promise<void> {
  try {
    await readAll(inputs, onPacket, signal, backpressure);
  } catch (err) {
    for (const input of inputs) input.close();
    throw err;
  }
  if (signal?.aborted) for (const input of inputs) input.close();
}

async function readAll(inputs: readonly CaptureInput[], onPacket: PacketHandler, signal: AbortSignal | undefined, backpressure: Backpressure | undefined): Promise<void> {
  if (inputs.length === 1) {
    const input = inputs[0]!;
    const reader = input.reader;
    const pkt = reader.packet;
    do {
      while (reader.next()) onPacket(pkt, input);
    } while (await fill(input, signal, backpressure));
    return;
  }
  // Inputs holding a packet; a linear scan picks the earliest (inputs are few: files on a
  // command line), and ties go to the input named first, so the order is deterministic.
  const live: CaptureInput[] = [];
  for (const input of inputs) if (await prime(input, signal, backpressure)) live.push(input);
  while (live.length > 0 && !signal?.aborted) {
    let best = 0;
    for (let i = 1; i < live.length; i++) {
      if (earlier(live[i]!.reader.packet, live[best]!.reader.packet)) best = i;
    }
    const input = live[best]!;
    onPacket(input.reader.packet, input);
    // Most packets are already buffered: await only when the reader needs another chunk.
    if (!input.reader.next() && !(await prime(input, signal, backpressure))) live.splice(best, 1);
  }
}
