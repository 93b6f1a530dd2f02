/**
 * p50 and p99 of the samples in each bin of capture time, exact (nearest rank over the bin's
 * samples, not a sketch): the lines the page draws through the cloud of samples. A bin with no
 * sample is null, drawn as a gap rather than a line carried across it.
 */
import { nearestRank } from './decimate.js';

export interface TimeBins {
  /** Bin centres, seconds from the run's start. */
  tSec: number[];
  p50Us: Array<number | null>;
  p99Us: Array<number | null>;
  counts: number[];
}

/**
 * Bins `bins` equal slices of [t0Ns, t1Ns] over the samples `indices` selects (all when
 * undefined); times and RTTs in ns.
 */
export function timeBins(
  t0Ns: number,
  t1Ns: number,
  bins: number,
  length: number,
  tNs: (i: number) => number,
  rttNs: (i: number) => number,
  select?: (i: number) => boolean,
): TimeBins {
  const width = t1Ns > t0Ns ? (t1Ns - t0Ns) / bins : 1;
  const binOf = (i: number): number => Math.min(bins - 1, Math.max(0, Math.floor((tNs(i) - t0Ns) / width)));
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < length; i++) if (select === undefined || select(i)) counts[binOf(i)]!++;
  const starts = new Float64Array(bins + 1);
  for (let b = 0; b < bins; b++) starts[b + 1] = starts[b]! + counts[b]!;
  const values = new Float64Array(starts[bins]!);
  const fill = starts.slice(0, bins);
  for (let i = 0; i < length; i++) if (select === undefined || select(i)) values[fill[binOf(i)]!++] = rttNs(i);
  const out: TimeBins = { tSec: [], p50Us: [], p99Us: [], counts };
  for (let b = 0; b < bins; b++) {
    out.tSec.push((t0Ns + (b + 0.5) * width) / 1e9);
    if (counts[b] === 0) {
      out.p50Us.push(null);
      out.p99Us.push(null);
      continue;
    }
    const bin = values.subarray(starts[b]!, starts[b + 1]!).sort();
    out.p50Us.push(nearestRank(bin, 0.5) / 1000);
    out.p99Us.push(nearestRank(bin, 0.99) / 1000);
  }
  return out;
}
