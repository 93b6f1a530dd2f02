/** `--table`: one row per group with its sample count and the RTT figures people compare. */
import Table from 'cli-table3';
import type { Group } from '../stats/collector.js';
import { formatUs } from './units.js';

const HEAD = ['group', 'samples', 'min', 'p50', 'p90', 'p99', 'max', 'srtt', 'jitter', 'retrans'];

export function renderTable(groups: readonly Group[]): string {
  const table = new Table({ head: HEAD, style: { head: [], border: [] } });
  for (const { key, stats } of groups) {
    table.push([
      key,
      String(stats.count),
      formatUs(stats.count ? stats.minUs : NaN),
      formatUs(stats.count ? stats.quantile(0.5) : NaN),
      formatUs(stats.count ? stats.quantile(0.9) : NaN),
      formatUs(stats.count ? stats.quantile(0.99) : NaN),
      formatUs(stats.count ? stats.maxUs : NaN),
      formatUs(stats.count ? stats.srttUs : NaN),
      formatUs(stats.count ? stats.jitter : NaN),
      stats.dataSegments ? `${stats.retransPercent.toFixed(2)}%` : '-',
    ]);
  }
  return table.toString() + '\n';
}
