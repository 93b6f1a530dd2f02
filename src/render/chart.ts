/**
 * `--chart`: mean RTT over capture time for the busiest groups (at most six), drawn with
 * asciichart. On a colour terminal all groups share one chart, one coloured line each; without
 * colour the lines could not be told apart, so each group gets a chart of its own.
 */
import asciichart from 'asciichart';
import type { Group } from '../stats/collector.js';
import { SERIES_BINS, type TimeSeries } from '../stats/time-series.js';
import { formatIso, type TimeBase } from '../time.js';
import { formatUs } from './units.js';

export const CHART_MAX_GROUPS = 6;
const HEIGHT = 12;
/** Columns at most; wider series are merged pairwise. */
const MAX_COLUMNS = 100;
const COLORS = [asciichart.green, asciichart.cyan, asciichart.magenta, asciichart.yellow, asciichart.blue, asciichart.red];
const COLOR_NAMES = ['green', 'cyan', 'magenta', 'yellow', 'blue', 'red'];

/** A series rebinned to `widthNs` (series may have widened differently): sums and counts. */
function rebin(series: TimeSeries, bins: number, widthNs: number): { sums: number[]; counts: number[] } {
  const factor = widthNs / series.widthNs;
  const sums = new Array<number>(bins).fill(0);
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < Math.min(series.used, SERIES_BINS); i++) {
    const col = Math.floor(i / factor);
    if (col >= bins) break;
    sums[col]! += series.sums[i]!;
    counts[col]! += series.counts[i]!;
  }
  return { sums, counts };
}

/**
 * Means per column for bins [from, bins), merged pairwise down to MAX_COLUMNS. asciichart
 * draws no gaps, so an empty column repeats the one before (leading ones, the first value).
 */
function columns(series: TimeSeries, from: number, bins: number, widthNs: number): number[] {
  const all = rebin(series, bins, widthNs);
  const sums = all.sums.slice(from);
  const counts = all.counts.slice(from);
  bins -= from;
  let merged = bins;
  let step = 1;
  while (merged > MAX_COLUMNS) {
    merged = Math.ceil(merged / 2);
    step *= 2;
  }
  const out: number[] = [];
  let previous = NaN;
  for (let c = 0; c < merged; c++) {
    let s = 0;
    let n = 0;
    for (let i = c * step; i < Math.min(bins, (c + 1) * step); i++) {
      s += sums[i]!;
      n += counts[i]!;
    }
    const value = n > 0 ? s / n : previous;
    out.push(value);
    previous = value;
  }
  const first = out.find((v) => !Number.isNaN(v)) ?? 0;
  return out.map((v) => (Number.isNaN(v) ? first : v));
}

export function renderChart(groups: readonly Group[], base: TimeBase, startNs: number, colors: boolean): string {
  const drawn = groups.filter((g) => g.series !== undefined && g.stats.count > 0).slice(0, CHART_MAX_GROUPS);
  if (drawn.length === 0) return 'no RTT samples to chart\n';
  const widthNs = Math.max(...drawn.map((g) => g.series!.widthNs));
  const bins = Math.max(...drawn.map((g) => Math.ceil((g.series!.used * g.series!.widthNs) / widthNs)));
  const axis = (fromBin: number, width: number): string => {
    const spanNs = (bins - fromBin) * widthNs;
    const colWidthNs = spanNs / width;
    const start = formatIso(base, startNs + fromBin * widthNs);
    return `${' '.repeat(11)}└ ${start} ${'─'.repeat(Math.max(3, width - 50))} +${formatUs(spanNs / 1000)} (one column = ${formatUs(colWidthNs / 1000)})\n`;
  };
  const plot = (lines: number[][], palette: string[] | undefined, fromBin: number): string => {
    const all = lines.flat();
    const maxUs = Math.max(...all);
    const minUs = Math.min(...all);
    const inMs = maxUs >= 1000;
    const scale = inMs ? 1000 : 1;
    const text = asciichart.plot(
      lines.map((l) => l.map((v) => v / scale)),
      {
        height: HEIGHT,
        min: minUs / scale,
        max: maxUs / scale,
        format: (x: number) => `${x.toFixed(2).padStart(8)} ${inMs ? 'ms' : 'µs'}`,
        ...(palette ? { colors: palette } : {}),
      },
    );
    return `${text}\n${axis(fromBin, lines[0]!.length)}`;
  };
  if (colors && drawn.length > 1) {
    const legend = drawn.map((g, i) => `${g.key} (${COLOR_NAMES[i]}, ${g.stats.count} samples)`).join(', ');
    const lines = drawn.map((g) => columns(g.series!, 0, bins, widthNs));
    return `RTT over capture time: ${legend}\n${plot(lines, COLORS.slice(0, drawn.length), 0)}`;
  }
  // One chart per group, over the span where that group has samples.
  return drawn
    .map((g) => {
      const from = Math.max(0, rebin(g.series!, bins, widthNs).counts.findIndex((n) => n > 0));
      const line = columns(g.series!, from, bins, widthNs);
      return `RTT over capture time: ${g.key} (${g.stats.count} samples)\n${plot([line], undefined, from)}`;
    })
    .join('\n');
}
