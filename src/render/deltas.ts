/**
 * `--baseline`: this run's figures next to a baseline's, one row per metric (and group, with
 * --by): baseline, current, the difference and the change in percent.
 */
import type CliTable3 from 'cli-table3';
import { requireCjs } from '../util/cjs.js';
import { formatChange, formatDifference, formatFigure, type CheckedStats } from '../ci/check.js';
import { figuresOf, METRICS, percentChange, type Figures } from '../ci/figures.js';
import { busiestFirst } from '../stats/group-order.js';

const Table = requireCjs('cli-table3') as typeof CliTable3;

function rows(group: string | undefined, base: Figures | undefined, current: Figures | undefined): string[][] {
  return METRICS.map((metric) => {
    const b = base?.[metric];
    const c = current?.[metric];
    const change = b !== undefined && c !== undefined ? `${formatDifference(metric, c - b)} (${formatChange(percentChange(b, c))})` : '-';
    const cells = [metric, b === undefined ? '-' : formatFigure(metric, b), c === undefined ? '-' : formatFigure(metric, c), change];
    return group === undefined ? cells : [group, ...cells];
  });
}

export function renderDeltas(baseline: CheckedStats, current: CheckedStats): string {
  const byGroup = current.by !== 'all';
  const table = new Table({ head: [...(byGroup ? ['group'] : []), 'metric', 'baseline', 'current', 'change'], style: { head: [], border: [], compact: true } });
  if (!byGroup) {
    table.push(...rows(undefined, figuresOf(baseline.summary), figuresOf(current.summary)));
  } else {
    const base = new Map(baseline.groups.map((g) => [g.key, g.stats]));
    const seen = new Set<string>();
    for (const g of busiestFirst(current.groups)) {
      seen.add(g.key);
      const b = base.get(g.key);
      table.push(...rows(g.key, b && figuresOf(b), figuresOf(g.stats)));
    }
    for (const g of busiestFirst(baseline.groups)) {
      if (!seen.has(g.key)) table.push(...rows(g.key, figuresOf(g.stats), undefined));
    }
  }
  return table.toString() + '\n';
}
