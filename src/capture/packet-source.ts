/**
 * Drives one or more inputs and hands every packet to a callback. Several inputs are merged
 * into one capture in time order: each keeps its current packet, and the earliest goes next.
 * Per packet the loop is synchronous; it awaits only when a reader needs its next chunk.
 */
import type { CapturedPacket } from './captured-packet.js';
import { CaptureInput } from './input.js';

export type PacketHandler = (pkt: CapturedPacket, input: CaptureInput) => void;

/**
 * The input's next chunk (see CaptureInput.fill), or false as soon as `signal` aborts: a pipe
 * that stays open must not keep an interrupted run waiting.
 */
async function fill(input: CaptureInput, signal: AbortSignal | undefined): Promise<boolean> {
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
async function prime(input: CaptureInput, signal: AbortSignal | undefined): Promise<boolean> {
  while (!input.reader.next()) {
    if (!(await fill(input, signal))) return false;
  }
  return true;
}

function earlier(a: CapturedPacket, b: CapturedPacket): boolean {
  return a.tsSec < b.tsSec || (a.tsSec === b.tsSec && a.tsNsec < b.tsNsec);
}

export async function openInputs(paths: readonly string[]): Promise<CaptureInput[]> {
  const inputs: CaptureInput[] = [];
  try {
    for (const [index, path] of paths.entries()) {
      const input = new CaptureInput(path, index);
      inputs.push(input);
      await input.open();
    }
  } catch (err) {
    for (const input of inputs) input.close();
    throw err;
  }
  return inputs;
}

/**
 * Reads every packet, or stops between chunks once `signal` is aborted. On an error, closes all
 * inputs (their files) before passing it on.
 */
export async function readPackets(inputs: readonly CaptureInput[], onPacket: PacketHandler, signal?: AbortSignal): Promise<void> {
  try {
    await readAll(inputs, onPacket, signal);
  } catch (err) {
    for (const input of inputs) input.close();
    throw err;
  }
}

async function readAll(inputs: readonly CaptureInput[], onPacket: PacketHandler, signal: AbortSignal | undefined): Promise<void> {
  if (inputs.length === 1) {
    const input = inputs[0]!;
    const reader = input.reader;
    const pkt = reader.packet;
    do {
      while (reader.next()) onPacket(pkt, input);
    } while (await fill(input, signal));
    return;
  }
  // Inputs holding a packet; a linear scan picks the earliest (inputs are few: files on a
  // command line), and ties go to the input named first, so the order is deterministic.
  const live: CaptureInput[] = [];
  for (const input of inputs) if (await prime(input, signal)) live.push(input);
  while (live.length > 0 && !signal?.aborted) {
    let best = 0;
    for (let i = 1; i < live.length; i++) {
      if (earlier(live[i]!.reader.packet, live[best]!.reader.packet)) best = i;
    }
    const input = live[best]!;
    onPacket(input.reader.packet, input);
    // Most packets are already buffered: await only when the reader needs another chunk.
    if (!input.reader.next() && !(await prime(input, signal))) live.splice(best, 1);
  }
}
