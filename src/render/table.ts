/**
 * `--table`: one row per group with its sample count and the RTT figures people compare, laid
 * out as `ps` or `ss` are: no box, no rule between rows, numbers right-aligned under their
 * headings. The default table (one group, `all`) fits 80 columns; with a terminal the table
 * takes its width: two spaces between columns when they fit in `columns`, one when they do not.
 * Group keys are never cut (a --by flow key is an address pair someone may copy).
 */
import type CliTable3 from 'cli-table3';
import { requireCjs } from '../util/cjs.js';
import type { Group } from '../stats/collector.js';
import { formatUs } from './units.js';

const Table = requireCjs('cli-table3') as typeof CliTable3;

const HEAD = ['group', 'samples', 'min', 'p50', 'p90', 'p99', 'max', 'srtt', 'jitter', 'retrans'];
const NO_BORDERS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '',
};

function rowOf({ key, stats }: Group): string[] {
  return [
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
  ];
}

export function renderTable(groups: readonly Group[], columns = 80): string {
  const rows = groups.map(rowOf);
  const widths = HEAD.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const content = widths.reduce((a, b) => a + b, 0);
  const gap = content + 2 * (HEAD.length - 1) <= columns ? 2 : 1;
  const table = new Table({
    head: HEAD,
    chars: { ...NO_BORDERS, middle: ' '.repeat(gap) },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0, compact: true },
    colAligns: ['left', ...HEAD.slice(1).map(() => 'right' as const)],
  });
  table.push(...rows);
  // The last column is right-aligned, so no line ends in spaces.
  return table.toString() + '\n';
}
