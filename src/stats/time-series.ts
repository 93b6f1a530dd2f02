/**
 * One group's RTT over capture time, for --chart: per bin of capture time the count, the exact
 * min and max, and the RTTs folded into logarithmic buckets 2% wide, so that any bin's (or
 * several bins') p50 and p99 come out within 1% (a DDSketch's bucketing, kept sparse). When a
 * sample lands past the last bin, neighbouring bins merge in pairs and the bin width doubles:
 * memory stays bounded however long the capture, and nothing needs a second pass.
 */
export const SERIES_BINS = 1024;
/** The first bin width: 1 ms of capture time. */
const INITIAL_WIDTH_NS = 1e6;
/** Relative accuracy of the quantiles (as the summary's DDSketch). */
const ACCURACY = 0.01;
const GAMMA = (1 + ACCURACY) / (1 - ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** The bucket of RTTs of 0 (a µs capture can time an ACK in the same µs as its segment). */
const ZERO_KEY = -1e9;

function keyOf(rttUs: number): number {
  return rttUs > 0 ? Math.ceil(Math.log(rttUs) / LOG_GAMMA) : ZERO_KEY;
}

/** A bucket's representative value: within ACCURACY of every value in it. */
function valueOf(key: number): number {
  return key === ZERO_KEY ? 0 : (2 * GAMMA ** key) / (GAMMA + 1);
}

export class SeriesBin {
  count = 0;
  minUs = Infinity;
  maxUs = -Infinity;
  /** Bucket key -> samples. */
  readonly buckets = new Map<number, number>();

  add(rttUs: number): void {
    this.count++;
    if (rttUs < this.minUs) this.minUs = rttUs;
    if (rttUs > this.maxUs) this.maxUs = rttUs;
    const key = keyOf(rttUs);
    this.buckets.set(key, (this.buckets.get(key) ?? 0) + 1);
  }

  merge(other: SeriesBin): void {
    this.count += other.count;
    this.minUs = Math.min(this.minUs, other.minUs);
    this.maxUs = Math.max(this.maxUs, other.maxUs);
    for (const [key, n] of other.buckets) this.buckets.set(key, (this.buckets.get(key) ?? 0) + n);
  }

  /** The q-quantile (nearest rank) within ACCURACY, clamped to the exact min and max. */
  quantile(q: number): number {
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (const key of [...this.buckets.keys()].sort((a, b) => a - b)) {
      seen += this.buckets.get(key)!;
      if (seen >= rank) return Math.min(this.maxUs, Math.max(this.minUs, valueOf(key)));
    }
    return this.maxUs;
  }
}

export class TimeSeries {
  /** Bins with samples, by index (bin i covers [i·widthNs, (i+1)·widthNs) from the origin). */
  readonly bins = new Map<number, SeriesBin>();
  widthNs = INITIAL_WIDTH_NS;
  /** Bins in use: the highest with a sample, plus one. */
  used = 0;

  /** A sample whose ACK came `atNs` after the series' origin (the start of the run or interval). */
  add(atNs: number, rttUs: number): void {
    const t = Math.max(0, atNs);
    while (t >= this.widthNs * SERIES_BINS) this.halve();
    const index = Math.floor(t / this.widthNs);
    let bin = this.bins.get(index);
    if (bin === undefined) this.bins.set(index, (bin = new SeriesBin()));
    bin.add(rttUs);
    if (index + 1 > this.used) this.used = index + 1;
  }

  /** Forgets every sample (a new --interval starts). */
  reset(): void {
    this.bins.clear();
    this.widthNs = INITIAL_WIDTH_NS;
    this.used = 0;
  }

  private halve(): void {
    const old = [...this.bins.entries()];
    this.bins.clear();
    for (const [index, bin] of old) {
      const into = this.bins.get(index >> 1);
      if (into === undefined) this.bins.set(index >> 1, bin);
      else into.merge(bin);
    }
    this.widthNs *= 2;
    this.used = Math.ceil(this.used / 2);
  }
}
