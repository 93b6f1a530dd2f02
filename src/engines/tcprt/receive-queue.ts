/**
 * The peer's bytes as the kernel queues them: `nxt` is one past the bytes that arrived in order
 * (rcv_nxt); bytes beyond a hole wait as out-of-order ranges until the hole fills.
 */
import { seqGe, seqGt, seqLe, seqLt } from '../../flow/seq.js';

/** Out-of-order ranges kept per connection; beyond this the two closest are merged. */
const MAX_RANGES = 32;

export class ReceiveQueue {
  /** One past the last byte that arrived in order (rcv_nxt). */
  nxt = 0;
  /** Out-of-order ranges beyond `nxt`: start, end pairs in sequence order. */
  private readonly ranges: number[] = [];

  /** Start over at `nxt`, nothing held. */
  reset(nxt: number): void {
    this.nxt = nxt;
    this.ranges.length = 0;
  }

  /** Some bytes wait beyond a hole. */
  get hasHoles(): boolean {
    return this.ranges.length > 0;
  }

  /** Everything before `to` is in order now (it arrived, or the receiver's ACK says so). */
  advance(to: number): void {
    this.nxt = to;
    // Ranges that `nxt` reached are in order too.
    const ranges = this.ranges;
    while (ranges.length > 0 && seqLe(ranges[0]!, this.nxt)) {
      if (seqGt(ranges[1]!, this.nxt)) this.nxt = ranges[1]!;
      ranges.splice(0, 2);
    }
  }

  /** [start, end) arrived beyond a hole: hold it until the hole fills. */
  hold(start: number, end: number): void {
    const ranges = this.ranges;
    let i = 0;
    while (i < ranges.length && seqLt(ranges[i]!, start)) i += 2;
    ranges.splice(i, 0, start, end);
    // Merge neighbours that touch or overlap.
    for (let j = 0; j + 2 < ranges.length; ) {
      if (seqGe(ranges[j + 1]!, ranges[j + 2]!)) {
        if (seqGt(ranges[j + 3]!, ranges[j + 1]!)) ranges[j + 1] = ranges[j + 3]!;
        ranges.splice(j + 2, 2);
      } else {
        j += 2;
      }
    }
    if (ranges.length > 2 * MAX_RANGES) {
      // Too many: merge the two ranges with the smallest gap between them (as if it arrived).
      let best = 0;
      for (let j = 2; j + 2 < ranges.length; j += 2) {
        if (((ranges[j + 2]! - ranges[j + 1]!) >>> 0) < ((ranges[best + 2]! - ranges[best + 1]!) >>> 0)) best = j;
      }
      ranges[best + 1] = ranges[best + 3]!;
      ranges.splice(best + 2, 2);
    }
  }
}
