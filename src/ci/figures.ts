/**
 * The figures a CI check or a baseline comparison looks at, one per metric, and that `--json`
 * prints (render/json.ts), in µs rounded to the nanosecond, so that a figure read back from a
 * baseline document and the same figure of this run compare equal when nothing changed.
 */
import { roundUs } from '../render/units.js';
import type { RttStats } from '../stats/rtt-stats.js';

export const METRICS = ['samples', 'min', 'mean', 'p50', 'p90', 'p99', 'max', 'stddev', 'jitter', 'srtt', 'retrans'] as const;
export type Metric = (typeof METRICS)[number];

/** What a metric's numbers are: a count of samples, a time in µs, or a percentage. */
export type MetricKind = 'count' | 'time' | 'percent';

export function metricKind(metric: Metric): MetricKind {
  if (metric === 'samples') return 'count';
  if (metric === 'retrans') return 'percent';
  return 'time';
}

/** Each metric's value; undefined where there is none (no samples, no data segments). */
export type Figures = Record<Metric, number | undefined>;

export function figuresOf(stats: RttStats): Figures {
  const some = stats.count > 0;
  const us = (value: number): number | undefined => (some ? roundUs(value) : undefined);
  return {
    samples: stats.count,
    min: us(stats.minUs),
    mean: us(stats.mean),
    p50: us(stats.quantile(0.5)),
    p90: us(stats.quantile(0.9)),
    p99: us(stats.quantile(0.99)),
    max: us(stats.maxUs),
    stddev: us(stats.stddev),
    jitter: us(stats.jitter),
    srtt: us(stats.srttUs),
    retrans: stats.dataSegments > 0 ? stats.retransPercent : undefined,
  };
}

/** Percent change from `base` to `value`: ±Infinity from a base of 0, 0 when both are 0. */
export function percentChange(base: number, value: number): number {
  if (base === 0) return value === 0 ? 0 : value > 0 ? Infinity : -Infinity;
  return ((value - base) / Math.abs(base)) * 100;
}
