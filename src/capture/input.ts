/**
 * Opening inputs: a file path or `-` for stdin becomes a stream of byte chunks, gunzipped when
 * the first bytes say gzip. Streams are pulled one chunk at a time, so a slow consumer holds
 * back the reads (backpressure) and memory stays at a chunk or two however large the file.
 */
import { close as closeFd, constants, open as openFd } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { Socket } from 'node:net';
import { RttscanError } from '../errors.js';
import { gunzipMembers } from './gunzip.js';
import { isGzip, MAGIC_LEN, readerFor } from './detect.js';
import { printable } from '../util/printable.js';
import type { CaptureFormat, CaptureReader } from './reader.js';
import { readFailure } from '../util/errno.js';
import { WorkerChunks } from './worker-chunks.js';

/** Read size for files; bench/run.ts measured 1 MiB as the knee (smaller: per-chunk cost shows). */
export const CHUNK_SIZE = 1 << 20;

export const STDIN_PATH = '-';

/** How an input is named in messages: stdin has no file name; control characters escaped. */
export function inputName(path: string): string {
  return path === STDIN_PATH ? 'stdin' : printable(path);
}

function openError(path: string, err: unknown): RttscanError {
  return new RttscanError('input', `${printable(path)}: ${readFailure(err)}`);
}

/** An open file, and its size when it is a regular file (a FIFO or device has none). */
async function openFile(path: string): Promise<{ handle: FileHandle; size: number | undefined }> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw openError(path, err);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new RttscanError('input', `${printable(path)}: is a directory`);
    return { handle, size: stat.isFile() ? stat.size : undefined };
  } catch (err) {
    await handle.close();
    throw err instanceof RttscanError ? err : openError(path, err);
  }
}

/** Smallest read buffer: a small file gets buffers its own size, down to this. */
const MIN_READ_BUFFER = 4096;

/**
 * A file's bytes in CHUNK_SIZE chunks, read into three buffers used in turn, so reading allocates
 * nothing (bench/run.ts: a fresh Buffer per chunk from a read stream cost GC time). While the
 * consumer works on one chunk the next is already being read. A chunk stays intact until two
 * more have been handed out, which is what a reader needs: it copies a record that straddles
 * two chunks when the second arrives. The reads are pulled: a slow consumer holds them back.
 */
export async function* fileChunks(handle: FileHandle, chunkSize = CHUNK_SIZE): AsyncGenerator<Uint8Array> {
  const buffers = [new Uint8Array(chunkSize), new Uint8Array(chunkSize), new Uint8Array(chunkSize)] as const;
  let turn = 0;
  let reading: Promise<{ bytesRead: number; buffer: Uint8Array }> | undefined = handle.read(buffers[0], 0, chunkSize, null);
  try {
    for (;;) {
      const { bytesRead, buffer } = await reading!;
      reading = undefined;
      if (bytesRead === 0) return;
      turn = (turn + 1) % buffers.length;
      reading = handle.read(buffers[turn]!, 0, chunkSize, null);
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

/**
 * A FIFO (named pipe) opened for reading, or undefined if `signal` aborted first. Opening one
 * waits for a writer, in a libuv worker thread that nothing can cancel and that would keep the
 * process from exiting: on abort, rttscan opens the FIFO for writing itself (which lets the open
 * return) and closes both ends. Reads then go through a non-blocking pipe handle (net.Socket,
 * as for stdin), which destroy() stops at once, where a blocked read() could not be.
 */
async function openFifo(path: string, signal: AbortSignal | undefined): Promise<Socket | undefined> {
  const opened = new Promise<number>((resolve, reject) => openFd(path, constants.O_RDONLY, (err, fd) => (err ? reject(err) : resolve(fd))));
  let aborted = false;
  const unblock = (): void => {
    aborted = true;
    openFd(path, constants.O_WRONLY | constants.O_NONBLOCK, (err, fd) => {
      if (!err) closeFd(fd, () => {});
    });
  };
  if (signal?.aborted) unblock();
  else signal?.addEventListener('abort', unblock, { once: true });
  let fd: number;
  try {
    fd = await opened;
  } catch (err) {
    throw openError(path, err);
  } finally {
    signal?.removeEventListener('abort', unblock);
  }
  if (aborted) {
    closeFd(fd, () => {});
    return undefined;
  }
  return new Socket({ fd, readable: true, writable: false });
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
  /** A FIFO's pipe handle (see openFifo). */
  private fifo: Socket | undefined;
  /** The worker inflating this input (see worker-chunks.ts). */
  private worker: WorkerChunks | undefined;
  /**
   * `inflateOnWorkerFrom`: a regular gzip file of at least this many bytes is inflated on a
   * worker thread (worker-chunks.ts); by default none is.
   */
  constructor(
    path: string,
    private readonly inflateOnWorkerFrom = Infinity,
  ) {
    this.path = path;
  }

  /**
   * Opens the input and returns its first bytes (at least MAGIC_LEN unless it is shorter), or
   * undefined when `signal` aborted while a FIFO waited for its writer.
   */
  async start(chunkSize = CHUNK_SIZE, signal?: AbortSignal): Promise<Uint8Array | undefined> {
    let raw: AsyncIterable<Uint8Array>;
    const isFifo =
      this.path !== STDIN_PATH &&
      (await stat(this.path).then(
        (st) => st.isFIFO(),
        () => false,
      ));
    if (this.path === STDIN_PATH) raw = process.stdin;
    else if (isFifo) {
      this.fifo = await openFifo(this.path, signal);
      if (this.fifo === undefined) return undefined;
      raw = this.fifo;
    } else {
      const { handle, size } = await openFile(this.path);
      if (size !== undefined && size >= this.inflateOnWorkerFrom && (await startsWithGzip(handle))) {
        await handle.close();
        return this.startOnWorker(chunkSize);
      }
      this.file = handle;
      // A file smaller than a chunk needs no bigger buffers (thousands of small rotated files).
      raw = fileChunks(handle, size === undefined ? chunkSize : Math.min(chunkSize, Math.max(MIN_READ_BUFFER, size + 1)));
    }
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
    this.source = gunzipMembers(prefixed(head.slice(), rawChunks), inputName(this.path), this.warnings);
    head = new Uint8Array(0);
    while (head.length < MAGIC_LEN) {
      const r = await this.source.next();
      if (r.done) break;
      head = head.length === 0 ? r.value : concat(head, r.value);
    }
    return head;
  }

  /** Whether a worker inflates this input. */
  get onWorker(): boolean {
    return this.worker !== undefined;
  }

  /** Hands the file to a worker that inflates it; its first chunk is the head. */
  private async startOnWorker(chunkSize: number): Promise<Uint8Array> {
    this.worker = new WorkerChunks(this.path, chunkSize);
    this.source = this.worker.chunks((bytesRead) => (this.bytesRead = bytesRead), this.warnings);
    const first = await this.source.next();
    return first.done ? new Uint8Array(0) : first.value;
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
    this.fifo?.destroy();
    this.fifo = undefined;
    this.worker?.stop();
    this.worker = undefined;
    // A pipe on stdin that stays open would keep an interrupted run waiting for its writer.
    if (this.path === STDIN_PATH) process.stdin.destroy();
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
}

/** Whether the file's first bytes say gzip (read in place: the file position stays at 0). */
async function startsWithGzip(handle: FileHandle): Promise<boolean> {
  const head = new Uint8Array(MAGIC_LEN);
  // A read that fails here fails again on the way the file is then read, which names it.
  const bytesRead = await handle.read(head, 0, MAGIC_LEN, 0).then(
    (r) => r.bytesRead,
    () => 0,
  );
  return isGzip(head.subarray(0, bytesRead));
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

/**
 * One input: its chunk stream and the capture reader fed from it while it is open, and what is
 * known of it once closed (format, link types, warnings, counts), which is what a summary
 * needs. With several inputs, each is opened once to find its first packet's time, closed, and
 * opened again only when the time merge reaches it (packet-source.ts): however many files, only
 * those whose time has come hold a descriptor and buffers.
 */
export class CaptureInput {
  readonly path: string;
  /** Position among the inputs as given: ties in time go to the input named first. */
  readonly index: number;
  private chunks: InputChunks | undefined;
  private openReader: CaptureReader | undefined;
  packets = 0;
  tcpPackets = 0;
  ended = false;
  /** Capture time of the first packet (after probe), or undefined when it has none. */
  firstSec: number | undefined;
  firstNsec = 0;
  private closedFormat: CaptureFormat | undefined;
  private closedLinktypes: readonly number[] = [];
  private readonly closedWarnings: string[] = [];
  private bytesBefore = 0;
  /** Whether an opening of this input had it inflated on a worker thread (worker-chunks.ts). */
  inflatedOnWorker = false;

  /** `inflateOnWorkerFrom`: as for InputChunks, for every opening but the probe's. */
  constructor(
    path: string,
    index = 0,
    private readonly inflateOnWorkerFrom = Infinity,
  ) {
    this.path = path;
    this.index = index;
  }

  /** The reader while the input is open. */
  get reader(): CaptureReader {
    if (this.openReader === undefined) throw new Error(`${this.path}: read while not open`);
    return this.openReader;
  }

  get isOpen(): boolean {
    return this.openReader !== undefined;
  }

  get format(): CaptureFormat {
    return this.openReader?.format ?? this.closedFormat ?? 'pcap';
  }

  get linktypes(): readonly number[] {
    return this.openReader?.linktypes ?? this.closedLinktypes;
  }

  /** The input's warnings: from reading its bytes (gzip), then from its capture format. */
  get warnings(): string[] {
    if (this.chunks === undefined || this.openReader === undefined) return this.closedWarnings;
    return [...this.chunks.warnings, ...this.openReader.warnings];
  }

  /** Bytes read so far (the most of any opening), for progress. */
  get bytesRead(): number {
    return Math.max(this.bytesBefore, this.chunks?.bytesRead ?? 0);
  }

  /**
   * Opens the input; false when `signal` aborted first (a FIFO that had no writer). `probing`:
   * only the first packet will be read.
   */
  async open(chunkSize = CHUNK_SIZE, signal?: AbortSignal, probing = false): Promise<boolean> {
    const chunks = (this.chunks = new InputChunks(this.path, probing ? Infinity : this.inflateOnWorkerFrom));
    const head = await chunks.start(chunkSize, signal);
    if (head === undefined) return false;
    if (chunks.onWorker) this.inflatedOnWorker = true;
    this.openReader = readerFor(inputName(this.path), head);
    this.openReader.push(head);
    return true;
  }

  /**
   * Opens the input and reads up to its first packet, whose time it keeps; then lets go of the
   * file (stdin, which cannot be read twice, stays open). A fault in the head is thrown here.
   */
  async probe(chunkSize: number): Promise<void> {
    await this.open(chunkSize, undefined, true); // a first packet is not worth a worker
    while (!this.reader.next()) {
      if (!(await this.fill())) return; // no packet: ended, its warnings kept
    }
    this.firstSec = this.reader.packet.tsSec;
    this.firstNsec = this.reader.packet.tsNsec;
    if (this.path !== STDIN_PATH) this.close(false);
  }

  /**
   * Lets go of the file and the buffers, keeping what a summary needs. `final` (the default):
   * the input is done; otherwise it will be opened again from the start.
   */
  close(final = true): void {
    const reader = this.openReader;
    if (reader !== undefined) {
      this.closedFormat = reader.format;
      this.closedLinktypes = [...reader.linktypes];
      if (final) this.closedWarnings.push(...this.chunks!.warnings, ...reader.warnings);
    }
    this.bytesBefore = this.bytesRead;
    this.chunks?.close();
    this.chunks = undefined;
    this.openReader = undefined;
  }

  /** Feeds the reader its next chunk; false (after recording any warning) at the end. */
  async fill(): Promise<boolean> {
    const chunk = await this.chunks!.next();
    if (chunk !== undefined) {
      this.reader.push(chunk);
      return true;
    }
    this.ended = true;
    const warning = this.reader.finish();
    if (warning !== undefined) this.reader.warnings.push(warning);
    this.close();
    return false;
  }
}
