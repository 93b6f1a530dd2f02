/**
 * Statistics of one group of RTT samples: exact count, min, max, mean (an exact sum of whole
 * nanoseconds) and stddev (Welford), srtt (RFC 6298 EWMA, gain 1/8, in sample order), jitter
 * (mean |rtt − previous rtt|, go-metro's definition), a DDSketch for percentiles (1% relative
 * accuracy) and a log2 histogram. All of it merges: see merge() and RttStatsState.
 */
import type * as Sketches from '@datadog/sketches-js';
import { requireCjs } from '../util/cjs.js';
import { SKETCH_RELATIVE_ACCURACY, sketchOf, sketchState } from './distribution.js';
import { Log2Histogram } from './log2-histogram.js';

const { DDSketch } = requireCjs('@datadog/sketches-js') as typeof Sketches;

export { SKETCH_RELATIVE_ACCURACY } from './distribution.js';

export type HistogramUnit = 'usecs' | 'msecs';

/** EWMA gain of srtt (RFC 6298: alpha = 1/8), as the divisor of each step. */
const SRTT_GAIN_DIVISOR = 8;

/**
 * Everything an RttStats holds, as plain numbers: what `--json` writes so that runs can be
 * merged later (render/json.ts writes it, merge/summary-document.ts reads it back).
 */
export interface RttStatsState {
  count: number;
  minUs: number;
  maxUs: number;
  /** Sum of the RTTs in whole nanoseconds: exact below 2^53 ns (104 days of summed RTT). */
  sumNs: number;
  /** Welford's sum of squared deviations from the mean, in µs². */
  m2: number;
  /** The first and the last sample, in order: srtt and jitter continue across runs from them. */
  firstNs: number;
  lastNs: number;
  srttUs: number;
  /** Sum of |rtt − previous rtt| over the samples, in whole nanoseconds (exact). */
  jitterSumNs: number;
  dataSegments: number;
  retransmittedSegments: number;
  /** The DDSketch's zero bucket and its dense bins from minKey. */
  sketchZeroCount: number;
  sketchMinKey: number;
  sketchCounts: number[];
  histogramUnit: HistogramUnit;
  /** Log2 histogram slots from 0, trailing empty slots left out. */
  histogramCounts: number[];
}

export class RttStats {
  count = 0;
  minUs = Infinity;
  maxUs = -Infinity;
  private sumNs = 0;
  private meanUs = 0;
  private m2 = 0;
  srttUs = 0;
  private firstNs = 0;
  private lastNs = 0;
  private jitterSumNs = 0;
  /** Data segments sent, and how many were retransmissions, by the senders in this group. */
  dataSegments = 0;
  retransmittedSegments = 0;
  /** @internal The percentiles' sketch (DDSketch's types are not published: see tsconfig's stripInternal). */
  sketch = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
  readonly histogram = new Log2Histogram();
  readonly histogramUnit: HistogramUnit;
  private readonly histogramDivisor: number;

  constructor(unit: HistogramUnit = 'usecs') {
    this.histogramUnit = unit;
    this.histogramDivisor = unit === 'msecs' ? 1000 : 1;
  }

  /** One sample, in whole nanoseconds (the µs figures have at most three decimals). */
  add(rttNs: number): void {
    const n = ++this.count;
    const rttUs = rttNs / 1000;
    if (rttUs < this.minUs) this.minUs = rttUs;
    if (rttUs > this.maxUs) this.maxUs = rttUs;
    this.sumNs += rttNs;
    const delta = rttUs - this.meanUs;
    this.meanUs += delta / n;
    this.m2 += delta * (rttUs - this.meanUs);
    if (n === 1) {
      this.srttUs = rttUs;
      this.firstNs = rttNs;
    } else {
      this.srttUs += (rttUs - this.srttUs) / SRTT_GAIN_DIVISOR;
      this.jitterSumNs += Math.abs(rttNs - this.lastNs);
    }
    this.lastNs = rttNs;
    this.sketch.accept(rttUs);
    this.histogram.add(rttUs / this.histogramDivisor);
  }

  get mean(): number {
    return this.count === 0 ? 0 : this.sumNs / this.count / 1000;
  }

  /** Population standard deviation. */
  get stddev(): number {
    return this.count === 0 ? 0 : Math.sqrt(this.m2 / this.count);
  }

  get jitter(): number {
    return this.count < 2 ? 0 : this.jitterSumNs / 1000 / (this.count - 1);
  }

  /**
   * The nearest-rank q-quantile within the sketch's 1%: of n samples sorted ascending, the one at
   * (1-based) rank ceil(q·n), the smallest value with at least q·n samples at or below it. The
   * sketch's own getValueAtQuantile interpolates at rank q·(n−1), one sample lower for most n:
   * with 2 outliers in 108 samples its "p99" was the 106th, below both (issue 10).
   */
  quantile(q: number): number {
    const n = this.sketch.count;
    if (this.count === 0 || n === 0) return 0;
    // The tolerance keeps q·n that floating point puts a hair above a whole number (0.29·100).
    const index = Math.max(0, Math.ceil(q * n - 1e-9) - 1);
    // getValueAtQuantile returns the sample at 0-based index floor(q'·(n−1)): aim at the middle.
    const sketchQ = n > 1 ? Math.min(1, (index + 0.5) / (n - 1)) : 0;
    // The bucket's value, clamped to the exact extremes it may overshoot by up to 1%.
    return Math.min(this.maxUs, Math.max(this.minUs, this.sketch.getValueAtQuantile(sketchQ)));
  }

  /** Percentage of data segments that were retransmissions. */
  get retransPercent(): number {
    return this.dataSegments === 0 ? 0 : (100 * this.retransmittedSegments) / this.dataSegments;
  }

  reset(): void {
    this.count = 0;
    this.minUs = Infinity;
    this.maxUs = -Infinity;
    this.sumNs = 0;
    this.meanUs = 0;
    this.m2 = 0;
    this.srttUs = 0;
    this.firstNs = 0;
    this.lastNs = 0;
    this.jitterSumNs = 0;
    this.dataSegments = 0;
    this.retransmittedSegments = 0;
    this.sketch = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
    this.histogram.clear();
  }

  /**
   * Adds the statistics of `later`, whose samples all came after this one's: count, min, max,
   * mean, the sketch, the histogram and the segment counts merge exactly whatever the order;
   * stddev by Chan's parallel formula; srtt and jitter continue from this run's last sample
   * into `later`'s first, which is exact when the two runs' samples do not interleave.
   */
  merge(later: RttStats): void {
    if (later.histogramUnit !== this.histogramUnit) {
      throw new Error(`cannot merge a ${later.histogramUnit} histogram into a ${this.histogramUnit} one`);
    }
    this.dataSegments += later.dataSegments;
    this.retransmittedSegments += later.retransmittedSegments;
    this.histogram.merge(later.histogram);
    if (later.count === 0) return;
    this.sketch.merge(later.sketch);
    if (this.count === 0) {
      this.copySamplesOf(later);
      return;
    }
    const n = this.count + later.count;
    const delta = later.meanUs - this.meanUs;
    this.m2 += later.m2 + (delta * delta * this.count * later.count) / n;
    this.meanUs += (delta * later.count) / n;
    this.sumNs += later.sumNs;
    if (later.minUs < this.minUs) this.minUs = later.minUs;
    if (later.maxUs > this.maxUs) this.maxUs = later.maxUs;
    // later.srtt started from its first sample; started from ours instead, the difference
    // decays by (7/8) per sample: srtt = later.srtt + (7/8)^n · (ours − later.first).
    const decay = ((SRTT_GAIN_DIVISOR - 1) / SRTT_GAIN_DIVISOR) ** later.count;
    this.srttUs = later.srttUs + decay * (this.srttUs - later.firstNs / 1000);
    this.jitterSumNs += Math.abs(later.firstNs - this.lastNs) + later.jitterSumNs;
    this.lastNs = later.lastNs;
    this.count = n;
  }

  private copySamplesOf(other: RttStats): void {
    this.count = other.count;
    this.minUs = other.minUs;
    this.maxUs = other.maxUs;
    this.sumNs = other.sumNs;
    this.meanUs = other.meanUs;
    this.m2 = other.m2;
    this.srttUs = other.srttUs;
    this.firstNs = other.firstNs;
    this.lastNs = other.lastNs;
    this.jitterSumNs = other.jitterSumNs;
  }

  toState(): RttStatsState {
    const sketch = sketchState(this.sketch);
    const counts = Array.from(this.histogram.counts);
    while (counts.length > 0 && counts[counts.length - 1] === 0) counts.pop();
    return {
      count: this.count,
      minUs: this.minUs,
      maxUs: this.maxUs,
      sumNs: this.sumNs,
      m2: this.m2,
      firstNs: this.firstNs,
      lastNs: this.lastNs,
      srttUs: this.srttUs,
      jitterSumNs: this.jitterSumNs,
      dataSegments: this.dataSegments,
      retransmittedSegments: this.retransmittedSegments,
      sketchZeroCount: sketch.zeroCount,
      sketchMinKey: sketch.minKey,
      sketchCounts: sketch.counts,
      histogramUnit: this.histogramUnit,
      histogramCounts: counts,
    };
  }

  /** The statistics a state describes; quantiles come out exactly as they did from the original. */
  static fromState(state: RttStatsState): RttStats {
    const stats = new RttStats(state.histogramUnit);
    stats.count = state.count;
    stats.minUs = state.count > 0 ? state.minUs : Infinity;
    stats.maxUs = state.count > 0 ? state.maxUs : -Infinity;
    stats.sumNs = state.sumNs;
    stats.meanUs = state.count > 0 ? state.sumNs / state.count / 1000 : 0;
    stats.m2 = state.m2;
    stats.firstNs = state.firstNs;
    stats.lastNs = state.lastNs;
    stats.srttUs = state.srttUs;
    stats.jitterSumNs = state.jitterSumNs;
    stats.dataSegments = state.dataSegments;
    stats.retransmittedSegments = state.retransmittedSegments;
    stats.sketch = sketchOf({ zeroCount: state.sketchZeroCount, minKey: state.sketchMinKey, counts: state.sketchCounts });
    state.histogramCounts.forEach((count, slot) => {
      if (slot < stats.histogram.counts.length) stats.histogram.counts[slot] = count;
    });
    return stats;
  }
}
