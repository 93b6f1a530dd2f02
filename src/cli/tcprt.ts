/**
 * The command line's TCP-RT part: its options validated into the engine's configuration (a
 * --tcprt-config file first, the flags over it), and where the records go: stdout, or
 * DIR/rt-network-log and DIR/rt-network-stats as the kernel names them.
 *
 * Flags over the file: --lports/--pports/--*-range add ports, matched before the file's;
 * --tcprt-mode sets every port's mode; --first-frame turns R.F on for every local port with
 * these thresholds; --stats-interval sets the interval (0: no stats lines).
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnalyzeOptions } from '../analyze.js';
import {
  checkRules,
  DEFAULT_FIRST_FRAME_BYTES,
  DEFAULT_STATS_INTERVAL_NS,
  MAX_FIRST_FRAME_BYTES,
  TCPRT_MODES,
  type PortRule,
  type TcprtConfig,
  type TcprtMode,
} from '../engines/tcprt/config.js';
import type { parseTcprtConfig } from '../engines/tcprt/config-file.js';
import type { TcprtSummary } from '../engines/tcprt/tcprt-engine.js';
import { RttscanError } from '../errors.js';
import { tcprtRecordLine, tcprtStatsLines } from '../render/tcprt.js';
import { parseDurationNs } from '../time.js';
import { checkOutputPath, STDOUT } from './output.js';
import { ReopenableFile } from './reopenable.js';

export interface TcprtCliOptions {
  tcprt?: string | true;
  lports: string[];
  pports: string[];
  lportsRange: string[];
  pportsRange: string[];
  tcprtMode?: string;
  firstFrame?: string;
  statsInterval?: string;
  tcprtConfig?: string;
  tcprtFlush?: boolean;
}

function usage(message: string): RttscanError {
  return new RttscanError('usage', message);
}

function items(values: readonly string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

function port(option: string, text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw usage(`${option}: '${text}' is not a port (0-65535)`);
  return Number(text);
}

function portRules(options: TcprtCliOptions, mode: TcprtMode, firstFrame: boolean): PortRule[] {
  const rules: PortRule[] = [];
  const add = (option: string, values: string[], side: PortRule['side']): void => {
    for (const p of new Set(items(values).map((text) => port(option, text)))) rules.push({ side, lo: p, hi: p, range: false, mode, firstFrame });
  };
  const addRanges = (option: string, values: string[], side: PortRule['side']): void => {
    for (const text of items(values)) {
      const m = /^(\d+)-(\d+)$/.exec(text);
      if (!m) throw usage(`${option}: '${text}' is not a range lo-hi (e.g. 8000-8099)`);
      const lo = port(option, m[1]!);
      const hi = port(option, m[2]!);
      if (lo > hi) throw usage(`${option}: '${text}' runs from high to low`);
      rules.push({ side, lo, hi, range: true, mode, firstFrame });
    }
  };
  add('--lports', options.lports, 'local');
  addRanges('--lports-range', options.lportsRange, 'local');
  add('--pports', options.pports, 'peer');
  addRanges('--pports-range', options.pportsRange, 'peer');
  return rules;
}

function firstFrameBytes(text: string): number[] {
  const values = items([text]);
  if (values.length === 0 || values.length > MAX_FIRST_FRAME_BYTES) throw usage(`--first-frame: give 1 to ${MAX_FIRST_FRAME_BYTES} byte counts (e.g. 100,2000,20000)`);
  const bytes = values.map((v) => {
    if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 0xffffffff) throw usage(`--first-frame: '${v}' is not a byte count (1 or more)`);
    return Number(v);
  });
  return [...new Set(bytes)].sort((a, b) => a - b);
}

/** The engine's configuration for these options; undefined without --tcprt. */
export async function tcprtConfigOf(options: TcprtCliOptions): Promise<TcprtConfig | undefined> {
  if (options.tcprt === undefined) {
    const given = [
      ['--lports', options.lports.length > 0],
      ['--pports', options.pports.length > 0],
      ['--lports-range', options.lportsRange.length > 0],
      ['--pports-range', options.pportsRange.length > 0],
      ['--tcprt-mode', options.tcprtMode !== undefined],
      ['--first-frame', options.firstFrame !== undefined],
      ['--stats-interval', options.statsInterval !== undefined],
      ['--tcprt-config', options.tcprtConfig !== undefined],
      ['--tcprt-flush', options.tcprtFlush === true],
    ].find(([, on]) => on);
    if (given) throw usage(`${given[0]} needs --tcprt (records to stdout) or --tcprt DIR`);
    return undefined;
  }
  let file: ReturnType<typeof parseTcprtConfig> = { rules: [] };
  if (options.tcprtConfig !== undefined) {
    let text: string;
    try {
      text = await readFile(options.tcprtConfig, 'utf8');
    } catch (err) {
      throw new RttscanError('input', `${options.tcprtConfig}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    // The YAML parser loads only when a config file is given: ~25 ms of every start-up otherwise.
    const { parseTcprtConfig } = await import('../engines/tcprt/config-file.js');
    file = parseTcprtConfig(text, options.tcprtConfig);
  }
  const mode = options.tcprtMode as TcprtMode | undefined;
  if (mode !== undefined && !TCPRT_MODES.includes(mode)) throw usage(`--tcprt-mode: '${mode}' is not ${TCPRT_MODES.join(', ')}`);
  const thresholds = options.firstFrame !== undefined ? firstFrameBytes(options.firstFrame) : undefined;
  const fileRules = file.rules.map((r) => ({
    ...r,
    mode: mode ?? r.mode,
    firstFrame: r.side === 'local' && (thresholds !== undefined || r.firstFrame),
  }));
  const rules = [...portRules(options, mode ?? 'default', thresholds !== undefined), ...fileRules];
  if (rules.length === 0) throw usage('--tcprt needs ports to watch: --lports, --pports, --lports-range, --pports-range, or per-port in --tcprt-config');
  checkRules(rules);
  let statsIntervalNs = file.stats === false ? 0 : (file.statsIntervalNs ?? DEFAULT_STATS_INTERVAL_NS);
  if (options.statsInterval !== undefined) {
    const ns = parseDurationNs(options.statsInterval);
    if (ns === undefined) throw usage(`--stats-interval: '${options.statsInterval}' is not a duration (e.g. 60, 10s, 1m; 0 for no stats lines)`);
    statsIntervalNs = ns;
  }
  return { rules, statsIntervalNs, firstFrameBytes: thresholds ?? file.firstFrameBytes ?? DEFAULT_FIRST_FRAME_BYTES, flush: options.tcprtFlush === true };
}

/**
 * How long, at most, a live run holds TCP-RT text before writing it: records reach their file
 * or stdout within this of the event (offline, text is written in 64 KiB pieces).
 */
export const TCPRT_STREAM_MS = 200;

/**
 * Stdout, or the two files of a directory (reopened on SIGHUP); text is written in large
 * pieces, and with `streaming` (live) never held longer than TCPRT_STREAM_MS.
 */
export class TcprtOutput {
  private logText = '';
  private statsText = '';
  private readonly files: { log: ReopenableFile; stats: ReopenableFile } | undefined;
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    readonly dir: string | undefined,
    private readonly streaming: boolean,
  ) {
    if (dir !== undefined) this.files = { log: new ReopenableFile(join(dir, 'rt-network-log')), stats: new ReopenableFile(join(dir, 'rt-network-stats')) };
  }

  /** `target` is `-` (stdout) or a directory, created if missing. */
  static async open(target: string, streaming = false): Promise<TcprtOutput> {
    if (target === STDOUT) return new TcprtOutput(undefined, streaming);
    await checkOutputPath(target);
    const st = await stat(target).catch(() => undefined);
    if (st !== undefined && !st.isDirectory()) throw usage(`--tcprt: ${target} is not a directory (records go to DIR/rt-network-log and DIR/rt-network-stats; --tcprt alone prints them)`);
    try {
      await mkdir(target, { recursive: true });
    } catch (err) {
      throw new RttscanError('input', `--tcprt: cannot create directory ${target} (${(err as Error).message})`);
    }
    return new TcprtOutput(target, streaming);
  }

  readonly sink: Pick<NonNullable<AnalyzeOptions['tcprt']>, 'onRecord' | 'onStats'> = {
    onRecord: (record, base) => {
      this.logText += tcprtRecordLine(record, base);
      this.flushSoon();
    },
    onStats: (epochSec, lines) => {
      const text = tcprtStatsLines(epochSec, lines);
      // On stdout the two kinds interleave in capture order.
      if (this.files === undefined) this.logText += text;
      else this.statsText += text;
      this.flushSoon();
    },
  };

  private flushSoon(): void {
    if (this.logText.length + this.statsText.length >= 65536) this.flush();
    else if (this.streaming && this.timer === undefined) this.timer = setTimeout(() => this.flush(), TCPRT_STREAM_MS);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.files === undefined) {
      if (this.logText !== '') process.stdout.write(this.logText);
    } else {
      if (this.logText !== '') this.files.log.write(this.logText);
      if (this.statsText !== '') this.files.stats.write(this.statsText);
    }
    this.logText = this.statsText = '';
  }

  /** Writes what is left and closes the files. */
  async close(): Promise<void> {
    this.flush();
    this.files?.log.close();
    this.files?.stats.close();
  }
}

/** One line for stderr: how many records of each kind, and where they went. */
export function tcprtNote(summary: TcprtSummary, dir: string | undefined): string {
  const c = summary.counters;
  const kinds = (Object.entries(c.records) as Array<[string, number]>).map(([type, n]) => `${n} ${type}`).join(', ');
  const where = dir === undefined ? '' : ` in ${join(dir, 'rt-network-log')}`;
  return `tcprt: ${c.connections} connection${c.connections === 1 ? '' : 's'} watched, records ${kinds}${where}`;
}
