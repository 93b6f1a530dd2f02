/**
 * The inflating worker (worker-chunks.ts starts it): reads one gzip file and inflates it
 * (InputChunks, as the main thread would), handing the decompressed chunks to the main thread,
 * which reads, decodes and analyses them as it does any other bytes. Inflation then runs beside
 * the analysis rather than between its packets. It runs at most WORKER_AHEAD_CHUNKS ahead of
 * what the main thread has taken. Whatever stops the reading (a corrupt stream, a failing read)
 * follows the chunks read before it, as a message saying what to throw.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { failureOf, WORKER_AHEAD_CHUNKS, type WorkerCredit, type WorkerData, type WorkerMessage } from './worker-chunks.js';
import { InputChunks } from './input.js';

const { path, chunkSize } = workerData as WorkerData;
const port = parentPort!;
const chunks = new InputChunks(path);
let sent = 0;
/** Chunks the main thread has taken, as it last said; `wake` resumes a send waiting for room. */
let taken = 0;
let wake: (() => void) | undefined;
/**
 * Chunk buffers the main thread gave back, filled again: inflation makes no garbage (a fresh
 * 1 MiB buffer per chunk made the main thread's collector run three times as often).
 */
const spare: Uint8Array[] = [];
let filling: Uint8Array | undefined;
let filled = 0;

port.on('message', (m: WorkerCredit) => {
  taken = m.taken;
  if (m.spare !== undefined) spare.push(new Uint8Array(m.spare));
  wake?.();
});

function post(message: WorkerMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

/** Copies inflated bytes (zlib reuses its output buffers) into chunks of `chunkSize`. */
async function add(bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length; ) {
    filling ??= spare.pop() ?? new Uint8Array(chunkSize);
    const n = Math.min(bytes.length - at, filling.length - filled);
    filling.set(bytes.subarray(at, at + n), filled);
    filled += n;
    at += n;
    if (filled === filling.length) await send();
  }
}

/** Moves the chunk being filled to the main thread, once it has room for it. */
async function send(): Promise<void> {
  if (filling === undefined || filled === 0) return;
  while (sent - taken >= WORKER_AHEAD_CHUNKS) await new Promise<void>((resolve) => (wake = resolve));
  post({ type: 'chunk', bytes: filling.subarray(0, filled), bytesRead: chunks.bytesRead }, [filling.buffer as ArrayBuffer]);
  filling = undefined;
  filled = 0;
  sent++;
}

async function run(): Promise<void> {
  const head = await chunks.start(chunkSize);
  if (head !== undefined) await add(head);
  for (let chunk = await chunks.next(); chunk !== undefined; chunk = await chunks.next()) await add(chunk);
  await send();
  post({ type: 'end', warnings: chunks.warnings, bytesRead: chunks.bytesRead });
}

run()
  .catch((err: unknown) => {
    chunks.close();
    post(failureOf(err));
  })
  // Said its last word: the port (listening for room) no longer keeps the thread alive.
  .finally(() => port.unref());
