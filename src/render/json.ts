/**
 * The `--json` document: one object with keys in a fixed order, so that diffs stay clean.
 * Every RTT is in µs with three decimals (nanosecond precision). Each statistics object
 * carries its DDSketch (relative accuracy, zero count and the dense bin counts from min_key)
 * and a `merge_state` (exact sums, first and last sample, histogram slots) so that summaries
 * of separate runs can be merged later (merge/summary-document.ts reads them back).
 */
import type { AnalysisReport, AnalysisResult, CounterSnapshot, InputSummary } from '../analyze.js';
import type { RttStats } from '../stats/rtt-stats.js';
import { SKETCH_RELATIVE_ACCURACY } from '../stats/rtt-stats.js';
import { histogramRows } from './histogram.js';
import { figuresOf } from '../ci/figures.js';
import { VERSION } from '../version.js';
import type { CountersJson, GroupJson, IntervalLineJson, ProcessJson, HistogramJson, MergeStateJson, ReportJson, SketchJson, StatsJson, SummaryDocumentJson, TcprtJson } from '../schema/document.js';
import { SCHEMA_VERSION } from '../schema/document.js';
import { formatEpoch } from '../time.js';
import { tcprtJson, tcprtPortJson } from './tcprt.js';
import type { ProcessInfo } from '../process/attributor.js';

function sketchJson(stats: RttStats): SketchJson {
  const state = stats.toState();
  return {
    relative_accuracy: SKETCH_RELATIVE_ACCURACY,
    zero_count: state.sketchZeroCount,
    min_key: state.sketchMinKey,
    counts: state.sketchCounts,
  };
}

/** What merging needs beyond the printed figures, at full precision. */
function mergeStateJson(stats: RttStats): MergeStateJson {
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

export function statsJson(stats: RttStats): StatsJson {
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

function histogramJson(stats: RttStats, unit: HistogramJson['unit']): HistogramJson {
  return {
    unit,
    buckets: histogramRows(stats.histogram.counts).map(([low, high, count]) => ({ low, high, count })),
  };
}

/** --by process: the process a group names (null when it is not known). */
function processJson(p: ProcessInfo | null): ProcessJson | null {
  return p === null ? null : { pid: p.pid, command: p.command, cgroup: p.cgroup, container_id: p.containerId ?? null, pod_uid: p.podUid ?? null };
}

/** The statistics part, shared by the final document and each --interval line. */
function reportJson(report: AnalysisReport, unit: HistogramJson['unit']): Omit<ReportJson, 'tcprt'> {
  return {
    schema_version: SCHEMA_VERSION,
    start: formatEpoch(report.base, report.startNs),
    end: formatEpoch(report.base, report.endNs),
    summary: statsJson(report.summary),
    group_by: report.by,
    groups: report.groups.map((g): GroupJson => ({ key: g.key, ...(g.process !== undefined ? { process: processJson(g.process) } : {}), ...statsJson(g.stats) })),
    histogram: histogramJson(report.summary, unit),
  };
}

/** One --interval line: the statistics, and TCP-RT's ports over the same span when it ran. */
function intervalJson(report: AnalysisReport, unit: HistogramJson['unit']): ReportJson {
  const json = reportJson(report, unit);
  return report.tcprtPorts === undefined ? json : { ...json, tcprt: { ports: report.tcprtPorts.map(tcprtPortJson) } };
}

/** What a document says besides its statistics; a merge of documents builds its own. */
export interface DocumentHead {
  inputs: readonly InputSummary[];
  vantage: { local: readonly string[]; inferred: boolean; midPath: boolean };
  /** The TCP-RT section (render/tcprt.ts), when TCP-RT ran. */
  tcprt?: TcprtJson;
  counters: CountersJson;
}

/** The whole document as an object, keys in their fixed order. */
export function documentJson(head: DocumentHead, report: AnalysisReport, unit: HistogramJson['unit']): SummaryDocumentJson {
  const { schema_version, ...stats } = reportJson(report, unit);
  return {
    tool: 'rttscan',
    version: VERSION,
    schema_version,
    inputs: [...head.inputs],
    vantage: { local: [...head.vantage.local], inferred: head.vantage.inferred, mid_path: head.vantage.midPath },
    ...stats,
    ...(head.tcprt !== undefined ? { tcprt: head.tcprt } : {}),
    counters: head.counters,
  };
}

function countersJson(c: CounterSnapshot, interval: boolean): CountersJson {
  return {
    decode: c.decode,
    flows: {
      created: c.flows.created,
      ...(interval ? { active: c.flows.active } : {}),
      peak_active: c.flows.peakActive,
      expired_idle: c.flows.expiredIdle,
      expired_closed: c.flows.expiredClosed,
      evicted: c.flows.evicted,
      reused: c.flows.reused,
      one_way: c.flows.oneWay,
    },
    rtt: {
      samples: c.rtt.samples,
      local_acked: c.rtt.localAcked,
      filtered: c.rtt.filtered,
      karn_skipped: c.rtt.karnSkipped,
      acked_unseen_data: c.rtt.ackedUnseenData,
      no_segment_match: c.rtt.noSegmentMatch,
      keepalives: c.rtt.keepalives,
      segments_dropped: c.rtt.segmentsDropped,
      segments_over_budget: c.rtt.segmentsOverBudget,
    },
  };
}

function resultCounters(result: AnalysisResult): CounterSnapshot {
  return {
    decode: result.decode,
    flows: { ...result.flows, active: 0, oneWay: result.oneWayFlows },
    rtt: { ...result.rtt, localAcked: result.localAcked, filtered: result.filtered },
  };
}

export function resultJson(result: AnalysisResult, unit: HistogramJson['unit']): SummaryDocumentJson {
  const vantage = {
    local: result.vantage?.localLabels ?? [],
    inferred: result.vantage?.inferred ?? false,
    midPath: (result.vantage?.local.length ?? 0) === 0,
  };
  const tcprt = result.tcprt === undefined ? undefined : tcprtJson(result.tcprt);
  return documentJson({ inputs: result.inputs, vantage, ...(tcprt === undefined ? {} : { tcprt }), counters: countersJson(resultCounters(result), false) }, result, unit);
}

export function renderJson(result: AnalysisResult, unit: HistogramJson['unit']): string {
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

/**
 * One --interval report as a single JSON line; with the interval's own counts (`inputs`, and
 * `counters` that count this interval only, `flows.active` and `flows.peak_active` excepted).
 */
export function renderJsonLine(report: AnalysisReport, unit: HistogramJson['unit']): string {
  const counts = report.interval;
  const json = intervalJson(report, unit);
  if (counts === undefined) return JSON.stringify(json) + '\n';
  const { schema_version, ...figures } = json;
  const line: IntervalLineJson = { schema_version, inputs: counts.inputs, ...figures, counters: countersJson(counts.counters, true) };
  return JSON.stringify(line) + '\n';
}
