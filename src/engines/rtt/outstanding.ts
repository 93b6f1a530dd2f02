/**
 * The segments one sender has in flight, in sequence order: what an ACK can be paired with.
 * A ring of fixed-stride records in one array of doubles (u32 sequence numbers and times in ns
 * are exact in doubles), so a connection costs one small array and a packet costs no objects.
 */
import { doubles } from '../../util/doubles.js';

const START = 0;
const END = 1;
/** Capture time of the first transmission seen. */
const FIRST_SENT = 2;
/** Capture time of the latest transmission seen (the first, until it is retransmitted). */
const LAST_SENT = 3;
/** TSval carried by the latest transmission (0 without timestamps). */
const LAST_TSVAL = 4;
const FLAGS = 5;
/** Frame reference (capture/frame-ref.ts) of the first transmission seen. */
const FIRST_FRAME = 6;
const STRIDE = 7;

const FLAG_SYN = 1;
/** Seen more than once at the capture point. */
const FLAG_RETRANSMITTED = 2;

/**
 * Initial capacity in segments (a power of two); a connection with more in flight doubles it.
 * Small, because a million mostly idle connections must fit in a few hundred bytes each.
 */
const INITIAL_SEGMENTS = 1;
/**
 * Segments tracked per direction at most. Beyond this (a window of 65536 segments is ~95 MB
 * of data in flight) the oldest is dropped: it can then give no sample, never a wrong one.
 */
export const MAX_SEGMENTS = 65536;
/** Rings larger than this go back to one slot when they empty (see shrinkIfEmpty). */
const SHRINK_ABOVE = 64;

/**
 * Segments held in flight by all connections of a run, beyond each ring's first slot: a bound
 * over the whole run, since a million flows each with a backlog would otherwise pass any
 * memory (about 50 bytes a slot). A ring that would grow past it forgets its own oldest
 * segment instead (which then gives no sample, never a wrong one); a ring that empties gives
 * its slots back.
 */
export class SegmentBudget {
  /** Slots held beyond each ring's first. */
  held = 0;
  /** Segments forgotten because the budget was spent. */
  forgotten = 0;
  constructor(readonly limit: number) {}
}

/** Default SegmentBudget limit: 4 M segments, about 200 MB of rings in the worst case. */
export const DEFAULT_MAX_SEGMENTS = 4_000_000;

/** What Outstanding.push had to do to make room. */
export const PUSHED = 0;
/** The oldest segment was forgotten: MAX_SEGMENTS in flight in this direction. */
export const DROPPED_PER_FLOW = 1;
/** The oldest segment was forgotten: the run's SegmentBudget is spent. */
export const DROPPED_OVER_BUDGET = 2;

/** What an ACK found among the segments in flight (see Outstanding.acknowledge). */
export class AckMatch {
  /** First capture of the segment the ACK ends at (or inside), or -1 if none. */
  sentNs = -1;
  /** Frame reference of that first capture. */
  sentFrame = 0;
  syn = false;
  retransmitted = false;
  /** The latest transmission among the segments the ACK covers, and its TSval. */
  latestSentNs = -1;
  latestTsVal = 0;
}

export class Outstanding {
  private data = doubles(INITIAL_SEGMENTS * STRIDE);
  private head = 0;
  count = 0;

  /** Segments the ring holds (a power of two); derived, not stored: a field per half counts. */
  private get capacity(): number {
    return this.data.length / STRIDE;
  }

  private slot(i: number): number {
    return ((this.head + i) & (this.capacity - 1)) * STRIDE;
  }

  /**
   * Adds a segment at the end. A full ring doubles, unless that passes MAX_SEGMENTS or the run's
   * budget: then its oldest segment is forgotten (PUSHED, DROPPED_PER_FLOW, DROPPED_OVER_BUDGET).
   */
  push(start: number, end: number, sentNs: number, tsVal: number, isSyn: boolean, frame: number, budget: SegmentBudget): number {
    let outcome = PUSHED;
    if (this.count === this.capacity) {
      const capacity = this.capacity;
      if (capacity >= MAX_SEGMENTS) {
        this.shift();
        outcome = DROPPED_PER_FLOW;
      } else if (budget.held + capacity > budget.limit) {
        this.shift();
        budget.forgotten++;
        outcome = DROPPED_OVER_BUDGET;
      } else {
        budget.held += capacity;
        this.grow();
      }
    }
    const at = this.slot(this.count);
    const d = this.data;
    d[at + START] = start;
    d[at + END] = end;
    d[at + FIRST_SENT] = sentNs;
    d[at + LAST_SENT] = sentNs;
    d[at + LAST_TSVAL] = tsVal;
    d[at + FLAGS] = isSyn ? FLAG_SYN : 0;
    d[at + FIRST_FRAME] = frame;
    this.count++;
    return outcome;
  }

  /** The ring is being discarded (its connection ended): its slots go back to the budget. */
  giveBack(budget: SegmentBudget): void {
    budget.held -= this.capacity - INITIAL_SEGMENTS;
  }

  /**
   * An empty ring that had grown past SHRINK_ABOVE goes back to its first slot: a burst long
   * gone holds no budget. Smaller rings keep their slots (they are counted), so a connection
   * that drains its window on every ACK does not reallocate each time.
   */
  shrinkIfEmpty(budget: SegmentBudget): void {
    if (this.count !== 0 || this.capacity <= SHRINK_ABOVE) return;
    this.giveBack(budget);
    this.data = doubles(INITIAL_SEGMENTS * STRIDE);
    this.head = 0;
  }

  /** Moves the last segment to position i, shifting the ones from i on (rare: hole fills). */
  moveLastTo(i: number): void {
    const d = this.data;
    const last = this.slot(this.count - 1);
    const saved = d.slice(last, last + STRIDE);
    for (let k = this.count - 1; k > i; k--) {
      const to = this.slot(k);
      const from = this.slot(k - 1);
      for (let f = 0; f < STRIDE; f++) d[to + f] = d[from + f]!;
    }
    const at = this.slot(i);
    for (let f = 0; f < STRIDE; f++) d[at + f] = saved[f]!;
  }

  /**
   * Removes the segments that `ack` covers and reports, in `match`, the one it ends at (or
   * falls inside: a partial ACK of a super-segment, whose start then advances to `ack`).
   */
  acknowledge(ack: number, match: AckMatch): void {
    match.sentNs = -1;
    match.latestSentNs = -1;
    const d = this.data;
    while (this.count > 0) {
      const at = this.head * STRIDE;
      const end = d[at + END]!;
      const covered = ((end - ack) | 0) <= 0;
      if (!covered && ((d[at + START]! - ack) | 0) >= 0) return;
      const sentNs = d[at + LAST_SENT]!;
      if (sentNs > match.latestSentNs) {
        match.latestSentNs = sentNs;
        match.latestTsVal = d[at + LAST_TSVAL]!;
      }
      if (!covered || end === ack) {
        const flags = d[at + FLAGS]!;
        match.sentNs = d[at + FIRST_SENT]!;
        match.sentFrame = d[at + FIRST_FRAME]!;
        match.syn = (flags & FLAG_SYN) !== 0;
        match.retransmitted = (flags & FLAG_RETRANSMITTED) !== 0;
      }
      if (!covered) {
        d[at + START] = ack;
        return;
      }
      this.shift();
    }
  }

  shift(): void {
    this.head = (this.head + 1) & (this.capacity - 1);
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

  markRetransmitted(i: number, sentNs: number, tsVal: number): void {
    const at = this.slot(i);
    const d = this.data;
    d[at + LAST_SENT] = sentNs;
    d[at + LAST_TSVAL] = tsVal;
    d[at + FLAGS] = d[at + FLAGS]! | FLAG_RETRANSMITTED;
  }

  /** Doubles the ring, oldest segment first (only when full, so the ring is contiguous in two runs). */
  private grow(): void {
    const old = this.data;
    const bigger = doubles(old.length * 2);
    const headAt = this.head * STRIDE;
    for (let k = 0; k < old.length; k++) bigger[k] = old[(headAt + k) % old.length]!;
    this.data = bigger;
    this.head = 0;
  }
}
