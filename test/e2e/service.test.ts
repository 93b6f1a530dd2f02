/**
 * Live mode as a service, end to end as root: a real Prometheus server scraping rttscan across
 * an injected delay, promtool's lint of a scrape, DogStatsD distributions read by a real UDP
 * socket, and the rest of issue 13 (config files, several interfaces, SIGHUP, streaming, which
 * process). Namespaces are the test's own, named with its pid.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCsv } from '../helpers/cli.js';
import { background, createNetnsPair, pingPong, skipUnlessLive, startEchoServer, startLive, stopProcess } from '../helpers/live.js';
import { tempDir } from '../helpers/paths.js';
import { httpGet, skipUnlessService, startDelayPair, startPrometheus, until } from '../helpers/service.js';

const CLIENT = '127.0.0.1';
const SERVER = '127.0.0.2';

interface IntervalLine {
  inputs: Array<{ path: string; packets: number; tcp_packets: number; live: { kernel_received: number; kernel_dropped: number } }>;
  summary: { samples: number };
  counters: { flows: { created: number; active: number }; rtt: { samples: number } };
  groups: Array<{ key: string; process?: { pid: number; command: string; cgroup: string } | null; samples: number }>;
}

function jsonLines(text: string): IntervalLine[] {
  return text
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as IntervalLine);
}

/** A UDP socket on loopback that keeps every line it receives. */
async function statsdListener(t: import('node:test').TestContext): Promise<{ port: number; lines: () => string[] }> {
  const receiver = createSocket('udp4');
  await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
  t.after(() => receiver.close());
  const lines: string[] = [];
  receiver.on('message', (msg) => lines.push(...msg.toString('utf8').split('\n')));
  return { port: receiver.address().port, lines: () => lines };
}

test('--prometheus: a real Prometheus server scrapes rttscan every second; histogram_quantile(0.5) is within 10% of the injected 25 ms; promtool passes a scrape', async (t) => {
  if (skipUnlessLive(t) || skipUnlessService(t, ['prometheus', 'promtool', 'curl'], true)) return;
  const ends = await startDelayPair(t, 10, 15);
  const port = await startEchoServer(t, ends.ip_b, ends.ns_b);
  const live = await startLive(['--live', ends.dev_a, '--prometheus', '127.0.0.1:9464', '--by', 'raddr', '--duration', '90s'], ends.ns_a);
  t.after(() => live.child.kill('SIGKILL'));
  assert.match(live.stderr(), /Prometheus metrics at http:\/\/127\.0\.0\.1:9464\/metrics/);
  const prometheus = await startPrometheus(t, ends.ns_a, '127.0.0.1:9464');
  await until('Prometheus to scrape rttscan', () => (prometheus.query('up{job="rttscan"} == 1').length === 1 ? true : undefined));
  await pingPong(ends.ip_b, port, { count: 60, gapMs: 10, netns: ends.ns_a });
  const samples = await until('the samples to reach Prometheus', () => {
    const r = prometheus.query('rttscan_rtt_samples_total');
    const n = Number(r[0]?.value[1] ?? 0);
    return n >= 60 ? n : undefined;
  });
  const median = Number(prometheus.query('histogram_quantile(0.5, rttscan_rtt_seconds_bucket)')[0]!.value[1]);
  assert.ok(Math.abs(median - 0.025) <= 0.0025, `histogram_quantile(0.5) = ${median} s, not within 10% of 25 ms`);
  // Per remote host: the one peer, with every sample.
  const byHost = prometheus.query('rttscan_rtt_by_host_seconds_count');
  assert.deepEqual(
    byHost.map((r) => [r.metric.host, Number(r.value[1])]),
    [[ends.ip_b, samples]],
  );
  const hostMedian = Number(prometheus.query(`histogram_quantile(0.5, rttscan_rtt_by_host_seconds_bucket{host="${ends.ip_b}"})`)[0]!.value[1]);
  assert.ok(Math.abs(hostMedian - 0.025) <= 0.0025, `per-host median ${hostMedian} s`);
  const packets = Number(prometheus.query(`rttscan_packets_total{interface="${ends.dev_a}"}`)[0]!.value[1]);
  assert.ok(packets >= 2 * 60, `${packets} packets`);
  assert.equal(Number(prometheus.query(`rttscan_kernel_dropped_packets_total{interface="${ends.dev_a}"}`)[0]!.value[1]), 0);

  // The text format passes promtool's lint; OpenMetrics when asked for it (as Prometheus does).
  const text = httpGet(ends.ns_a, 'http://127.0.0.1:9464/metrics');
  assert.match(text.headers, /content-type: text\/plain; version=0\.0\.4/i);
  const lint = spawnSync('promtool', ['check', 'metrics'], { input: text.body, encoding: 'utf8' });
  assert.equal(lint.status, 0, `promtool check metrics: ${lint.stdout}${lint.stderr}`);
  const open = httpGet(ends.ns_a, 'http://127.0.0.1:9464/metrics', ['Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5']);
  assert.match(open.headers, /content-type: application\/openmetrics-text; version=1\.0\.0/i);
  assert.match(open.body, /^rttscan_rtt_samples_total \d+$/m);
  assert.ok(open.body.endsWith('# EOF\n'));
  assert.equal(await stopProcess(live), 0, live.stderr());
});

test("--config go-metro.yaml as go-metro reads it, with --statsd-type distribution: every sample reaches a real UDP listener, tagged with the instance's tags; interval lines carry their counters", async (t) => {
  if (skipUnlessLive(t)) return;
  const dir = await tempDir(t);
  const statsd = await statsdListener(t);
  const port = await startEchoServer(t, SERVER);
  const config = join(dir, 'go-metro.yaml');
  writeFileSync(
    config,
    [
      'init_config:',
      '    snaplen: 512',
      '    idle_ttl: 300',
      '    exp_ttl: 60',
      '    statsd_ip: 127.0.0.1',
      `    statsd_port: ${statsd.port}`,
      '    log_to_file: false',
      '    log_level: info',
      'config:',
      '- interface: lo',
      '  tags:',
      '    - foo:bar',
      '  ips:',
      `    - ${SERVER}`,
      '',
    ].join('\n'),
  );
  // Flags over the file: the filter, the interval, the local side, the metric type.
  const live = await startLive([
    '--config',
    config,
    '--filter',
    `tcp port ${port}`,
    '--local',
    CLIENT,
    '--interval',
    '1s',
    '--duration',
    '3s',
    '--statsd-type',
    'distribution',
    '--json',
  ]);
  assert.match(live.stderr(), new RegExp(`capturing on lo with \\w+ \\(filter 'tcp port ${port}', snaplen 512\\)`));
  await pingPong(SERVER, port, { count: 40, gapMs: 5, localHost: CLIENT });
  assert.equal(await live.done, 0, live.stderr());
  const reports = jsonLines(live.stdout());
  const samples = reports.reduce((n, r) => n + r.summary.samples, 0);
  assert.ok(samples >= 40, `${samples} samples`);
  await until('the datagrams', () => (statsd.lines().filter((l) => l.includes('|d|')).length > 0 ? true : undefined), 5000);
  const tags = `#src:${CLIENT},dst:${SERVER},iface:lo,foo:bar`;
  const distribution = statsd.lines().filter((l) => l.includes('|d|'));
  for (const line of distribution) assert.match(line, new RegExp(`^system\\.net\\.tcp\\.rtt(:\\d+(\\.\\d+)?)+\\|d\\|${tags}$`));
  const values = distribution.flatMap((l) => l.slice('system.net.tcp.rtt:'.length, l.indexOf('|')).split(':'));
  assert.equal(values.length, samples, 'one distribution value per sample');
  assert.ok(statsd.lines().some((l) => l.startsWith('system.net.tcp.rtt.avg:') && l.endsWith(`|g|${tags}`)));
  // The interval lines carry that interval's inputs and counters, the kernel's included.
  const packets = reports.reduce((n, r) => n + r.inputs[0]!.packets, 0);
  assert.ok(packets >= 80, `${packets} packets in the interval lines`);
  assert.equal(reports.reduce((n, r) => n + r.counters.rtt.samples, 0) >= samples, true);
  assert.ok(reports.reduce((n, r) => n + r.inputs[0]!.live.kernel_received, 0) >= packets);
  assert.ok(reports.every((r) => r.inputs[0]!.live.kernel_dropped === 0));
});

test('--config rttscan.yaml: options from the file, flags over it; the hosts whitelist follows a name re-resolved while running', async (t) => {
  if (skipUnlessLive(t)) return;
  const pair = createNetnsPair(t);
  const second = pair.ipB.replace(/\.2$/, '.3');
  spawnSync('ip', ['-n', pair.nsB, 'addr', 'add', `${second}/24`, 'dev', pair.devB]);
  // ip netns exec gives the namespace /etc/netns/NS/hosts as its /etc/hosts.
  const hostsDir = `/etc/netns/${pair.nsA}`;
  mkdirSync(hostsDir, { recursive: true });
  t.after(() => rmSync(hostsDir, { recursive: true, force: true }));
  const name = `svc-${process.pid}.test`;
  writeFileSync(join(hostsDir, 'hosts'), `127.0.0.1 localhost\n${pair.ipB} ${name}\n`);
  const portB = await startEchoServer(t, pair.ipB, pair.nsB);
  const portB2 = await startEchoServer(t, second, pair.nsB);
  const dir = await tempDir(t);
  const config = join(dir, 'rttscan.yaml');
  writeFileSync(config, [`live: ${pair.devA}`, 'interval: 5s', 'json: true', `hosts: [${name}]`, 'resolve-interval: 1s', ''].join('\n'));
  const live = await startLive(['--config', config, '--interval', '1s', '--csv', join(dir, 'samples.csv'), '--duration', '60s'], pair.nsA);
  assert.match(live.stderr(), new RegExp(`hosts: ${name.replace(/\./g, '\\.')} is ${pair.ipB.replace(/\./g, '\\.')}`));
  await pingPong(pair.ipB, portB, { count: 10, gapMs: 2, netns: pair.nsA });
  await pingPong(second, portB2, { count: 10, gapMs: 2, netns: pair.nsA });
  // The name moves: written in place (the namespace's /etc/hosts is a bind mount of this file).
  writeFileSync(join(hostsDir, 'hosts'), `127.0.0.1 localhost\n${second} ${name}\n`);
  await live.waitFor(new RegExp(`hosts: .* is ${second.replace(/\./g, '\\.')} \\(was`), 'stderr', 10_000);
  await pingPong(pair.ipB, portB, { count: 10, gapMs: 2, netns: pair.nsA });
  await pingPong(second, portB2, { count: 10, gapMs: 2, netns: pair.nsA });
  assert.equal(await stopProcess(live), 0, live.stderr());
  const rows = parseCsv(readFileSync(join(dir, 'samples.csv'), 'utf8'));
  const before = rows.filter((r) => r.dport === portB);
  const after = rows.filter((r) => r.dport === portB2);
  assert.ok(before.length >= 10 && after.length >= 10, `${before.length} samples from ${pair.ipB}, ${after.length} from ${second}`);
  const moved = Math.min(...after.map((r) => Number(r.ts)));
  assert.ok(
    before.every((r) => Number(r.ts) < moved),
    'samples to the old address stop when the name moves',
  );
  // The flag's interval (1 s), not the file's (5 s): several lines for a run of a few seconds.
  assert.ok(jsonLines(live.stdout()).length >= 2);
});

test('--live lo --live VETH: two interfaces in one analysis, each counted', async (t) => {
  if (skipUnlessLive(t)) return;
  const pair = createNetnsPair(t);
  const portB = await startEchoServer(t, pair.ipB, pair.nsB);
  const portLo = await startEchoServer(t, '127.0.0.2', pair.nsA);
  const live = await startLive(['--live', 'lo', '--live', pair.devA, '--local', `${pair.ipA},127.0.0.1`, '--by', 'raddr', '--json', '--duration', '60s'], pair.nsA);
  assert.match(live.stderr(), new RegExp(`capturing on lo, ${pair.devA} with`));
  await pingPong(pair.ipB, portB, { count: 20, gapMs: 2, netns: pair.nsA });
  await pingPong('127.0.0.2', portLo, { count: 20, gapMs: 2, netns: pair.nsA, localHost: '127.0.0.1' });
  assert.equal(await stopProcess(live), 0, live.stderr());
  const doc = JSON.parse(live.stdout()) as { inputs: Array<{ path: string; packets: number }>; groups: Array<{ key: string; samples: number }> };
  assert.deepEqual(
    doc.inputs.map((i) => i.path),
    ['lo', pair.devA],
  );
  assert.ok(
    doc.inputs.every((i) => i.packets >= 40),
    JSON.stringify(doc.inputs),
  );
  const groups = Object.fromEntries(doc.groups.map((g) => [g.key, g.samples]));
  assert.ok(groups[pair.ipB]! >= 20 && groups['127.0.0.2']! >= 20, JSON.stringify(groups));
  assert.match(live.stderr(), /kernel \(lo\): \d+ packets received/);
});

test('--prometheus on an address in use: one line, exit 2, before any capture starts', async (t) => {
  if (skipUnlessLive(t)) return;
  const { createServer } = await import('node:net');
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  t.after(() => busy.close());
  const { runCli } = await import('../helpers/cli.js');
  const port = (busy.address() as { port: number }).port;
  const r = runCli(['--live', 'lo', '--prometheus', `127.0.0.1:${port}`, '--duration', '1s']);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, `rttscan: --prometheus 127.0.0.1:${port}: cannot listen (address in use)\n`);
});

test('--live: an option that takes one value, given twice, is refused rather than silently dropped', async () => {
  const { runCli } = await import('../helpers/cli.js');
  const r = runCli(['--live', 'lo', '--filter', 'tcp', '--filter', 'udp']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--filter <bpf>' argument 'udp' is invalid\. given twice \('tcp', then 'udp'\)/);
  const twice = runCli(['--live', 'lo', '--live', 'lo']);
  assert.equal(twice.status, 2);
  assert.equal(twice.stderr, 'rttscan: --live lo is given twice: each interface once\n');
});

test('SIGHUP: rotated output files (CSV, interval JSON, TCP-RT) are reopened without losing a line; the run goes on', async (t) => {
  if (skipUnlessLive(t)) return;
  const dir = await tempDir(t);
  const port = await startEchoServer(t, SERVER);
  const csv = join(dir, 'rtt.csv');
  const lines = join(dir, 'rtt.jsonl');
  const tcprt = join(dir, 'tcprt');
  const live = await startLive([
    '--live',
    'lo',
    '--filter',
    `tcp port ${port}`,
    '--local',
    SERVER,
    '--interval',
    '1s',
    '--csv',
    csv,
    '--json',
    lines,
    '--tcprt',
    tcprt,
    '--lports',
    String(port),
    '--duration',
    '60s',
  ]);
  await pingPong(SERVER, port, { count: 10, gapMs: 2, localHost: CLIENT });
  await until('the first interval line', () => (existsSync(lines) && readFileSync(lines, 'utf8').length > 0 ? true : undefined), 5000);
  for (const f of [csv, lines, join(tcprt, 'rt-network-log')]) renameSync(f, `${f}.1`);
  live.child.kill('SIGHUP');
  await live.waitFor(/SIGHUP: output files reopened/);
  // rttscan says so before the files are (main.ts does not wait for RunOutputs.reopenFiles): a
  // sample written in between lands in the new CSV file ahead of its header. The next traffic
  // waits for the new files, as it did when it came from a process that took a Node start.
  await until('the reopened files', () => (existsSync(lines) && existsSync(csv) && readFileSync(csv, 'utf8').startsWith('ts,') ? true : undefined), 5000);
  await pingPong(SERVER, port, { count: 10, gapMs: 2, localHost: CLIENT });
  await new Promise((resolve) => setTimeout(resolve, 1200)); // one more interval line
  assert.equal(await stopProcess(live), 0, live.stderr());
  const rows = [...parseCsv(readFileSync(`${csv}.1`, 'utf8')), ...parseCsv(readFileSync(csv, 'utf8'))];
  const reports = [...jsonLines(readFileSync(`${lines}.1`, 'utf8')), ...jsonLines(readFileSync(lines, 'utf8'))];
  assert.ok(jsonLines(readFileSync(lines, 'utf8')).length >= 1, 'interval lines after the rotation');
  assert.equal(
    rows.length,
    reports.reduce((n, r) => n + r.summary.samples, 0),
    'every sample in one of the two CSV files, counted by one interval line',
  );
  const records = [readFileSync(`${join(tcprt, 'rt-network-log')}.1`, 'utf8'), readFileSync(join(tcprt, 'rt-network-log'), 'utf8')];
  assert.ok(
    records.every((text) => /^V6 E /m.test(text)),
    "each connection's records on its side of the rotation",
  );
});

for (const where of ['file', 'stdout'] as const) {
  test(`live --tcprt to ${where}: a connection's records are there within 1 s of its close`, async (t) => {
    if (skipUnlessLive(t)) return;
    const dir = await tempDir(t);
    const port = await startEchoServer(t, SERVER);
    const target = where === 'file' ? ['--tcprt', dir] : ['--tcprt'];
    const live = await startLive(['--live', 'lo', '--filter', `tcp port ${port}`, '--local', SERVER, ...target, '--lports', String(port), '--duration', '30s']);
    t.after(() => live.child.kill('SIGKILL'));
    await pingPong(SERVER, port, { count: 5, gapMs: 2, localHost: CLIENT });
    const closedAt = Date.now();
    const text = (): string => (where === 'file' ? (existsSync(join(dir, 'rt-network-log')) ? readFileSync(join(dir, 'rt-network-log'), 'utf8') : '') : live.stdout());
    await until('the E record', () => (/^V6 E /m.test(text()) ? true : undefined), 5000);
    const delayMs = Date.now() - closedAt;
    assert.ok(delayMs <= 1000, `the records took ${delayMs} ms`);
    assert.equal(
      text()
        .split('\n')
        .filter((l) => l.startsWith('V6 R ')).length,
      5,
    );
  });
}

test('--by process: the curl client and the python3 server of a connection on loopback, by pid, in the table, the JSON, the StatsD tags and the Prometheus labels', async (t) => {
  if (skipUnlessLive(t) || skipUnlessService(t, ['curl', 'python3'])) return;
  const dir = await tempDir(t);
  // A server that takes a second to answer, so the connection is open while /proc is read.
  const handler = [
    'import http.server, time',
    'class Slow(http.server.BaseHTTPRequestHandler):',
    '    def do_GET(self):',
    '        time.sleep(1); self.send_response(200); self.end_headers(); self.wfile.write(b"x" * 100000)',
    '    def log_message(self, *args): pass',
    'server = http.server.HTTPServer(("127.0.0.1", 0), Slow)',
    'print(server.server_address[1], flush=True)',
    'server.serve_forever()',
  ].join('\n');
  const server = background('python3', ['-c', handler]);
  t.after(() => server.child.kill('SIGTERM'));
  await server.waitFor(/^\d+\n/, 'stdout', 10_000);
  const port = Number(server.stdout().trim());
  const statsd = await statsdListener(t);
  const jsonPath = join(dir, 'rtt.json');
  const live = await startLive([
    '--live',
    'lo',
    '--filter',
    `tcp port ${port}`,
    '--by',
    'process',
    '--include-local',
    '--json',
    jsonPath,
    '--statsd',
    `127.0.0.1:${statsd.port}`,
    '--interval',
    '1s',
    '--prometheus',
    '127.0.0.1:0',
    '--duration',
    '30s',
  ]);
  const url = /Prometheus metrics at (\S+)/.exec(live.stderr())![1]!;
  const curl = spawnSync('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', `http://127.0.0.1:${port}/`], { encoding: 'utf8' });
  assert.equal(curl.stdout, '200');
  const scrape = httpGet(undefined, url).body;
  await new Promise((resolve) => setTimeout(resolve, 1200));
  assert.equal(await stopProcess(live), 0, live.stderr());
  const lines = jsonLines(readFileSync(jsonPath, 'utf8'));
  const groups = lines.flatMap((l) => l.groups);
  const commands = new Set(groups.map((g) => g.process?.command));
  assert.ok(commands.has('curl') && commands.has('python3'), `processes: ${[...commands].join(', ')}`);
  const serverGroup = groups.find((g) => g.process?.command === 'python3')!;
  assert.equal(serverGroup.process!.pid, server.child.pid);
  assert.equal(serverGroup.key, `python3[${server.child.pid}]`);
  assert.equal(typeof serverGroup.process!.cgroup, 'string');
  assert.ok(
    statsd.lines().some((l) => /\|g\|#src:127\.0\.0\.1,dst:127\.0\.0\.1,process:curl,iface:lo$/.test(l)),
    statsd.lines().slice(0, 5).join('\n'),
  );
  assert.ok(statsd.lines().some((l) => l.includes(',process:python3,')));
  assert.match(scrape, /^rttscan_rtt_by_process_seconds_count\{process="curl"\} \d+$/m);
  assert.match(scrape, /^rttscan_rtt_by_process_seconds_count\{process="python3"\} \d+$/m);
});
