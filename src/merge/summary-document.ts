/**
 * Reading a `--json` document back: the statistics become RttStats again (sketch bins, exact
 * sums, histogram slots), so that summaries of separate runs can be merged or compared. Every
 * field is checked; a bad one is an RttscanError naming the file and the field's path.
 */
import type { InputSummary } from '../analyze.js';
import { RttscanError } from '../errors.js';
import { Group, type GroupBy } from '../stats/collector.js';
import { RttStats, SKETCH_RELATIVE_ACCURACY, type HistogramUnit } from '../stats/rtt-stats.js';
import { SLOTS } from '../stats/log2-histogram.js';
import type { EpochTime } from '../time.js';
import type { TcprtSummary } from '../engines/tcprt/tcprt-engine.js';
import { tcprtSectionOf } from './tcprt-section.js';

const GROUP_BYS: readonly GroupBy[] = ['all', 'laddr', 'raddr', 'lport', 'rport', 'flow'];

/** One run's summary as read from its `--json` document. */
export interface SummaryDocument {
  /** Where it was read from, for messages: a file name, with [i] for one of an --each array. */
  name: string;
  inputs: InputSummary[];
  vantage: { local: string[]; inferred: boolean; midPath: boolean };
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
  /** Top-level keys this version does not know (another branch's sections): not merged. */
  unknownKeys: string[];
}

const KNOWN_KEYS = new Set(['tool', 'version', 'inputs', 'vantage', 'start', 'end', 'summary', 'group_by', 'groups', 'histogram', 'tcprt', 'counters']);

type Json = Record<string, unknown>;

/** Typed access to a parsed document, with the file name and field path in every complaint. */
export class Fields {
  constructor(
    readonly name: string,
    private readonly path: string,
    private readonly obj: Json,
  ) {}

  fail(key: string, what: string): never {
    throw new RttscanError('input', `${this.name}: ${this.path}${key}: ${what}`);
  }

  has(key: string): boolean {
    return key in this.obj;
  }

  number(key: string): number {
    const v = this.obj[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, `expected a number, found ${describe(v)}`);
    return v;
  }

  count(key: string): number {
    const v = this.number(key);
    if (!Number.isInteger(v) || v < 0) this.fail(key, `expected a whole number >= 0, found ${v}`);
    return v;
  }

  /** A number, or null in the statistics of an empty group. */
  numberOrNull(key: string): number | null {
    return this.obj[key] === null ? null : this.number(key);
  }

  string(key: string): string {
    const v = this.obj[key];
    if (typeof v !== 'string') this.fail(key, `expected a string, found ${describe(v)}`);
    return v;
  }

  boolean(key: string): boolean {
    const v = this.obj[key];
    if (typeof v !== 'boolean') this.fail(key, `expected true or false, found ${describe(v)}`);
    return v;
  }

  object(key: string, hint?: string): Fields {
    const v = this.obj[key];
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(key, hint ?? `expected an object, found ${describe(v)}`);
    return new Fields(this.name, `${this.path}${key}.`, v as Json);
  }

  raw(key: string): unknown {
    return this.obj[key];
  }

  objects(key: string): Fields[] {
    const v = this.obj[key];
    if (!Array.isArray(v)) this.fail(key, `expected an array, found ${describe(v)}`);
    return v.map((item, i) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) this.fail(`${key}[${i}]`, `expected an object, found ${describe(item)}`);
      return new Fields(this.name, `${this.path}${key}[${i}].`, item as Json);
    });
  }

  counts(key: string): number[] {
    const v = this.obj[key];
    if (!Array.isArray(v)) this.fail(key, `expected an array of counts, found ${describe(v)}`);
    v.forEach((x, i) => {
      if (typeof x !== 'number' || !Number.isInteger(x) || x < 0) this.fail(`${key}[${i}]`, `expected a whole number >= 0, found ${describe(x)}`);
    });
    return v as number[];
  }

  strings(key: string): string[] {
    const v = this.obj[key];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) this.fail(key, `expected an array of strings, found ${describe(v)}`);
    return v as string[];
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const v = this.string(key);
    if (!(allowed as readonly string[]).includes(v)) this.fail(key, `'${v}' is not one of ${allowed.join(', ')}`);
    return v as T;
  }

  epoch(key: string): EpochTime {
    const text = this.string(key);
    const m = /^(\d+)\.(\d{9})$/.exec(text);
    if (!m) this.fail(key, `'${text}' is not seconds.nanoseconds`);
    return { sec: Number(m[1]), nsec: Number(m[2]) };
  }

  /** Numbers only, nested to any depth (the counters). */
  numbersTree(key: string): Json {
    const v = this.obj[key];
    const check = (x: unknown, path: string): void => {
      if (typeof x === 'number' && Number.isFinite(x)) return;
      if (x !== null && typeof x === 'object' && !Array.isArray(x)) {
        for (const [k, child] of Object.entries(x)) check(child, `${path}.${k}`);
        return;
      }
      this.fail(path, `expected a number or an object of numbers, found ${describe(x)}`);
    };
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail(key, `expected an object, found ${describe(v)}`);
    check(v, key);
    return v as Json;
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  const text = JSON.stringify(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function statsOf(f: Fields): RttStats {
  const count = f.count('samples');
  const some = count > 0;
  const sketch = f.object('sketch');
  const accuracy = sketch.number('relative_accuracy');
  if (accuracy !== SKETCH_RELATIVE_ACCURACY) sketch.fail('relative_accuracy', `${accuracy}, but this rttscan merges sketches of ${SKETCH_RELATIVE_ACCURACY} only`);
  const state = f.object(
    'merge_state',
    'missing: this document was written by an rttscan without mergeable summaries; run rttscan --json on the capture again',
  );
  const histogramCounts = state.counts('histogram_counts');
  if (histogramCounts.length > SLOTS) state.fail('histogram_counts', `${histogramCounts.length} slots, at most ${SLOTS}`);
  const sketchCounts = sketch.counts('counts');
  const binned = sketchCounts.reduce((a, b) => a + b, 0) + sketch.count('zero_count');
  const histogrammed = histogramCounts.reduce((a, b) => a + b, 0);
  if (binned !== count || histogrammed !== count) f.fail('samples', `${count}, but the sketch holds ${binned} and the histogram ${histogrammed}`);
  return RttStats.fromState({
    count,
    minUs: some ? f.number('min_us') : Infinity,
    maxUs: some ? f.number('max_us') : -Infinity,
    sumNs: state.count('sum_ns'),
    m2: state.number('m2_us2'),
    firstNs: state.count('first_ns'),
    lastNs: state.count('last_ns'),
    srttUs: state.number('srtt_us'),
    jitterSumNs: state.count('jitter_sum_ns'),
    dataSegments: f.count('data_segments'),
    retransmittedSegments: f.count('retransmitted_segments'),
    sketchZeroCount: sketch.count('zero_count'),
    sketchMinKey: sketch.number('min_key'),
    sketchCounts,
    histogramUnit: state.oneOf('histogram_unit', ['usecs', 'msecs'] as const),
    histogramCounts,
  });
}

function inputOf(f: Fields): InputSummary {
  return {
    path: f.string('path'),
    format: f.string('format'),
    linktype: f.string('linktype'),
    packets: f.count('packets'),
    tcp_packets: f.count('tcp_packets'),
    warnings: f.strings('warnings'),
  };
}

function documentOf(name: string, obj: Json): SummaryDocument {
  const f = new Fields(name, '', obj);
  if (obj.tool !== 'rttscan') throw new RttscanError('input', `${name}: not an rttscan --json document (no "tool": "rttscan")`);
  if (!f.has('summary') && f.has('groups')) {
    throw new RttscanError('input', `${name}: an --interval report line, not a whole run's document`);
  }
  const vantage = f.object('vantage');
  const summary = statsOf(f.object('summary'));
  const by = f.oneOf('group_by', GROUP_BYS);
  const groups = f.objects('groups').map((g) => new Group(g.string('key'), statsOf(g), undefined));
  const unit = summary.histogramUnit;
  for (const g of groups) {
    if (g.stats.histogramUnit !== unit) throw new RttscanError('input', `${name}: group ${g.key} has a ${g.stats.histogramUnit} histogram, the summary ${unit}`);
  }
  // With --by all the one group is the summary itself; keep it one object, as a run does.
  const all = by === 'all' && groups.length === 1 ? new Group(groups[0]!.key, summary, undefined) : undefined;
  return {
    name,
    inputs: f.objects('inputs').map(inputOf),
    vantage: { local: vantage.strings('local'), inferred: vantage.boolean('inferred'), midPath: vantage.boolean('mid_path') },
    start: f.epoch('start'),
    end: f.epoch('end'),
    by,
    summary,
    groups: all ? [all] : groups,
    histogramUnit: unit,
    ...(f.has('tcprt') ? { tcprt: tcprtSectionOf(f.object('tcprt')) } : {}),
    counters: f.numbersTree('counters'),
    unknownKeys: Object.keys(obj).filter((k) => !KNOWN_KEYS.has(k)),
  };
}

/**
 * The documents in `text`: one `--json` document, or an array of them (`--each --json`).
 * `name` is the file name, for messages.
 */
export function parseSummaryDocuments(text: string, name: string): SummaryDocument[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    if (lines.length > 1 && lines.every((l) => l.trimStart().startsWith('{'))) {
      throw new RttscanError('input', `${name}: one JSON object per line (--interval output); merge reads the document of a run without --interval`);
    }
    throw new RttscanError('input', `${name}: not JSON (${(err as Error).message})`);
  }
  if (Array.isArray(parsed)) {
    if (parsed.length === 0) throw new RttscanError('input', `${name}: an empty array, no documents`);
    return parsed.map((item, i) => {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) throw new RttscanError('input', `${name}[${i}]: not a JSON object`);
      return documentOf(`${name}[${i}]`, item as Json);
    });
  }
  if (parsed === null || typeof parsed !== 'object') throw new RttscanError('input', `${name}: not an rttscan --json document (not a JSON object)`);
  return [documentOf(name, parsed as Json)];
}
