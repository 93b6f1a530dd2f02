/**
 * A gzip file inflated on a worker thread (inflate-worker.ts): its decompressed chunks, taken
 * here as a chunk stream like any other input's, so that decompression runs on the second core
 * while this thread reads, decodes and analyses. Only the bytes cross threads (each chunk moved,
 * not copied, and its buffer given back to be filled again); the capture is read here, so every
 * option and every result is the same as when the file is inflated here.
 *
 * The ways tried before (README, Performance): inflating from this thread in libuv's pool waits
 * for this thread between chunks; decoding on the worker too and passing decoded packets through
 * a shared ring cost this thread about what decoding them does.
 */
import { Worker } from 'node:worker_threads';
import { CaptureError, RttscanError, type ErrorCode } from '../errors.js';

/**
 * By default only gzip files of this size or more are inflated on a worker: its start-up (a few
 * tens of ms of CPU) is paid back from about 10 MB of compressed capture.
 */
export const WORKER_MIN_GZIP_BYTES = 16 << 20;

/** Chunks the worker may inflate ahead of what this thread has taken (with CHUNK_SIZE, 4 MiB). */
export const WORKER_AHEAD_CHUNKS = 4;

export interface WorkerData {
  path: string;
  chunkSize: number;
}

/** Why the worker stopped reading: enough to throw the same error this thread would have. */
export interface WorkerFailed {
  type: 'failed';
  name: 'CaptureError' | 'RttscanError' | 'Error';
  message: string;
  code: ErrorCode | undefined;
  position: { file: string; offset: number; record: number | undefined; reason: string } | undefined;
  stack: string | undefined;
}

/** What this thread tells the worker as it takes a chunk: how many so far, and a buffer to reuse. */
export interface WorkerCredit {
  taken: number;
  spare: ArrayBuffer | undefined;
}

export type WorkerMessage = { type: 'chunk'; bytes: Uint8Array; bytesRead: number } | { type: 'end'; warnings: string[]; bytesRead: number } | WorkerFailed;

export function failureOf(err: unknown): WorkerFailed {
  const e = err as Error;
  return {
    type: 'failed',
    name: e instanceof CaptureError ? 'CaptureError' : e instanceof RttscanError ? 'RttscanError' : 'Error',
    message: e.message,
    code: e instanceof RttscanError ? e.code : undefined,
    position: e instanceof CaptureError ? { file: e.file, offset: e.offset, record: e.record, reason: e.reason } : undefined,
    stack: e.stack,
  };
}

function rebuild(f: WorkerFailed): Error {
  if (f.name === 'CaptureError' && f.position !== undefined) {
    const { file, offset, record, reason } = f.position;
    return new CaptureError(record === undefined ? { file, offset } : { file, offset, record }, reason);
  }
  if (f.name === 'RttscanError' && f.code !== undefined) return new RttscanError(f.code, f.message);
  const err = new Error(f.message);
  if (f.stack !== undefined) err.stack = f.stack;
  return err;
}

type Arrival = WorkerMessage | { type: 'crashed'; error: Error } | { type: 'exited' };

/** The worker for one opening of one file; stop() ends it wherever it is. */
export class WorkerChunks {
  private readonly worker: Worker;
  /** Chunks taken so far, told to the worker (which stays WORKER_AHEAD_CHUNKS ahead at most). */
  private taken = 0;
  /**
   * The last two chunks handed out, still the reader's: like fileChunks, a chunk's buffer is
   * given back for reuse only once two more chunks have been handed out after it.
   */
  private readonly held: Uint8Array[] = [];
  private readonly arrivals: Arrival[] = [];
  private wake: (() => void) | undefined;

  constructor(
    private readonly path: string,
    chunkSize: number,
  ) {
    const workerData: WorkerData = { path, chunkSize };
    this.worker = new Worker(new URL('./inflate-worker.js', import.meta.url), { workerData });
    const arrive = (a: Arrival): void => {
      this.arrivals.push(a);
      this.wake?.();
    };
    this.worker.on('message', (m: WorkerMessage) => arrive(m));
    this.worker.on('error', (error) => arrive({ type: 'crashed', error }));
    this.worker.on('exit', () => arrive({ type: 'exited' }));
  }

  /**
   * The decompressed chunks in order. `onRead` hears the compressed bytes read so far; the
   * warnings met (a stream cut short, bytes after the gzip data) go to `warnings` at the end.
   */
  async *chunks(onRead: (bytesRead: number) => void, warnings: string[]): AsyncGenerator<Uint8Array> {
    for (;;) {
      while (this.arrivals.length === 0) await new Promise<void>((resolve) => (this.wake = resolve));
      const a = this.arrivals.shift()!;
      switch (a.type) {
        case 'chunk':
          onRead(a.bytesRead);
          this.held.push(a.bytes);
          this.giveBack(this.held.length > 2 ? (this.held.shift()!.buffer as ArrayBuffer) : undefined);
          yield a.bytes;
          break;
        case 'end':
          onRead(a.bytesRead);
          warnings.push(...a.warnings);
          return;
        case 'failed':
          throw rebuild(a);
        case 'crashed':
          throw a.error;
        case 'exited':
          throw new Error(`${this.path}: the inflating worker stopped without a word`);
      }
    }
  }

  private giveBack(spare: ArrayBuffer | undefined): void {
    const credit: WorkerCredit = { taken: ++this.taken, spare };
    this.worker.postMessage(credit, spare === undefined ? [] : [spare]);
  }

  stop(): void {
    void this.worker.terminate();
  }
}
