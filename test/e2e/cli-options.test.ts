/** The CLI's options end to end on real samples: grouping, filters, time windows, intervals, vantage. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCsv, runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

const SERVER = 'samples/http-v4/server.pcap';
const CLIENT = 'samples/http-v4/client.pcap';

interface Doc {
  vantage: { local: string[]; inferred: boolean; mid_path: boolean };
  summary: { samples: number; min_us: number | null };
  groups: Array<{ key: string; samples: number }>;
  counters: { rtt: { local_acked: number; filtered: number } };
}

function json(args: string[]): Doc {
  const run = runCli([...args, '--json', '-', '-q']);
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as Doc;
}

test('the capture host is inferred and said on stderr; its own ACKs are left out', () => {
  const run = runCli([CLIENT]);
  assert.equal(run.status, 0);
  assert.match(run.stderr, /vantage: 10\.99\.0\.1 is the capture host: \d+ of its \d+ answers came within 200 µs, host-stack time/);
  assert.match(run.stderr, /acknowledged by the local host left out/);
  const doc = json([CLIENT]);
  const { local, inferred, mid_path, decided_by, confidence, host_stack_us, evidence } = doc.vantage as unknown as Record<string, unknown>;
  assert.deepEqual({ local, inferred, mid_path, decided_by, confidence, host_stack_us }, {
    local: ['10.99.0.1'],
    inferred: true,
    mid_path: false,
    decided_by: 'host-stack',
    confidence: 'high',
    host_stack_us: 200,
  });
  const [client, server] = evidence as Array<{ address: string; answers: number; host_stack: number; fastest_us: number; local: boolean }>;
  assert.equal(client!.address, '10.99.0.1');
  assert.ok(client!.local && client!.host_stack >= 2 && client!.fastest_us <= 200);
  assert.equal(server!.address, '10.99.0.2');
  assert.ok(!server!.local && server!.host_stack === 0 && server!.fastest_us >= 25_000, 'the server, 25 ms away');
  assert.ok(doc.counters.rtt.local_acked > 0);
});

test('--local none: a capture taken mid-path, both halves reported; with an address it is a usage error', () => {
  const none = json([CLIENT, '--local', 'none']);
  assert.deepEqual(none.vantage.local, []);
  assert.equal((none.vantage as unknown as { decided_by: string }).decided_by, 'given');
  const all = json([CLIENT, '--include-local']);
  assert.equal(none.summary.samples, all.summary.samples);
  const mixed = runCli([CLIENT, '--local', 'none,10.99.0.1']);
  assert.equal(mixed.status, 2);
  assert.match(mixed.stderr, /^rttscan: --local: 'none' \(a capture taken mid-path\) cannot be combined with addresses$/m);
});

test('--kind selects sample kinds (data,ts: no handshakes, as Inspektor Gadget\'s tcprtt); an unknown kind is a usage error', () => {
  const csv = (args: string[]): string[] => runCli([CLIENT, ...args, '--csv', '-', '-q']).stdout.trim().split('\n').slice(1);
  const every = csv([]);
  const noHandshakes = csv(['--kind', 'data,ts']);
  const isSyn = (row: string): boolean => row.split(',')[6] === 'syn';
  assert.ok(every.some(isSyn));
  assert.deepEqual(noHandshakes, every.filter((row) => !isSyn(row)));
  assert.deepEqual(csv(['--kind', 'syn', '--kind', 'hole']), every.filter(isSyn));
  const doc = json([CLIENT, '--kind', 'data,ts']);
  assert.equal(doc.counters.rtt.filtered, every.length - noHandshakes.length);
  const bad = runCli([CLIENT, '--kind', 'data,rtt']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^rttscan: --kind: 'rtt' is not a sample kind \(data, syn, ts, hole\)$/m);
});

test('--local overrides the inference, --include-local keeps the local stack samples', () => {
  const flipped = json([CLIENT, '--local', '10.99.0.2']);
  assert.deepEqual(flipped.vantage.local, ['10.99.0.2']);
  const normal = json([CLIENT]);
  const all = json([CLIENT, '--include-local']);
  assert.equal(all.summary.samples, normal.summary.samples + flipped.summary.samples);
  assert.ok(all.summary.min_us! < 100, 'the client acknowledges within microseconds');
});

test('--by and -b/-B group samples; bcc section headers follow the grouping', () => {
  assert.deepEqual(json([SERVER, '--by', 'raddr']).groups.map((g) => g.key), ['10.99.0.1']);
  assert.deepEqual(json([SERVER, '-b']).groups.map((g) => g.key), ['10.99.0.2']);
  const byFlow = json([SERVER, '--by', 'flow']);
  assert.equal(byFlow.groups.length, 4);
  assert.ok(byFlow.groups.every((g) => /^10\.99\.0\.2:8080 10\.99\.0\.1:\d+$/.test(g.key)));
  const hist = runCli([SERVER, '--histogram', '-B', '-q']);
  assert.match(hist.stdout, /^Remote Address = 10\.99\.0\.1 \[AVG \d+\]$/m);
  const ms = runCli([SERVER, '--histogram', '--ms', '-q']);
  assert.match(ms.stdout, /^ {5}msecs {15}: count {5}distribution$/m);
  assert.match(ms.stdout, /^ {8}16 -> 31 {9}: \d+/m);
});

test('--rport/--lport/--raddr/--laddr filter samples, and lists may be comma-separated', () => {
  const all = json([SERVER]).summary.samples;
  assert.equal(json([SERVER, '--lport', '8080']).summary.samples, all);
  assert.equal(json([SERVER, '--lport', '80,443']).summary.samples, 0);
  assert.equal(json([SERVER, '--raddr', '10.99.0.0/24']).summary.samples, all);
  assert.equal(json([SERVER, '--raddr', '192.0.2.1', '--raddr', '10.99.0.1']).summary.samples, all);
  assert.equal(json([SERVER, '--laddr', '10.99.0.1']).summary.samples, 0);
  const byFlow = json([SERVER, '--by', 'flow']);
  const port = Number(byFlow.groups[0]!.key.split(':').at(-1));
  assert.equal(json([SERVER, '--rport', String(port)]).summary.samples, byFlow.groups[0]!.samples);
});

test('--from/--to keep the samples whose ACK falls in the window', () => {
  const csv = parseCsv(runCli([SERVER, '--csv', '-', '-q']).stdout);
  const middle = csv[Math.floor(csv.length / 2)]!.ts;
  const before = json([SERVER, '--to', middle]).summary.samples;
  const after = json([SERVER, '--from', middle]).summary.samples;
  assert.equal(before + after, csv.length);
  assert.equal(before, csv.filter((s) => s.ts < middle).length);
  assert.equal(json([SERVER, '--from', '+1h']).summary.samples, 0);
  assert.equal(json([SERVER, '--from', '2000-01-01T00:00:00Z']).summary.samples, csv.length);
});

test('--from/--to +DURATION count from the first packet, not from the start of its second', () => {
  const first = /^\S+ (\d+)\.(\d{6})/m.exec(spawnTcpdumpFirst())!;
  const firstNs = BigInt(first[1]!) * 1_000_000_000n + BigInt(first[2]!) * 1000n;
  const at = (offsetNs: bigint): string => {
    const t = firstNs + offsetNs;
    return `${t / 1_000_000_000n}.${String(t % 1_000_000_000n).padStart(9, '0')}`;
  };
  for (const offset of ['100ms', '700ms', '1.5s']) {
    const ns = BigInt(Math.round(Number(offset.replace(/m?s$/, '')) * (offset.endsWith('ms') ? 1e6 : 1e9)));
    assert.equal(json([SERVER, '--to', `+${offset}`]).summary.samples, json([SERVER, '--to', at(ns)]).summary.samples, `--to +${offset}`);
    assert.equal(json([SERVER, '--from', `+${offset}`]).summary.samples, json([SERVER, '--from', at(ns)]).summary.samples, `--from +${offset}`);
  }
  assert.ok(json([SERVER, '--to', '+100ms']).summary.samples > 0, 'the first 100 ms hold samples');
});

/** The first packet's capture time, as tcpdump -tt prints it (seconds.microseconds). */
function spawnTcpdumpFirst(): string {
  return spawnSync('tcpdump', ['-tt', '-n', '-c', '1', '-r', SERVER], { encoding: 'utf8' }).stdout.replace(/^/, 'x ');
}

test('--interval prints one report per interval of capture time, -T stamps each', () => {
  const run = runCli([SERVER, '--interval', '500ms', '-T', '--histogram', '-q']);
  assert.equal(run.status, 0, run.stderr);
  const stamps = run.stdout.match(/^\d\d:\d\d:\d\d$/gm) ?? [];
  const sections = run.stdout.match(/^All Addresses/gm) ?? [];
  assert.ok(stamps.length >= 3);
  assert.equal(stamps.length, sections.length);
  const lines = runCli([SERVER, '--interval', '500ms', '--json', '-q']).stdout.trim().split('\n');
  const total = lines.map((l) => (JSON.parse(l) as Doc).summary.samples).reduce((a, b) => a + b, 0);
  assert.equal(total, json([SERVER]).summary.samples);
});

test('--csv and --json write files; the CSV has one row per sample with ns times', async (t) => {
  const dir = await tempDir(t);
  const run = runCli([SERVER, '--csv', join(dir, 'rtt.csv'), '--json', join(dir, 'rtt.json'), '-q']);
  assert.equal(run.status, 0, run.stderr);
  const rows = parseCsv(readFileSync(join(dir, 'rtt.csv'), 'utf8'));
  const doc = JSON.parse(readFileSync(join(dir, 'rtt.json'), 'utf8')) as Doc;
  assert.equal(rows.length, doc.summary.samples);
  assert.ok(rows.every((r) => /^\d+\.\d{9}$/.test(r.ts) && /^\d+\.\d{3}$/.test(r.rttUs.toFixed(3))));
});

test('bad option values are usage errors (exit 2) that name the option and the value', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--by', 'host'], /--by.*host/],
    [['--raddr', '10.0.0.300'], /--raddr: '10\.0\.0\.300' is not an IP address or CIDR/],
    [['--lport', '70000'], /--lport: '70000' is not a port/],
    [['--interval', 'soon'], /--interval: 'soon' is not a duration/],
    [['--from', 'yesterday'], /--from: 'yesterday' is not a time/],
    [['--max-flows', '0'], /--max-flows: '0'/],
    [['-T'], /-T\/--timestamp needs --interval/],
    [['-b', '-B'], /-b and -B cannot be combined/],
  ];
  for (const [args, message] of cases) {
    const run = runCli([SERVER, ...args]);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.equal(run.stdout, '');
  }
});

test('--json refuses to overwrite a capture named after it', () => {
  const run = runCli(['--json', CLIENT]);
  assert.equal(run.status, 2);
  assert.match(run.stderr, /refusing to overwrite a capture file/);
});

test('stdin: a capture piped in is read like a file', () => {
  const bytes = readFileSync(SERVER);
  const piped = runCli(['-', '--json', '-', '-q'], bytes);
  assert.equal(piped.status, 0, piped.stderr);
  const doc = JSON.parse(piped.stdout) as Doc;
  assert.equal(doc.summary.samples, json([SERVER]).summary.samples);
});

/**
 * Node catches SIGINT and SIGTERM itself from its first moments (to restore the terminal, then
 * die by the signal), so the SigCgt bit of SIGINT says nothing about rttscan's handler. rttscan
 * catches SIGHUP in the same breath as SIGINT, and Node never does: that bit is the one to wait for.
 */
const SIGHUP_NUMBER = 1;

/** Resolves once process `pid` catches `signal` (its SigCgt mask in /proc/PID/status); 10 s at most. */
async function caughtBy(pid: number, signal: number): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 20) {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const mask = BigInt(`0x${/^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? '0'}`);
    if ((mask >> BigInt(signal - 1)) & 1n) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`process ${pid} did not start catching signal ${signal} within 10 s`);
}

test('Ctrl-C on an offline run prints what was read so far and exits 130', async () => {
  const { spawn } = await import('node:child_process');
  const { CLI_PATH } = await import('../helpers/paths.js');
  const child = spawn(process.execPath, [CLI_PATH, '-', '--json', '-', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // The whole capture, then a pipe that stays open: the run would wait for more forever.
  child.stdin.write(readFileSync(SERVER));
  // Ctrl-C before rttscan handles it would just kill the process: wait until its SIGINT
  // handler is in place (Linux lists caught signals in /proc), then give it time to read.
  await caughtBy(child.pid!, SIGHUP_NUMBER);
  await new Promise((r) => setTimeout(r, 500));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.on('close', r));
  child.stdin.destroy();
  assert.equal(code, 130, stderr);
  assert.match(stderr, /interrupted/);
  const doc = JSON.parse(stdout) as Doc & { inputs: Array<{ packets: number }> };
  assert.equal(doc.inputs[0]!.packets, 303);
  assert.equal(doc.summary.samples, json([SERVER]).summary.samples);
});

test('--chart with --interval: each chart covers its own interval, from its start, with its samples', () => {
  const run = runCli([SERVER, '--interval', '500ms', '--chart', '--table', '-q']);
  assert.equal(run.status, 0, run.stderr);
  const starts = [...run.stdout.matchAll(/capture time from (\S+),/g)].map((m) => Date.parse(m[1]!));
  assert.ok(starts.length >= 3);
  starts.slice(1).forEach((s, i) => assert.equal(s - starts[i]!, 500, `chart ${i + 2} starts 500 ms after chart ${i + 1}`));
  // Each chart's sample count is its interval table's.
  const charted = [...run.stdout.matchAll(/RTT over capture time: all \((\d+) samples\)/g)].map((m) => Number(m[1]));
  const tabled = [...run.stdout.matchAll(/^all +(\d+) /gm)].map((m) => Number(m[1]));
  assert.deepEqual(charted, tabled);
});

test('--html and --pping: usage errors name the conflict, and a capture is never overwritten', async (t) => {
  const dir = await tempDir(t);
  const page = join(dir, 'r.html');
  for (const [args, message] of [
    [[SERVER, '--html', page, '--interval', '1s'], /--interval cannot be combined with --html/],
    [[SERVER, '--html', page, '--each'], /--each cannot be combined with --html/],
    [[SERVER, '--pping', '-', '--each'], /--each cannot be combined with --pping/],
    [[SERVER, '--html', '-'], /--html needs a file name/],
    [[SERVER, '--html', SERVER], /refusing to overwrite a capture/],
    [[SERVER, '--pping', SERVER], /refusing to overwrite a capture/],
    [['merge', SERVER, '--html', SERVER], /refusing to overwrite a capture/],
  ] as const) {
    const run = runCli([...args]);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  }
  assert.ok(!existsSync(page), 'nothing written');
});
