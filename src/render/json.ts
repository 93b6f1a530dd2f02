/**
 * The `--json` document: one object with keys in a fixed order, so that diffs stay clean.
 * Every RTT is in µs with three decimals (nanosecond precision). Each statistics object
 * carries its DDSketch (relative accuracy, zero count and the dense bin counts from min_key)
 * and a `merge_state` (exact sums, first and last sample, histogram slots) so that summaries
 * of separate runs can be merged later (merge/summary-document.ts reads them back).
 */
import type { AnalysisReport, AnalysisResult, InputSummary } from '../analyze.js';
import type { RttStats } from '../stats/rtt-stats.js';
import { SKETCH_RELATIVE_ACCURACY } from '../stats/rtt-stats.js';
import { histogramRows } from './histogram.js';
import { figuresOf } from '../ci/figures.js';
import { VERSION } from '../version.js';
import { formatEpoch } from '../time.js';
import { tcprtJson, tcprtPortJson } from './tcprt.js';

function sketchJson(stats: RttStats): Record<string, unknown> {
  const state = stats.toState();
  return {
    relative_accuracy: SKETCH_RELATIVE_ACCURACY,
    zero_count: state.sketchZeroCount,
    min_key: state.sketchMinKey,
    counts: state.sketchCounts,
  };
}

/** What merging needs beyond the printed figures, at full precision. */
function mergeStateJson(stats: RttStats): Record<string, unknown> {
  const state = stats.toState();
  return {
    sum_ns: state.sumNs,
    m2_us2: state.m2,
    first_ns: state.firstNs,
    last_ns: state.lastNs,
    srtt_us: state.srttUs,
    jitter_sum_ns: state.jitterSumNs,
    histogram_unit: state.histogramUnit,
    histogram_counts: state.histogramCounts,
  };
}

export function statsJson(stats: RttStats): Record<string, unknown> {
  // The same figures --fail-if and --baseline check, so a document read back compares equal.
  const f = figuresOf(stats);
  return {
    samples: stats.count,
    min_us: f.min ?? null,
    mean_us: f.mean ?? null,
    p50_us: f.p50 ?? null,
    p90_us: f.p90 ?? null,
    p99_us: f.p99 ?? null,
    max_us: f.max ?? null,
    stddev_us: f.stddev ?? null,
    srtt_us: f.srtt ?? null,
    jitter_us: f.jitter ?? null,
    data_segments: stats.dataSegments,
    retransmitted_segments: stats.retransmittedSegments,
    sketch: sketchJson(stats),
    merge_state: mergeStateJson(stats),
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
    group_by: report.by,
    groups: report.groups.map((g) => ({ key: g.key, ...statsJson(g.stats) })),
    histogram: histogramJson(report.summary, unit),
  };
}

/** One --interval line: the statistics, and TCP-RT's ports over the same span when it ran. */
function intervalJson(report: AnalysisReport, unit: string): Record<string, unknown> {
  const json = reportJson(report, unit);
  return report.tcprtPorts === undefined ? json : { ...json, tcprt: { ports: report.tcprtPorts.map(tcprtPortJson) } };
}

/** What a document says besides its statistics; a merge of documents builds its own. */
export interface DocumentHead {
  inputs: readonly InputSummary[];
  vantage: { local: readonly string[]; inferred: boolean; midPath: boolean };
  /** The TCP-RT section (render/tcprt.ts), when TCP-RT ran. */
  tcprt?: Record<string, unknown>;
  counters: Record<string, unknown>;
}

/** The whole document as an object, keys in their fixed order. */
export function documentJson(head: DocumentHead, report: AnalysisReport, unit: string): Record<string, unknown> {
  return {
    tool: 'rttscan',
    version: VERSION,
    inputs: head.inputs,
    vantage: { local: head.vantage.local, inferred: head.vantage.inferred, mid_path: head.vantage.midPath },
    ...reportJson(report, unit),
    ...(head.tcprt !== undefined ? { tcprt: head.tcprt } : {}),
    counters: head.counters,
  };
}

function countersJson(result: AnalysisResult): Record<string, unknown> {
  return {
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
  };
}

export function resultJson(result: AnalysisResult, unit: string): Record<string, unknown> {
  const vantage = {
    local: result.vantage?.localLabels ?? [],
    inferred: result.vantage?.inferred ?? false,
    midPath: (result.vantage?.local.length ?? 0) === 0,
  };
  const tcprt = result.tcprt === undefined ? undefined : tcprtJson(result.tcprt);
  return documentJson({ inputs: result.inputs, vantage, ...(tcprt === undefined ? {} : { tcprt }), counters: countersJson(result) }, result, unit);
}

export function renderJson(result: AnalysisResult, unit: string): string {
  return stringifyDocument(resultJson(result, unit));
}

/** A document (or, with --each, an array of them) as indented JSON text. */
export function stringifyDocument(doc: unknown): string {
  return compactNumberArrays(JSON.stringify(doc, null, 2)) + '\n';
}

/** Arrays of plain numbers (sketch bins) on one line: indented JSON would give each its own. */
function compactNumberArrays(json: string): string {
  return json.replace(/\[\n\s*(-?[\d.e+-]+(?:,\n\s*-?[\d.e+-]+)*)\n\s*\]/g, (_, inner: string) => `[${inner.replace(/\s+/g, '')}]`);
}

/** One --interval report as a single JSON line. */
export function renderJsonLine(report: AnalysisReport, unit: string): string {
  return JSON.stringify(intervalJson(report, unit)) + '\n';
}
