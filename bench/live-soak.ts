/**
 * The live soak: `npm run bench -- --live-soak [SECONDS] [--backend libpcap|tcpdump]` (root).
 *
 * Two network namespaces joined by a veth pair; in B an echo server, in A a load generator
 * (bench/tcp-load.ts: 16 connections of 64-byte request/response as fast as they come back,
 * each reconnecting after 500 exchanges, so flows keep coming and going) and
 * `rttscan --live VETH_A --duration SECONDS --interval 10s --json --idle-ttl 10s --exp-ttl 5s`.
 * It reports the packets per second rttscan analysed, what the kernel received and dropped
 * (libpcap's counters), and the RSS of rttscan and of its capture process, sampled every 5 s:
 * the first sample after 5 s of warm-up against the last one, which should be flat. rttscan
 * also serves --prometheus, scraped every 5 s (curl inside the namespace, as Prometheus would):
 * how long each scrape took and how big it was. What else was busy on the machine (load
 * average, the busiest other processes) is reported too, since the machine is shared.
 *
 * The rate is whatever this machine sustains with the generator, rttscan and the kernel sharing
 * its CPUs; the figures say so rather than claim a line rate.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const CLI_SCRIPT = fileURLToPath(new URL('../../bin/rttscan', import.meta.url));
const LOAD_SCRIPT = fileURLToPath(new URL('./tcp-load.js', import.meta.url));
const CONNECTIONS = 16;
const EXCHANGES_PER_CONNECTION = 500;
const RSS_EVERY_MS = 5000;

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

/** VmRSS of a process in bytes, or NaN once it is gone. */
function rssBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

interface Proc {
  child: ChildProcess;
  out: string;
  err: string;
  done: Promise<number | null>;
}

function start(netns: string, args: string[]): Proc {
  const child = spawn('ip', ['netns', 'exec', netns, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const proc: Proc = { child, out: '', err: '', done: new Promise((resolve) => child.once('close', (code) => resolve(code))) };
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (proc.out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (proc.err += s));
  return proc;
}

async function until(test: () => boolean, what: string, timeoutMs = 20000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const mib = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;

/** Where rttscan serves --prometheus inside the soak's namespace (its own, so the port is free). */
const PROMETHEUS_PORT = 9464;

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]! * 10) / 10;
}

/** The five busiest processes by CPU share (ps), as `pcpu% command`: what else the machine runs. */
function busiestProcesses(): string[] {
  const ps = spawnSync('ps', ['-eo', 'pcpu,comm', '--sort=-pcpu', '--no-headers'], { encoding: 'utf8' });
  return ps.stdout
    .trim()
    .split('\n')
    .slice(0, 5)
    .map((l) => l.trim().replace(/\s+/, '% '));
}

export async function runLiveSoak(argv: readonly string[]): Promise<void> {
  let seconds = 60;
  let backend = 'libpcap';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--backend') backend = argv[++i] ?? '';
    else if (/^\d+$/.test(argv[i]!)) seconds = Number(argv[i]);
    else throw new Error(`--live-soak: unknown argument ${argv[i]} ([SECONDS] [--backend libpcap|tcpdump])`);
  }
  if (process.getuid?.() !== 0) throw new Error('--live-soak needs root (namespaces, capture)');
  const tag = `rts${process.pid % 100000}`;
  const [nsA, nsB, devA, devB] = [`${tag}a`, `${tag}b`, `${tag}va`, `${tag}vb`];
  const [ipA, ipB] = ['10.214.0.1', '10.214.0.2'];
  const procs: Proc[] = [];
  try {
    ip('netns', 'add', nsA);
    ip('netns', 'add', nsB);
    ip('link', 'add', devA, 'netns', nsA, 'type', 'veth', 'peer', 'name', devB, 'netns', nsB);
    for (const [ns, dev, addr] of [
      [nsA, devA, ipA],
      [nsB, devB, ipB],
    ] as const) {
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', dev);
      ip('-n', ns, 'link', 'set', dev, 'up');
    }
    const server = start(nsB, [process.execPath, LOAD_SCRIPT, 'serve', ipB]);
    procs.push(server);
    await until(() => /^\d+\n/.test(server.out), 'the echo server');
    const port = server.out.trim();

    const rttscanArgs = [
      '--live',
      devA,
      '--backend',
      backend,
      '--duration',
      `${seconds}s`,
      '--interval',
      '10s',
      '--json',
      '--idle-ttl',
      '10s',
      '--exp-ttl',
      '5s',
      '--prometheus',
      `127.0.0.1:${PROMETHEUS_PORT}`,
    ];
    const busyBefore = busiestProcesses();
    log(`live soak: ${seconds} s, rttscan ${rttscanArgs.join(' ')}`);
    const rttscan = start(nsA, [process.execPath, CLI_SCRIPT, ...rttscanArgs]);
    procs.push(rttscan);
    await until(() => /capturing on /.test(rttscan.err), 'rttscan to start capturing');
    const startedMs = Date.now();
    // `ip netns exec` execs its command: rttscan's pid is the child's.
    const rttscanPid = rttscan.child.pid!;
    const capturePid = childrenOf(rttscanPid)[0];
    const load = start(nsA, [process.execPath, LOAD_SCRIPT, 'run', ipB, port, String(CONNECTIONS), String(Math.max(1, seconds - 1)), String(EXCHANGES_PER_CONNECTION)]);
    procs.push(load);

    const samples: Array<{ atSec: number; rttscanRss: number; captureRss: number }> = [];
    const scrapes: Array<{ ms: number; bytes: number }> = [];
    const sampler = setInterval(() => {
      samples.push({
        atSec: Math.round((Date.now() - startedMs) / 1000),
        rttscanRss: rssBytes(rttscanPid),
        captureRss: capturePid === undefined ? Number.NaN : rssBytes(capturePid),
      });
      const scrape = spawnSync(
        'ip',
        ['netns', 'exec', nsA, 'curl', '-s', '-o', '/dev/null', '-w', '%{time_total} %{size_download} %{http_code}', `http://127.0.0.1:${PROMETHEUS_PORT}/metrics`],
        { encoding: 'utf8' },
      );
      const [secs, bytes, code] = scrape.stdout.split(' ');
      if (code === '200') scrapes.push({ ms: Number(secs) * 1000, bytes: Number(bytes) });
    }, RSS_EVERY_MS);
    const loadDuring: number[] = [];
    const loadSampler = setInterval(() => loadDuring.push(loadavg()[0]!), 60_000);
    const status = await rttscan.done;
    clearInterval(sampler);
    clearInterval(loadSampler);
    const busyAfter = busiestProcesses();
    await load.done;
    if (status !== 0) throw new Error(`rttscan exited ${status}: ${rttscan.err}`);

    const counters = /rttscan: (\d+) packets, (\d+) TCP, (\d+) flows/.exec(rttscan.err);
    const kernel = /kernel: (\d+) packets received by the filter, (\d+) dropped/.exec(rttscan.err);
    const generated = JSON.parse(load.out.trim() || '{}') as { exchanges?: number; connections?: number };
    const reports = rttscan.out
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { summary: { samples: number } });
    // A process's samples while it was alive: the first after warm-up, the last before the end.
    const series = (pick: (s: (typeof samples)[number]) => number): { atSec: number; bytes: number }[] =>
      samples.map((s) => ({ atSec: s.atSec, bytes: pick(s) })).filter((s) => !Number.isNaN(s.bytes));
    const rss = (pick: (s: (typeof samples)[number]) => number): { first: number; last: number; max: number; firstAtSec: number; lastAtSec: number } => {
      const alive = series(pick);
      return {
        first: mib(alive[0]?.bytes ?? Number.NaN),
        last: mib(alive[alive.length - 1]?.bytes ?? Number.NaN),
        max: mib(Math.max(...alive.map((s) => s.bytes))),
        firstAtSec: alive[0]?.atSec ?? Number.NaN,
        lastAtSec: alive[alive.length - 1]?.atSec ?? Number.NaN,
      };
    };
    const packets = Number(counters?.[1] ?? Number.NaN);
    const result = {
      seconds,
      backend,
      cpus: cpus().length,
      load: { connections: generated.connections ?? null, exchanges: generated.exchanges ?? null },
      packets_analysed: packets,
      packets_per_sec: Math.round(packets / seconds),
      flows: Number(counters?.[3] ?? Number.NaN),
      samples: reports.reduce((sum, r) => sum + r.summary.samples, 0),
      interval_reports: reports.length,
      kernel_received: Number(kernel?.[1] ?? Number.NaN),
      kernel_dropped: Number(kernel?.[2] ?? Number.NaN),
      rss_mib: {
        rttscan: rss((s) => s.rttscanRss),
        capture: rss((s) => s.captureRss),
        series: samples.map((s) => [s.atSec, mib(s.rttscanRss), mib(s.captureRss)]),
      },
      scrapes: {
        count: scrapes.length,
        median_ms: median(scrapes.map((s) => s.ms)),
        max_ms: Math.round(Math.max(...scrapes.map((s) => s.ms)) * 10) / 10,
        bytes: scrapes[scrapes.length - 1]?.bytes ?? null,
      },
      machine: { load_1m_each_minute: loadDuring.map((l) => Math.round(l * 100) / 100), busiest_before: busyBefore, busiest_after: busyAfter },
    };
    const lines = [
      `live soak over ${seconds} s on a veth pair (${backend}, ${result.cpus} CPUs shared with the load generator)`,
      `  load            ${result.load.exchanges} exchanges over ${result.load.connections} connections`,
      `  analysed        ${packets} packets (${result.packets_per_sec} packets/s), ${result.flows} flows, ${result.samples} samples in ${reports.length} reports`,
      `  kernel          ${result.kernel_received} received, ${result.kernel_dropped} dropped`,
      ...(['rttscan', 'capture'] as const).map((name) => {
        const r = result.rss_mib[name];
        return `  RSS ${name.padEnd(12)}${r.first} MiB at ${r.firstAtSec} s -> ${r.last} MiB at ${r.lastAtSec} s (max ${r.max})`;
      }),
      `  scrapes         ${result.scrapes.count} of /metrics, median ${result.scrapes.median_ms} ms, max ${result.scrapes.max_ms} ms, ${result.scrapes.bytes} bytes`,
      `  machine         load (1 min) each minute: ${result.machine.load_1m_each_minute.join(', ')}`,
      `  busy before     ${busyBefore.join('; ')}`,
      `  busy after      ${busyAfter.join('; ')}`,
    ];
    process.stdout.write(lines.join('\n') + '\n' + JSON.stringify({ live_soak: result }) + '\n');
  } finally {
    for (const p of procs) p.child.kill('SIGTERM');
    spawnSync('ip', ['netns', 'del', nsA]);
    spawnSync('ip', ['netns', 'del', nsB]);
  }
}
