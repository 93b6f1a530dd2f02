/**
 * Merging the summaries of separate runs (per file, per host, per day) into what one run over
 * all their captures would give. Documents are taken in capture-time order; counts, min, max,
 * mean, segment counts, histograms and the percentile sketches merge exactly, groups by key.
 * srtt and jitter follow sample order, so they are exact only when the runs do not overlap in
 * capture time; `overlapping` says when they do. TCP-RT sections add up port by port
 * (merge/tcprt-section.ts).
 */
import type { AnalysisReport, InputSummary } from '../analyze.js';
import { RttscanError, usageError } from '../errors.js';
import type { DocumentHead, VantageDecision } from '../render/json.js';
import type { CountersJson } from '../schema/document.js';
import { Group, type GroupBy } from '../stats/collector.js';
import { RttStats, type HistogramUnit } from '../stats/rtt-stats.js';
import type { EpochTime } from '../time.js';
import type { SummaryDocument } from './summary-document.js';
import { tcprtJson } from '../render/tcprt.js';
import { mergeTcprtSections } from './tcprt-section.js';

export interface MergedSummary {
  head: DocumentHead;
  report: AnalysisReport;
  histogramUnit: HistogramUnit;
  /** Names of documents whose capture time overlaps an earlier one's (srtt, jitter approximate). */
  overlapping: string[];
}

function compareTimes(a: EpochTime, b: EpochTime): number {
  return a.sec - b.sec || a.nsec - b.nsec;
}

/**
 * Adds `from`'s counts into `into`, key by key (the schema bounds their depth to two levels);
 * `peak_active` takes the larger. `into` and every object made here have no prototype, so no
 * key read from a document can reach Object.prototype.
 */
function addCounters(into: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const key of Object.keys(from)) {
    const value = from[key];
    const have = Object.hasOwn(into, key) ? into[key] : undefined;
    if (typeof value === 'number') {
      if (typeof have !== 'number') into[key] = value;
      // The flow tables' peaks are per run: the largest is what is known.
      else into[key] = key === 'peak_active' ? Math.max(have, value) : have + value;
    } else if (value !== null && typeof value === 'object') {
      let sub = have;
      if (sub === null || typeof sub !== 'object') into[key] = sub = Object.create(null) as Record<string, unknown>;
      addCounters(sub as Record<string, unknown>, value as Record<string, unknown>);
    }
  }
}

function copyStats(stats: RttStats): RttStats {
  const copy = new RttStats(stats.histogramUnit);
  copy.merge(stats);
  return copy;
}

/** One document as a report the renderers take (a document read back, not merged). */
export function documentReport(doc: SummaryDocument): MergedSummary {
  return mergeSummaries([doc]);
}

const CONFIDENCE_ORDER = ['none', 'unknown', 'low', 'high'];

/** The weakest of the runs' confidences. */
function lowestConfidence(decisions: readonly VantageDecision[]): string {
  let lowest = 'high';
  for (const d of decisions) if (CONFIDENCE_ORDER.indexOf(d.confidence) < CONFIDENCE_ORDER.indexOf(lowest)) lowest = d.confidence;
  return lowest;
}

export function mergeSummaries(docs: readonly SummaryDocument[]): MergedSummary {
  const first = docs[0];
  if (first === undefined) throw usageError('merge: no documents to merge');
  for (const doc of docs) {
    if (doc.by !== first.by) {
      throw new RttscanError('input', (name) => `${doc.name} groups by ${doc.by} but ${first.name} by ${first.by}: merge summaries made with the same ${name('by')}`);
    }
    if (doc.histogramUnit !== first.histogramUnit) {
      const differ = `${doc.name} has a ${doc.histogramUnit} histogram but ${first.name} ${first.histogramUnit}`;
      throw new RttscanError('input', (name) => `${differ}: merge summaries made with the same ${name('histogramUnit')}`);
    }
  }
  // Capture-time order (stable: equal starts keep the order given).
  const ordered = [...docs].sort((a, b) => compareTimes(a.start, b.start) || compareTimes(a.end, b.end));
  const by: GroupBy = first.by;
  const unit = first.histogramUnit;
  const summary = new RttStats(unit);
  const groups = new Map<string, RttStats>();
  const inputs: InputSummary[] = [];
  const local: string[] = [];
  const seenLocal = new Set<string>();
  // Each run decided whose RTT its samples are; the merge keeps every decision.
  const decisions: VantageDecision[] = [];
  const counters = Object.create(null) as Record<string, unknown>;
  const overlapping: string[] = [];
  let end = ordered[0]!.end;
  ordered.forEach((doc, i) => {
    if (i > 0 && compareTimes(doc.start, end) < 0) overlapping.push(doc.name);
    if (compareTimes(doc.end, end) > 0) end = doc.end;
    summary.merge(doc.summary);
    for (const group of doc.groups) {
      const have = groups.get(group.key);
      if (have === undefined) groups.set(group.key, copyStats(group.stats));
      else have.merge(group.stats);
    }
    for (const input of doc.inputs) inputs.push(input);
    for (const label of doc.vantage.local) if (!seenLocal.has(label)) seenLocal.add(label) && local.push(label);
    const v = doc.vantage;
    if (v.decisions !== undefined) for (const d of v.decisions) decisions.push(d);
    else decisions.push({ inputs: doc.inputs.map((input) => input.path), local: v.local, midPath: v.midPath, decidedBy: v.decidedBy, confidence: v.confidence });
    addCounters(counters, doc.counters);
  });
  // TCP-RT: the runs that had it, their ports added up.
  const tcprtSections = ordered.flatMap((doc) => (doc.tcprt === undefined ? [] : [doc.tcprt]));
  const tcprt = tcprtSections.length > 0 ? mergeTcprtSections(tcprtSections) : undefined;
  const start = ordered[0]!.start;
  // With --by all the one group is the summary itself, as in a run.
  const groupList = by === 'all' ? [...groups.keys()].map((key) => new Group(key, summary, undefined)) : [...groups].map(([key, stats]) => new Group(key, stats, undefined));
  return {
    head: {
      inputs,
      vantage: {
        local,
        inferred: docs.some((d) => d.vantage.inferred),
        midPath: local.length === 0,
        decidedBy: 'merge',
        confidence: lowestConfidence(decisions),
        evidence: [],
        decisions,
      },
      ...(tcprt !== undefined ? { tcprt: tcprtJson(tcprt) } : {}),
      counters: counters as CountersJson,
    },
    report: {
      base: { baseSec: start.sec },
      startNs: start.nsec,
      endNs: (end.sec - start.sec) * 1e9 + end.nsec,
      by,
      summary,
      groups: groupList,
      ...(tcprt !== undefined ? { tcprtPorts: tcprt.ports } : {}),
    },
    histogramUnit: unit,
    overlapping,
  };
}
