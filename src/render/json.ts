/**
 * The `--json` document: one object with keys in a fixed order, so that diffs stay clean.
 * Every RTT is in µs with three decimals (nanosecond precision). Each statistics object
 * carries its DDSketch (relative accuracy, zero count and the dense bin counts from min_key)
 * so that summaries of separate runs can be merged later.
 */
import type { AnalysisReport, AnalysisResult } from '../analyze.js';
import type { RttStats } from '../stats/rtt-stats.js';
import { SKETCH_RELATIVE_ACCURACY } from '../stats/rtt-stats.js';
import { histogramRows } from './histogram.js';
import { roundUs } from './units.js';
import { VERSION } from '../version.js';
import { formatEpoch } from '../time.js';
import { tcprtJson } from './tcprt.js';

function sketchJson(stats: RttStats): Record<string, unknown> {
  const { store, zeroCount } = stats.sketch;
  const counts: number[] = [];
  if (store.count > 0) {
    for (let key = store.minKey; key <= store.maxKey; key++) counts.push(store.bins[key - store.offset] ?? 0);
  }
  return {
    relative_accuracy: SKETCH_RELATIVE_ACCURACY,
    zero_count: zeroCount,
    min_key: store.count > 0 ? store.minKey : 0,
    counts,
  };
}

export function statsJson(stats: RttStats): Record<string, unknown> {
  const some = stats.count > 0;
  const us = (value: number): number | null => (some ? roundUs(value) : null);
  return {
    samples: stats.count,
    min_us: us(stats.minUs),
    mean_us: us(stats.mean),
    p50_us: us(stats.quantile(0.5)),
    p90_us: us(stats.quantile(0.9)),
    p99_us: us(stats.quantile(0.99)),
    max_us: us(stats.maxUs),
    stddev_us: us(stats.stddev),
    srtt_us: us(stats.srttUs),
    jitter_us: us(stats.jitter),
    data_segments: stats.dataSegments,
    retransmitted_segments: stats.retransmittedSegments,
    sketch: sketchJson(stats),
  };
}

function histogramJson(stats: RttStats, unit: string): Record<string, unknown> {
  return {
    unit,
    buckets: histogramRows(stats.histogram.counts).map(([low, high, count]) => ({ low, high, count })),
  };
}

/** The statistics part, shared by the final document and each --interval line. */
function reportJson(report: AnalysisReport, unit: string): Record<string, unknown> {
  return {
    start: formatEpoch(report.base, report.startNs),
    end: formatEpoch(report.base, report.endNs),
    summary: statsJson(report.summary),
    groups: report.groups.map((g) => ({ key: g.key, ...statsJson(g.stats) })),
    histogram: histogramJson(report.summary, unit),
  };
}

export function renderJson(result: AnalysisResult, unit: string): string {
  const doc = {
    tool: 'rttscan',
    version: VERSION,
    inputs: result.inputs,
    vantage: {
      local: result.vantage?.localLabels ?? [],
      inferred: result.vantage?.inferred ?? false,
      mid_path: (result.vantage?.local.length ?? 0) === 0,
    },
    ...reportJson(result, unit),
    ...(result.tcprt !== undefined ? { tcprt: tcprtJson(result.tcprt) } : {}),
    counters: {
      decode: result.decode,
      flows: {
        created: result.flows.created,
        peak_active: result.flows.peakActive,
        expired_idle: result.flows.expiredIdle,
        expired_closed: result.flows.expiredClosed,
        evicted: result.flows.evicted,
        reused: result.flows.reused,
        one_way: result.oneWayFlows,
      },
      rtt: {
        samples: result.rtt.samples,
        local_acked: result.localAcked,
        filtered: result.filtered,
        karn_skipped: result.rtt.karnSkipped,
        acked_unseen_data: result.rtt.ackedUnseenData,
        no_segment_match: result.rtt.noSegmentMatch,
        keepalives: result.rtt.keepalives,
        segments_dropped: result.rtt.segmentsDropped,
      },
    },
  };
  return compactNumberArrays(JSON.stringify(doc, null, 2)) + '\n';
}

/** Arrays of plain numbers (sketch bins) on one line: indented JSON would give each its own. */
function compactNumberArrays(json: string): string {
  return json.replace(/\[\n\s*(-?[\d.e+-]+(?:,\n\s*-?[\d.e+-]+)*)\n\s*\]/g, (_, inner: string) => `[${inner.replace(/\s+/g, '')}]`);
}

/** One --interval report as a single JSON line. */
export function renderJsonLine(report: AnalysisReport, unit: string): string {
  return JSON.stringify(reportJson(report, unit)) + '\n';
}
