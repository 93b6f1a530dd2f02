/**
 * The page's data (model.ts) from a run or from merged summaries. The statistics come from the
 * --json document itself (resultJson / documentJson), so the page shows the JSON's numbers.
 */
import type { AnalysisResult } from '../../analyze.js';
import type { SummaryDocument } from '../../merge/summary-document.js';
import type { MergedSummary } from '../../merge/merge-summaries.js';
import type { Group } from '../../stats/collector.js';
import { busiestFirst } from '../../stats/group-order.js';
import type { HistogramUnit, RttStats } from '../../stats/rtt-stats.js';
import { VERSION } from '../../version.js';
import { renderHistograms } from '../histogram.js';
import { documentJson, resultJson } from '../json.js';
import type { StatsJson, SummaryDocumentJson, TcprtJson } from '../../schema/document.js';
import { deflateSync } from 'node:zlib';
import { decimate, nearestRank } from './decimate.js';
import type { HeaderModel, LogHistogram, PageModel, SeriesModel, StatsRow, TcprtModel, WorstFlow } from './model.js';
import type { SampleStore } from './sample-store.js';
import { timeBins } from './time-bins.js';

/**
 * Samples the page carries at most (each ~15 bytes of page, deflated): bench/html-page.ts measured the
 * bench capture's page and a 10 M-sample page against their 5 MB and 10 MB budgets with it.
 */
export const DEFAULT_POINT_BUDGET = 300_000;
/** Time bins of the p50/p99 lines at most, and the samples a bin should have on average (fewer bins for fewer samples: a p99 of two samples is noise). */
const MAX_TIME_BINS = 300;
const SAMPLES_PER_BIN = 20;
const MIN_TIME_BINS = 5;
/** Groups with histograms and p50/p99 lines of their own (besides the whole run). */
const SHOWN_GROUPS = 8;
/** Log-histogram bins per decade of RTT. */
const PER_DECADE = 20;
const WORST_FLOWS = 20;

export interface PageOptions {
  unit: HistogramUnit;
  /** Notes the run wrote on stderr (vantage, link types, warnings). */
  notes: readonly string[];
  /** The run's vantage note in words (the one among `notes` shown as the vantage's evidence). */
  vantageNote?: string;
  /** The command line, for the header. */
  command: readonly string[];
  pointBudget?: number;
}

function statsRow(key: string, json: StatsJson): StatsRow {
  return {
    key,
    samples: json.samples,
    min_us: json.min_us,
    mean_us: json.mean_us,
    p50_us: json.p50_us,
    p90_us: json.p90_us,
    p99_us: json.p99_us,
    max_us: json.max_us,
    stddev_us: json.stddev_us,
    srtt_us: json.srtt_us,
    jitter_us: json.jitter_us,
    data_segments: json.data_segments,
    retransmitted_segments: json.retransmitted_segments,
  };
}

/** A log-binned histogram from the group's DDSketch (1% bins folded into PER_DECADE per decade). */
export function logHistogram(key: string, stats: RttStats): LogHistogram {
  const sketch = stats.sketch;
  const store = sketch.store;
  const byBin = new Map<number, number>();
  if (store.count > 0) {
    for (let k = store.minKey; k <= store.maxKey; k++) {
      const n = store.bins[k - store.offset] ?? 0;
      if (n === 0) continue;
      const bin = Math.floor(Math.log10(sketch.mapping.value(k)) * PER_DECADE);
      byBin.set(bin, (byBin.get(bin) ?? 0) + n);
    }
  }
  const bins = [...byBin.keys()];
  const firstBin = bins.length > 0 ? Math.min(...bins) : 0;
  const lastBin = bins.length > 0 ? Math.max(...bins) : -1;
  const counts: number[] = [];
  for (let b = firstBin; b <= lastBin; b++) counts.push(byBin.get(b) ?? 0);
  return { key, perDecade: PER_DECADE, firstBin, counts, zeroCount: sketch.zeroCount };
}

function headerOf(doc: SummaryDocumentJson, mode: 'run' | 'merge', options: PageOptions, evidence: string[]): HeaderModel {
  const names = doc.inputs.map((i) => i.path.split('/').pop() ?? i.path);
  return {
    title: `rttscan${mode === 'merge' ? ' merge' : ''}: ${names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`}`,
    generator: `rttscan ${VERSION}`,
    command: [...options.command],
    mode,
    inputs: doc.inputs.map((i) => ({ path: i.path, format: i.format, linktype: i.linktype, packets: i.packets, tcp_packets: i.tcp_packets, warnings: [...i.warnings] })),
    start: doc.start,
    end: doc.end,
    spanSec: Number(doc.end) - Number(doc.start),
    vantage: { local: doc.vantage.local, inferred: doc.vantage.inferred, midPath: doc.vantage.mid_path, evidence },
    groupBy: doc.group_by,
    counters: doc.counters,
    notes: options.notes.filter((n) => !evidence.includes(n)),
  };
}

/**
 * A column as the page reads it: its bytes deflated (zlib), in base64. Level 1: on the bench
 * capture's page the time and RTT columns came out 4.5% larger than at the default level 6,
 * in a quarter of the time (78 ms against 340 ms).
 */
function packed(array: Float64Array | Uint32Array | Uint8Array): string {
  return deflateSync(Buffer.from(array.buffer, array.byteOffset, array.byteLength), { level: 1 }).toString('base64');
}

/** Differences from the previous value (the first from 0): small whole numbers that deflate well. */
function deltas(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]! - (i > 0 ? values[i - 1]! : 0);
  return out;
}

function seriesOf(store: SampleStore, baseSec: number, startNs: number, endNs: number, groups: readonly Group[], inputs: string[], budget: number): SeriesModel {
  const n = store.length;
  const d = decimate({ length: n, tNs: (i) => store.ackNs.at(i), rttNs: (i) => store.rttNs.at(i), kind: (i) => store.kind.at(i) }, budget);
  const k = d.kept.length;
  const tNs = new Float64Array(k);
  const rttNs = new Float64Array(k);
  const kind = new Uint8Array(k);
  const flow = new Uint32Array(k);
  const segFrame = new Float64Array(k);
  const ackFrame = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    const i = d.kept[j]!;
    tNs[j] = Math.round(store.ackNs.at(i)); // whole ns, so that the page's running sums are exact
    rttNs[j] = store.rttNs.at(i);
    kind[j] = store.kind.at(i);
    flow[j] = store.flow.at(i);
    segFrame[j] = store.segFrame.at(i);
    ackFrame[j] = store.ackFrame.at(i);
  }
  const groupIndex = new Map(groups.map((g, i) => [g, i]));
  const flowGroups = store.flows.map((f) => groupIndex.get(f.group) ?? -1);
  const t = (i: number): number => store.ackNs.at(i);
  const r = (i: number): number => store.rttNs.at(i);
  const t1 = Math.max(endNs, n > 0 ? t(n - 1) : startNs);
  const binCount = Math.max(MIN_TIME_BINS, Math.min(MAX_TIME_BINS, Math.ceil(n / SAMPLES_PER_BIN)));
  const bins: SeriesModel['bins'] = [{ group: null, ...timeBins(startNs, t1, binCount, n, t, r) }];
  if (groups.length > 1) {
    const groupOf = new Int32Array(n);
    for (let i = 0; i < n; i++) groupOf[i] = flowGroups[store.flow.at(i)]!;
    for (let gi = 0; gi < Math.min(SHOWN_GROUPS, groups.length); gi++) {
      bins.push({ group: gi, ...timeBins(startNs, t1, binCount, n, t, r, (i) => groupOf[i] === gi) });
    }
  }
  return {
    baseSec,
    points: {
      count: k,
      tNs: packed(deltas(tNs)),
      rttNs: packed(rttNs),
      kind: packed(kind),
      flow: packed(flow),
      segFrame: packed(ackFrame.map((ack, j) => ack - segFrame[j]!)),
      ackFrame: packed(deltas(ackFrame)),
    },
    flows: store.flows.map((f) => f.label),
    flowGroups,
    inputs,
    decimation: { total: d.total, kept: k, columns: d.columns, p99Us: Number.isNaN(d.p99Ns) ? null : d.p99Ns / 1000, outliers: d.outliers, outliersCut: d.outliersCut },
    bins,
  };
}

/** The flows with the highest p99 (exact, nearest rank over each flow's samples). */
function worstFlows(store: SampleStore): WorstFlow[] {
  const n = store.length;
  const flows = store.flows.length;
  const starts = new Float64Array(flows + 1);
  for (let i = 0; i < n; i++) starts[store.flow.at(i) + 1]!++;
  for (let f = 0; f < flows; f++) starts[f + 1]! += starts[f]!;
  const fill = starts.slice(0, flows);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[fill[store.flow.at(i)]!++] = store.rttNs.at(i);
  const rows: WorstFlow[] = [];
  for (let f = 0; f < flows; f++) {
    const mine = values.subarray(starts[f]!, starts[f + 1]!).sort();
    if (mine.length === 0) continue;
    const flow = store.flows[f]!;
    rows.push({
      flow: flow.label,
      group: flow.group.key,
      samples: mine.length,
      p50_us: nearestRank(mine, 0.5) / 1000,
      p99_us: nearestRank(mine, 0.99) / 1000,
      max_us: mine[mine.length - 1]! / 1000,
      data_segments: flow.dataSegments,
      retransmitted_segments: flow.retransmittedSegments,
    });
  }
  rows.sort((a, b) => b.p99_us - a.p99_us || b.samples - a.samples || (a.flow < b.flow ? -1 : 1));
  return rows.slice(0, WORST_FLOWS);
}

function tcprtOf(store: SampleStore, baseSec: number, summary: TcprtJson | undefined): TcprtModel | null {
  if (summary === undefined) return null;
  const ports = new Map<string, TcprtModel['ports'][number]>();
  for (const task of store.tasks) {
    const label = task.side === 'peer' ? `P${task.port}` : String(task.port);
    let p = ports.get(label);
    if (p === undefined) ports.set(label, (p = { port: label, startSec: [], serverUs: [], totalUs: [] }));
    p.startSec.push(task.startNs / 1e9);
    p.serverUs.push(task.serverUs);
    p.totalUs.push(task.totalUs);
  }
  return { baseSec, ports: [...ports.values()], summary };
}

function histogramsOf(summary: RttStats, groups: readonly Group[]): LogHistogram[] {
  const out = [logHistogram('all', summary)];
  if (groups.length > 1 || (groups.length === 1 && groups[0]!.key !== 'all')) {
    for (const g of groups.slice(0, SHOWN_GROUPS)) out.push(logHistogram(g.key, g.stats));
  }
  return out;
}

export function runPageModel(result: AnalysisResult, store: SampleStore, options: PageOptions): PageModel {
  const groups = busiestFirst(result.groups);
  const doc = resultJson({ ...result, groups }, options.unit);
  const evidence = options.vantageNote !== undefined ? [options.vantageNote] : [];
  return {
    header: headerOf(doc, 'run', options, evidence),
    unit: options.unit,
    summary: statsRow('all', doc.summary),
    groups: doc.groups.map((g) => statsRow(g.key, g)),
    histograms: histogramsOf(result.summary, groups),
    bcc: renderHistograms(result.by, groups, options.unit),
    series: seriesOf(
      store,
      result.base.baseSec,
      result.startNs,
      result.endNs,
      groups,
      result.inputs.map((i) => i.path),
      options.pointBudget ?? DEFAULT_POINT_BUDGET,
    ),
    spans: [],
    worstFlows: worstFlows(store),
    tcprt: tcprtOf(store, result.base.baseSec, doc.tcprt),
  };
}

export function mergePageModel(merged: MergedSummary, docs: readonly SummaryDocument[], options: PageOptions): PageModel {
  const groups = busiestFirst(merged.report.groups);
  const doc = documentJson(merged.head, { ...merged.report, groups }, merged.histogramUnit);
  const epoch = (t: { sec: number; nsec: number }): number => t.sec + t.nsec / 1e9;
  return {
    header: headerOf(doc, 'merge', options, []),
    unit: merged.histogramUnit,
    summary: statsRow('all', doc.summary),
    groups: doc.groups.map((g) => statsRow(g.key, g)),
    histograms: histogramsOf(merged.report.summary, groups),
    bcc: renderHistograms(merged.report.by, groups, merged.histogramUnit),
    series: null,
    spans: docs.map((d) => ({
      name: d.name,
      startSec: epoch(d.start),
      endSec: epoch(d.end),
      p50Us: d.summary.count > 0 ? d.summary.quantile(0.5) : null,
      p99Us: d.summary.count > 0 ? d.summary.quantile(0.99) : null,
      samples: d.summary.count,
    })),
    worstFlows: [],
    tcprt: null,
  };
}
