/**
 * Throughput benchmark: `npm run bench` (or `node dist/bench/run.js [options]` after tsc).
 *
 * On a generated capture of 2 M TCP packets (bench/generate.ts) it measures, in the same run:
 *   floor             reading the file as the library does (fileChunks: CHUNK_SIZE, reused
 *                     buffers, read-ahead) and walking the record headers, nothing more;
 *   readers           the library's readers (openInputs + readPackets), counting packets;
 *   readers+decoders  readers + PacketDecoder, with the decoded fields checked in the loop
 *                     against the generator's digest and counts;
 *   analyze()         the whole library, `analyze([file], {})`: what `rttscan FILE --json`
 *                     computes before printing, its counts checked against the generator's and
 *                     its sample count against every other run's;
 *   rttscan CLI       `node bin/rttscan FILE --json OUT -q`, the whole process as users run it
 *                     (and on an empty capture: its start-up alone);
 *   tcptrace          `tcptrace -r -n -l FILE > /dev/null`, the whole process, next to the CLI;
 * and the ratios readers+decoders / floor and rttscan CLI / tcptrace. Then the peak RSS of
 * readers+decoders over a 250 MiB full-snaplen capture (and, for scale, the floor's over the
 * same file); the npm pcap-parser package next to the floor on a µs copy of the 2 M-packet
 * capture (it rejects ns); and the memory per active flow: analyze() over 1 M connections that
 * are all open at once (bench/generate-flows.ts), its peak RSS above that of the same run over an
 * empty capture, divided by the peak number of active flows. And the per-sample outputs
 * (bench/outputs.ts): the CLI writing --csv (and --jsonl) over the same run writing --json, and
 * the peak RSS of `--csv -` into a reader slower than the analysis.
 *
 * Every run is its own process (bench/measure.ts, or the CLI and tcptrace themselves), so heaps,
 * JIT state and peak RSS do not leak from one into the next; kinds are interleaved (the CLI and
 * tcptrace back to back) and each is repeated, and the best time counts (the least disturbed by
 * whatever else the machine is doing).
 *
 * Options:
 *   --reps N         runs of each measurement (default 5)
 *   --flow-reps N    runs of the 1 M-flow memory measurement, ~15-30 s each (default 2)
 *   --force          regenerate the captures even if the cached ones are current
 *   --no-rss         skip the 250 MiB capture and the peak-RSS check
 *   --no-flows       skip the 1 M-flow capture and the memory per flow
 *   --no-outputs     skip the per-sample outputs: --csv and --jsonl over --json, and --csv into a slow reader
 *   --chunk-sweep    also time readers+decoders at several chunk sizes (for CHUNK_SIZE)
 *   --no-wait        start each run at once instead of waiting (up to 3 s) for idle CPUs
 *   --no-floods      skip the flood rows (bench/floods.ts: SYN scan, backlog, 2,000 files,
 *                    TCP-RT over 16.7 h, 1 M pcapng interfaces; next to tcptrace and tshark)
 *   --floods-only    only the flood rows
 *   --no-targets     skip issue 17's target rows (bench/targets.ts: the CLI against tcptrace, the
 *                    read floor and, gzipped, against decompression alone; medians side by side)
 *   --targets-only   only those rows (with the 1 M-flow row unless --no-flows)
 *   --no-startup     skip the start-up rows (bench/startup.ts: --version and a small capture
 *                    against node -e 0, 15 rounds side by side)
 *   --startup-only   only those rows
 *   --flood-syns N   SYNs in the SYN-scan flood (default 400000)
 *   --live-soak [SECONDS] [--backend libpcap|tcpdump]
 *                    instead of all the above: the live soak (bench/live-soak.ts; root), 60 s
 *   --html           instead of all the above: the --html report's page sizes and open times
 *                    (bench/html-page.ts; Debian's chromium)
 *
 * Prints a table, then one line of JSON with the same figures. Exits 1 when a correctness check
 * fails; missed targets are reported, not turned into an exit code.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHUNK_SIZE } from '../src/capture/input.js';
import { ensureCaptures, type CaptureMeta, type SpecName } from './generate.js';
import { ensureFlowCaptures } from './generate-flows.js';
import { FLOOD_TARGET_RSS_BYTES, runFlood } from './flood.js';
import { FloodCheckFailed, floodTable, runFloods } from './floods.js';
import { runLiveSoak } from './live-soak.js';
import { runHtmlBench } from './html-page.js';
import { benchOutputs } from './outputs.js';
import { benchTargets, targetsTable } from './targets.js';
import { benchStartup, startupTable } from './startup.js';
import type { MeasureResult } from './measure.js';

const TARGET_DECODE_PPS = 5e6;
const TARGET_RATIO = 2;
const TARGET_RSS_BYTES = 100e6;
/** analyze() over the 2 M-packet capture, end to end. */
const TARGET_ANALYZE_PPS = 3e6;
/** Wall time of the rttscan CLI over tcptrace's, both whole processes on the same file. */
const TARGET_TCPTRACE_RATIO = 1;
/** The CLI writing --csv (every sample) over the same run writing --json (issue 10). */
const TARGET_CSV_RATIO = 1.3;
/** Peak RSS of `--csv -` into a slow reader: flat, whatever the number of samples. */
const TARGET_SLOW_READER_RSS_BYTES = 100e6;
/** Peak RSS above the baseline, per active flow. */
const TARGET_BYTES_PER_FLOW = 1000;
const SLOW_READER_DESCRIPTION = '256 KiB every 20 ms, about 13 MB/s';
const SWEEP_CHUNKS = [64 << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20];

const MEASURE_SCRIPT = fileURLToPath(new URL('./measure.js', import.meta.url));
const CLI_SCRIPT = fileURLToPath(new URL('../../bin/rttscan', import.meta.url));
const TCPTRACE = '/usr/bin/tcptrace';
/** GNU time, for the CPU time and peak RSS of the CLI and tcptrace runs (optional). */
const GNU_TIME = '/usr/bin/time';

interface Options {
  reps: number;
  flowReps: number;
  force: boolean;
  rss: boolean;
  flows: boolean;
  chunkSweep: boolean;
  wait: boolean;
  outputs: boolean;
  floods: boolean;
  floodsOnly: boolean;
  floodSyns: number;
  targets: boolean;
  targetsOnly: boolean;
  startup: boolean;
  startupOnly: boolean;
}

function positive(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer`);
  return n;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = {
    reps: 5,
    flowReps: 2,
    force: false,
    rss: true,
    flows: true,
    chunkSweep: false,
    wait: true,
    outputs: true,
    floods: true,
    floodsOnly: false,
    floodSyns: 400_000,
    targets: true,
    targetsOnly: false,
    startup: true,
    startupOnly: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--reps') options.reps = positive(arg, argv[++i]);
    else if (arg === '--flow-reps') options.flowReps = positive(arg, argv[++i]);
    else if (arg === '--force') options.force = true;
    else if (arg === '--no-rss') options.rss = false;
    else if (arg === '--no-flows') options.flows = false;
    else if (arg === '--chunk-sweep') options.chunkSweep = true;
    else if (arg === '--no-wait') options.wait = false;
    else if (arg === '--no-outputs') options.outputs = false;
    else if (arg === '--no-floods') options.floods = false;
    else if (arg === '--floods-only') options.floodsOnly = true;
    else if (arg === '--flood-syns') options.floodSyns = positive(arg, argv[++i]);
    else if (arg === '--no-targets') options.targets = false;
    else if (arg === '--targets-only') options.targetsOnly = true;
    else if (arg === '--no-startup') options.startup = false;
    else if (arg === '--startup-only') options.startupOnly = true;
    else
      throw new Error(
        `unknown option ${arg} (--reps N, --flow-reps N, --force, --no-rss, --no-flows, --no-outputs, --chunk-sweep, --no-wait, --no-floods, --floods-only, --flood-syns N, --no-targets, --targets-only, --no-startup, --startup-only)`,
      );
  }
  return options;
}

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

/** Reads a file once so that the first timed run does not pay for the disk. */
async function warm(path: string): Promise<void> {
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_SIZE })) void chunk;
}

/** Total and idle CPU ticks from /proc/stat, or undefined where there is none. */
function cpuTicks(): { total: number; idle: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    return { total: fields.reduce((a, b) => a + b, 0), idle: fields[3]! + (fields[4] ?? 0) };
  } catch {
    return undefined;
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * On a shared machine (CI, several builds at once) other processes steal the CPU mid-run. Waits
 * until the CPUs were at least 90% idle over 200 ms, for up to `maxMs`; false when they never were.
 */
function waitForIdleCpus(maxMs: number): boolean {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const before = cpuTicks();
    if (before === undefined) return true;
    sleep(200);
    const after = cpuTicks()!;
    const total = after.total - before.total;
    if (total <= 0 || (after.idle - before.idle) / total >= 0.9) return true;
    if (Date.now() >= deadline) return false;
  }
}

let busyStarts = 0;
let runs = 0;
let waitForIdle = true;

function runChild(kind: string, file: string): MeasureResult {
  runs++;
  if (waitForIdle && !waitForIdleCpus(3000)) busyStarts++;
  const child = spawnSync(process.execPath, [MEASURE_SCRIPT, kind, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const line = child.stdout.trim().split('\n').pop() ?? '';
  let result: MeasureResult | undefined;
  try {
    result = JSON.parse(line) as MeasureResult;
  } catch {
    result = undefined;
  }
  if (result === undefined || child.status !== 0) {
    const why = result?.errors.join('; ') ?? (child.stderr.trim() || `exit status ${child.status}`);
    throw new CheckFailed(`${kind} on ${file}: ${why}`);
  }
  return result;
}

class CheckFailed extends Error {}

/** A whole program timed from outside: wall time here, CPU and peak RSS from GNU time if present. */
interface ToolRun {
  ms: number;
  cpuMs: number;
  maxRssBytes: number;
  stdout: string;
}

/**
 * Runs `argv` to completion with stdout going to `stdoutFd` (or captured when undefined) and
 * returns its wall time. Under GNU time when it is installed, which adds one fork and exec to
 * every tool alike and reports the child's own CPU time and peak RSS.
 */
function runTool(name: string, argv: readonly string[], stdoutFd: number | undefined, timeFile: string): ToolRun {
  runs++;
  if (waitForIdle && !waitForIdleCpus(3000)) busyStarts++;
  const timed = existsSync(GNU_TIME);
  const command = timed ? GNU_TIME : argv[0]!;
  const args = timed ? ['-f', '%U %S %M', '-o', timeFile, ...argv] : argv.slice(1);
  const started = process.hrtime.bigint();
  const child = spawnSync(command, args, {
    stdio: ['ignore', stdoutFd ?? 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.error !== undefined || child.status !== 0) {
    throw new CheckFailed(`${name}: ${child.error?.message ?? `exit status ${child.status}`} ${child.stderr?.trim() ?? ''}`.trim());
  }
  let cpuMs = Number.NaN;
  let maxRssBytes = Number.NaN;
  if (timed) {
    const [user, system, maxRssKb] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    cpuMs = ((user ?? Number.NaN) + (system ?? Number.NaN)) * 1000;
    maxRssBytes = (maxRssKb ?? Number.NaN) * 1024;
  }
  return { ms, cpuMs, maxRssBytes, stdout: child.stdout ?? '' };
}

/** What the CLI's --json document says about the run, for the checks. */
interface CliJson {
  inputs: { packets: number; tcp_packets: number }[];
  counters: { rtt: { samples: number } };
}

/** tcptrace's own account of a run (`-n -l -r`): its TCP packet count and RTT samples. */
interface TcptraceTally {
  tcpPackets: number;
  connections: number;
  rttSamples: number;
}

function parseTcptrace(stdout: string): TcptraceTally {
  const traced = /(\d+) packets seen, (\d+) TCP packets traced/.exec(stdout);
  const connections = /^(\d+) TCP connections? traced:/m.exec(stdout);
  let rttSamples = 0;
  for (const m of stdout.matchAll(/RTT samples:\s+(\d+)\s+RTT samples:\s+(\d+)/g)) rttSamples += Number(m[1]) + Number(m[2]);
  return { tcpPackets: Number(traced?.[2] ?? Number.NaN), connections: Number(connections?.[1] ?? Number.NaN), rttSamples };
}

interface Summary {
  kind: string;
  runs: number;
  bestMs: number;
  medianMs: number;
  bestCpuMs: number;
  packets: number;
  bytes: number;
  packetsPerSec: number;
  bytesPerSec: number;
  peakRssBytes: number;
  lowestPeakRssBytes: number;
  rssStartBytes: number;
  minorPageFaults: number;
}

function summarize(kind: string, results: readonly MeasureResult[]): Summary {
  const times = results.map((r) => r.ms).sort((a, b) => a - b);
  const best = times[0]!;
  const first = results[0]!;
  return {
    kind,
    runs: results.length,
    bestMs: best,
    medianMs: times[Math.floor((times.length - 1) / 2)]!,
    bestCpuMs: Math.min(...results.map((r) => r.cpuMs)),
    packets: first.packets,
    bytes: first.bytes,
    packetsPerSec: first.packets / (best / 1000),
    bytesPerSec: first.bytes / (best / 1000),
    peakRssBytes: Math.max(...results.map((r) => r.maxRssBytes)),
    lowestPeakRssBytes: Math.min(...results.map((r) => r.maxRssBytes)),
    rssStartBytes: Math.max(...results.map((r) => r.rssStartBytes)),
    minorPageFaults: Math.min(...results.map((r) => r.minorPageFaults)),
  };
}

/** Tool runs in the same shape as measure's, so that they share the table and the JSON. */
function toolResults(kind: string, file: string, meta: { packets: number; tcpPackets: number; bytes: number }, tool: readonly ToolRun[]): MeasureResult[] {
  return tool.map((r) => ({
    kind,
    file,
    ms: r.ms,
    cpuMs: r.cpuMs,
    packets: meta.packets,
    tcpPackets: meta.tcpPackets,
    bytes: meta.bytes,
    rssStartBytes: Number.NaN,
    maxRssBytes: r.maxRssBytes,
    minorPageFaults: Number.NaN,
    errors: [],
  }));
}

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const fixed = (n: number, digits: number): string => (Number.isNaN(n) ? '-' : n.toFixed(digits));
const mb = (bytes: number): string => (Number.isNaN(bytes) ? '-' : (bytes / 1e6).toFixed(1));

function describe(meta: CaptureMeta): string {
  const s = meta.spec;
  return (
    `${relative(process.cwd(), meta.file)}: ${int(meta.packets)} packets (${int(meta.tcpPackets)} TCP), ${mb(meta.bytes)} MB, ` +
    `snaplen ${s.snaplen}, ${s.nanos ? 'ns' : 'µs'}, ${int(meta.connections)} connections (≤${int(meta.maxConcurrentConnections)} at once), ` +
    `${int(meta.retransmissions)} retransmissions, ${((100 * meta.withTimestamps) / meta.tcpPackets).toFixed(0)}% with TS option, ${meta.durationSec.toFixed(2)} s of traffic`
  );
}

function table(rows: readonly string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The trace span tcptrace reports (`trace file elapsed time: H:MM:SS.ffffff`), in seconds. */
function tcptraceSpanSec(stdout: string): number {
  const m = /trace file elapsed time: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(stdout);
  return m === null ? Number.NaN : Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
}

async function main(): Promise<void> {
  if (process.argv[2] === '--live-soak') return runLiveSoak(process.argv.slice(3));
  if (process.argv[2] === '--html') return void (await runHtmlBench());
  const options = parseOptions(process.argv.slice(2));
  waitForIdle = options.wait;
  if (options.floodsOnly) return floods(options);
  if (options.targetsOnly) return targets(options);
  if (options.startupOnly) return startup();
  const names: SpecName[] = options.rss ? ['throughput', 'throughputUs', 'rss'] : ['throughput', 'throughputUs'];
  const started = process.hrtime.bigint();
  const [metas, flowCaptures] = await Promise.all([
    ensureCaptures(names, options.force, log),
    ensureFlowCaptures(options.flows ? ['empty', 'flows'] : ['empty'], options.force, log),
  ]);
  const main = metas.throughput!;
  const us = metas.throughputUs!;
  const big = metas.rss;
  const empty = flowCaptures.empty!;
  const flowMetas = flowCaptures.flows === undefined ? undefined : { empty, flows: flowCaptures.flows };
  for (const meta of [main, us, big, flowMetas?.flows]) if (meta !== undefined) await warm(meta.file);

  const tmp = mkdtempSync(join(tmpdir(), 'rttscan-bench-'));
  const jsonOut = join(tmp, 'rttscan.json');
  const timeFile = join(tmp, 'time.txt');
  const devNull = openSync('/dev/null', 'w');
  const cliArgv = [process.execPath, CLI_SCRIPT, main.file, '--json', jsonOut, '-q'];
  const cliEmptyArgv = [process.execPath, CLI_SCRIPT, empty.file, '--json', jsonOut, '-q'];
  const tcptraceArgv = [TCPTRACE, '-r', '-n', '-l', main.file];
  const haveTcptrace = existsSync(TCPTRACE);

  // tcptrace once untimed, its output kept: does it read the ns capture, and what does it find?
  let tcptraceCheck: (TcptraceTally & { spanSec: number }) | undefined;
  if (haveTcptrace) {
    log('tcptrace: checking that it reads the ns capture');
    const check = runTool('tcptrace', tcptraceArgv, undefined, timeFile);
    tcptraceCheck = { ...parseTcptrace(check.stdout), spanSec: tcptraceSpanSec(check.stdout) };
    if (tcptraceCheck.tcpPackets !== main.tcpPackets) {
      throw new CheckFailed(`tcptrace traced ${tcptraceCheck.tcpPackets} TCP packets of ${main.file}, the generator wrote ${main.tcpPackets}`);
    }
    // Read as µs, the ns fractions would stretch or wrap the span; read right, it is the generator's.
    if (!(Math.abs(tcptraceCheck.spanSec - main.durationSec) < 1e-3)) {
      throw new CheckFailed(`tcptrace reports a trace span of ${tcptraceCheck.spanSec} s on ${main.file}, the generator wrote ${main.durationSec} s: it misreads ns timestamps`);
    }
  }

  const loadBefore = loadavg()[0]!;
  const kinds = ['floor', 'readers', 'decode', 'analyze'] as const;
  const results: Record<string, MeasureResult[]> = { floor: [], readers: [], decode: [], analyze: [], rss: [], rssFloor: [], usFloor: [], pcapParser: [] };
  const cliRuns: ToolRun[] = [];
  const cliEmptyRuns: ToolRun[] = [];
  const tcptraceRuns: ToolRun[] = [];
  const cliSamples: number[] = [];
  const runCli = (): void => {
    rmSync(jsonOut, { force: true });
    cliRuns.push(runTool('rttscan CLI', cliArgv, devNull, timeFile));
    const doc = JSON.parse(readFileSync(jsonOut, 'utf8')) as CliJson;
    const input = doc.inputs[0];
    if (input?.packets !== main.packets || input.tcp_packets !== main.tcpPackets) {
      throw new CheckFailed(`rttscan CLI read ${input?.packets} packets (${input?.tcp_packets} TCP), the generator wrote ${main.packets} (${main.tcpPackets})`);
    }
    cliSamples.push(doc.counters.rtt.samples);
  };
  for (let rep = 0; rep < options.reps; rep++) {
    log(`run ${rep + 1} of ${options.reps}`);
    for (const kind of kinds) results[kind]!.push(runChild(kind, main.file));
    // The two whole programs back to back, in alternating order, so that load hits both alike.
    const pair = [runCli, () => void (haveTcptrace && tcptraceRuns.push(runTool('tcptrace', tcptraceArgv, devNull, timeFile)))];
    if (rep % 2 === 1) pair.reverse();
    for (const run of pair) run();
    cliEmptyRuns.push(runTool('rttscan CLI on the empty capture', cliEmptyArgv, devNull, timeFile));
    if (big !== undefined) {
      results.rss!.push(runChild('decode', big.file));
      results.rssFloor!.push(runChild('floor', big.file));
    }
    results.usFloor!.push(runChild('floor', us.file));
    results.pcapParser!.push(runChild('pcap-parser', us.file));
  }
  closeSync(devNull);
  rmSync(tmp, { recursive: true, force: true });

  // Every run of the library and of the CLI must have found the same samples.
  const sampleCounts = [...results.analyze!.map((r) => r.samples ?? Number.NaN), ...cliSamples];
  const samples = sampleCounts[0]!;
  if (!sampleCounts.every((n) => n === samples) || !(samples > 0)) {
    throw new CheckFailed(`RTT samples differ between runs or are none: analyze() ${results.analyze!.map((r) => r.samples).join(', ')}; CLI ${cliSamples.join(', ')}`);
  }

  const flowResults: MeasureResult[] = [];
  const baselineResults: MeasureResult[] = [];
  if (flowMetas !== undefined) {
    for (let rep = 0; rep < options.flowReps; rep++) {
      log(`1 M flows: run ${rep + 1} of ${options.flowReps}`);
      baselineResults.push(runChild('flows', flowMetas.empty.file));
      flowResults.push(runChild('flows', flowMetas.flows.file));
    }
  }

  const outputs = options.outputs ? await benchOutputs(CLI_SCRIPT, main.file, options.reps, log) : undefined;

  const sweep: Summary[] = [];
  if (options.chunkSweep) {
    for (const size of SWEEP_CHUNKS) {
      log(`chunk sweep: ${size} bytes`);
      const runs: MeasureResult[] = [];
      for (let rep = 0; rep < options.reps; rep++) runs.push(runChild(`decode-chunk=${size}`, main.file));
      sweep.push(summarize(`${size >= 1 << 20 ? `${size >> 20} MiB` : `${size >> 10} KiB`}`, runs));
    }
  }
  const loadAfter = loadavg()[0]!;

  const floor = summarize('floor', results.floor!);
  const readers = summarize('readers', results.readers!);
  const decode = summarize('readers+decoders', results.decode!);
  const analyzed = summarize('analyze()', results.analyze!);
  const cli = summarize('rttscan CLI (process)', toolResults('cli', main.file, main, cliRuns));
  const cliEmpty = summarize('  same, empty capture', toolResults('cli', empty.file, empty, cliEmptyRuns));
  const tcptrace = haveTcptrace ? summarize('tcptrace -r -n -l (process)', toolResults('tcptrace', main.file, main, tcptraceRuns)) : undefined;
  const rss = big === undefined ? undefined : summarize('readers+decoders', results.rss!);
  const rssFloor = big === undefined ? undefined : summarize('floor', results.rssFloor!);
  const usFloor = summarize('floor', results.usFloor!);
  const pcapParser = summarize('pcap-parser (npm)', results.pcapParser!);
  const flows = flowMetas === undefined ? undefined : summarize('1 M flows: analyze()', flowResults);
  const baseline = flowMetas === undefined ? undefined : summarize('empty capture: analyze()', baselineResults);
  const ratio = decode.bestMs / floor.bestMs;
  const cliRatio = tcptrace === undefined ? undefined : cli.bestMs / tcptrace.bestMs;
  const analyzeRatio = tcptrace === undefined ? undefined : analyzed.bestMs / tcptrace.bestMs;
  const peakActive = flowResults[0]?.peakActiveFlows ?? 0;
  const bytesPerFlow = flows === undefined || baseline === undefined ? undefined : (flows.peakRssBytes - baseline.peakRssBytes) / peakActive;
  const pass = {
    decodePps: decode.packetsPerSec >= TARGET_DECODE_PPS,
    ratio: ratio <= TARGET_RATIO,
    rss: rss === undefined ? null : rss.peakRssBytes <= TARGET_RSS_BYTES,
    analyzePps: analyzed.packetsPerSec >= TARGET_ANALYZE_PPS,
    tcptraceRatio: cliRatio === undefined ? null : cliRatio <= TARGET_TCPTRACE_RATIO,
    bytesPerFlow: bytesPerFlow === undefined ? null : bytesPerFlow <= TARGET_BYTES_PER_FLOW,
    csvRatio: outputs === undefined ? null : outputs.csvRatio <= TARGET_CSV_RATIO,
    slowReaderRss: outputs === undefined ? null : outputs.slowReaderPeakRssBytes <= TARGET_SLOW_READER_RSS_BYTES,
  };
  const verdict = (ok: boolean): string => (ok ? 'ok' : 'MISSED');

  const cpuList = cpus();
  const out: string[] = [];
  out.push(
    `rttscan bench: node ${process.version}, ${process.platform}/${process.arch}, ${cpuList.length} CPUs (${cpuList[0]?.model.trim() ?? '?'}), ` +
      `load ${loadBefore.toFixed(2)}→${loadAfter.toFixed(2)}; best of ${options.reps}, each run in a fresh process`,
  );
  out.push(`capture   ${describe(main)}`);
  out.push(`µs copy   ${describe(us)}`);
  if (big !== undefined) out.push(`rss file  ${describe(big)}`);
  if (flowMetas !== undefined) {
    const f = flowMetas.flows;
    out.push(
      `flows     ${relative(process.cwd(), f.file)}: ${int(f.packets)} packets, ${mb(f.bytes)} MB, snaplen ${f.spec.snaplen}, ns, ` +
        `${int(f.flows)} connections all open at the end (SYN, SYN/ACK, one request each; timestamps on), ${f.durationSec.toFixed(2)} s of traffic`,
    );
  }
  out.push('');
  const row = (s: Summary, target: string): string[] => [
    s.kind,
    fixed(s.bestMs, 1),
    fixed(s.medianMs, 1),
    fixed(s.bestCpuMs, 1),
    fixed(s.packetsPerSec / 1e6, 2),
    fixed(s.bytesPerSec / 1e6, 0),
    mb(s.peakRssBytes),
    target,
  ];
  const header = (title: string): string[] => [title, 'best ms', 'median ms', 'cpu ms', 'Mpkt/s', 'MB/s', 'peak RSS MB', 'target'];
  out.push(
    table([
      header('2 M-packet capture'),
      row(floor, ''),
      row(readers, ''),
      row(decode, `>= ${TARGET_DECODE_PPS / 1e6} Mpkt/s: ${verdict(pass.decodePps)}`),
      row(analyzed, `>= ${TARGET_ANALYZE_PPS / 1e6} Mpkt/s: ${verdict(pass.analyzePps)}`),
      row(cli, ''),
      [...row(cliEmpty, '').slice(0, 4), '', '', ...row(cliEmpty, '').slice(6)],
      tcptrace === undefined ? ['tcptrace', 'skipped: tcptrace not installed'] : row(tcptrace, ''),
    ]),
  );
  out.push('(cpu ms: user+system time of the whole process, so it includes the threads reading the file and can exceed the wall time)');
  out.push(
    '(analyze(): the library from open to result, in a process that has loaded it; rttscan CLI: `node bin/rttscan FILE --json OUT -q` and tcptrace: ' +
      "`tcptrace -r -n -l FILE > /dev/null`, whole processes from spawn to exit, start-up and output included; the empty capture shows the CLI's start-up alone)",
  );
  out.push('');
  out.push(`ratio readers+decoders / floor: ${ratio.toFixed(2)}x   (target <= ${TARGET_RATIO}x: ${verdict(pass.ratio)})`);
  if (cliRatio !== undefined && analyzeRatio !== undefined && tcptraceCheck !== undefined) {
    out.push(
      `ratio rttscan CLI / tcptrace, wall time: ${cliRatio.toFixed(2)}x   (target <= ${TARGET_TCPTRACE_RATIO.toFixed(1)}x: ${verdict(pass.tcptraceRatio === true)});` +
        ` analyze() alone / tcptrace: ${analyzeRatio.toFixed(2)}x`,
    );
    out.push(
      `  both on the ns capture: tcptrace reads it (libpcap hands it µs), traced ${int(tcptraceCheck.tcpPackets)} TCP packets in ${int(tcptraceCheck.connections)} connections ` +
        `over the generator's ${tcptraceCheck.spanSec.toFixed(6)} s; runs interleaved, best of ${options.reps} each`,
    );
  } else {
    out.push('ratio rttscan CLI / tcptrace: skipped: tcptrace not installed');
  }
  const tcptraceSamples =
    tcptraceCheck === undefined
      ? ''
      : `; tcptrace -r times ${int(tcptraceCheck.rttSamples)} (${samples >= tcptraceCheck.rttSamples ? `rttscan finds ${int(samples - tcptraceCheck.rttSamples)} more, among them the \`ts\` samples tcptrace drops by Karn's rule` : 'MORE than rttscan: check the engine'})`;
  out.push(`RTT samples found: ${int(samples)} in every analyze() and CLI run, before the vantage leaves out those the local hosts acknowledged${tcptraceSamples}`);
  if (rss !== undefined && rssFloor !== undefined) {
    out.push(
      `peak RSS over the ${mb(rss.bytes)} MB capture, readers+decoders: ${mb(rss.peakRssBytes)} MB, the highest of ${rss.runs} runs ` +
        `(lowest ${mb(rss.lowestPeakRssBytes)} MB)   (target <= ${TARGET_RSS_BYTES / 1e6} MB: ${verdict(pass.rss === true)})`,
    );
    out.push(
      `  for scale: node holds ${mb(rss.rssStartBytes)} MB before reading; the floor's own peak over the same file is ` +
        `${mb(rssFloor.peakRssBytes)} MB (lowest ${mb(rssFloor.lowestPeakRssBytes)}); readers+decoders ran at ${fixed(rss.bytesPerSec / 1e6, 0)} MB/s there`,
    );
  }
  out.push('');
  out.push(table([header('2 M-packet capture, µs copy'), row(usFloor, ''), row(pcapParser, '')]).replace(/ +target$/m, ''));
  out.push(
    `pcap-parser ${(pcapParser.packetsPerSec / 1e6).toFixed(2)} M packets/s against ${(usFloor.packetsPerSec / 1e6).toFixed(2)} M/s for the floor's plain record loop ` +
      `(${(pcapParser.bestMs / usFloor.bestMs).toFixed(1)}x the time); both read ${mb(CHUNK_SIZE)} MB chunks and counted ${int(us.packets)} records`,
  );
  if (flows !== undefined && baseline !== undefined && bytesPerFlow !== undefined && flowMetas !== undefined) {
    out.push('');
    out.push(table([header('1 M concurrent flows (maxFlows 2 M)'), row(baseline, ''), row(flows, `<= ${TARGET_BYTES_PER_FLOW} B/flow: ${verdict(pass.bytesPerFlow === true)}`)]));
    out.push(
      `memory per active flow: (peak RSS ${mb(flows.peakRssBytes)} MB - ${mb(baseline.peakRssBytes)} MB over the empty capture) / ${int(peakActive)} peak active flows ` +
        `= ${int(bytesPerFlow)} bytes   (target <= ${TARGET_BYTES_PER_FLOW} bytes: ${verdict(pass.bytesPerFlow === true)}); highest of ${flows.runs} runs (lowest ${mb(flows.lowestPeakRssBytes)} MB)`,
    );
    out.push(
      `  for scale: RSS before analysis in the same process ${mb(flows.rssStartBytes)} MB; every run found ${int(flowMetas.flows.expectedSamples)} samples, ` +
        `${int(peakActive)} flows active at once, none evicted or expired`,
    );
  }
  if (outputs !== undefined) {
    out.push('');
    out.push(
      `per-sample outputs, whole CLI processes, best of ${options.reps}: --json OUT ${fixed(outputs.jsonBestMs, 0)} ms, --csv OUT ${fixed(outputs.csvBestMs, 0)} ms ` +
        `(${int(samples)} rows, ${mb(outputs.csvBytes)} MB), --jsonl OUT ${fixed(outputs.jsonlBestMs, 0)} ms`,
    );
    out.push(
      `ratio --csv / --json: ${outputs.csvRatio.toFixed(2)}x   (target <= ${TARGET_CSV_RATIO}x: ${verdict(pass.csvRatio === true)}); --jsonl / --json: ${outputs.jsonlRatio.toFixed(2)}x`,
    );
    out.push(
      `--csv - into a slow reader (${SLOW_READER_DESCRIPTION}): peak RSS ${mb(outputs.slowReaderPeakRssBytes)} MB   (target <= ${TARGET_SLOW_READER_RSS_BYTES / 1e6} MB: ${verdict(pass.slowReaderRss === true)}); ` +
        `${mb(outputs.slowReaderBytes)} MB read in ${fixed(outputs.slowReaderMs / 1000, 1)} s`,
    );
  }
  out.push('');
  out.push(
    options.wait
      ? `${busyStarts} of ${runs} runs started while other processes kept the CPUs busy (waited up to 3 s for idle CPUs before each)`
      : `runs started without waiting for idle CPUs (--no-wait)`,
  );
  out.push(`correctness: every run decoded ${int(main.tcpPackets)} TCP of ${int(main.packets)} packets with the generator's digest ${main.digest}`);
  out.push(`  and analyze() and the CLI counted ${int(main.packets)} packets (${int(main.tcpPackets)} TCP); pcap-parser ${int(us.packets)} records of ${int(us.bytes)} bytes`);
  process.stdout.write(`${out.join('\n')}\n`);

  const strip = (s: Summary): Record<string, number | null> => ({
    runs: s.runs,
    best_ms: round(s.bestMs),
    median_ms: round(s.medianMs),
    best_cpu_ms: nullable(round(s.bestCpuMs)),
    packets: s.packets,
    bytes: s.bytes,
    packets_per_sec: Math.round(s.packetsPerSec),
    bytes_per_sec: Math.round(s.bytesPerSec),
    peak_rss_bytes: nullable(s.peakRssBytes),
    minor_page_faults: nullable(s.minorPageFaults),
  });
  const json = {
    bench: 'rttscan-readers-decoders',
    node: process.version,
    cpus: cpuList.length,
    load: [round(loadBefore), round(loadAfter)],
    busy_starts: options.wait ? busyStarts : null,
    reps: options.reps,
    chunk_size: CHUNK_SIZE,
    capture: { file: relative(process.cwd(), main.file), packets: main.packets, tcp_packets: main.tcpPackets, bytes: main.bytes, snaplen: main.spec.snaplen },
    floor: strip(floor),
    readers: strip(readers),
    readers_decoders: strip(decode),
    ratio: round(ratio),
    analyze: { ...strip(analyzed), samples },
    cli: { command: `node bin/rttscan ${relative(process.cwd(), main.file)} --json OUT -q`, ...strip(cli), samples },
    cli_empty_capture: { command: `node bin/rttscan ${relative(process.cwd(), empty.file)} --json OUT -q`, ...strip(cliEmpty) },
    tcptrace:
      tcptrace === undefined || tcptraceCheck === undefined
        ? { skipped: 'tcptrace not installed' }
        : {
            command: `tcptrace -r -n -l ${relative(process.cwd(), main.file)} > /dev/null`,
            ...strip(tcptrace),
            tcp_packets: tcptraceCheck.tcpPackets,
            connections: tcptraceCheck.connections,
            rtt_samples: tcptraceCheck.rttSamples,
          },
    ratio_cli_tcptrace: cliRatio === undefined ? null : round(cliRatio),
    ratio_analyze_tcptrace: analyzeRatio === undefined ? null : round(analyzeRatio),
    rss:
      rss === undefined || big === undefined
        ? null
        : {
            file: relative(process.cwd(), big.file),
            bytes: big.bytes,
            packets: big.packets,
            peak_rss_bytes: rss.peakRssBytes,
            lowest_peak_rss_bytes: rss.lowestPeakRssBytes,
            rss_before_bytes: rss.rssStartBytes,
            floor_peak_rss_bytes: rssFloor?.peakRssBytes ?? null,
            readers_decoders: strip(rss),
          },
    pcap_parser: {
      file: relative(process.cwd(), us.file),
      floor: strip(usFloor),
      pcap_parser: strip(pcapParser),
      ratio: round(pcapParser.bestMs / usFloor.bestMs),
    },
    flows:
      flows === undefined || baseline === undefined || flowMetas === undefined
        ? null
        : {
            file: relative(process.cwd(), flowMetas.flows.file),
            connections: flowMetas.flows.flows,
            packets: flowMetas.flows.packets,
            peak_active_flows: peakActive,
            samples: flowMetas.flows.expectedSamples,
            peak_rss_bytes: flows.peakRssBytes,
            lowest_peak_rss_bytes: flows.lowestPeakRssBytes,
            baseline_peak_rss_bytes: baseline.peakRssBytes,
            rss_before_bytes: flows.rssStartBytes,
            bytes_per_flow: Math.round(bytesPerFlow!),
            analyze: strip(flows),
          },
    outputs:
      outputs === undefined
        ? null
        : {
            json_best_ms: round(outputs.jsonBestMs),
            csv_best_ms: round(outputs.csvBestMs),
            jsonl_best_ms: round(outputs.jsonlBestMs),
            csv_ratio: round(outputs.csvRatio),
            jsonl_ratio: round(outputs.jsonlRatio),
            csv_bytes: outputs.csvBytes,
            slow_reader_peak_rss_bytes: outputs.slowReaderPeakRssBytes,
            slow_reader_ms: round(outputs.slowReaderMs),
          },
    chunk_sweep: sweep.length === 0 ? null : SWEEP_CHUNKS.map((size, i) => ({ chunk_bytes: size, ...strip(sweep[i]!) })),
    targets: {
      readers_decoders_packets_per_sec: TARGET_DECODE_PPS,
      ratio: TARGET_RATIO,
      peak_rss_bytes: TARGET_RSS_BYTES,
      analyze_packets_per_sec: TARGET_ANALYZE_PPS,
      ratio_cli_tcptrace: TARGET_TCPTRACE_RATIO,
      bytes_per_flow: TARGET_BYTES_PER_FLOW,
      csv_ratio: TARGET_CSV_RATIO,
      slow_reader_peak_rss_bytes: TARGET_SLOW_READER_RSS_BYTES,
    },
    pass,
    seconds: round(Number(process.hrtime.bigint() - started) / 1e9),
  };
  process.stdout.write(`${JSON.stringify(json)}\n`);
  if (options.targets) await targets(options);
  if (options.startup) startup();
  if (options.floods) await floods(options);
}

/** Start-up rows (bench/startup.ts): --version and a small capture against node -e 0; a table, then a line of JSON. */
function startup(): void {
  const sample = fileURLToPath(new URL('../../samples/http-v4/client.pcap', import.meta.url));
  const result = benchStartup({ cli: CLI_SCRIPT, sample, rounds: STARTUP_ROUNDS, log });
  process.stdout.write(`\n${startupTable(result)}\n`);
  process.stdout.write(
    `${JSON.stringify({ startup: result.rows.map((r) => ({ ...r, wallMs: round(r.wallMs), cpuMs: round(r.cpuMs), wallRatio: round(r.wallRatio), cpuRatio: round(r.cpuRatio) })), node: result.node, load: [result.loadBefore, result.loadAfter] })}\n`,
  );
}

/** Start-up rounds: each command takes 0.1-0.3 s, and one round's noise is tens of ms on a loaded machine. */
const STARTUP_ROUNDS = 15;

/** Issue 17's rows (bench/targets.ts): a table, then a line of JSON. */
async function targets(options: Options): Promise<void> {
  const main = (await ensureCaptures(['throughput'], options.force, log)).throughput!;
  const flowsFile = options.flows ? (await ensureFlowCaptures(['flows'], options.force, log)).flows!.file : undefined;
  await warm(main.file);
  const result = benchTargets({ cli: CLI_SCRIPT, file: main.file, packets: main.packets, flowsFile, reps: options.reps, log });
  process.stdout.write(`\n${targetsTable(result)}\n`);
  process.stdout.write(
    `${JSON.stringify({ targets: result.rows.map((r) => ({ ...r, figure: round(r.figure), aMs: round(r.aMs), bMs: r.bMs === undefined ? null : round(r.bMs) })), medians: result.medians, load: [result.loadBefore, result.loadAfter] })}\n`,
  );
}

/** The flood rows (bench/floods.ts), then the 8 M-flow SYN scan (bench/flood.ts): tables, then a line of JSON each. */
async function floods(options: Options): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rttscan-floods-'));
  try {
    const rows = runFloods({ syns: options.floodSyns, dir, cli: CLI_SCRIPT, log });
    process.stdout.write(`\nfloods (whole processes; wall time and peak RSS from GNU time)\n${floodTable(rows)}`);
    process.stdout.write(`${JSON.stringify({ floods: rows.map((r) => ({ ...r, wallMs: round(r.wallMs), peakRssBytes: nullable(r.peakRssBytes) })) })}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  log('flood: an 8 M-flow SYN scan streamed through rttscan --max-flows 100000');
  const scan = await runFlood();
  if (scan.errors.length > 0) throw new FloodCheckFailed(`8 M-flow SYN scan: ${scan.errors.join('; ')}`);
  const unmeasured = Number.isNaN(scan.maxRssBytes);
  const ok = scan.maxRssBytes <= FLOOD_TARGET_RSS_BYTES;
  process.stdout.write(
    `\n${table([
      ['SYN scan streamed, every SYN a new flow', 'flows', 'ms', 'cpu ms', 'peak RSS MB', 'target'],
      [
        `rttscan - --max-flows ${int(scan.maxFlows)}`,
        int(scan.flows),
        fixed(scan.ms, 0),
        fixed(scan.cpuMs, 0),
        mb(scan.maxRssBytes),
        `<= ${FLOOD_TARGET_RSS_BYTES / 1e6} MB: ${unmeasured ? 'unmeasured (no GNU time)' : ok ? 'ok' : 'MISSED'}`,
      ],
    ])}\n` +
      `  bench/generate-synscan.ts through a pipe, the vantage inferred (${scan.decidedBy}), decided once ${int(scan.maxFlows)} flows had left the table; ` +
      `every SYN read, ${int(scan.flows - scan.maxFlows)} flows evicted (tcptrace and tshark: the SYN-scan row above, at ${int(options.floodSyns)})\n`,
  );
  process.stdout.write(
    `${JSON.stringify({ syn_scan_8m: { flows: scan.flows, max_flows: scan.maxFlows, ms: round(scan.ms), cpu_ms: nullable(round(scan.cpuMs)), peak_rss_bytes: nullable(scan.maxRssBytes), target_peak_rss_bytes: FLOOD_TARGET_RSS_BYTES, pass: unmeasured ? null : ok } })}\n`,
  );
}

function nullable(n: number): number | null {
  return Number.isNaN(n) ? null : n;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

main().catch((err: unknown) => {
  if (err instanceof CheckFailed || err instanceof FloodCheckFailed) {
    process.stderr.write(`bench: correctness check failed: ${err.message}\n`);
  } else {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  }
  process.exitCode = 1;
});
