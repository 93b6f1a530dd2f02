/**
 * Issue 17's targets, for `npm run bench` (bench/run.ts runs this after its own rows): whole
 * processes timed side by side in one run, in turn (A B C ... A B C ...), so that whatever load
 * the machine carries falls on all alike; each figure is the median of the runs, and each ratio
 * the median of the ratios pair by pair (one round's A over the same round's B).
 *
 *   cli         `node bin/rttscan FILE --json OUT -q`
 *   tcptrace    `tcptrace -r -n -l FILE > /dev/null`
 *   read floor  `tcpdump -r FILE -w /dev/null`: reading the capture and nothing else, in C
 *   cli gzip    `node bin/rttscan FILE.gz --json OUT -q`, the same capture gzipped
 *   gunzip      `gzip -dc FILE.gz > /dev/null`: decompression alone
 *
 * and, with the 1 M-flow capture, the CLI against tcptrace there (one run each: tcptrace takes
 * half a minute), with the CLI's peak RSS. A ratio target counts as met only when both the
 * median of the pairwise ratios and the ratio of the medians meet it: on a loaded machine the
 * two part, and the less flattering one stands.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** rttscan's wall time over tcptrace's, bench capture. */
export const TARGET_CLI_TCPTRACE = 0.5;
/** rttscan's wall time over the read floor's. */
export const TARGET_CLI_FLOOR = 1.5;
/** Packets per second end to end, the CLI's whole process. */
export const TARGET_CLI_PPS = 6e6;
/** gzip input: wall time over the larger of decompression alone and analysis alone. */
export const TARGET_GZIP = 1.1;
/** 1 M flows: rttscan's wall time over tcptrace's. */
export const TARGET_FLOWS_TCPTRACE = 0.2;

const GNU_TIME = '/usr/bin/time';
const TCPTRACE = '/usr/bin/tcptrace';
const TCPDUMP = '/usr/bin/tcpdump';
const GZIP = '/usr/bin/gzip';

export interface Timed {
  wallMs: number;
  cpuMs: number;
  peakRssBytes: number;
}

/** One whole process, stdout to /dev/null, under GNU time when there is one. */
export function timeProcess(argv: readonly string[], timeFile: string): Timed {
  const timed = existsSync(GNU_TIME);
  const devNull = openSync('/dev/null', 'w');
  try {
    const command = timed ? GNU_TIME : argv[0]!;
    const args = timed ? ['-f', '%U %S %M', '-o', timeFile, ...argv] : argv.slice(1);
    const started = process.hrtime.bigint();
    const child = spawnSync(command, args, { stdio: ['ignore', devNull, 'pipe'], encoding: 'utf8', maxBuffer: 16 << 20 });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (child.error !== undefined || child.status !== 0) {
      throw new Error(`${argv.join(' ')}: ${child.error?.message ?? `exit status ${child.status}`} ${child.stderr?.trim() ?? ''}`.trim());
    }
    if (!timed) return { wallMs, cpuMs: Number.NaN, peakRssBytes: Number.NaN };
    const [user, system, rssKb] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    return { wallMs, cpuMs: (user! + system!) * 1000, peakRssBytes: rssKb! * 1024 };
  } finally {
    closeSync(devNull);
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The gzipped copy of `file` (gzip -6), made once and kept beside it while it is newer. */
export function ensureGzipCopy(file: string, log: (line: string) => void): string {
  const gz = `${file}.gz`;
  if (existsSync(gz) && statSync(gz).mtimeMs >= statSync(file).mtimeMs) return gz;
  log(`gzip: compressing ${file} (once)`);
  const tmp = `${gz}.tmp`;
  const out = openSync(tmp, 'w');
  try {
    const r = spawnSync(GZIP, ['-6', '-c', file], { stdio: ['ignore', out, 'inherit'] });
    if (r.status !== 0) throw new Error(`gzip -c ${file}: exit status ${r.status}`);
  } finally {
    closeSync(out);
  }
  spawnSync('mv', [tmp, gz]);
  return gz;
}

export interface TargetRow {
  what: string;
  /** Median wall ms of A (and of B where there is one). */
  aMs: number;
  bMs: number | undefined;
  /** The measured figure and the target it is held against; higher is better for rates. */
  figure: number;
  target: number;
  unit: 'x' | 'Mpkt/s';
  met: boolean;
}

export interface TargetsResult {
  rows: TargetRow[];
  medians: Record<string, Timed>;
  loadBefore: number;
  loadAfter: number;
  reps: number;
}

export function benchTargets(opts: { cli: string; file: string; packets: number; flowsFile: string | undefined; reps: number; log: (line: string) => void }): TargetsResult {
  const { cli, file, packets, reps, log } = opts;
  const loadBefore = readLoad();
  const gz = ensureGzipCopy(file, log);
  const dir = mkdtempSync(join(tmpdir(), 'rttscan-targets-'));
  const timeFile = join(dir, 'time.txt');
  const out = join(dir, 'out.json');
  const commands: Record<string, string[]> = {
    cli: [process.execPath, cli, file, '--json', out, '-q'],
    tcptrace: [TCPTRACE, '-r', '-n', '-l', file],
    floor: [TCPDUMP, '-r', file, '-w', '/dev/null'],
    cliGzip: [process.execPath, cli, gz, '--json', out, '-q'],
    gunzip: [GZIP, '-dc', gz],
  };
  const runs: Record<string, Timed[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  try {
    for (let rep = 0; rep < reps; rep++) {
      log(`targets: round ${rep + 1} of ${reps}`);
      for (const [name, argv] of Object.entries(commands)) runs[name]!.push(timeProcess(argv, timeFile));
    }
    const pairRatio = (a: string, b: (i: number) => number): number => median(runs[a]!.map((r, i) => r.wallMs / b(i)));
    const wall = (name: string) => (i: number) => runs[name]![i]!.wallMs;
    const medians = Object.fromEntries(
      Object.entries(runs).map(([k, v]) => [
        k,
        { wallMs: median(v.map((r) => r.wallMs)), cpuMs: median(v.map((r) => r.cpuMs)), peakRssBytes: median(v.map((r) => r.peakRssBytes)) },
      ]),
    );
    const rows: TargetRow[] = [];
    const tcptraceRatio = pairRatio('cli', wall('tcptrace'));
    const ratioRow = (what: string, aMs: number, bMs: number, figure: number, target: number): TargetRow => ({
      what,
      aMs,
      bMs,
      figure,
      target,
      unit: 'x',
      met: Math.max(figure, aMs / bMs) <= target,
    });
    rows.push(ratioRow('rttscan FILE --json / tcptrace -r', medians.cli!.wallMs, medians.tcptrace!.wallMs, tcptraceRatio, TARGET_CLI_TCPTRACE));
    const floorRatio = pairRatio('cli', wall('floor'));
    rows.push(ratioRow('rttscan FILE --json / read floor (tcpdump -r -w /dev/null)', medians.cli!.wallMs, medians.floor!.wallMs, floorRatio, TARGET_CLI_FLOOR));
    const pps = packets / (medians.cli!.wallMs / 1000) / 1e6;
    rows.push({
      what: 'rttscan FILE --json, packets per second end to end',
      aMs: medians.cli!.wallMs,
      bMs: undefined,
      figure: pps,
      target: TARGET_CLI_PPS / 1e6,
      unit: 'Mpkt/s',
      met: pps >= TARGET_CLI_PPS / 1e6,
    });
    const gzipRatio = pairRatio('cliGzip', (i) => Math.max(runs.gunzip![i]!.wallMs, runs.cli![i]!.wallMs));
    rows.push(
      ratioRow(
        'rttscan FILE.gz --json / max(gzip -dc alone, analysis alone)',
        medians.cliGzip!.wallMs,
        Math.max(medians.gunzip!.wallMs, medians.cli!.wallMs),
        gzipRatio,
        TARGET_GZIP,
      ),
    );
    if (opts.flowsFile !== undefined) {
      log('targets: 1 M flows, rttscan then tcptrace (one run each)');
      const flowsCli = timeProcess([process.execPath, cli, opts.flowsFile, '--json', out, '-q'], timeFile);
      const flowsTcptrace = timeProcess([TCPTRACE, '-r', '-n', '-l', opts.flowsFile], timeFile);
      medians.flowsCli = flowsCli;
      medians.flowsTcptrace = flowsTcptrace;
      const r = flowsCli.wallMs / flowsTcptrace.wallMs;
      rows.push({
        what: `1 M flows: rttscan / tcptrace (rttscan peak RSS ${(flowsCli.peakRssBytes / 1e6).toFixed(0)} MB)`,
        aMs: flowsCli.wallMs,
        bMs: flowsTcptrace.wallMs,
        figure: r,
        target: TARGET_FLOWS_TCPTRACE,
        unit: 'x',
        met: r <= TARGET_FLOWS_TCPTRACE,
      });
    }
    return { rows, medians, loadBefore, loadAfter: readLoad(), reps };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function readLoad(): number {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return Number.NaN;
  }
}

/** The rows as a table: what, A and B medians, the figure, the target, met or missed. */
export function targetsTable(result: TargetsResult): string {
  const lines = [
    `issue 17 targets: whole processes in turn, median of ${result.reps} rounds (ratios: median of the ratios round by round); load ${result.loadBefore.toFixed(2)}→${result.loadAfter.toFixed(2)}`,
  ];
  const rows = [['measurement', 'A ms', 'B ms', 'figure', 'A/B medians', 'target', '']];
  for (const r of result.rows) {
    const fig = r.unit === 'x' ? `${r.figure.toFixed(2)}x` : `${r.figure.toFixed(2)} Mpkt/s`;
    const ofMedians = r.unit === 'x' && r.bMs !== undefined ? `${(r.aMs / r.bMs).toFixed(2)}x` : '';
    const target = r.unit === 'x' ? `<= ${r.target}x` : `>= ${r.target} Mpkt/s`;
    rows.push([r.what, r.aMs.toFixed(0), r.bMs === undefined ? '' : r.bMs.toFixed(0), fig, ofMedians, target, r.met ? 'met' : 'MISSED']);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  for (const row of rows)
    lines.push(
      row
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
        .join('  ')
        .trimEnd(),
    );
  return lines.join('\n');
}
