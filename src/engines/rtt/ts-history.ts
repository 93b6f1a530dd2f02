/**
 * When each TSval was first seen on a sender's segments. An ACK's TSecr echoes a TSval; the
 * time of the *first* segment that carried it is where an RTT measured through the echo must
 * start, because timestamp clocks tick every 1–10 ms and many segments share a TSval: keeping
 * the first sighting can only overestimate, never underestimate.
 */
import { seqGt } from '../../flow/seq.js';
import { doubles } from '../../util/doubles.js';

/**
 * Distinct TSvals remembered per sender; an echo older than this finds nothing (no sample).
 * A power of two. Most connections never fill the first few entries, so the ring starts small.
 */
const MAX_ENTRIES = 256;
const INITIAL_ENTRIES = 2;

export class TsHistory {
  /** Pairs (TSval, capture time of its first segment), a ring in one array. */
  private entries = doubles(2 * INITIAL_ENTRIES);
  private capacity = INITIAL_ENTRIES;
  private next = 0;
  private count = 0;
  private newest = 0;

  /** Records the TSval of a segment sent at `sentNs`, if it is newer than any before. */
  see(tsVal: number, sentNs: number): void {
    if (this.count > 0 && !seqGt(tsVal, this.newest)) return;
    if (this.count === this.capacity && this.capacity < MAX_ENTRIES) this.grow();
    this.entries[2 * this.next] = tsVal;
    this.entries[2 * this.next + 1] = sentNs;
    this.next = (this.next + 1) & (this.capacity - 1);
    if (this.count < this.capacity) this.count++;
    this.newest = tsVal;
  }

  /** Capture time of the first segment carrying `tsVal`, or -1 if it is not remembered. */
  firstSeenNs(tsVal: number): number {
    for (let i = 1; i <= this.count; i++) {
      const at = (this.next - i) & (this.capacity - 1);
      if (this.entries[2 * at] === tsVal) return this.entries[2 * at + 1]!;
    }
    return -1;
  }

  /** Doubles the ring, oldest entry first (only when full, so `next` is the oldest). */
  private grow(): void {
    const old = this.entries;
    const bigger = doubles(2 * old.length);
    for (let k = 0; k < old.length; k++) bigger[k] = old[(2 * this.next + k) % old.length]!;
    this.entries = bigger;
    this.next = this.capacity;
    this.capacity *= 2;
  }
}
