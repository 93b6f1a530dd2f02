/**
 * When each TSval was first seen on a sender's segments. An ACK's TSecr echoes a TSval; the
 * time of the *first* segment that carried it is where an RTT measured through the echo must
 * start, because timestamp clocks tick every 1–10 ms and many segments share a TSval: keeping
 * the first sighting can only overestimate, never underestimate.
 */
import { seqGt } from '../../flow/seq.js';

/** Distinct TSvals remembered per sender; an echo older than this finds nothing (no sample). */
const CAPACITY = 256;

export class TsHistory {
  private readonly values = new Float64Array(CAPACITY);
  private readonly times = new Float64Array(CAPACITY);
  private next = 0;
  private count = 0;
  private newest = 0;

  /** Records the TSval of a segment sent at `sentNs`, if it is newer than any before. */
  see(tsVal: number, sentNs: number): void {
    if (this.count > 0 && !seqGt(tsVal, this.newest)) return;
    this.values[this.next] = tsVal;
    this.times[this.next] = sentNs;
    this.next = (this.next + 1) % CAPACITY;
    if (this.count < CAPACITY) this.count++;
    this.newest = tsVal;
  }

  /** Capture time of the first segment carrying `tsVal`, or -1 if it is not remembered. */
  firstSeenNs(tsVal: number): number {
    for (let i = 1; i <= this.count; i++) {
      const at = (this.next - i + CAPACITY) % CAPACITY;
      if (this.values[at] === tsVal) return this.times[at]!;
    }
    return -1;
  }
}
