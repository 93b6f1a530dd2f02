/**
 * `--chart`: RTT over capture time in the terminal, one panel per group (the busiest
 * CHART_MAX_GROUPS; more would not stay legible), all on one time axis. Each column is a slice
 * of capture time and shows its spread, not a mean: `•` at its p50, `│` up to `┬` at its p99
 * (both within 1%, stats/time-series.ts). A column without samples stays blank: a gap, not
 * the previous value carried on. The RTT axis is logarithmic when the values span more than
 * a factor of LOG_SPAN (local-stack µs beside path ms would flatten a linear one).
 *
 * The width is the terminal's (or 80 columns when stdout is not a terminal, so that files and
 * pipes get the same bytes every run); the time axis counts from the report's start, with
 * ticks at round offsets and the start and the column width spelt out.
 */
import type { Group } from '../stats/collector.js';
import { SeriesBin, type TimeSeries } from '../stats/time-series.js';
import { formatIso, type TimeBase } from '../time.js';
import { formatUs } from './units.js';

export const CHART_MAX_GROUPS = 4;
/** Columns when the width is not known (not a terminal). */
export const DEFAULT_CHART_WIDTH = 80;
const HEIGHT = 10;
/** Width of the RTT labels left of the plot, `   20.5 ms ┤`. */
const LABEL_WIDTH = 12;
const MIN_COLUMNS = 20;
/** Above this ratio of largest to smallest value, the RTT axis is logarithmic. */
const LOG_SPAN = 20;
const P50 = '•';
const BAND = '│';
const P99 = '┬';
const GREEN = '\x1b[32m';
const YELLOW = '\x1b[33m';
const RESET = '\x1b[0m';

export interface ChartOptions {
  colors: boolean;
  /** Terminal columns. */
  width: number;
}

interface Column {
  p50Us: number;
  p99Us: number;
}

/** The columns of one series: `binsPer` bins each, from bin 0, `count` of them; undefined where empty. */
function columnsOf(series: TimeSeries, binsPer: number, count: number): Array<Column | undefined> {
  const merged: Array<SeriesBin | undefined> = new Array(count);
  for (const [index, bin] of series.bins) {
    const c = Math.floor(index / binsPer);
    if (c >= count) continue;
    const into = (merged[c] ??= new SeriesBin());
    into.merge(bin);
  }
  return Array.from(merged, (bin) => (bin === undefined ? undefined : { p50Us: bin.quantile(0.5), p99Us: bin.quantile(0.99) }));
}

/** The row (0 at the bottom) of a value on the axis [lo, hi]. */
function rowOf(v: number, lo: number, hi: number, log: boolean): number {
  if (hi <= lo) return 0;
  const f = log ? (Math.log(Math.max(v, lo)) - Math.log(lo)) / (Math.log(hi) - Math.log(lo)) : (v - lo) / (hi - lo);
  return Math.max(0, Math.min(HEIGHT - 1, Math.round(f * (HEIGHT - 1))));
}

function valueAt(row: number, lo: number, hi: number, log: boolean): number {
  const f = row / (HEIGHT - 1);
  return log ? Math.exp(Math.log(lo) + f * (Math.log(hi) - Math.log(lo))) : lo + f * (hi - lo);
}

/** A round step of capture time (1, 2, 5 × 10^n ns) of at least `minNs`. */
function roundStepNs(minNs: number): number {
  let p = 1;
  while (p * 10 <= minNs) p *= 10;
  for (const m of [1, 2, 5, 10]) if (m * p >= minNs) return m * p;
  return 10 * p;
}

function panel(columns: Array<Column | undefined>, colors: boolean): string[] {
  const present = columns.filter((c): c is Column => c !== undefined);
  let lo = Math.min(...present.map((c) => c.p50Us));
  let hi = Math.max(...present.map((c) => c.p99Us));
  // All one value: an axis around it, so the labels say something.
  if (hi <= lo) [lo, hi] = [lo * 0.9, hi * 1.1 + 1e-3];
  const log = lo > 0 && hi / lo > LOG_SPAN;
  const axisLo = log ? lo : Math.max(0, lo - (hi - lo) * 0.05);
  const grid = Array.from({ length: HEIGHT }, () => new Array<string>(columns.length).fill(' '));
  columns.forEach((c, x) => {
    if (c === undefined) return;
    const r50 = rowOf(c.p50Us, axisLo, hi, log);
    const r99 = rowOf(c.p99Us, axisLo, hi, log);
    for (let r = r50 + 1; r < r99; r++) grid[r]![x] = colors ? `${YELLOW}${BAND}${RESET}` : BAND;
    if (r99 > r50) grid[r99]![x] = colors ? `${YELLOW}${P99}${RESET}` : P99;
    grid[r50]![x] = colors ? `${GREEN}${P50}${RESET}` : P50;
  });
  const lines: string[] = [];
  for (let r = HEIGHT - 1; r >= 0; r--) {
    const labelled = r === HEIGHT - 1 || r === 0 || r === Math.round((HEIGHT - 1) / 2);
    const label = labelled ? formatUs(valueAt(r, axisLo, hi, log)) : '';
    lines.push(`${label.padStart(LABEL_WIDTH - 2)} ${labelled ? '┤' : '│'}${grid[r]!.join('').trimEnd()}`);
  }
  if (log) lines[0] += '   (log scale)';
  return lines;
}

/** The time axis under the panels: ticks at round offsets from the start. */
function timeAxis(columns: number, columnNs: number, base: TimeBase, startNs: number): string[] {
  const stepNs = roundStepNs(columnNs * 12);
  const rule = new Array<string>(columns).fill('─');
  const labels = new Array<string>(columns + 12).fill(' ');
  for (let t = 0; t < columns * columnNs; t += stepNs) {
    const x = Math.floor(t / columnNs); // the column whose slice of time holds t
    if (x >= columns) break;
    rule[x] = '┬';
    const text = t === 0 ? '0' : `+${formatUs(t / 1000).replace(/\.?0+(?=[a-zµ])/, '')}`;
    if (labels.slice(x, x + text.length + 1).every((c) => c === ' ')) for (let i = 0; i < text.length; i++) labels[x + i] = text[i]!;
  }
  const pad = ' '.repeat(LABEL_WIDTH - 1);
  return [
    `${pad}└${rule.join('')}`,
    `${pad} ${labels.join('').trimEnd()}`,
    `${pad} capture time from ${formatIso(base, startNs)}, one column = ${formatUs(columnNs / 1000)}; ${P50} p50 ${BAND} to ${P99} p99 of each column, blank: no samples`,
  ];
}

export function renderChart(groups: readonly Group[], base: TimeBase, startNs: number, options: ChartOptions): string {
  const withSeries = groups.filter((g) => g.series !== undefined && g.series.used > 0);
  const drawn = withSeries.slice(0, CHART_MAX_GROUPS);
  if (drawn.length === 0) return 'no RTT samples to chart\n';
  // One time axis for all: the widest bins, as many columns of whole bins as fit the width.
  const widthNs = Math.max(...drawn.map((g) => g.series!.widthNs));
  const bins = Math.max(...drawn.map((g) => Math.ceil((g.series!.used * g.series!.widthNs) / widthNs)));
  const room = Math.max(MIN_COLUMNS, options.width - LABEL_WIDTH - 1);
  const binsPer = Math.ceil(bins / room);
  const count = Math.ceil(bins / binsPer);
  const out: string[] = [];
  for (const g of drawn) {
    const factor = widthNs / g.series!.widthNs;
    const columns = columnsOf(g.series!, binsPer * factor, count);
    out.push(`RTT over capture time: ${g.key} (${g.stats.count} samples)`, ...panel(columns, options.colors));
  }
  out.push(...timeAxis(count, binsPer * widthNs, base, startNs));
  if (withSeries.length > drawn.length) out.push(`${withSeries.length - drawn.length} more groups not drawn (the busiest ${CHART_MAX_GROUPS} are; --html draws every group)`);
  return `${out.join('\n')}\n`;
}
