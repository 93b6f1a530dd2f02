/**
 * The command line's TCP-RT part: its options validated into the engine's configuration (a
 * --tcprt-config file first, the flags over it), and where the records go: stdout, or
 * DIR/rt-network-log and DIR/rt-network-stats as the kernel names them.
 *
 * Flags over the file: --lports/--pports/--*-range add ports, matched before the file's;
 * --tcprt-mode sets every port's mode; --first-frame turns R.F on for every local port with
 * these thresholds; --stats-interval turns stats lines on at that interval (0: off). Without it
 * or the file's `stats: enable` there are none, as in the kernel.
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { readFailure } from '../util/errno.js';
import { printable } from '../util/printable.js';
import { join } from 'node:path';
import type { AnalyzeOptions } from '../analyze.js';
import {
  checkRules,
  DEFAULT_FIRST_FRAME_BYTES,
  DEFAULT_STATS_INTERVAL_NS,
  firstFrameThresholds,
  TCPRT_MODES,
  type PortRule,
  type TcprtConfig,
  type TcprtMode,
} from '../engines/tcprt/config.js';
import type { parseTcprtConfig } from '../engines/tcprt/config-file.js';
import type { TcprtSummary } from '../engines/tcprt/tcprt-engine.js';
import { RttscanError, usageError } from '../errors.js';
import { parseDurationNs } from '../time.js';
import { parsePortList, parsePortRanges } from '../util/ports.js';
import { checkOutputPath, STDOUT } from './output.js';
import { ReopenableFile } from './reopenable.js';
import { commaItems } from '../util/lists.js';

export interface TcprtCliOptions {
  tcprt?: string | true;
  tcprtJsonl?: string | true;
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

function portRules(options: TcprtCliOptions, mode: TcprtMode, firstFrame: boolean): PortRule[] {
  const rules: PortRule[] = [];
  const add = (option: string, values: string[], side: PortRule['side']): void => {
    for (const p of parsePortList(values, option)) rules.push({ side, lo: p, hi: p, range: false, mode, firstFrame });
  };
  const addRanges = (option: string, values: string[], side: PortRule['side']): void => {
    for (const { lo, hi } of parsePortRanges(values, option)) rules.push({ side, lo, hi, range: true, mode, firstFrame });
  };
  add('--lports', options.lports, 'local');
  addRanges('--lports-range', options.lportsRange, 'local');
  add('--pports', options.pports, 'peer');
  addRanges('--pports-range', options.pportsRange, 'peer');
  return rules;
}

/** `100,2000,20000,0` as tcprt.yaml's first_frame_bytes takes it. */
function firstFrameBytes(text: string): number[] {
  const values = commaItems(text);
  return firstFrameThresholds(
    values.map((v) => {
      if (!/^\d+$/.test(v)) throw usageError(`--first-frame: '${v}' is not a byte count (e.g. 100,2000,20000,0)`);
      return Number(v);
    }),
    '--first-frame',
  );
}

/** The engine's configuration for these options; undefined without --tcprt. */
export async function tcprtConfigOf(options: TcprtCliOptions): Promise<TcprtConfig | undefined> {
  if (options.tcprt === undefined && options.tcprtJsonl === undefined) {
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
    if (given) throw usageError(`${given[0]} needs --tcprt (records to stdout), --tcprt DIR or --tcprt-jsonl [FILE]`);
    return undefined;
  }
  let file: ReturnType<typeof parseTcprtConfig> = { rules: [] };
  if (options.tcprtConfig !== undefined) {
    let text: string;
    try {
      text = await readFile(options.tcprtConfig, 'utf8');
    } catch (err) {
      throw new RttscanError('input', `${printable(options.tcprtConfig)}: ${readFailure(err)}`);
    }
    // The YAML parser loads only when a config file is given: ~25 ms of every start-up otherwise.
    const { parseTcprtConfig } = await import('../engines/tcprt/config-file.js');
    file = parseTcprtConfig(text, options.tcprtConfig);
  }
  const mode = options.tcprtMode as TcprtMode | undefined;
  if (mode !== undefined && !TCPRT_MODES.includes(mode)) throw usageError(`--tcprt-mode: '${mode}' is not ${TCPRT_MODES.join(', ')}`);
  const thresholds = options.firstFrame !== undefined ? firstFrameBytes(options.firstFrame) : undefined;
  const fileRules = file.rules.map((r) => ({
    ...r,
    mode: mode ?? r.mode,
    firstFrame: r.side === 'local' && (thresholds !== undefined || r.firstFrame),
  }));
  const rules = [...portRules(options, mode ?? 'default', thresholds !== undefined), ...fileRules];
  if (rules.length === 0) throw usageError('--tcprt needs ports to watch: --lports, --pports, --lports-range, --pports-range, or per-port in --tcprt-config');
  checkRules(rules);
  // Stats lines are off unless asked for, as in the kernel (tcp_rt.ko's `stats` is 0 until
  // set; tcprt.yaml turns them on with `global.stats: enable`).
  let statsIntervalNs = file.stats === true ? (file.statsIntervalNs ?? DEFAULT_STATS_INTERVAL_NS) : 0;
  if (options.statsInterval !== undefined) {
    const ns = parseDurationNs(options.statsInterval);
    if (ns === undefined) throw usageError(`--stats-interval: '${options.statsInterval}' is not a duration (e.g. 60, 10s, 1m; 0 for no stats lines)`);
    statsIntervalNs = ns;
  }
  return { rules, statsIntervalNs, firstFrameBytes: thresholds ?? file.firstFrameBytes ?? DEFAULT_FIRST_FRAME_BYTES, flush: options.tcprtFlush === true };
}

/** Where the records go: stdout (`-`), a directory or a .jsonl file, as text or JSON lines. */
export interface TcprtTargets {
  /** Text lines: `-`, or DIR for DIR/rt-network-log and DIR/rt-network-stats. */
  text: string | undefined;
  /** One JSON object per record (and per stats line): `-` or a file. */
  jsonl: string | undefined;
}

/** --tcprt [DIR | FILE.jsonl] and --tcprt-jsonl [FILE] as targets; two streams on stdout are refused. */
export function tcprtTargetsOf(options: TcprtCliOptions): TcprtTargets {
  const tcprt = options.tcprt === true ? STDOUT : options.tcprt;
  const jsonlFile = tcprt?.endsWith('.jsonl') === true;
  const jsonl = jsonlFile ? tcprt : options.tcprtJsonl === true ? STDOUT : options.tcprtJsonl;
  const text = jsonlFile ? undefined : tcprt;
  if (jsonlFile && options.tcprtJsonl !== undefined) throw usageError(`--tcprt ${tcprt} and --tcprt-jsonl: give the .jsonl file once`);
  if (text === STDOUT && jsonl === STDOUT) throw usageError('--tcprt and --tcprt-jsonl both print to stdout: send one to a file (--tcprt DIR or --tcprt-jsonl FILE)');
  return { text, jsonl };
}

/**
 * How long, at most, a live run holds TCP-RT text before writing it: records reach their file
 * or stdout within this of the event (offline, text is written in 64 KiB pieces).
 */
export const TCPRT_STREAM_MS = 200;

/**
 * Text to stdout or the two files of a directory, and/or JSON lines; written in large pieces,
 * and with `streaming` (live) never held longer than TCPRT_STREAM_MS. Files are reopened on
 * SIGHUP (cli/reopenable.ts).
 */
export class TcprtOutput {
  private logText = '';
  private statsText = '';
  private jsonText = '';
  private readonly files: { log: ReopenableFile; stats: ReopenableFile } | undefined;
  private readonly jsonFile: ReopenableFile | undefined;
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    /** render/tcprt.ts, loaded by open() (a run without TCP-RT does not load it). */
    private readonly render: typeof import('../render/tcprt.js'),
    readonly targets: TcprtTargets,
    /** The directory of the text files, if any. */
    readonly dir: string | undefined,
    private readonly streaming: boolean,
    /** Where what goes to stdout is written (shared with the other reports, in order). */
    private readonly stdout: { write(text: string): unknown },
  ) {
    if (dir !== undefined) this.files = { log: new ReopenableFile(join(dir, 'rt-network-log')), stats: new ReopenableFile(join(dir, 'rt-network-stats')) };
    if (targets.jsonl !== undefined && targets.jsonl !== STDOUT) this.jsonFile = new ReopenableFile(targets.jsonl);
  }

  /** Whether records come out on stdout (as text or JSON lines). */
  get onStdout(): boolean {
    return this.targets.text === STDOUT || this.targets.jsonl === STDOUT;
  }

  /** Opens the targets: a text directory is created if missing. */
  static async open(targets: TcprtTargets, streaming = false, stdout: { write(text: string): unknown } = process.stdout): Promise<TcprtOutput> {
    const { text, jsonl } = targets;
    if (jsonl !== undefined) await checkOutputPath(jsonl);
    const render = await import('../render/tcprt.js');
    if (text === undefined || text === STDOUT) return new TcprtOutput(render, targets, undefined, streaming, stdout);
    await checkOutputPath(text);
    const st = await stat(text).catch(() => undefined);
    if (st !== undefined && !st.isDirectory()) {
      throw usageError(
        `--tcprt: ${text} is not a directory (records go to DIR/rt-network-log and DIR/rt-network-stats; --tcprt alone prints them, --tcprt FILE.jsonl writes JSON lines)`,
      );
    }
    try {
      await mkdir(text, { recursive: true });
    } catch (err) {
      throw new RttscanError('input', `--tcprt: cannot create directory ${text} (${(err as Error).message})`);
    }
    return new TcprtOutput(render, targets, text, streaming, stdout);
  }

  readonly sink: Pick<NonNullable<AnalyzeOptions['tcprt']>, 'onRecord' | 'onStats'> = {
    onRecord: (record, base) => {
      if (this.targets.text !== undefined) this.logText += this.render.tcprtRecordLine(record, base);
      if (this.targets.jsonl !== undefined) this.jsonText += `${JSON.stringify(this.render.tcprtRecordJson(record, base))}\n`;
      this.flushSoon();
    },
    onStats: (epochSec, lines) => {
      if (this.targets.text !== undefined) {
        const text = this.render.tcprtStatsLines(epochSec, lines);
        // On stdout the two kinds interleave in capture order.
        if (this.files === undefined) this.logText += text;
        else this.statsText += text;
      }
      if (this.targets.jsonl !== undefined) {
        for (const json of this.render.tcprtStatsJson(epochSec, lines)) this.jsonText += `${JSON.stringify(json)}\n`;
      }
      this.flushSoon();
    },
  };

  private flushSoon(): void {
    if (this.logText.length + this.statsText.length + this.jsonText.length >= 65536) this.flush();
    else if (this.streaming && this.timer === undefined) this.timer = setTimeout(() => this.flush(), TCPRT_STREAM_MS);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.files === undefined) {
      if (this.logText !== '') this.stdout.write(this.logText);
    } else {
      if (this.logText !== '') this.files.log.write(this.logText);
      if (this.statsText !== '') this.files.stats.write(this.statsText);
    }
    if (this.jsonText !== '') {
      if (this.jsonFile) this.jsonFile.write(this.jsonText);
      else this.stdout.write(this.jsonText);
    }
    this.logText = this.statsText = this.jsonText = '';
  }

  /** Writes what is left and closes the files. */
  async close(): Promise<void> {
    this.flush();
    this.files?.log.close();
    this.files?.stats.close();
    this.jsonFile?.close();
  }
}

/** One line for stderr: how many records of each kind, and where they went. */
export function tcprtNote(summary: TcprtSummary, output: TcprtOutput | undefined): string {
  const c = summary.counters;
  const kinds = (Object.entries(c.records) as Array<[string, number]>).map(([type, n]) => `${n} ${type}`).join(', ');
  const files = [
    ...(output?.dir !== undefined ? [join(output.dir, 'rt-network-log')] : []),
    ...(output?.targets.jsonl !== undefined && output.targets.jsonl !== STDOUT ? [output.targets.jsonl] : []),
  ];
  const where = files.length === 0 ? '' : ` in ${files.join(' and ')}`;
  return `tcprt: ${c.connections} connection${c.connections === 1 ? '' : 's'} watched, records ${kinds}${where}`;
}
