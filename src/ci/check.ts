/**
 * Evaluating `--fail-if` conditions on a run's statistics: on the summary, or with `--by` on
 * every group, against a baseline's same group where a condition is relative. A figure that
 * does not exist (no samples, no data segments, a group the baseline lacks) cannot violate a
 * condition: it is reported as not checked, so that a CI log says why nothing failed.
 */
import { formatUs } from '../render/units.js';
import type { Group, GroupBy } from '../stats/collector.js';
import type { RttStats } from '../stats/rtt-stats.js';
import { compare, type FailCondition } from './fail-if.js';
import { figuresOf, metricKind, percentChange, type Figures, type Metric } from './figures.js';

/** Statistics to check: a run's, a merge's, or a baseline's. */
export interface CheckedStats {
  by: GroupBy;
  summary: RttStats;
  groups: readonly Group[];
}

export interface CheckOutcome {
  /** One line per violated condition (and group). */
  violations: string[];
  /** Conditions that could not be evaluated, and why. */
  unchecked: string[];
}

/** A figure as people read it: µs/ms/s for times, a count, a percentage. */
export function formatFigure(metric: Metric, value: number): string {
  switch (metricKind(metric)) {
    case 'time':
      return formatUs(value);
    case 'count':
      return String(value);
    case 'percent':
      return `${value.toFixed(2)}%`;
  }
}

/** A signed difference: +1.20ms, -3, +0.50pp. */
export function formatDifference(metric: Metric, diff: number): string {
  const sign = diff < 0 ? '-' : '+';
  const abs = Math.abs(diff);
  switch (metricKind(metric)) {
    case 'time':
      return `${sign}${formatUs(abs)}`;
    case 'count':
      return `${sign}${abs}`;
    case 'percent':
      return `${sign}${abs.toFixed(2)}pp`;
  }
}

export function formatChange(percent: number): string {
  if (!Number.isFinite(percent)) return percent > 0 ? '+inf%' : '-inf%';
  return `${percent < 0 ? '-' : '+'}${Math.abs(percent).toFixed(1)}%`;
}

interface Target {
  /** The group's key, or undefined for the summary. */
  group: string | undefined;
  figures: Figures;
  /** The baseline's figures for the same group; undefined when it has none. */
  base: Figures | undefined;
}

function targets(run: CheckedStats, baseline: CheckedStats | undefined): Target[] {
  if (run.by === 'all') return [{ group: undefined, figures: figuresOf(run.summary), base: baseline && figuresOf(baseline.summary) }];
  const baseGroups = new Map(baseline?.groups.map((g) => [g.key, g.stats]));
  return run.groups.map((g) => {
    const base = baseGroups.get(g.key);
    return { group: g.key, figures: figuresOf(g.stats), base: base && figuresOf(base) };
  });
}

export function checkConditions(conditions: readonly FailCondition[], run: CheckedStats, baseline?: CheckedStats): CheckOutcome {
  const outcome: CheckOutcome = { violations: [], unchecked: [] };
  for (const target of targets(run, baseline)) {
    const where = target.group === undefined ? '' : ` (group ${target.group})`;
    for (const c of conditions) {
      const value = target.figures[c.metric];
      if (value === undefined) {
        outcome.unchecked.push(`${c.text}: no ${c.metric === 'retrans' ? 'data segments' : 'samples'}${where}, not checked`);
        continue;
      }
      const shown = `${c.metric} is ${formatFigure(c.metric, value)}`;
      if (c.reference === 'absolute') {
        if (compare(value, c.op, c.threshold)) outcome.violations.push(`${c.text}: ${shown}${where}`);
        continue;
      }
      const base = target.base?.[c.metric];
      if (base === undefined) {
        const why = target.base === undefined ? 'not in the baseline' : `no ${c.metric} in the baseline`;
        outcome.unchecked.push(`${c.text}: ${why}${where}, not checked`);
        continue;
      }
      const measured = c.reference === 'change' ? percentChange(base, value) : value - base;
      if (compare(measured, c.op, c.threshold)) {
        const delta = c.reference === 'change' ? formatChange(measured) : formatDifference(c.metric, measured);
        outcome.violations.push(`${c.text}: ${shown}, ${delta} from the baseline's ${formatFigure(c.metric, base)}${where}`);
      }
    }
  }
  return outcome;
}
