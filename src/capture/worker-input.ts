/**
 * One capture file read and decoded on a worker thread (decode-worker.ts), its TCP packets taken
 * from a shared ring (packet-ring.ts) on this one: the analysis gets the second core for the
 * reading, decompression and decoding it would otherwise do between packets. Only where that
 * pays (WORKER_MIN_GZIP_BYTES), and only when nothing needs a packet's bytes (TCP-RT, --filter)
 * or the decoder's counters mid-run (--interval): the caller decides (analyze.ts).
 *
 * The packets arrive in the order the file holds them, with their frame numbers; what the
 * in-thread path would have thrown (an unreadable file, a corrupt record) is thrown here after
 * the packets read before it, as the same error.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { DecodeCounters } from '../decode/decode-counters.js';
import type { PacketView } from '../decode/packet-view.js';
import { CaptureError, RttscanError, type ErrorCode } from '../errors.js';
import { newRingMemory, RECORD_UNSUPPORTED_LINKTYPE, RingReader, STATUS_FAILED, STATUS_MORE } from './packet-ring.js';
import { isGzip, MAGIC_LEN } from './detect.js';
import type { CaptureFormat } from './reader.js';
import type { Backpressure } from './packet-source.js';

/**
 * By default only gzip files of this size or more are decoded on a worker: there the worker
 * takes decompression's stream handling and CRC off the analysing thread (the bench capture
 * gzipped: 0.83x the wall time in-thread), and its start-up (a few tens of ms) is paid back from
 * about 10 MB of compressed capture. On a plain capture it does not pay: copying a decoded packet
 * out of the ring costs the analysing thread about what decoding it there does (README,
 * Performance), so plain files are decoded in-thread unless `workerMinBytes` says otherwise.
 */
export const WORKER_MIN_GZIP_BYTES = 16 << 20;

/** The input's format and link types so far, sent when it opens and when a new link type shows. */
export interface WorkerFormat {
  type: 'format';
  format: CaptureFormat;
  linktypes: number[];
}

/** The input's summary, sent when the file is read to its end. */
export interface WorkerDone {
  type: 'done';
  format: CaptureFormat;
  linktypes: number[];
  warnings: string[];
  packets: number;
  counters: Omit<DecodeCounters, 'unsupportedLinktypes' | 'toJSON'> & { unsupportedLinktypes: [number, number][] };
}

/** Why reading stopped: enough to throw the same error the in-thread path would. */
export interface WorkerFailed {
  type: 'failed';
  name: 'CaptureError' | 'RttscanError' | 'Error';
  message: string;
  code: ErrorCode | undefined;
  position: { file: string; offset: number; record: number | undefined; reason: string } | undefined;
  stack: string | undefined;
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

/**
 * Whether `path` is decoded on a worker: a regular file (stdin, FIFOs and devices never are) of
 * at least `minBytes`; when that is not given, a gzip file of at least WORKER_MIN_GZIP_BYTES.
 */
export async function wantsWorker(path: string, minBytes: number | undefined): Promise<boolean> {
  if (path === '-' || minBytes === Infinity) return false;
  // stat, not open: opening a FIFO waits for its writer.
  const st = await stat(path).catch(() => undefined);
  if (st === undefined || !st.isFile()) return false; // a missing file: the in-thread path names the fault
  if (minBytes !== undefined) return st.size >= minBytes;
  if (st.size < WORKER_MIN_GZIP_BYTES) return false;
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const head = new Uint8Array(MAGIC_LEN);
    const { bytesRead } = await handle.read(head, 0, MAGIC_LEN, 0);
    return isGzip(head.subarray(0, bytesRead));
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}

/** What the analysis does with each packet the worker decoded. */
export interface DecodedPacketSink {
  /** The view given to `read` holds the packet (its bytes excepted); `input.packets` is its frame number, from 1. */
  onDecoded(input: WorkerInput): void;
  /** The first packet of a link type the decoder does not support, at its place among the packets. */
  onUnsupportedLinktype(linktype: number): void;
}

/**
 * A file read on a worker thread, with the CaptureInput surface a summary needs (path, format,
 * link types, warnings, packet counts, bytes read), filled in as the reading goes.
 */
export class WorkerInput {
  readonly path: string;
  readonly index = 0;
  format: CaptureFormat = 'pcap';
  linktypes: readonly number[] = [];
  warnings: string[] = [];
  /** Every record so far (the current packet's frame number while one is analysed). */
  packets = 0;
  tcpPackets = 0;
  /** Bytes the worker has read so far (compressed bytes for gzip), for progress. */
  private readonly progress: Float64Array;
  /** The decoder's counters, sent once the file is read. */
  counters: WorkerDone['counters'] | undefined;

  private readonly memory = newRingMemory();

  constructor(path: string) {
    this.path = path;
    this.progress = new Float64Array(this.memory.bytesRead);
  }

  get bytesRead(): number {
    return this.progress[0]!;
  }

  /**
   * Reads the file to its end on a worker, calling `sink` for each packet in order; stops between
   * batches when `signal` aborts (the result covers what was analysed) and asks `backpressure`
   * before each batch, as readPackets does between chunks.
   */
  async read(view: PacketView, sink: DecodedPacketSink, signal?: AbortSignal, backpressure?: Backpressure): Promise<void> {
    const memory = this.memory;
    const ring = new RingReader(memory);
    const worker = new Worker(new URL('./decode-worker.js', import.meta.url), { workerData: { path: this.path, ring: memory } });
    // The worker's last word (its summary or its error), and whether it died without one.
    let crashed: Error | undefined;
    let lastWord: WorkerDone | WorkerFailed | undefined;
    const settled = new Promise<void>((resolve) => {
      worker.on('message', (m: WorkerFormat | WorkerDone | WorkerFailed) => {
        if (m.type === 'format') {
          this.format = m.format;
          this.linktypes = m.linktypes;
          return;
        }
        lastWord = m;
        resolve();
      });
      worker.on('error', (err) => {
        crashed = err;
        resolve();
      });
      worker.on('exit', () => resolve());
    });
    let onAbort = (): void => {};
    const aborted = new Promise<void>((resolve) => {
      onAbort = resolve;
      if (signal?.aborted) resolve();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
    // Waiting for a slot ends early when the run is aborted or the worker is gone.
    const interrupt = Promise.race([aborted, settled.then(() => new Promise<void>((r) => setTimeout(r, 50)))]);
    try {
      for (;;) {
        const wait = backpressure?.();
        if (wait !== undefined) await wait;
        if (signal?.aborted) return;
        if (!(await ring.take(interrupt))) {
          if (signal?.aborted) return;
          throw crashed ?? new Error(`${this.path}: the decoding worker stopped without a word`);
        }
        const n = ring.count;
        for (let i = 0; i < n; i++) {
          if (ring.kind(i) === RECORD_UNSUPPORTED_LINKTYPE) {
            sink.onUnsupportedLinktype(ring.linktype(i));
            continue;
          }
          ring.fill(i, view);
          this.packets = ring.frame(i);
          sink.onDecoded(this);
        }
        const status = ring.status;
        ring.release();
        if (status === STATUS_MORE) continue;
        await settled;
        if (status === STATUS_FAILED) throw lastWord?.type === 'failed' ? rebuild(lastWord) : (crashed ?? new Error(`${this.path}: the decoding worker failed`));
        const done = lastWord as WorkerDone;
        this.format = done.format;
        this.linktypes = done.linktypes;
        this.warnings = done.warnings;
        this.packets = done.packets;
        this.counters = done.counters;
        return;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      ring.stop();
      // Stopped early: a new link type reaches this thread by message, in no fixed order with the
      // ring's batches; the worker's last word, which follows the stop, names every one it saw.
      if (lastWord === undefined && crashed === undefined) await settledWithin(settled, LAST_WORD_WAIT_MS);
      if (lastWord?.type === 'done') {
        this.format = lastWord.format;
        this.linktypes = lastWord.linktypes;
      }
      await worker.terminate();
    }
  }
}

/** How long a stopped worker is given to say what it saw (it stops between two records). */
const LAST_WORD_WAIT_MS = 1000;

/** Waits for `settled`, or `ms` at most. */
async function settledWithin(settled: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([settled, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** Adds a worker's decoder counters into the analysis's own. */
export function addCounters(into: DecodeCounters, from: WorkerDone['counters']): void {
  into.packets += from.packets;
  into.tcpPackets += from.tcpPackets;
  into.nonIp += from.nonIp;
  into.nonTcp += from.nonTcp;
  into.ipv4Fragments += from.ipv4Fragments;
  into.ipv6Fragments += from.ipv6Fragments;
  into.truncatedHeaders += from.truncatedHeaders;
  into.malformedIpv4 += from.malformedIpv4;
  into.malformedIpv6 += from.malformedIpv6;
  into.malformedTcp += from.malformedTcp;
  into.badTcpOptions += from.badTcpOptions;
  for (const [linktype, n] of from.unsupportedLinktypes) into.unsupportedLinktypes.set(linktype, (into.unsupportedLinktypes.get(linktype) ?? 0) + n);
}
