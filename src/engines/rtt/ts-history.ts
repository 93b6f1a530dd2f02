/**
 * When each TSval was first seen on a sender's segments. An ACK's TSecr echoes a TSval; the
 * time of the *first* segment that carried it is where an RTT measured through the echo must
 * start, because timestamp clocks tick every 1–10 ms and many segments share a TSval: keeping
 * the first sighting can only overestimate, never underestimate.
 *
 * The history is a ring of doubles at the end of the sender's segment ring (outstanding.ts), from
 * `base` on: `[next, count, latest, latestNs, tsVal0, time0, frame0, tsVal1, time1, frame1, ...]`
 * (frame: capture/frame-ref.ts). No array of its own: a million connections make every object
 * per half count (bench/run.ts, bytes per flow), and an array costs 48 bytes before its first
 * element. `latest` and `latestNs` are the newest TSval on *any* packet of the sender (pure ACKs
 * too) and its first sighting, for the vantage inference: the peer's first packet echoing it
 * times the peer's reaction (see `echoDelayNs`).
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

/** `base` doubles (the segment ring: what `ring` holds of them) followed by an empty history: a new array. */
export function withTsHistory(ring: readonly number[], base: number): number[] {
  const longer = doubles(base + HEADER + ENTRY * INITIAL_ENTRIES);
  const kept = Math.min(base, ring.length);
  for (let k = 0; k < kept; k++) longer[k] = ring[k]!;
  longer[base + NEXT] = 0;
  longer[base + COUNT] = 0;
  longer[base + LATEST_NS] = -1;
  return longer;
}

/** Notes the TSval of any packet of the sender (data or not) if it is the newest so far. */
export function seeLatestTsVal(ring: number[], base: number, tsVal: number, nowNs: number): void {
  const latest = ring[base + LATEST]!;
  if (latest === latest && !seqGt(tsVal, latest)) return; // NaN until the first
  ring[base + LATEST] = tsVal;
  ring[base + LATEST_NS] = nowNs;
}

/**
 * How long after the first sighting of the sender's newest TSval the peer echoed it (`tsEcr`
 * at `nowNs`), the first time it does; -1 otherwise. Wherever the capture point is, this is at
 * least the round trip from there to the peer, since the peer echoed a packet that had passed
 * it; at the peer itself it is the peer's own reaction time.
 */
export function echoDelayNs(ring: number[], base: number, tsEcr: number, nowNs: number): number {
  const sinceNs = ring[base + LATEST_NS]!;
  if (sinceNs < 0 || ring[base + LATEST] !== tsEcr) return -1;
  ring[base + LATEST_NS] = -1;
  return nowNs - sinceNs;
}

function capacityOf(ring: readonly number[], base: number): number {
  return (ring.length - base - HEADER) / ENTRY;
}

/**
 * Records the TSval of a segment sent at `sentNs` if it is newer than any before; returns the
 * array, which is a new one when the history had to grow.
 */
export function seeTsVal(history: number[], base: number, tsVal: number, sentNs: number, frame: number): number[] {
  let ring = history;
  let capacity = capacityOf(ring, base);
  const count = ring[base + COUNT]!;
  const entries = base + HEADER;
  // The newest TSval is the last one written.
  if (count > 0 && !seqGt(tsVal, ring[entries + ENTRY * ((ring[base + NEXT]! - 1) & (capacity - 1))]!)) return ring;
  if (count === capacity && capacity < MAX_ENTRIES) {
    ring = grown(ring, base);
    capacity *= 2;
  }
  const at = entries + ENTRY * ring[base + NEXT]!;
  ring[at] = tsVal;
  ring[at + 1] = sentNs;
  ring[at + 2] = frame;
  ring[base + NEXT] = (ring[base + NEXT]! + 1) & (capacity - 1);
  if (count < capacity) ring[base + COUNT] = count + 1;
  return ring;
}

/** Where the entry of `tsVal` is in the array (for seenNs and seenFrame), or -1 if it is not remembered. */
export function findTsVal(ring: readonly number[], base: number, tsVal: number): number {
  const capacity = capacityOf(ring, base);
  const next = ring[base + NEXT]!;
  const count = ring[base + COUNT]!;
  for (let i = 1; i <= count; i++) {
    const at = base + HEADER + ENTRY * ((next - i) & (capacity - 1));
    if (ring[at] === tsVal) return at;
  }
  return -1;
}

/** Capture time of the first segment carrying the TSval of the entry at `at`. */
export function seenNs(ring: readonly number[], at: number): number {
  return ring[at + 1]!;
}

/** Frame reference of that segment. */
export function seenFrame(ring: readonly number[], at: number): number {
  return ring[at + 2]!;
}

/** The array with a history twice the size, oldest entry first (only when full, so `next` is the oldest). */
function grown(ring: readonly number[], base: number): number[] {
  const capacity = capacityOf(ring, base);
  const values = ENTRY * capacity;
  const entries = base + HEADER;
  const bigger = doubles(entries + 2 * values);
  for (let k = 0; k < base; k++) bigger[k] = ring[k]!;
  const next = ring[base + NEXT]!;
  for (let k = 0; k < values; k++) bigger[entries + k] = ring[entries + ((ENTRY * next + k) % values)]!;
  bigger[base + NEXT] = capacity;
  bigger[base + COUNT] = capacity;
  bigger[base + LATEST] = ring[base + LATEST]!;
  bigger[base + LATEST_NS] = ring[base + LATEST_NS]!;
  return bigger;
}
