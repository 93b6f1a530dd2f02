/**
 * Reading a `--json` document back: the statistics become RttStats again (sketch bins, exact
 * sums, histogram slots), so that summaries of separate runs can be merged or compared. A read
 * document is untrusted: it must keep to the schema (schema/summary-schema.ts) and its bounds
 * before anything is taken from it; a fault is an RttscanError naming the file, the field's
 * path and what is wrong (the bound it broke).
 */
import { createReadStream } from 'node:fs';
import type { InputSummary } from '../analyze.js';
import { RttscanError } from '../errors.js';
import type { VantageDecision } from '../render/json.js';
import type { CountersJson, EpochText, InputJson, StatsJson, SummaryDocumentJson, VantageJson } from '../schema/document.js';
import { LIMITS, MAX_SKETCH_KEY } from '../schema/summary-schema.js';
import { schemaViolation } from '../schema/validate.js';
import { Group, type GroupBy } from '../stats/collector.js';
import { RttStats, type HistogramUnit } from '../stats/rtt-stats.js';
import type { EpochTime } from '../time.js';
import { printable } from '../util/printable.js';
import type { TcprtSummary } from '../engines/tcprt/tcprt-engine.js';
import { tcprtSectionOf } from './tcprt-section.js';
import { readFailure } from '../util/errno.js';

/** One run's summary as read from its `--json` document. */
export interface SummaryDocument {
  /** Where it was read from, for messages: a file name, with [i] for one of an --each array. */
  name: string;
  inputs: InputSummary[];
  vantage: {
    local: string[];
    inferred: boolean;
    midPath: boolean;
    /** How the run decided; documents from before decided_by say only whether it was inferred. */
    decidedBy: string;
    confidence: string;
    /** A merged document's decisions, one per run it merged. */
    decisions: VantageDecision[] | undefined;
  };
  start: EpochTime;
  end: EpochTime;
  by: GroupBy;
  summary: RttStats;
  groups: Group[];
  histogramUnit: HistogramUnit;
  /** The TCP-RT section, when the run had --tcprt (merge/tcprt-section.ts). */
  tcprt?: TcprtSummary;
  /** Counters as written (nested objects of numbers); merged by adding them up. */
  counters: Record<string, unknown>;
}

function inputError(name: string, path: string, what: string): RttscanError {
  return new RttscanError('input', `${name}: ${path === '' ? '' : `${path}: `}${what}`);
}

/** Whether `v` is a JSON object (not an array, not null). */
function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The checks a schema cannot state: counts that must agree, and key ranges that must fit. */
function statsOf(name: string, path: string, s: StatsJson): RttStats {
  const fail = (field: string, what: string): never => {
    throw inputError(name, `${path}${field}`, what);
  };
  const { sketch, merge_state: state } = s;
  const binned = sketch.counts.reduce((a, b) => a + b, 0) + sketch.zero_count;
  const histogrammed = state.histogram_counts.reduce((a, b) => a + b, 0);
  if (binned !== s.samples || histogrammed !== s.samples) fail('samples', `${s.samples}, but the sketch holds ${binned} and the histogram ${histogrammed}`);
  const lastKey = sketch.min_key + sketch.counts.length - 1;
  if (sketch.counts.length > 0 && lastKey > MAX_SKETCH_KEY) {
    fail('sketch.counts', `bins from key ${sketch.min_key} to ${lastKey}, past the largest key ${MAX_SKETCH_KEY} (an RTT of 2^64 ns)`);
  }
  const some = s.samples > 0;
  if (some && (s.min_us === null || s.max_us === null)) fail(s.min_us === null ? 'min_us' : 'max_us', `null, but there are ${s.samples} samples`);
  if (some) {
    // srtt and the first and last samples lie within [min, max] (a merge keeps them there);
    // the slack covers min and max being rounded to the nanosecond.
    const lowUs = s.min_us! - 0.001;
    const highUs = s.max_us! + 0.001;
    const outside = (us: number): boolean => !(us >= lowUs - 1e-9 * highUs && us <= highUs + 1e-9 * highUs);
    if (outside(state.srtt_us)) fail('merge_state.srtt_us', `${state.srtt_us} lies outside the samples' range ${s.min_us}..${s.max_us} µs`);
    if (outside(state.first_ns / 1000)) fail('merge_state.first_ns', `${state.first_ns} lies outside the samples' range ${s.min_us}..${s.max_us} µs`);
    if (outside(state.last_ns / 1000)) fail('merge_state.last_ns', `${state.last_ns} lies outside the samples' range ${s.min_us}..${s.max_us} µs`);
  }
  return RttStats.fromState({
    count: s.samples,
    minUs: some ? s.min_us! : Infinity,
    maxUs: some ? s.max_us! : -Infinity,
    sumNs: state.sum_ns,
    m2: state.m2_us2,
    firstNs: state.first_ns,
    lastNs: state.last_ns,
    srttUs: state.srtt_us,
    jitterSumNs: state.jitter_sum_ns,
    dataSegments: s.data_segments,
    retransmittedSegments: s.retransmitted_segments,
    sketchZeroCount: sketch.zero_count,
    sketchMinKey: sketch.min_key,
    sketchCounts: sketch.counts,
    histogramUnit: state.histogram_unit,
    histogramCounts: state.histogram_counts,
  });
}

/** Counters copied into null-prototype objects: nothing read can reach Object.prototype. */
function countersOf(counters: CountersJson): Record<string, unknown> {
  const copy = (from: Record<string, unknown>): Record<string, unknown> => {
    const to: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [key, value] of Object.entries(from)) to[key] = typeof value === 'number' ? value : copy(value as Record<string, unknown>);
    return to;
  };
  return copy(counters);
}

function inputOf(i: InputJson): InputSummary {
  return {
    path: i.path,
    format: i.format,
    linktype: i.linktype,
    packets: i.packets,
    tcp_packets: i.tcp_packets,
    warnings: [...i.warnings],
    ...(i.live !== undefined ? { live: { ...i.live } } : {}),
  };
}

/** The vantage as the document says it; documents written before decided_by say only whether it was inferred. */
function vantageOf(v: VantageJson): SummaryDocument['vantage'] {
  return {
    local: [...v.local],
    inferred: v.inferred,
    midPath: v.mid_path,
    decidedBy: v.decided_by ?? (v.inferred ? 'inferred' : 'given'),
    confidence: v.confidence ?? 'unknown',
    decisions: v.decisions?.map((d) => ({ inputs: [...d.inputs], local: [...d.local], midPath: d.mid_path, decidedBy: d.decided_by, confidence: d.confidence })),
  };
}

/**
 * Capture times a pcapng file can give lie within ±(2^64 + 2^63) s (a 64-bit count of seconds
 * plus a signed 64-bit if_tsoffset); past that, read back and written again, a time would not
 * keep its form.
 */
const MAX_EPOCH_SEC = 3e19;

function parseEpoch(name: string, field: string, text: EpochText): EpochTime {
  // The schema has checked the form: [-]digits.nine digits.
  const negative = text.startsWith('-');
  const [whole, frac] = (negative ? text.slice(1) : text).split('.') as [string, string];
  const sec = Number(whole);
  const nsec = Number(frac);
  if (sec > MAX_EPOCH_SEC) throw inputError(name, field, `${printable(text)} is past ${MAX_EPOCH_SEC} s, beyond any capture time`);
  // Before 1970 the text counts down (-4.500000000): back to a whole second and a fraction up.
  if (!negative) return { sec, nsec };
  return nsec === 0 ? { sec: -sec, nsec: 0 } : { sec: -sec - 1, nsec: 1e9 - nsec };
}

/** Says what is wrong in the words a user needs for the commonest faults, else the schema's. */
function refuse(name: string, obj: unknown): never {
  if (!isObject(obj)) throw inputError(name, '', 'not an rttscan --json document (not a JSON object)');
  if (obj.tool !== 'rttscan') throw inputError(name, '', 'not an rttscan --json document (no "tool": "rttscan")');
  if (!Object.hasOwn(obj, 'summary') && Object.hasOwn(obj, 'groups')) throw inputError(name, '', "an --interval report line, not a whole run's document");
  const violation = schemaViolation(obj)!;
  if (violation.path === 'schema_version' && violation.message === 'missing') {
    throw inputError(name, '', 'no schema_version: written by an rttscan older than this document format; run rttscan --json on the capture again');
  }
  if (violation.path.endsWith('merge_state') && violation.message === 'missing') {
    throw inputError(name, violation.path, 'missing: this document was written by an rttscan without mergeable summaries; run rttscan --json on the capture again');
  }
  throw inputError(name, violation.path, violation.message);
}

function documentOf(name: string, obj: unknown): SummaryDocument {
  if (schemaViolation(obj) !== undefined) refuse(name, obj);
  const doc = obj as SummaryDocumentJson;
  const summary = statsOf(name, 'summary.', doc.summary);
  const groups = doc.groups.map((g, i) => new Group(g.key, statsOf(name, `groups[${i}].`, g), undefined));
  const unit = summary.histogramUnit;
  for (const g of groups) {
    if (g.stats.histogramUnit !== unit) throw inputError(name, '', `group ${printable(g.key)} has a ${g.stats.histogramUnit} histogram, the summary ${unit}`);
  }
  // With --by all the one group is the summary itself; keep it one object, as a run does.
  const all = doc.group_by === 'all' && groups.length === 1 ? new Group(groups[0]!.key, summary, undefined) : undefined;
  return {
    name,
    inputs: doc.inputs.map(inputOf),
    vantage: vantageOf(doc.vantage),
    start: parseEpoch(name, 'start', doc.start),
    end: parseEpoch(name, 'end', doc.end),
    by: doc.group_by,
    summary,
    groups: all ? [all] : groups,
    histogramUnit: unit,
    ...(doc.tcprt !== undefined ? { tcprt: tcprtSectionOf(name, doc.tcprt) } : {}),
    counters: countersOf(doc.counters),
  };
}

/**
 * The documents in `text`: one `--json` document, or an array of them (`--each --json`).
 * `name` is the file name, for messages. The text is untrusted: it is checked against the
 * schema (bounds included) before anything is read from it, and nothing from it is spread or
 * assigned into an object that has a prototype.
 */
export function parseSummaryDocuments(text: string, fileName: string): SummaryDocument[] {
  const name = printable(fileName);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    if (lines.length > 1 && lines.every((l) => l.trimStart().startsWith('{'))) {
      throw inputError(name, '', 'one JSON object per line (--interval output); merge reads the document of a run without --interval');
    }
    throw inputError(name, '', `not JSON (${printable((err as Error).message)})`);
  }
  if (!Array.isArray(parsed)) return [documentOf(name, parsed)];
  if (parsed.length === 0) throw inputError(name, '', 'an empty array, no documents');
  if (parsed.length > LIMITS.documents) throw inputError(name, '', `${parsed.length} documents, at most ${LIMITS.documents}`);
  return parsed.map((item, i) => {
    if (!isObject(item)) throw inputError(`${name}[${i}]`, '', 'not a JSON object');
    return documentOf(`${name}[${i}]`, item);
  });
}

/** The text of a document file, or of stdin (`-`), refused past LIMITS.documentBytes. */
async function readDocumentText(path: string): Promise<string> {
  const name = path === '-' ? 'stdin' : printable(path);
  const tooBig = (): RttscanError => inputError(name, '', `larger than ${LIMITS.documentBytes / (1024 * 1024)} MiB, the most a summary document may be`);
  const chunks: Buffer[] = [];
  let bytes = 0;
  try {
    const source = path === '-' ? process.stdin : createReadStream(path);
    for await (const chunk of source) {
      bytes += (chunk as Buffer).length;
      if (bytes > LIMITS.documentBytes) {
        if (source !== process.stdin) (source as ReturnType<typeof createReadStream>).destroy();
        throw tooBig();
      }
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if (err instanceof RttscanError) throw err;
    throw inputError(name, '', readFailure(err));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The documents in a `--json` file, or `-` for stdin (one, or an array from --each). */
export async function readSummaryFile(path: string): Promise<SummaryDocument[]> {
  return parseSummaryDocuments(await readDocumentText(path), path === '-' ? 'stdin' : path);
}
