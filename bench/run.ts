/**
 * Throughput benchmark: `npm run bench` (or `node dist/bench/run.js [options]` after tsc).
 *
 * On a generated capture of 2 M TCP packets (bench/generate.ts) it measures, in the same run:
 *   floor             streaming the file in CHUNK_SIZE chunks and walking the record headers;
 *   readers           the library's readers (openInputs + readPackets), counting packets;
 *   readers+decoders  readers + PacketDecoder, with the decoded fields checked in the loop
 *                     against the generator's digest and counts;
 * and the ratio readers+decoders / floor. Then the peak RSS of readers+decoders over a 250 MiB
 * full-snaplen capture (and, for scale, the floor's over the same file). Every run is its own process (bench/measure.ts), so heaps, JIT state
 * and peak RSS do not leak from one into the next; kinds are interleaved and each is repeated,
 * and the best time counts (the least disturbed by whatever else the machine is doing).
 *
 * Options:
 *   --reps N         runs of each measurement (default 5)
 *   --force          regenerate the captures even if the cached ones are current
 *   --no-rss         skip the 250 MiB capture and the peak-RSS check
 *   --chunk-sweep    also time readers+decoders at several chunk sizes (for CHUNK_SIZE)
 *   --no-wait        start each run at once instead of waiting (up to 3 s) for idle CPUs
 *
 * Prints a table, then one line of JSON with the same figures. Exits 1 when a correctness check
 * fails; missed targets are reported, not turned into an exit code.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHUNK_SIZE } from '../src/capture/input.js';
import { ensureCaptures, type CaptureMeta, type SpecName } from './generate.js';
import type { MeasureResult } from './measure.js';

const TARGET_DECODE_PPS = 5e6;
const TARGET_RATIO = 2;
const TARGET_RSS_BYTES = 100e6;
const SWEEP_CHUNKS = [64 << 10, 256 << 10, 1 << 20, 4 << 20, 16 << 20];

const MEASURE_SCRIPT = fileURLToPath(new URL('./measure.js', import.meta.url));

interface Options {
  reps: number;
  force: boolean;
  rss: boolean;
  chunkSweep: boolean;
  wait: boolean;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { reps: 5, force: false, rss: true, chunkSweep: false, wait: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--reps') {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 1) throw new Error('--reps needs a positive integer');
      options.reps = n;
    } else if (arg === '--force') options.force = true;
    else if (arg === '--no-rss') options.rss = false;
    else if (arg === '--chunk-sweep') options.chunkSweep = true;
    else if (arg === '--no-wait') options.wait = false;
    else throw new Error(`unknown option ${arg} (--reps N, --force, --no-rss, --chunk-sweep, --no-wait)`);
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

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const fixed = (n: number, digits: number): string => n.toFixed(digits);
const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);

function describe(meta: CaptureMeta): string {
  const s = meta.spec;
  return (
    `${relative(process.cwd(), meta.file)}: ${int(meta.packets)} packets (${int(meta.tcpPackets)} TCP), ${mb(meta.bytes)} MB, ` +
    `snaplen ${s.snaplen}, ${s.nanos ? 'ns' : 'µs'}, ${int(meta.connections)} connections (≤${int(meta.maxConcurrentConnections)} at once), ` +
    `${int(meta.retransmissions)} retransmissions, ${(100 * meta.withTimestamps / meta.tcpPackets).toFixed(0)}% with TS option, ${meta.durationSec.toFixed(2)} s of traffic`
  );
}

function table(rows: readonly string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ').trimEnd()).join('\n');
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  waitForIdle = options.wait;
  const names: SpecName[] = options.rss ? ['throughput', 'rss'] : ['throughput'];
  const started = process.hrtime.bigint();
  const metas = await ensureCaptures(names, options.force, log);
  const main = metas.throughput!;
  const big = metas.rss;
  for (const meta of [main, big]) if (meta !== undefined) await warm(meta.file);

  const loadBefore = loadavg()[0]!;
  const kinds = ['floor', 'readers', 'decode'] as const;
  const results: Record<string, MeasureResult[]> = { floor: [], readers: [], decode: [], rss: [], rssFloor: [] };
  for (let rep = 0; rep < options.reps; rep++) {
    log(`run ${rep + 1} of ${options.reps}`);
    for (const kind of kinds) results[kind]!.push(runChild(kind, main.file));
    if (big !== undefined) {
      results.rss!.push(runChild('decode', big.file));
      results.rssFloor!.push(runChild('floor', big.file));
    }
  }
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
  const rss = big === undefined ? undefined : summarize('readers+decoders', results.rss!);
  const rssFloor = big === undefined ? undefined : summarize('floor', results.rssFloor!);
  const ratio = decode.bestMs / floor.bestMs;
  const pass = {
    decodePps: decode.packetsPerSec >= TARGET_DECODE_PPS,
    ratio: ratio <= TARGET_RATIO,
    rss: rss === undefined ? null : rss.peakRssBytes <= TARGET_RSS_BYTES,
  };
  const verdict = (ok: boolean): string => (ok ? 'ok' : 'MISSED');

  const cpuList = cpus();
  const out: string[] = [];
  out.push(
    `rttscan bench: node ${process.version}, ${process.platform}/${process.arch}, ${cpuList.length} CPUs (${cpuList[0]?.model.trim() ?? '?'}), ` +
      `load ${loadBefore.toFixed(2)}→${loadAfter.toFixed(2)}; best of ${options.reps}, each run in a fresh process`,
  );
  out.push(`capture   ${describe(main)}`);
  if (big !== undefined) out.push(`rss file  ${describe(big)}`);
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
  out.push(
    table([
      ['2 M-packet capture', 'best ms', 'median ms', 'cpu ms', 'Mpkt/s', 'MB/s', 'peak RSS MB', 'target'],
      row(floor, ''),
      row(readers, ''),
      row(decode, `>= ${TARGET_DECODE_PPS / 1e6} Mpkt/s: ${verdict(pass.decodePps)}`),
    ]),
  );
  out.push('(cpu ms: user+system time of the whole process, so it includes the threads reading the file and can exceed the wall time)');
  out.push('');
  out.push(`ratio readers+decoders / floor: ${ratio.toFixed(2)}x   (target <= ${TARGET_RATIO}x: ${verdict(pass.ratio)})`);
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
  if (sweep.length > 0) {
    out.push('');
    out.push(
      table([
        ['readers+decoders by chunk size', 'best ms', 'median ms', 'cpu ms', 'Mpkt/s', 'MB/s', 'peak RSS MB'],
        ...sweep.map((s) => row(s, '').slice(0, 7)),
      ]),
    );
  }
  out.push(
    options.wait
      ? `${busyStarts} of ${runs} runs started while other processes kept the CPUs busy (waited up to 3 s for idle CPUs before each)`
      : `runs started without waiting for idle CPUs (--no-wait)`,
  );
  out.push(`correctness: every run decoded ${int(main.tcpPackets)} TCP of ${int(main.packets)} packets with the generator's digest ${main.digest}`);
  process.stdout.write(`${out.join('\n')}\n`);

  const strip = (s: Summary): Record<string, number> => ({
    runs: s.runs,
    best_ms: round(s.bestMs),
    median_ms: round(s.medianMs),
    best_cpu_ms: round(s.bestCpuMs),
    packets: s.packets,
    bytes: s.bytes,
    packets_per_sec: Math.round(s.packetsPerSec),
    bytes_per_sec: Math.round(s.bytesPerSec),
    peak_rss_bytes: s.peakRssBytes,
    minor_page_faults: s.minorPageFaults,
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
    chunk_sweep: sweep.length === 0 ? null : SWEEP_CHUNKS.map((size, i) => ({ chunk_bytes: size, ...strip(sweep[i]!) })),
    targets: { readers_decoders_packets_per_sec: TARGET_DECODE_PPS, ratio: TARGET_RATIO, peak_rss_bytes: TARGET_RSS_BYTES },
    pass,
    seconds: round(Number(process.hrtime.bigint() - started) / 1e9),
  };
  process.stdout.write(`${JSON.stringify(json)}\n`);
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

main().catch((err: unknown) => {
  if (err instanceof CheckFailed) {
    process.stderr.write(`bench: correctness check failed: ${err.message}\n`);
  } else {
    process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  }
  process.exitCode = 1;
});
