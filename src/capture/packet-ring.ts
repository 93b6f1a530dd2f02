/**
 * Decoded TCP packets handed from the decoding worker (decode-worker.ts) to the analysing thread
 * through shared memory: a ring of SLOTS slots, each a batch of up to SLOT_RECORDS records. The
 * worker fills a slot and publishes it by bumping `written`; the reader takes it and gives it
 * back by bumping `read`. A full ring makes the worker wait (backpressure: the analysis sets the
 * pace), an empty one makes the reader wait, asynchronously so that its event loop goes on.
 *
 * A record is the PacketView's decoded fields (not its bytes: the worker path runs without the
 * consumers of payload bytes, TCP-RT and --filter) plus the packet's capture time and its frame
 * number in the input. A slot's header says how many records it holds and whether it is the last:
 * the end of the input, or a failure whose details follow as a message.
 */
import { MAX_SACK_BLOCKS, type PacketView } from '../decode/packet-view.js';

/** Records per slot and slots in the ring (4 × 8192 records of 152 bytes: 5 MB). */
export const SLOT_RECORDS = 8192;
export const SLOTS = 4;

/**
 * Control words: slots published and slots given back (both counting up), a stop request, and
 * whether each side sleeps: a side wakes the other only when it sleeps, because a wake-up
 * (Atomics.notify) per slot cost more than the copying (bench/targets.ts).
 */
const WRITTEN = 0;
const READ = 1;
const STOP = 2;
const WRITER_SLEEPS = 3;
const READER_SLEEPS = 4;
const CONTROL_WORDS = 5;

/** Slot header: records in the slot, and what follows it. */
const COUNT = 0;
const STATUS = 1;
const HEADER_WORDS = 2;
export const STATUS_MORE = 0;
/** The input ended (its summary follows as a message). */
export const STATUS_END = 1;
/** Reading failed (the error follows as a message); the slot's records came before it. */
export const STATUS_FAILED = 2;

/** Record kinds: a TCP packet, or the first packet of a link type the decoder does not support. */
export const RECORD_PACKET = 0;
export const RECORD_UNSUPPORTED_LINKTYPE = 1;

// u32 words of a record.
const KIND = 0;
const IP_VERSION = 1;
const SRC = 2; // 4 words
const DST = 6; // 4 words
const SRC_PORT = 10;
const DST_PORT = 11;
const SEQ = 12;
const ACK = 13;
const FLAGS = 14;
const WINDOW = 15;
const PAYLOAD_LEN = 16;
/** mss and windowScale plus one (0: absent). */
const MSS1 = 17;
const WSCALE1 = 18;
/** sackPermitted (bit 0), hasTimestamp (bit 1), SACK blocks (bits 2-4). */
const BITS = 19;
const TS_VAL = 20;
const TS_ECR = 21;
const SACK = 22; // 2 × MAX_SACK_BLOCKS words
const U32_STRIDE = SACK + 2 * MAX_SACK_BLOCKS;
// f64 values of a record.
const TS_SEC = 0;
const TS_NSEC = 1;
const FRAME = 2;
const F64_STRIDE = 3;

const SLOT_BYTES = 8 * F64_STRIDE * SLOT_RECORDS + 4 * (HEADER_WORDS + U32_STRIDE * SLOT_RECORDS);

/** The shared memory of one ring: what the worker is given. */
export interface RingMemory {
  control: SharedArrayBuffer;
  slots: SharedArrayBuffer[];
  /** One double: the input's bytes read so far (compressed bytes for gzip), for progress. */
  bytesRead: SharedArrayBuffer;
}

export function newRingMemory(): RingMemory {
  const slots: SharedArrayBuffer[] = [];
  for (let i = 0; i < SLOTS; i++) slots.push(new SharedArrayBuffer(SLOT_BYTES));
  return { control: new SharedArrayBuffer(4 * CONTROL_WORDS), slots, bytesRead: new SharedArrayBuffer(8) };
}

class Slot {
  readonly f64: Float64Array;
  readonly header: Uint32Array;
  readonly u32: Uint32Array;
  constructor(buffer: SharedArrayBuffer) {
    this.f64 = new Float64Array(buffer, 0, F64_STRIDE * SLOT_RECORDS);
    this.header = new Uint32Array(buffer, 8 * F64_STRIDE * SLOT_RECORDS, HEADER_WORDS);
    this.u32 = new Uint32Array(buffer, 8 * F64_STRIDE * SLOT_RECORDS + 4 * HEADER_WORDS, U32_STRIDE * SLOT_RECORDS);
  }
}

/** The worker's end: fills slots, waits (blocking: it is a worker) while the ring is full. */
export class RingWriter {
  private readonly control: Int32Array;
  private readonly slots: Slot[];
  private slot: Slot;
  private count = 0;
  private written = 0;
  /** Set when the reader asked the writer to stop: further writes are dropped. */
  stopped = false;

  constructor(memory: RingMemory) {
    this.control = new Int32Array(memory.control);
    this.slots = memory.slots.map((b) => new Slot(b));
    this.slot = this.slots[0]!;
  }

  /** Appends a decoded TCP packet and its frame number (1-based record number in its input). */
  packet(view: PacketView, frame: number): void {
    const at = this.count;
    const u = this.slot.u32;
    const f = this.slot.f64;
    const w = at * U32_STRIDE;
    u[w + KIND] = RECORD_PACKET;
    u[w + IP_VERSION] = view.ipVersion;
    const src = view.src;
    const dst = view.dst;
    u[w + SRC] = src[0]!;
    u[w + SRC + 1] = src[1]!;
    u[w + SRC + 2] = src[2]!;
    u[w + SRC + 3] = src[3]!;
    u[w + DST] = dst[0]!;
    u[w + DST + 1] = dst[1]!;
    u[w + DST + 2] = dst[2]!;
    u[w + DST + 3] = dst[3]!;
    u[w + SRC_PORT] = view.srcPort;
    u[w + DST_PORT] = view.dstPort;
    u[w + SEQ] = view.seq;
    u[w + ACK] = view.ack;
    u[w + FLAGS] = view.flags;
    u[w + WINDOW] = view.window;
    u[w + PAYLOAD_LEN] = view.payloadLen;
    u[w + MSS1] = view.mss + 1;
    u[w + WSCALE1] = view.windowScale + 1;
    const blocks = view.sackBlocks;
    u[w + BITS] = (view.sackPermitted ? 1 : 0) | (view.hasTimestamp ? 2 : 0) | (blocks << 2);
    u[w + TS_VAL] = view.tsVal;
    u[w + TS_ECR] = view.tsEcr;
    const sack = view.sack;
    for (let i = 0; i < 2 * blocks; i++) u[w + SACK + i] = sack[i]!;
    const v = at * F64_STRIDE;
    f[v + TS_SEC] = view.tsSec;
    f[v + TS_NSEC] = view.tsNsec;
    f[v + FRAME] = frame;
    if (++this.count === SLOT_RECORDS) this.publish(STATUS_MORE);
  }

  /** Appends the note that a link type is not supported, at its place among the packets. */
  unsupportedLinktype(linktype: number): void {
    this.slot.u32[this.count * U32_STRIDE + KIND] = RECORD_UNSUPPORTED_LINKTYPE;
    this.slot.u32[this.count * U32_STRIDE + IP_VERSION] = linktype;
    if (++this.count === SLOT_RECORDS) this.publish(STATUS_MORE);
  }

  /** Publishes the slot being filled (possibly empty, when `status` ends the stream). */
  publish(status: number): void {
    const control = this.control;
    this.slot.header[COUNT] = this.count;
    this.slot.header[STATUS] = status;
    this.written++;
    Atomics.store(control, WRITTEN, this.written);
    if (Atomics.load(control, READER_SLEEPS) !== 0) Atomics.notify(control, WRITTEN);
    this.count = 0;
    if (status !== STATUS_MORE) return;
    // Wait for a free slot: the reader gives one back, or asks the writer to stop.
    while (this.written - Atomics.load(control, READ) >= SLOTS && Atomics.load(control, STOP) === 0) {
      Atomics.store(control, WRITER_SLEEPS, 1);
      // Sleeps only if READ is still what it was: a slot given back in between is not missed.
      Atomics.wait(control, READ, this.written - SLOTS);
      Atomics.store(control, WRITER_SLEEPS, 0);
    }
    if (Atomics.load(control, STOP) !== 0) this.stopped = true;
    this.slot = this.slots[this.written % SLOTS]!;
  }
}

/** Atomics.waitAsync (Node >= 16; not in the ES2022 typings this project compiles against). */
const waitAsync = (Atomics as unknown as { waitAsync(array: Int32Array, index: number, value: number): { async: boolean; value: Promise<string> | string } }).waitAsync;

/** The analysing thread's end: takes slots as they are published and copies records into a view. */
export class RingReader {
  private readonly control: Int32Array;
  private readonly slots: Slot[];
  private read = 0;
  /** The slot taken by `take`: its records, its status. */
  private slot: Slot;
  count = 0;
  status = STATUS_MORE;

  constructor(memory: RingMemory) {
    this.control = new Int32Array(memory.control);
    this.slots = memory.slots.map((b) => new Slot(b));
    this.slot = this.slots[0]!;
  }

  /** Takes the next published slot, or resolves false (without taking it) if none is published yet and `wait` ends first. */
  async take(wait: Promise<unknown>): Promise<boolean> {
    const control = this.control;
    while (Atomics.load(control, WRITTEN) === this.read) {
      Atomics.store(control, READER_SLEEPS, 1);
      const { async, value } = waitAsync(control, WRITTEN, this.read);
      const woke = async ? await Promise.race([value, wait.then(() => 'interrupted' as const)]) : 'changed';
      Atomics.store(control, READER_SLEEPS, 0);
      if (woke === 'interrupted') return false;
    }
    this.slot = this.slots[this.read % SLOTS]!;
    this.count = this.slot.header[COUNT]!;
    this.status = this.slot.header[STATUS]!;
    return true;
  }

  /** Gives the slot taken back to the writer. */
  release(): void {
    this.read++;
    Atomics.store(this.control, READ, this.read);
    if (Atomics.load(this.control, WRITER_SLEEPS) !== 0) Atomics.notify(this.control, READ);
  }

  /** Asks the writer to stop (and wakes it if it waits for a slot). */
  stop(): void {
    Atomics.store(this.control, STOP, 1);
    Atomics.notify(this.control, READ);
  }

  kind(i: number): number {
    return this.slot.u32[i * U32_STRIDE + KIND]!;
  }

  /** The link type of an RECORD_UNSUPPORTED_LINKTYPE record. */
  linktype(i: number): number {
    return this.slot.u32[i * U32_STRIDE + IP_VERSION]!;
  }

  frame(i: number): number {
    return this.slot.f64[i * F64_STRIDE + FRAME]!;
  }

  /** Fills `view` with record `i` (a RECORD_PACKET); the view's bytes are left as they are. */
  fill(i: number, view: PacketView): void {
    const u = this.slot.u32;
    const f = this.slot.f64;
    const w = i * U32_STRIDE;
    view.ipVersion = u[w + IP_VERSION]!;
    const src = view.src;
    const dst = view.dst;
    src[0] = u[w + SRC]!;
    src[1] = u[w + SRC + 1]!;
    src[2] = u[w + SRC + 2]!;
    src[3] = u[w + SRC + 3]!;
    dst[0] = u[w + DST]!;
    dst[1] = u[w + DST + 1]!;
    dst[2] = u[w + DST + 2]!;
    dst[3] = u[w + DST + 3]!;
    view.srcPort = u[w + SRC_PORT]!;
    view.dstPort = u[w + DST_PORT]!;
    view.seq = u[w + SEQ]!;
    view.ack = u[w + ACK]!;
    view.flags = u[w + FLAGS]!;
    view.window = u[w + WINDOW]!;
    view.payloadLen = u[w + PAYLOAD_LEN]!;
    view.mss = u[w + MSS1]! - 1;
    view.windowScale = u[w + WSCALE1]! - 1;
    const bits = u[w + BITS]!;
    view.sackPermitted = (bits & 1) !== 0;
    view.hasTimestamp = (bits & 2) !== 0;
    const blocks = bits >>> 2;
    view.sackBlocks = blocks;
    view.tsVal = u[w + TS_VAL]!;
    view.tsEcr = u[w + TS_ECR]!;
    const sack = view.sack;
    for (let k = 0; k < 2 * blocks; k++) sack[k] = u[w + SACK + k]!;
    view.payloadOffset = 0;
    view.capturedPayloadLen = 0;
    const v = i * F64_STRIDE;
    view.tsSec = f[v + TS_SEC]!;
    view.tsNsec = f[v + TS_NSEC]!;
  }
}
