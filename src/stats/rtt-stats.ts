/**
 * Statistics of one group of RTT samples: exact count, min, max, mean and stddev (Welford),
 * srtt (RFC 6298 EWMA, gain 1/8, in sample order), jitter (mean |rtt − previous rtt|, go-metro's
 * definition), a DDSketch for percentiles (mergeable, 1% relative accuracy) and a log2 histogram.
 */
import { DDSketch } from '@datadog/sketches-js';
import { Log2Histogram } from './log2-histogram.js';

/** DDSketch's guarantee: every quantile within 1% of the true value. */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

export type HistogramUnit = 'usecs' | 'msecs';

export class RttStats {
  count = 0;
  minUs = Infinity;
  maxUs = -Infinity;
  private meanUs = 0;
  private m2 = 0;
  srttUs = 0;
  private lastUs = 0;
  private jitterSumUs = 0;
  /** Data segments sent, and how many were retransmissions, by the senders in this group. */
  dataSegments = 0;
  retransmittedSegments = 0;
  sketch = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
  readonly histogram = new Log2Histogram();
  private readonly histogramDivisor: number;

  constructor(unit: HistogramUnit = 'usecs') {
    this.histogramDivisor = unit === 'msecs' ? 1000 : 1;
  }

  add(rttUs: number): void {
    const n = ++this.count;
    if (rttUs < this.minUs) this.minUs = rttUs;
    if (rttUs > this.maxUs) this.maxUs = rttUs;
    const delta = rttUs - this.meanUs;
    this.meanUs += delta / n;
    this.m2 += delta * (rttUs - this.meanUs);
    if (n === 1) {
      this.srttUs = rttUs;
    } else {
      this.srttUs += (rttUs - this.srttUs) / 8;
      this.jitterSumUs += Math.abs(rttUs - this.lastUs);
    }
    this.lastUs = rttUs;
    this.sketch.accept(rttUs);
    this.histogram.add(rttUs / this.histogramDivisor);
  }

  get mean(): number {
    return this.count === 0 ? 0 : this.meanUs;
  }

  /** Population standard deviation. */
  get stddev(): number {
    return this.count === 0 ? 0 : Math.sqrt(this.m2 / this.count);
  }

  get jitter(): number {
    return this.count < 2 ? 0 : this.jitterSumUs / (this.count - 1);
  }

  quantile(q: number): number {
    if (this.count === 0) return 0;
    // The sketch's estimate, clamped to the exact extremes it may overshoot by up to 1%.
    return Math.min(this.maxUs, Math.max(this.minUs, this.sketch.getValueAtQuantile(q)));
  }

  /** Percentage of data segments that were retransmissions. */
  get retransPercent(): number {
    return this.dataSegments === 0 ? 0 : (100 * this.retransmittedSegments) / this.dataSegments;
  }

  reset(): void {
    this.count = 0;
    this.minUs = Infinity;
    this.maxUs = -Infinity;
    this.meanUs = 0;
    this.m2 = 0;
    this.srttUs = 0;
    this.lastUs = 0;
    this.jitterSumUs = 0;
    this.dataSegments = 0;
    this.retransmittedSegments = 0;
    this.sketch = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
    this.histogram.clear();
  }
}
