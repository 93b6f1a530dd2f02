/** The nearest-rank q-quantile: the sample at (1-based) rank ceil(q·n) of the sorted samples. */
export function nearestRank(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length - 1e-9) - 1)]!;
}
