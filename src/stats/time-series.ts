/**
 * Mean RTT over capture time in a fixed number of bins. When a sample lands past the last
 * bin, neighbouring bins merge in pairs and the bin width doubles, so memory stays constant
 * however long the capture and the chart needs no second pass.
 */
export const SERIES_BINS = 128;
/** The first bin width: 1 ms of capture time. */
const INITIAL_WIDTH_NS = 1e6;

export class TimeSeries {
  readonly sums = new Float64Array(SERIES_BINS);
  readonly counts = new Float64Array(SERIES_BINS);
  widthNs = INITIAL_WIDTH_NS;
  /** Bins in use: the highest with a sample, plus one. */
  used = 0;

  add(atNs: number, value: number): void {
    const t = Math.max(0, atNs);
    while (t >= this.widthNs * SERIES_BINS) this.halve();
    const bin = Math.floor(t / this.widthNs);
    this.sums[bin]! += value;
    this.counts[bin]!++;
    if (bin + 1 > this.used) this.used = bin + 1;
  }

  /** Mean of each bin up to `bins` (NaN where empty). */
  means(bins = this.used): number[] {
    const out: number[] = [];
    for (let i = 0; i < bins; i++) out.push(this.counts[i]! > 0 ? this.sums[i]! / this.counts[i]! : NaN);
    return out;
  }

  private halve(): void {
    for (let i = 0; i < SERIES_BINS / 2; i++) {
      this.sums[i] = this.sums[2 * i]! + this.sums[2 * i + 1]!;
      this.counts[i] = this.counts[2 * i]! + this.counts[2 * i + 1]!;
    }
    this.sums.fill(0, SERIES_BINS / 2);
    this.counts.fill(0, SERIES_BINS / 2);
    this.widthNs *= 2;
    this.used = Math.ceil(this.used / 2);
  }
}
