/**
 * Drives one or more inputs and hands every packet to a callback. Several inputs are merged
 * into one capture in time order: each keeps its current packet, and the earliest goes next.
 * Per packet the loop is synchronous; it awaits only when a reader needs its next chunk.
 */
import type { CapturedPacket } from './captured-packet.js';
import { CaptureInput, CHUNK_SIZE } from './input.js';

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

/**
 * Read size for each input of a time merge: the 1 MiB a lone input reads at, shared out so that
 * inputs read at once (captures that overlap in time) stay within MERGE_READ_BUDGET together
 * (three buffers each: 96 MiB at most), never below MIN_MERGE_CHUNK. Up to 32 inputs read at
 * the full size; bench/run.ts's many-files rows time 500 and 2,000 inputs with these.
 */
const MERGE_READ_BUDGET = 32 * CHUNK_SIZE;
const MIN_MERGE_CHUNK = 64 * 1024;

export function mergeChunkSize(inputs: number): number {
  return Math.max(MIN_MERGE_CHUNK, Math.min(CHUNK_SIZE, Math.floor(MERGE_READ_BUDGET / Math.max(1, inputs) / MIN_MERGE_CHUNK) * MIN_MERGE_CHUNK));
}

/**
 * The inputs, ready to read. One input is opened. Several are probed one after another (opened,
 * read to their first packet, closed), so faults in any file's head show before any packet is
 * read, and the time merge can open each only when it gets there.
 */
export async function openInputs(paths: readonly string[]): Promise<CaptureInput[]>;
export async function openInputs(paths: readonly string[], signal: AbortSignal | undefined, inflateOnWorkerFrom?: number): Promise<CaptureInput[] | undefined>;
export async function openInputs(paths: readonly string[], signal?: AbortSignal, inflateOnWorkerFrom?: number): Promise<CaptureInput[] | undefined> {
  const inputs = paths.map((path, i) => new CaptureInput(path, i, inflateOnWorkerFrom));
  try {
    // A lone FIFO that no writer opened gives up when `signal` aborts: then undefined.
    if (inputs.length === 1) {
      if (!(await inputs[0]!.open(CHUNK_SIZE, signal))) return undefined;
    } else {
      for (const input of inputs) await input.probe(mergeChunkSize(inputs.length));
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
export async function readPackets(inputs: readonly CaptureInput[], onPacket: PacketHandler, signal?: AbortSignal, backpressure?: Backpressure): Promise<void> {
  try {
    if (inputs.length === 1) await readOne(inputs[0]!, onPacket, signal, backpressure);
    else await mergeInTime(inputs, onPacket, signal, backpressure);
    // Interrupted: the inputs still open let go of their files now.
    for (const input of inputs) if (input.isOpen) input.close();
  } catch (err) {
    for (const input of inputs) input.close();
    throw err;
  }
}

async function readOne(input: CaptureInput, onPacket: PacketHandler, signal: AbortSignal | undefined, backpressure: Backpressure | undefined): Promise<void> {
  const reader = input.reader;
  const pkt = reader.packet;
  do {
    while (reader.next()) onPacket(pkt, input);
  } while (await fill(input, signal, backpressure));
}

/** a's packet goes before b's: earlier in time, or as early and named first. */
function before(a: CaptureInput, b: CaptureInput): boolean {
  const p = a.reader.packet;
  const q = b.reader.packet;
  return p.tsSec < q.tsSec || (p.tsSec === q.tsSec && (p.tsNsec < q.tsNsec || (p.tsNsec === q.tsNsec && a.index < b.index)));
}

/** a's first packet goes before b's (both probed, not yet opened). */
function startsBefore(a: CaptureInput, b: CaptureInput): boolean {
  const as = a.firstSec!;
  const bs = b.firstSec!;
  return as < bs || (as === bs && (a.firstNsec < b.firstNsec || (a.firstNsec === b.firstNsec && a.index < b.index)));
}

/** Whether the not yet opened input `next` starts no later than the open input `open`'s packet. */
function startsBy(next: CaptureInput, open: CaptureInput): boolean {
  const p = open.reader.packet;
  const s = next.firstSec!;
  return s < p.tsSec || (s === p.tsSec && (next.firstNsec < p.tsNsec || (next.firstNsec === p.tsNsec && next.index < open.index)));
}

/**
 * The k-way time merge: a binary heap of the open inputs by their current packet. Inputs that
 * have not started wait in order of their first packet and are opened when the merge reaches
 * it, so files that follow one another in time (rotated captures) are read one or two at a
 * time, whatever their number. The order is the one reading all at once gives: by time, ties
 * to the input named first.
 */
async function mergeInTime(inputs: readonly CaptureInput[], onPacket: PacketHandler, signal: AbortSignal | undefined, backpressure: Backpressure | undefined): Promise<void> {
  const chunkSize = mergeChunkSize(inputs.length);
  const waiting = inputs.filter((i) => i.firstSec !== undefined && !i.ended).sort((a, b) => (startsBefore(a, b) ? -1 : startsBefore(b, a) ? 1 : 0));
  let nextWaiting = 0;
  const heap: CaptureInput[] = [];
  const siftUp = (at: number): void => {
    const item = heap[at]!;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!before(item, heap[parent]!)) break;
      heap[at] = heap[parent]!;
      at = parent;
    }
    heap[at] = item;
  };
  const siftDown = (at: number): void => {
    const item = heap[at]!;
    const n = heap.length;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= n) break;
      if (child + 1 < n && before(heap[child + 1]!, heap[child]!)) child++;
      if (!before(heap[child]!, item)) break;
      heap[at] = heap[child]!;
      at = child;
    }
    heap[at] = item;
  };
  while (!signal?.aborted) {
    // Open every waiting input whose first packet is due before the heap's earliest.
    while (nextWaiting < waiting.length && (heap.length === 0 || startsBy(waiting[nextWaiting]!, heap[0]!))) {
      const input = waiting[nextWaiting++]!;
      if (!input.isOpen) await input.open(chunkSize); // stdin stayed open since its probe
      if (await prime(input, signal, backpressure)) {
        heap.push(input);
        siftUp(heap.length - 1);
      }
    }
    if (heap.length === 0) return;
    const input = heap[0]!;
    onPacket(input.reader.packet, input);
    // Most packets are already buffered: await only when the reader needs another chunk.
    if (input.reader.next() || (await prime(input, signal, backpressure))) {
      siftDown(0);
    } else {
      const last = heap.pop()!;
      if (heap.length > 0) {
        heap[0] = last;
        siftDown(0);
      }
    }
  }
}
