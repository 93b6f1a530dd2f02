/**
 * The segments one sender has in flight, in sequence order: what an ACK can be paired with.
 * A ring of fixed-stride records in one Float64Array (u32 sequence numbers and times in ns are
 * exact in doubles), so a connection costs a few small arrays and a packet costs no objects.
 */
const START = 0;
const END = 1;
/** Capture time of the first transmission. */
const FIRST_SENT = 2;
/** Capture time of the latest retransmission, or -1 if never retransmitted. */
const RETX_SENT = 3;
/** TSval carried by the latest retransmission (meaningful when RETX_SENT >= 0). */
const RETX_TSVAL = 4;
/** 1 when the segment is a SYN (its sample is a handshake sample). */
const IS_SYN = 5;
const STRIDE = 6;

/** Initial capacity in segments; a connection with more in flight doubles it. */
const INITIAL_SEGMENTS = 4;
/**
 * Segments tracked per direction at most. Beyond this (a window of 65536 segments is ~95 MB
 * of data in flight) the oldest is dropped: it can then give no sample, never a wrong one.
 */
export const MAX_SEGMENTS = 65536;

export class Outstanding {
  private data = new Float64Array(INITIAL_SEGMENTS * STRIDE);
  private capacity = INITIAL_SEGMENTS;
  private head = 0;
  count = 0;
  /** Segments dropped because MAX_SEGMENTS were in flight. */
  overflowed = 0;

  private slot(i: number): number {
    return ((this.head + i) % this.capacity) * STRIDE;
  }

  push(start: number, end: number, sentNs: number, isSyn: boolean): void {
    if (this.count === this.capacity) {
      if (this.capacity >= MAX_SEGMENTS) {
        this.shift();
        this.overflowed++;
      } else this.grow();
    }
    const at = this.slot(this.count);
    const d = this.data;
    d[at + START] = start;
    d[at + END] = end;
    d[at + FIRST_SENT] = sentNs;
    d[at + RETX_SENT] = -1;
    d[at + RETX_TSVAL] = 0;
    d[at + IS_SYN] = isSyn ? 1 : 0;
    this.count++;
  }

  shift(): void {
    this.head = (this.head + 1) % this.capacity;
    this.count--;
  }

  clear(): void {
    this.head = 0;
    this.count = 0;
  }

  start(i: number): number {
    return this.data[this.slot(i) + START]!;
  }
  end(i: number): number {
    return this.data[this.slot(i) + END]!;
  }
  firstSentNs(i: number): number {
    return this.data[this.slot(i) + FIRST_SENT]!;
  }
  retxSentNs(i: number): number {
    return this.data[this.slot(i) + RETX_SENT]!;
  }
  retxTsVal(i: number): number {
    return this.data[this.slot(i) + RETX_TSVAL]!;
  }
  isSyn(i: number): boolean {
    return this.data[this.slot(i) + IS_SYN] === 1;
  }

  setStart(i: number, start: number): void {
    this.data[this.slot(i) + START] = start;
  }

  markRetransmitted(i: number, sentNs: number, tsVal: number): void {
    const at = this.slot(i);
    this.data[at + RETX_SENT] = sentNs;
    this.data[at + RETX_TSVAL] = tsVal;
  }

  private grow(): void {
    const bigger = new Float64Array(this.capacity * 2 * STRIDE);
    for (let i = 0; i < this.count; i++) bigger.set(this.data.subarray(this.slot(i), this.slot(i) + STRIDE), i * STRIDE);
    this.data = bigger;
    this.capacity *= 2;
    this.head = 0;
  }
}
