/**
 * Which samples the page draws when there are more than it can carry. Per pixel column (a slice
 * of capture time) and per kind, the column's fastest and slowest sample stay, so the band the
 * eye sees is the band that was measured; and every sample above the run's p99 stays, so no
 * spike disappears. Samples are in capture-time order; so are the kept indices.
 */

/** What a decimation kept, and how. */
export interface Decimation {
  /** Indices of the kept samples, ascending (capture-time order). */
  kept: Uint32Array;
  /** Samples before decimation. */
  total: number;
  /** The run's p99 (nearest rank, ns): every sample above it is kept. NaN when nothing was decimated. */
  p99Ns: number;
  /** Time columns the rest was reduced to (0 when nothing was decimated). */
  columns: number;
  /** Samples kept for being above the p99. */
  outliers: number;
  /** More samples were above the p99 than half the budget: only the slowest of them were kept. */
  outliersCut: boolean;
}

export interface SampleColumns {
  length: number;
  tNs(i: number): number;
  rttNs(i: number): number;
  /** 0, 1 or 2 (KIND_DATA, KIND_SYN, KIND_TS). */
  kind(i: number): number;
}

const KINDS = 3;

/** The value at quantile q of sorted values, nearest rank (the smallest value with at least q of them at or below it). */
export function nearestRank(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  return sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
}

export function decimate(samples: SampleColumns, budget: number): Decimation {
  const n = samples.length;
  if (n <= budget) {
    const kept = new Uint32Array(n);
    for (let i = 0; i < n; i++) kept[i] = i;
    return { kept, total: n, p99Ns: NaN, columns: 0, outliers: 0, outliersCut: false };
  }
  const sorted = new Float64Array(n);
  for (let i = 0; i < n; i++) sorted[i] = samples.rttNs(i);
  sorted.sort();
  const p99Ns = nearestRank(sorted, 0.99);
  // Above the p99 there are at most 1% of the samples; a budget too small for them keeps the slowest.
  let threshold = p99Ns;
  let outliersCut = false;
  const outlierBudget = Math.floor(budget / 2);
  if (n - upperBound(sorted, p99Ns) > outlierBudget) {
    threshold = sorted[n - outlierBudget]!;
    outliersCut = true;
  }
  const mark = new Uint8Array(n);
  let outliers = 0;
  const kindsSeen = new Uint8Array(KINDS);
  for (let i = 0; i < n; i++) {
    if (samples.rttNs(i) > threshold) {
      mark[i] = 1;
      outliers++;
    }
    kindsSeen[samples.kind(i)] = 1;
  }
  const kinds = kindsSeen.reduce((a, b) => a + b, 0);
  const columns = Math.max(1, Math.floor((budget - outliers) / (2 * kinds)));
  const t0 = samples.tNs(0);
  const spanNs = samples.tNs(n - 1) - t0;
  const perColumnNs = spanNs > 0 ? spanNs / columns : 1;
  const minAt = new Int32Array(columns * KINDS).fill(-1);
  const maxAt = new Int32Array(columns * KINDS).fill(-1);
  for (let i = 0; i < n; i++) {
    if (mark[i] === 1) continue;
    const rtt = samples.rttNs(i);
    const slot = Math.min(columns - 1, Math.floor((samples.tNs(i) - t0) / perColumnNs)) * KINDS + samples.kind(i);
    const lo = minAt[slot]!;
    if (lo < 0 || rtt < samples.rttNs(lo)) minAt[slot] = i;
    const hi = maxAt[slot]!;
    if (hi < 0 || rtt > samples.rttNs(hi)) maxAt[slot] = i;
  }
  for (const at of [minAt, maxAt]) for (const i of at) if (i >= 0) mark[i] = 1;
  let count = 0;
  for (let i = 0; i < n; i++) count += mark[i]!;
  const kept = new Uint32Array(count);
  for (let i = 0, k = 0; i < n; i++) if (mark[i] === 1) kept[k++] = i;
  return { kept, total: n, p99Ns, columns, outliers, outliersCut };
}

/** The number of sorted values at or below `value`. */
function upperBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
