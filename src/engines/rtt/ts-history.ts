/**
 * When each TSval was first seen on a sender's segments. An ACK's TSecr echoes a TSval; the
 * time of the *first* segment that carried it is where an RTT measured through the echo must
 * start, because timestamp clocks tick every 1–10 ms and many segments share a TSval: keeping
 * the first sighting can only overestimate, never underestimate.
 *
 * The history is a ring held entirely in one array of doubles, `[next, count, latest,
 * latestNs, tsVal0, time0, frame0, tsVal1, time1, frame1, ...]` (frame: capture/frame-ref.ts), owned by the sender's HalfConnection: no
 * object of its own, because a million connections make every object per half count
 * (bench/run.ts, bytes per flow). `latest` and `latestNs` are the newest TSval on *any* packet
 * of the sender (pure ACKs too) and its first sighting, for the vantage inference: the peer's
 * first packet echoing it times the peer's reaction (see `echoDelayNs`).
 */
import { seqGt } from '../../flow/seq.js';
import { doubles } from '../../util/doubles.js';

/**
 * Distinct TSvals remembered per sender; an echo older than this finds nothing (no sample).
 * A power of two. Most connections never fill the first few entries, so the ring starts small.
 */
const MAX_ENTRIES = 256;
const INITIAL_ENTRIES = 2;
const NEXT = 0;
const COUNT = 1;
const LATEST = 2;
/** First sighting of LATEST, or -1 once an echo of it was timed (each echo is timed once). */
const LATEST_NS = 3;
const HEADER = 4;
/** Doubles per entry: the TSval, when it was first seen, and that segment's frame reference. */
const ENTRY = 3;

export type TsHistory = number[];

export function newTsHistory(): TsHistory {
  const ring = doubles(HEADER + ENTRY * INITIAL_ENTRIES);
  ring[NEXT] = 0;
  ring[COUNT] = 0;
  ring[LATEST_NS] = -1;
  return ring;
}

/** Notes the TSval of any packet of the sender (data or not) if it is the newest so far. */
export function seeLatestTsVal(ring: TsHistory, tsVal: number, nowNs: number): void {
  const latest = ring[LATEST]!;
  if (latest === latest && !seqGt(tsVal, latest)) return; // NaN until the first
  ring[LATEST] = tsVal;
  ring[LATEST_NS] = nowNs;
}

/**
 * How long after the first sighting of the sender's newest TSval the peer echoed it (`tsEcr`
 * at `nowNs`), the first time it does; -1 otherwise. Wherever the capture point is, this is at
 * least the round trip from there to the peer, since the peer echoed a packet that had passed
 * it; at the peer itself it is the peer's own reaction time.
 */
export function echoDelayNs(ring: TsHistory, tsEcr: number, nowNs: number): number {
  const sinceNs = ring[LATEST_NS]!;
  if (sinceNs < 0 || ring[LATEST] !== tsEcr) return -1;
  ring[LATEST_NS] = -1;
  return nowNs - sinceNs;
}

function capacityOf(ring: TsHistory): number {
  return (ring.length - HEADER) / ENTRY;
}

/**
 * Records the TSval of a segment sent at `sentNs` if it is newer than any before; returns the
 * ring, which is a new array when it had to grow.
 */
export function seeTsVal(history: TsHistory, tsVal: number, sentNs: number, frame: number): TsHistory {
  let ring = history;
  let capacity = capacityOf(ring);
  const count = ring[COUNT]!;
  // The newest TSval is the last one written.
  if (count > 0 && !seqGt(tsVal, ring[HEADER + ENTRY * ((ring[NEXT]! - 1) & (capacity - 1))]!)) return ring;
  if (count === capacity && capacity < MAX_ENTRIES) {
    ring = grown(ring);
    capacity *= 2;
  }
  const next = ring[NEXT]!;
  ring[HEADER + ENTRY * next] = tsVal;
  ring[HEADER + ENTRY * next + 1] = sentNs;
  ring[HEADER + ENTRY * next + 2] = frame;
  ring[NEXT] = (next + 1) & (capacity - 1);
  if (count < capacity) ring[COUNT] = count + 1;
  return ring;
}

/** Where the entry of `tsVal` is in the ring (for seenNs and seenFrame), or -1 if it is not remembered. */
export function findTsVal(ring: TsHistory, tsVal: number): number {
  const capacity = capacityOf(ring);
  const next = ring[NEXT]!;
  const count = ring[COUNT]!;
  for (let i = 1; i <= count; i++) {
    const at = HEADER + ENTRY * ((next - i) & (capacity - 1));
    if (ring[at] === tsVal) return at;
  }
  return -1;
}

/** Capture time of the first segment carrying the TSval of the entry at `at`. */
export function seenNs(ring: TsHistory, at: number): number {
  return ring[at + 1]!;
}

/** Frame reference of that segment. */
export function seenFrame(ring: TsHistory, at: number): number {
  return ring[at + 2]!;
}

/** A ring twice the size, oldest entry first (only when full, so `next` is the oldest). */
function grown(ring: TsHistory): TsHistory {
  const capacity = capacityOf(ring);
  const values = ENTRY * capacity;
  const bigger = doubles(HEADER + 2 * values);
  const next = ring[NEXT]!;
  for (let k = 0; k < values; k++) bigger[HEADER + k] = ring[HEADER + ((ENTRY * next + k) % values)]!;
  bigger[NEXT] = capacity;
  bigger[COUNT] = capacity;
  bigger[LATEST] = ring[LATEST]!;
  bigger[LATEST_NS] = ring[LATEST_NS]!;
  return bigger;
}
