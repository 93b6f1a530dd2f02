/**
 * bcc tcprtt's histogram text, exactly: the same header, row format, star bars and trimming,
 * so that people who read tcprtt read this without thinking (see reference/formats.md).
 */
import type { Group } from '../stats/collector.js';
import { SLOTS } from '../stats/log2-histogram.js';
import type { HistogramUnit, RttStats } from '../stats/rtt-stats.js';
import type { GroupBy } from '../stats/collector.js';

const STARS_MAX = 40;

function stars(count: number, max: number, width: number): string {
  const n = max === 0 ? 0 : Math.min(width, Math.floor((width * count) / max));
  return '*'.repeat(n).padEnd(width, ' ');
}

/** Rows of [low, high, count]: slot 0 (value 0) joins the first row, as in "0 -> 1". */
export function histogramRows(counts: Float64Array): Array<[number, number, number]> {
  let last = 0;
  for (let i = 1; i < SLOTS; i++) if (counts[i]! > 0) last = i;
  if (last === 0 && counts[0]! > 0) last = 1;
  const rows: Array<[number, number, number]> = [];
  for (let i = 1; i <= last; i++) {
    const high = 2 ** i - 1;
    const low = i === 1 ? 0 : 2 ** (i - 1);
    rows.push([low, high, counts[i]! + (i === 1 ? counts[0]! : 0)]);
  }
  return rows;
}

/** The body of one histogram (header line and rows); empty when there are no samples. */
export function renderLog2Histogram(counts: Float64Array, unit: HistogramUnit): string {
  const rows = histogramRows(counts);
  if (rows.length === 0) return '';
  const wide = rows.length > 32;
  const max = Math.max(...rows.map((r) => r[2]));
  const width = wide ? STARS_MAX / 2 : STARS_MAX;
  const col = wide ? 20 : 10;
  const lines = [wide ? `               ${unit.padEnd(29)} : count     distribution` : `     ${unit.padEnd(19)} : count     distribution`];
  for (const [low, high, count] of rows) {
    lines.push(`${String(low).padStart(col)} -> ${String(high).padEnd(col)} : ${String(count).padEnd(8)} |${stars(count, max, width)}|`);
  }
  return lines.join('\n') + '\n';
}

const SECTION_LABELS: Record<GroupBy, string> = {
  all: 'All Addresses',
  laddr: 'Local Address',
  raddr: 'Remote Address',
  lport: 'Local Port',
  rport: 'Remote Port',
  flow: 'Flow',
  process: 'Process',
};

function section(label: string, name: string, stats: RttStats, unit: HistogramUnit): string {
  const avg = stats.count === 0 ? 0 : Math.floor(unit === 'msecs' ? stats.mean / 1000 : stats.mean);
  return `\n${label} = ${name} [AVG ${avg}]\n${renderLog2Histogram(stats.histogram.counts, unit)}`;
}

/** One histogram per group, each under tcprtt's section header, in the given group order. */
export function renderHistograms(by: GroupBy, groups: readonly Group[], unit: HistogramUnit): string {
  if (by === 'all') {
    const all = groups[0];
    return all === undefined ? '' : section(SECTION_LABELS.all, '*******', all.stats, unit);
  }
  return groups.map((g) => section(SECTION_LABELS[by], g.key, g.stats, unit)).join('');
}
