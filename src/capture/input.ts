/**
 * Opening inputs: a file path or `-` for stdin becomes a stream of byte chunks, gunzipped when
 * the first bytes say gzip. Streams are pulled one chunk at a time, so a slow consumer holds
 * back the reads (backpressure) and memory stays at a chunk or two however large the file.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CaptureError, RttscanError } from '../errors.js';
import { isGzip, MAGIC_LEN, readerFor } from './detect.js';
import type { CaptureReader } from './reader.js';

/** Read size for files; bench/run.ts measured 1 MiB as the knee (smaller: per-chunk cost shows). */
export const CHUNK_SIZE = 1 << 20;

export const STDIN_PATH = '-';

/** How an input is named in messages: stdin has no file name. */
export function inputName(path: string): string {
  return path === STDIN_PATH ? 'stdin' : path;
}

const OPEN_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'no such file (a parent is not a directory)',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
};

function openError(path: string, err: unknown): RttscanError {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const what = OPEN_ERRORS[code] ?? `cannot read (${(err as Error).message})`;
  return new RttscanError('input', `${path}: ${what}`);
}

async function openFile(path: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw openError(path, err);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new RttscanError('input', `${path}: is a directory`);
  } catch (err) {
    await handle.close();
    throw err instanceof RttscanError ? err : openError(path, err);
  }
  return handle;
}

/**
 * A file's bytes in CHUNK_SIZE chunks, read into three buffers used in turn, so reading allocates
 * nothing (bench/run.ts: a fresh Buffer per chunk from a read stream cost GC time). While the
 * consumer works on one chunk the next is already being read. A chunk stays intact until two
 * more have been handed out, which is what a reader needs: it copies a record that straddles
 * two chunks when the second arrives. The reads are pulled: a slow consumer holds them back.
 */
export async function* fileChunks(handle: FileHandle): AsyncGenerator<Uint8Array> {
  const buffers = [new Uint8Array(CHUNK_SIZE), new Uint8Array(CHUNK_SIZE), new Uint8Array(CHUNK_SIZE)] as const;
  let turn = 0;
  let reading: Promise<{ bytesRead: number; buffer: Uint8Array }> | undefined = handle.read(buffers[0], 0, CHUNK_SIZE, null);
  try {
    for (;;) {
      const { bytesRead, buffer } = await reading!;
      reading = undefined;
      if (bytesRead === 0) return;
      turn = (turn + 1) % buffers.length;
      reading = handle.read(buffers[turn]!, 0, CHUNK_SIZE, null);
      // If the input is closed early (an error elsewhere), this read fails with nobody waiting.
      reading.catch(() => undefined);
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await reading?.catch(() => undefined);
    await handle.close();
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Decompressed (when gzip) chunks of one input, plus the warnings met on the way. */
export class InputChunks {
  readonly path: string;
  warnings: string[] = [];
  /** Bytes read from the file or stdin so far (compressed bytes for gzip), for progress. */
  bytesRead = 0;
  private source: AsyncIterator<Uint8Array> | undefined;
  /** The opened file, kept so that close() can let go of it early. */
  private file: FileHandle | undefined;
  constructor(path: string) {
    this.path = path;
  }

  /** Opens the input and returns its first bytes (at least MAGIC_LEN unless it is shorter). */
  async start(): Promise<Uint8Array> {
    if (this.path !== STDIN_PATH) this.file = await openFile(this.path);
    const raw: AsyncIterable<Uint8Array> = this.file === undefined ? process.stdin : fileChunks(this.file);
    const rawChunks = this.guard(raw)[Symbol.asyncIterator]();
    let head: Uint8Array = new Uint8Array(0);
    while (head.length < MAGIC_LEN) {
      const r = await rawChunks.next();
      if (r.done) break;
      head = head.length === 0 ? r.value : concat(head, r.value);
    }
    if (!isGzip(head)) {
      this.source = rawChunks;
      return head;
    }
    // zlib may hold on to its input chunks, and file chunks are reused: give it copies.
    const compressed = Readable.from(prefixed(head.slice(), rawChunks));
    const gunzip = createGunzip();
    pipeline(compressed, gunzip, () => {});
    this.source = this.gunzipped(gunzip)[Symbol.asyncIterator]();
    head = new Uint8Array(0);
    while (head.length < MAGIC_LEN) {
      const r = await this.source.next();
      if (r.done) break;
      head = head.length === 0 ? r.value : concat(head, r.value);
    }
    return head;
  }

  /** The next chunk, or undefined at the end of the input. */
  async next(): Promise<Uint8Array | undefined> {
    if (this.source === undefined) return undefined;
    const r = await this.source.next();
    return r.done ? undefined : r.value;
  }

  /**
   * Closes the file before its end (after an error): an input abandoned mid-stream would
   * otherwise hold its descriptor until garbage collection. Safe to call more than once.
   */
  close(): void {
    this.file?.close().catch(() => {});
    this.file = undefined;
  }

  private async *guard(raw: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    try {
      for await (const chunk of raw) {
        this.bytesRead += (chunk as Uint8Array).length;
        yield chunk as Uint8Array;
      }
    } catch (err) {
      throw err instanceof RttscanError ? err : openError(inputName(this.path), err);
    }
  }

  private async *gunzipped(gunzip: Readable): AsyncGenerator<Uint8Array> {
    let produced = 0;
    try {
      for await (const chunk of gunzip) {
        produced += (chunk as Uint8Array).length;
        yield chunk as Uint8Array;
      }
    } catch (err) {
      if (err instanceof RttscanError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      // A gzip stream cut short is like a truncated capture: keep what was decompressed.
      if (code === 'Z_BUF_ERROR') {
        this.warnings.push(`${inputName(this.path)}: gzip stream truncated after ${produced} decompressed bytes`);
        return;
      }
      throw new CaptureError(
        { file: inputName(this.path), offset: produced },
        `corrupt gzip data (${(err as Error).message}); the offset counts decompressed bytes`,
      );
    }
  }
}

/** `head`, then copies of the rest of the chunks. */
async function* prefixed(head: Uint8Array, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield head;
  for (;;) {
    const r = await rest.next();
    if (r.done) return;
    yield r.value.slice();
  }
}

/** One input being read: its chunk stream and the capture reader fed from it. */
export class CaptureInput {
  readonly path: string;
  readonly chunks: InputChunks;
  reader!: CaptureReader;
  packets = 0;
  tcpPackets = 0;
  ended = false;
  /** Its place among the run's inputs, from 0 (frame references, capture/frame-ref.ts). */
  readonly index: number;
  constructor(path: string, index = 0) {
    this.path = path;
    this.index = index;
    this.chunks = new InputChunks(path);
  }

  get warnings(): string[] {
    return this.chunks.warnings;
  }

  get bytesRead(): number {
    return this.chunks.bytesRead;
  }

  close(): void {
    this.chunks.close();
  }

  async open(): Promise<void> {
    const head = await this.chunks.start();
    this.reader = readerFor(inputName(this.path), head);
    this.reader.push(head);
  }

  /** Feeds the reader its next chunk; false (after recording any warning) at the end. */
  async fill(): Promise<boolean> {
    const chunk = await this.chunks.next();
    if (chunk !== undefined) {
      this.reader.push(chunk);
      return true;
    }
    this.ended = true;
    const warning = this.reader.finish();
    if (warning !== undefined) this.warnings.push(warning);
    return false;
  }
}
