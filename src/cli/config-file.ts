/**
 * `--config FILE`: options from a YAML file; flags given on the command line override it.
 *
 * rttscan's own format has one key per long option, as --help names them, with YAML values:
 *
 *   live: [eth0, lo]            # a repeatable option: a list, or one value
 *   interval: 10s
 *   statsd: 127.0.0.1:8125
 *   histogram: true             # a flag
 *   json: /var/log/rttscan/rtt.jsonl
 *
 * plus the whitelist keys `hosts` (DNS names, resolved at start and every `resolve-interval`,
 * default 5m) and `ips` (addresses or CIDRs): only samples whose remote end is one of them.
 *
 * go-metro's go-metro.yaml is read as it is (recognised by its `init_config` key): init_config's
 * snaplen, idle_ttl and exp_ttl (seconds; expired_ttl as go-metro's code spells it),
 * statsd_ip and statsd_port, log_to_file and log_level; and per instance (`instances`, as the
 * Datadog agent has it, or `config`, as go-metro's example has it) interface, tags, ips, hosts
 * and bpf_filter. Each instance's interface is captured (all in one run) and its tags go on
 * the StatsD metrics of that interface; the whitelist is the union of the instances'.
 *
 * The file is untrusted input: every value is checked for its type, and an unknown key in
 * rttscan's format is an error naming the line (go-metro's own extra keys are only noted).
 */
import { readFile } from 'node:fs/promises';
import type { Command, Option } from 'commander';
import { RttscanError, usageError } from '../errors.js';
import { readFailure } from '../util/errno.js';
import { LIST_OPTIONS } from './options.js';

/** Keys that are not options: the whitelist, and how often its names are resolved again. */
export const WHITELIST_KEYS = ['hosts', 'ips', 'resolve-interval'] as const;
/** Options a file cannot set: they are about the run of the command itself. */
const NOT_IN_FILE = new Set(['config', 'help', 'version', 'list-interfaces']);
/** Where go-metro's log_to_file sends notes. */
export const DEFAULT_LOG_FILE = '/var/log/rttscan.log';

export interface ConfigFile {
  path: string;
  format: 'rttscan' | 'go-metro';
  /** Option values by commander attribute name (`statsdType`), as commander would hold them. */
  values: Map<string, string | boolean | string[]>;
  /** The whitelist: names to resolve and addresses (or CIDRs) as given. */
  hosts: string[];
  ips: string[];
  resolveIntervalNs: number | undefined;
  /** go-metro: each instance's tags, by interface. */
  ifaceTags: Map<string, string[]>;
  /** Keys read but not used, for a note. */
  ignored: string[];
}

/** A YAML node's line, for messages. */
interface Located {
  line: number;
}

function configError(path: string, where: Located | undefined, message: string): RttscanError {
  return usageError(`${path}:${where ? ` line ${where.line}:` : ''} ${message}`);
}

/** A mapping's entries with each key's line, from a parsed YAML document. */
interface Entry {
  key: string;
  value: unknown;
  at: Located;
}

function optionByLongName(program: Command): Map<string, Option> {
  const byName = new Map<string, Option>();
  for (const option of program.options) {
    const long = option.long?.replace(/^--/, '');
    if (long !== undefined) byName.set(long, option);
  }
  return byName;
}

function closest(name: string, names: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of names) {
    const d = editDistance(name, candidate);
    if (d <= 2 && (best === undefined || d < best.distance)) best = { name: candidate, distance: d };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = here;
    }
  }
  return row[b.length]!;
}

/** A value for `option` from YAML, as commander would hold it; throws naming the key and line. */
function optionValue(path: string, key: string, value: unknown, option: Option, at: Located): string | boolean | string[] {
  const bad = (what: string): RttscanError => configError(path, at, `${key}: ${what}`);
  const text = (v: unknown): string => {
    if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) return String(v);
    throw bad(`'${JSON.stringify(v)}' is not a value (a string or a number)`);
  };
  const repeatable = Array.isArray(option.defaultValue) || (LIST_OPTIONS as readonly string[]).includes(option.attributeName());
  if (!option.required && !option.optional) {
    if (typeof value !== 'boolean') throw bad(`is a flag: true or false, not '${JSON.stringify(value)}'`);
    return value;
  }
  if (repeatable) {
    const list = Array.isArray(value) ? value : [value];
    return list.map(text);
  }
  if (Array.isArray(value)) throw bad('takes one value, not a list');
  // `--csv [file]`: true for stdout, or a path.
  if (option.optional && typeof value === 'boolean') {
    if (!value) throw bad('false leaves it out: remove the key');
    return true;
  }
  const v = text(value);
  if (option.argChoices && !option.argChoices.includes(v)) throw bad(`'${v}' is not one of ${option.argChoices.join(', ')}`);
  return v;
}

function stringList(path: string, key: string, value: unknown, at: Located): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => {
    if (typeof v !== 'string' && typeof v !== 'number') throw configError(path, at, `${key}: '${JSON.stringify(v)}' is not a string`);
    return String(v);
  });
}

function durationText(path: string, key: string, value: unknown, at: Located, seconds: boolean): string {
  if (typeof value === 'number' && value >= 0) return `${value}s`;
  if (typeof value === 'string' && !seconds) return value;
  throw configError(path, at, `${key}: '${JSON.stringify(value)}' is not ${seconds ? 'a number of seconds' : 'a duration'}`);
}

async function parseYaml(path: string, text: string): Promise<{ entries: Entry[]; get: (node: unknown) => Entry[] | undefined }> {
  // The YAML parser loads only when a config file is given (start-up time, see cli/tcprt.ts).
  const { parseDocument, isMap, isSeq, isScalar: isYamlScalar, LineCounter } = await import('yaml');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw configError(path, { line: lines.linePos(e.pos[0]).line }, `not valid YAML (${e.message.split('\n')[0]})`);
  }
  const entriesOf = (node: unknown): Entry[] | undefined => {
    if (!isMap(node)) return undefined;
    return node.items.map((pair) => {
      const keyNode = pair.key as { value?: unknown; range?: [number, number, number] } | null;
      const key = String(keyNode?.value ?? '');
      const at = { line: keyNode?.range ? lines.linePos(keyNode.range[0]).line : 0 };
      return { key, value: pair.value, at };
    });
  };
  const plain = (node: unknown): unknown => {
    if (isYamlScalar(node)) return node.value;
    if (isSeq(node)) return node.items.map(plain);
    if (isMap(node)) return node; // left as a node: its entries are read with entriesOf
    return node ?? null;
  };
  const root = doc.contents;
  if (root === null || root === undefined) return { entries: [], get: entriesOf };
  const entries = entriesOf(root);
  if (entries === undefined) throw configError(path, undefined, 'the file must be a mapping of option names to values (e.g. "interval: 10s")');
  const deep = (e: Entry): Entry => ({ ...e, value: plain(e.value) });
  return { entries: entries.map(deep), get: (node) => entriesOf(node)?.map(deep) };
}

function emptyConfig(path: string, format: ConfigFile['format']): ConfigFile {
  return { path, format, values: new Map(), hosts: [], ips: [], resolveIntervalNs: undefined, ifaceTags: new Map(), ignored: [] };
}

/** Reads and checks `path` against `program`'s options. */
export async function loadConfigFile(path: string, program: Command, parseDurationNs: (text: string) => number | undefined): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new RttscanError('input', `${path}: ${readFailure(err)}`);
  }
  const { entries, get } = await parseYaml(path, text);
  const isGoMetro = entries.some((e) => e.key === 'init_config');
  return isGoMetro ? goMetroConfig(path, entries, get, program) : rttscanConfig(path, entries, program, parseDurationNs);
}

function rttscanConfig(path: string, entries: Entry[], program: Command, parseDurationNs: (text: string) => number | undefined): ConfigFile {
  const config = emptyConfig(path, 'rttscan');
  const options = optionByLongName(program);
  const known = [...[...options.keys()].filter((k) => !NOT_IN_FILE.has(k)), ...WHITELIST_KEYS];
  for (const { key, value, at } of entries) {
    if (key === 'hosts') config.hosts.push(...stringList(path, key, value, at));
    else if (key === 'ips') config.ips.push(...stringList(path, key, value, at));
    else if (key === 'resolve-interval') {
      const ns = parseDurationNs(durationText(path, key, value, at, false));
      if (ns === undefined || ns <= 0) throw configError(path, at, `${key}: '${String(value)}' is not a duration (e.g. 60s, 5m)`);
      config.resolveIntervalNs = ns;
    } else {
      const option = options.get(key);
      if (option === undefined || NOT_IN_FILE.has(key)) {
        const hint = closest(key, known);
        throw configError(path, at, `unknown key '${key}'${hint ? ` (did you mean ${hint}?)` : ' (keys are the long option names of rttscan --help)'}`);
      }
      config.values.set(option.attributeName(), optionValue(path, key, value, option, at));
    }
  }
  return config;
}

const GO_METRO_INIT_KEYS = ['snaplen', 'idle_ttl', 'exp_ttl', 'expired_ttl', 'statsd_ip', 'statsd_port', 'log_to_file', 'log_level'];
const GO_METRO_INSTANCE_KEYS = ['interface', 'tags', 'ips', 'hosts', 'bpf_filter', 'snaplen', 'idle_ttl', 'exp_ttl', 'expired_ttl'];

function goMetroConfig(path: string, entries: Entry[], get: (node: unknown) => Entry[] | undefined, program: Command): ConfigFile {
  const config = emptyConfig(path, 'go-metro');
  const options = optionByLongName(program);
  const set = (long: string, value: string | boolean | string[]): void => {
    config.values.set(options.get(long)!.attributeName(), value);
  };
  const number = (key: string, value: unknown, at: Located): number => {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw configError(path, at, `${key}: '${JSON.stringify(value)}' is not a number`);
    return value;
  };
  const common = (key: string, value: unknown, at: Located): boolean => {
    if (key === 'snaplen') set('snaplen', String(number(key, value, at)));
    else if (key === 'idle_ttl') set('idle-ttl', durationText(path, key, value, at, true));
    else if (key === 'exp_ttl' || key === 'expired_ttl') set('exp-ttl', durationText(path, key, value, at, true));
    else return false;
    return true;
  };
  let statsdIp: string | undefined;
  let statsdPort: number | undefined;
  const ifaces: string[] = [];
  const filters = new Set<string>();
  for (const { key, value, at } of entries) {
    if (key === 'init_config') {
      for (const e of get(value) ?? []) {
        if (common(e.key, e.value, e.at)) continue;
        if (e.key === 'statsd_ip') statsdIp = stringList(path, e.key, e.value, e.at)[0];
        else if (e.key === 'statsd_port') statsdPort = number(e.key, e.value, e.at);
        else if (e.key === 'log_to_file') {
          if (typeof e.value !== 'boolean') throw configError(path, e.at, `log_to_file: true or false, not '${JSON.stringify(e.value)}'`);
          if (e.value) set('log-file', DEFAULT_LOG_FILE);
        } else if (e.key === 'log_level') set('log-level', goMetroLogLevel(path, e));
        else config.ignored.push(`init_config.${e.key}`);
      }
    } else if (key === 'instances' || key === 'config') {
      if (!Array.isArray(value)) throw configError(path, at, `${key}: a list of instances (each with an interface)`);
      for (const instance of value) {
        const fields = get(instance);
        if (fields === undefined) throw configError(path, at, `${key}: each instance is a mapping with an interface`);
        const iface = fields.find((f) => f.key === 'interface');
        if (iface === undefined || typeof iface.value !== 'string' || iface.value === '') throw configError(path, fields[0]?.at ?? at, `${key}: an instance without an interface`);
        if (iface.value === 'file') throw configError(path, iface.at, "interface: file (go-metro's pcap replay) is not live capture: run rttscan FILE.pcap instead");
        ifaces.push(iface.value);
        for (const f of fields) {
          if (f.key === 'interface' || common(f.key, f.value, f.at)) continue;
          if (f.key === 'tags') config.ifaceTags.set(iface.value, [...(config.ifaceTags.get(iface.value) ?? []), ...stringList(path, 'tags', f.value, f.at)]);
          else if (f.key === 'ips') config.ips.push(...stringList(path, 'ips', f.value, f.at));
          else if (f.key === 'hosts') config.hosts.push(...stringList(path, 'hosts', f.value, f.at));
          else if (f.key === 'bpf_filter') filters.add(stringList(path, 'bpf_filter', f.value, f.at)[0]!);
          else config.ignored.push(`${key}.${f.key}`);
        }
      }
    } else config.ignored.push(key);
  }
  if (ifaces.length > 0) set('live', ifaces);
  if (filters.size > 1) throw configError(path, undefined, `the instances have different bpf_filter values; rttscan captures every interface with one filter`);
  if (filters.size === 1) set('filter', [...filters][0]!);
  if (statsdIp !== undefined || statsdPort !== undefined) set('statsd', `${statsdIp ?? '127.0.0.1'}:${statsdPort ?? 8125}`);
  config.ignored = config.ignored.filter((k) => !GO_METRO_INIT_KEYS.includes(k) && !GO_METRO_INSTANCE_KEYS.includes(k));
  return config;
}

/** go-metro's levels (seelog's names) onto rttscan's three. */
function goMetroLogLevel(path: string, e: Entry): string {
  const level = String(e.value).toLowerCase();
  if (['trace', 'debug', 'info'].includes(level)) return 'info';
  if (['warn', 'warning'].includes(level)) return 'warning';
  if (['error', 'err', 'critical', 'crit'].includes(level)) return 'error';
  throw configError(path, e.at, `log_level: '${String(e.value)}' is not one of trace, debug, info, warning, error, critical`);
}

/**
 * Puts the file's values into `program`'s options, except where the command line gave the
 * option (flags override the file). Returns the attribute names set from the file.
 */
export function applyConfigFile(program: Command, config: ConfigFile): Set<string> {
  const fromFile = new Set<string>();
  for (const [name, value] of config.values) {
    if (program.getOptionValueSource(name) === 'cli') continue;
    program.setOptionValueWithSource(name, value, 'config');
    fromFile.add(name);
  }
  return fromFile;
}

/**
 * An option's error message says `--name`; when the file gave that option, say the file and
 * its key instead, so the person edits the right thing.
 */
export function blameConfigFile(message: string, config: ConfigFile | undefined, fromFile: ReadonlySet<string>, program: Command): string {
  if (config === undefined) return message;
  const m = /^--([a-z][a-z-]*)\b/.exec(message);
  if (!m) return message;
  const option = program.options.find((o) => o.long === `--${m[1]}`);
  if (option === undefined || !fromFile.has(option.attributeName())) return message;
  return `${config.path}: ${m[1]}${message.slice(m[0].length)}`;
}
