/**
 * The segments one sender has in flight, in sequence order: what an ACK can be paired with.
 * A ring of fixed-stride records in one array of doubles (u32 sequence numbers and times in ns
 * are exact in doubles), so a connection costs one small array and a packet costs no objects.
 * The sender's TSval history (ts-history.ts) follows the ring in the same array, once the
 * sender has sent a timestamp: one array a sender, not two (48 bytes less per half).
 */
import { doubles } from '../../util/doubles.js';
import { NOT_YET_SET } from '../../time.js';
import { echoDelayNs, findTsVal, seeLatestTsVal, seenFrame, seenNs, seeTsVal, withTsHistory } from './ts-history.js';

const START = 0;
const END = 1;
/** Capture time of the first transmission seen. */
const FIRST_SENT = 2;
/** Capture time of the latest transmission seen (the first, until it is retransmitted). */
const LAST_SENT = 3;
/** TSval carried by the latest transmission (0 without timestamps). */
const LAST_TSVAL = 4;
/**
 * The flag bits below, plus FLAG_SPAN × the TSval of the first transmission once the segment
 * is retransmitted (so that an echo of the first transmission can still be recognised): one
 * double holds both exactly (2^32 × 8 < 2^53), where a field of its own would cost 8 bytes per
 * segment in flight.
 */
const FLAGS = 5;
/** Frame references (capture/frame-ref.ts) of the first transmission seen and of the latest. */
const FIRST_FRAME = 6;
const LAST_FRAME = 7;
const STRIDE = 8;

const FLAG_SYN = 1;
/** Seen more than once at the capture point. */
const FLAG_RETRANSMITTED = 2;
/** The receiver reported it in a SACK block: it arrived beyond a hole. */
const FLAG_SACKED = 4;
const FLAG_SPAN = 8;

function flagsOf(packed: number): number {
  return packed % FLAG_SPAN;
}

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
 * memory (64 bytes a slot). A ring that would grow past it forgets its own oldest
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
  /*
   * Every field is written by acknowledge() before it is read; the times, frames and TSvals
   * start as doubles (NOT_YET_SET: see time.ts).
   */
  /** First capture of the segment the ACK ends at (or inside), or -1 if none. */
  sentNs = NOT_YET_SET;
  /** Frame reference of that first capture. */
  sentFrame = NOT_YET_SET;
  syn = false;
  retransmitted = false;
  /** TSval of that segment's latest transmission, and of its first (the same unless retransmitted). */
  endTsVal = NOT_YET_SET;
  endFirstTsVal = NOT_YET_SET;
  /** Segments the ACK covers (whole or in part). */
  segments = 0;
  /** The latest transmission among the segments the ACK covers, and its TSval. */
  latestSentNs = NOT_YET_SET;
  latestTsVal = NOT_YET_SET;
  /** Some covered segment had been reported in a SACK block: the ACK jumped a hole. */
  holeJumped = false;
  /**
   * Transmissions the ACK covers whose TSval is the ACK's echo (TSecr), among segments never
   * SACKed (the ones that can have filled a hole): how many, and the earliest's capture time.
   * Without an echo, 0.
   */
  echoCount = 0;
  echoSentNs = NOT_YET_SET;
  /** Frame reference of that earliest transmission. */
  echoSentFrame = NOT_YET_SET;
  /** The earliest such transmission is the first copy of a segment that was sent again (the echo proves that copy arrived). */
  echoFirstCopy = false;
}

/**
 * The array of a sender that has sent nothing yet (capacity 0): shared by all of them, never
 * written. The first segment or timestamp allocates the sender's own (in the right size, once),
 * so that a connection pays nothing for a direction that stays silent.
 */
const NOTHING_YET: number[] = emptyDoubles();

/** An empty array of the same kind (map) as doubles() gives, so that `data` always holds one kind. */
function emptyDoubles(): number[] {
  const empty = doubles(1);
  empty.length = 0;
  return empty;
}

export class Outstanding {
  /** The ring (capacity × STRIDE doubles), then the TSval history once there is one. */
  private data = NOTHING_YET;
  private head = 0;
  count = 0;
  /** Segments the ring holds: 0 until the first, then a power of two; the history starts at capacity × STRIDE. */
  private capacity = 0;

  private slot(i: number): number {
    return ((this.head + i) & (this.capacity - 1)) * STRIDE;
  }

  /**
   * Adds a segment at the end. A full ring doubles, unless that passes MAX_SEGMENTS or the run's
   * budget: then its oldest segment is forgotten (PUSHED, DROPPED_PER_FLOW, DROPPED_OVER_BUDGET).
   */
  push(start: number, end: number, sentNs: number, tsVal: number, isSyn: boolean, frame: number, budget: SegmentBudget): number {
    let outcome = PUSHED;
    if (this.capacity === 0) {
      this.data = doubles(INITIAL_SEGMENTS * STRIDE);
      this.capacity = INITIAL_SEGMENTS;
    } else if (this.count === this.capacity) {
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
    d[at + LAST_FRAME] = frame;
    this.count++;
    return outcome;
  }

  /** The ring is being discarded (its connection ended): its slots go back to the budget. */
  giveBack(budget: SegmentBudget): void {
    if (this.capacity > INITIAL_SEGMENTS) budget.held -= this.capacity - INITIAL_SEGMENTS;
  }

  /**
   * An empty ring that had grown past SHRINK_ABOVE goes back to its first slot: a burst long
   * gone holds no budget. Smaller rings keep their slots (they are counted), so a connection
   * that drains its window on every ACK does not reallocate each time.
   */
  shrinkIfEmpty(budget: SegmentBudget): void {
    if (this.count !== 0 || this.capacity <= SHRINK_ABOVE) return;
    this.giveBack(budget);
    const old = this.data;
    const historyAt = this.capacity * STRIDE;
    const smaller = doubles(INITIAL_SEGMENTS * STRIDE + old.length - historyAt);
    for (let k = historyAt; k < old.length; k++) smaller[k - historyAt + INITIAL_SEGMENTS * STRIDE] = old[k]!;
    this.data = smaller;
    this.capacity = INITIAL_SEGMENTS;
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
   * `tsEcr` is the ACK's timestamp echo, or -1: the covered transmissions that carried it are
   * counted in `match` (see AckMatch.echoCount).
   */
  acknowledge(ack: number, match: AckMatch, tsEcr = -1): void {
    match.sentNs = -1;
    match.latestSentNs = -1;
    match.holeJumped = false;
    match.segments = 0;
    match.echoCount = 0;
    match.echoSentNs = -1;
    match.echoFirstCopy = false;
    const d = this.data;
    while (this.count > 0) {
      const at = this.head * STRIDE;
      const end = d[at + END]!;
      const covered = ((end - ack) | 0) <= 0;
      if (!covered && ((d[at + START]! - ack) | 0) >= 0) break;
      const sentNs = d[at + LAST_SENT]!;
      if (sentNs > match.latestSentNs) {
        match.latestSentNs = sentNs;
        match.latestTsVal = d[at + LAST_TSVAL]!;
      }
      const packed = d[at + FLAGS]!;
      const flags = flagsOf(packed);
      match.segments++;
      if ((flags & FLAG_SACKED) !== 0) match.holeJumped = true;
      else if (tsEcr >= 0) this.countEcho(at, flags, packed, tsEcr, match);
      if (!covered || end === ack) {
        match.sentNs = d[at + FIRST_SENT]!;
        match.sentFrame = d[at + FIRST_FRAME]!;
        match.syn = (flags & FLAG_SYN) !== 0;
        match.retransmitted = (flags & FLAG_RETRANSMITTED) !== 0;
        match.endTsVal = d[at + LAST_TSVAL]!;
        match.endFirstTsVal = match.retransmitted ? (packed - flags) / FLAG_SPAN : match.endTsVal;
      }
      if (!covered) {
        d[at + START] = ack;
        break;
      }
      this.shift();
    }
  }

  /** Counts the transmissions of the segment at `at` (its first and its latest) that carried `tsEcr`. */
  private countEcho(at: number, flags: number, packed: number, tsEcr: number, match: AckMatch): void {
    const d = this.data;
    const again = (flags & FLAG_RETRANSMITTED) !== 0;
    if (again && (packed - flags) / FLAG_SPAN === tsEcr) this.echoAt(d[at + FIRST_SENT]!, d[at + FIRST_FRAME]!, true, match);
    if (d[at + LAST_TSVAL] === tsEcr) this.echoAt(d[at + LAST_SENT]!, d[at + LAST_FRAME]!, false, match);
  }

  private echoAt(sentNs: number, frame: number, firstCopy: boolean, match: AckMatch): void {
    match.echoCount++;
    if (match.echoSentNs < 0 || sentNs < match.echoSentNs) {
      match.echoSentNs = sentNs;
      match.echoSentFrame = frame;
      match.echoFirstCopy = firstCopy;
    }
  }

  /**
   * Marks the segments inside a SACK block [left, right) as having arrived beyond a hole.
   * Walks back from the block's right edge and stops at the first segment already marked, so
   * each segment costs one visit however often a growing block is repeated; a block that grew
   * on its left leaves those segments unmarked, which can only hide a hole, never invent one.
   */
  markSacked(left: number, right: number): void {
    const d = this.data;
    let i = this.firstEndingAfter(right) - 1;
    for (; i >= 0; i--) {
      const at = this.slot(i);
      if (((d[at + START]! - left) | 0) < 0) return;
      if (((d[at + END]! - right) | 0) > 0) continue;
      const packed = d[at + FLAGS]!;
      if ((flagsOf(packed) & FLAG_SACKED) !== 0) return;
      d[at + FLAGS] = packed + FLAG_SACKED;
    }
  }

  /** Index of the first segment that ends after `seq` (they are in order). */
  firstEndingAfter(seq: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (((this.end(mid) - seq) | 0) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
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

  markRetransmitted(i: number, sentNs: number, tsVal: number, frame: number): void {
    const at = this.slot(i);
    const d = this.data;
    const packed = d[at + FLAGS]!;
    // The first retransmission keeps the first transmission's TSval beside the flags.
    if ((flagsOf(packed) & FLAG_RETRANSMITTED) === 0) d[at + FLAGS] = packed + FLAG_RETRANSMITTED + FLAG_SPAN * d[at + LAST_TSVAL]!;
    d[at + LAST_SENT] = sentNs;
    d[at + LAST_TSVAL] = tsVal;
    d[at + LAST_FRAME] = frame;
  }

  /** Doubles the ring, oldest segment first (only when full, so the ring is contiguous in two runs); the history follows it. */
  private grow(): void {
    const old = this.data;
    const ringLength = this.capacity * STRIDE;
    const bigger = doubles(old.length + ringLength);
    const headAt = this.head * STRIDE;
    for (let k = 0; k < ringLength; k++) bigger[k] = old[(headAt + k) % ringLength]!;
    for (let k = ringLength; k < old.length; k++) bigger[k + ringLength] = old[k]!;
    this.data = bigger;
    this.capacity *= 2;
    this.head = 0;
  }

  /** Whether the sender has sent a timestamp option (its TSval history exists). */
  get hasTsHistory(): boolean {
    return this.data.length > this.capacity * STRIDE;
  }

  /** The array with a history in it, made on the sender's first timestamp. */
  private withTsHistory(): number[] {
    if (!this.hasTsHistory) {
      // The ring's first slot comes with the history: one allocation, not two.
      if (this.capacity === 0) this.capacity = INITIAL_SEGMENTS;
      this.data = withTsHistory(this.data, this.capacity * STRIDE);
    }
    return this.data;
  }

  /** Notes the TSval of any packet of the sender (ts-history.ts seeLatestTsVal). */
  seeLatestTsVal(tsVal: number, nowNs: number): void {
    seeLatestTsVal(this.withTsHistory(), this.capacity * STRIDE, tsVal, nowNs);
  }

  /** The peer's first echo of the sender's newest TSval (ts-history.ts echoDelayNs); -1 without a history. */
  echoDelayNs(tsEcr: number, nowNs: number): number {
    return this.hasTsHistory ? echoDelayNs(this.data, this.capacity * STRIDE, tsEcr, nowNs) : -1;
  }

  /** Records the TSval of a segment sent at `sentNs` (ts-history.ts seeTsVal). */
  seeTsVal(tsVal: number, sentNs: number, frame: number): void {
    const data = seeTsVal(this.withTsHistory(), this.capacity * STRIDE, tsVal, sentNs, frame);
    // Stored only when it grew: storing an object into a long-lived one pays a write barrier.
    if (data !== this.data) this.data = data;
  }

  /** Where the history's entry of `tsVal` is (for tsSeenNs and tsSeenFrame), or -1 if it has none. */
  findTsVal(tsVal: number): number {
    return this.hasTsHistory ? findTsVal(this.data, this.capacity * STRIDE, tsVal) : -1;
  }

  /** Capture time of the first segment that carried the TSval of the entry at `at`. */
  tsSeenNs(at: number): number {
    return seenNs(this.data, at);
  }

  /** Frame reference of that segment. */
  tsSeenFrame(at: number): number {
    return seenFrame(this.data, at);
  }
}
