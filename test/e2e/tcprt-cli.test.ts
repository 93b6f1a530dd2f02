/**
 * `rttscan --tcprt` on real captures, as users run it.
 *   - delaylab HTTP captures (samples/<dir>/truth.json lists every request's server sleep):
 *     from the server with --lports 8080, one R per request in order, server_us = the sleep
 *     (within 2 ms), tasks numbered 1..n, one E per connection; from the client with
 *     --pports 8080, one P per request, server_us = sleep + the injected RTT (+ up to 3 ms).
 *   - real TLS 1.2 / 1.3 (openssl s_server) and Expect: 100-continue captures
 *     (samples/tcprt-lab.py) in the https and http modes.
 *   - DIR output, --json's tcprt section, errors, and golden files of the log and stats lines.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasCommand, runCliInProcess } from '../helpers/cli.js';
import { REPO_ROOT, SAMPLES_DIR, tempDir } from '../helpers/paths.js';

interface Request {
  conn: number;
  seq: number;
  service_ms: number;
  bytes: number;
}

interface Truth {
  rtt_ms: number;
  server_port: number;
  requests: Request[];
  bulk_bytes?: number;
}

interface Line {
  type: string;
  start: string;
  peer: string;
  local: string;
  fields: number[];
}

function parse(stdout: string): { records: Line[]; stats: string[] } {
  const records: Line[] = [];
  const stats: string[] = [];
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    if (!line.startsWith('V')) {
      stats.push(line);
      continue;
    }
    assert.ok(line.endsWith(' '), `a record line ends with a space: '${line}'`);
    const [, type, sec, usec, peer, local, ...rest] = line.trimEnd().split(' ');
    records.push({ type: type!, start: `${sec}.${usec}`, peer: peer!, local: local!, fields: rest.map(Number) });
  }
  return { records, stats };
}

/** Records grouped by connection (the client's address:port), connections in order of their first record. */
function byConnection(records: Line[], clientOf: (r: Line) => string): Line[][] {
  const conns = new Map<string, Line[]>();
  for (const r of records) {
    const key = clientOf(r);
    if (!conns.has(key)) conns.set(key, []);
    conns.get(key)!.push(r);
  }
  return [...conns.values()];
}

const httpLabs = ['http-v4', 'http-v6-pcapng', 'mixed-loss'];

for (const dir of httpLabs) {
  const truth = JSON.parse(readFileSync(join(SAMPLES_DIR, dir, 'truth.json'), 'utf8')) as Truth;
  const files = readdirSync(join(SAMPLES_DIR, dir));
  const server = files.find((f) => f.startsWith('server'))!;
  const client = files.find((f) => f.startsWith('client') && !f.endsWith('.gz'))!;
  const conns = [...new Set(truth.requests.map((r) => r.conn))];
  const expected = conns.map((c) => truth.requests.filter((r) => r.conn === c).sort((a, b) => a.seq - b.seq));

  test(`${dir}/${server} --tcprt --lports ${truth.server_port}: one R per request, server_us = the sleep within 2 ms`, async () => {
    const run = await runCliInProcess([join('samples', dir, server), '--tcprt', '--lports', String(truth.server_port), '-q']);
    assert.equal(run.status, 0, run.stderr);
    const { records } = parse(run.stdout);
    const connections = byConnection(records, (r) => r.peer);
    // mixed-loss ends with one bulk GET on a connection of its own, not in `requests`.
    assert.equal(connections.length, conns.length + (truth.bulk_bytes !== undefined ? 1 : 0));
    expected.forEach((requests, i) => {
      const recs = connections[i]!;
      const tasks = recs.filter((r) => r.type === 'R');
      assert.deepEqual(
        recs.map((r) => r.type),
        [...requests.map(() => 'R'), 'E'],
        `connection ${i}`,
      );
      tasks.forEach((r, k) => {
        const [sent, totalUs, minRttUs, , taskNo, serverUs] = r.fields as [number, number, number, number, number, number];
        assert.equal(taskNo, k + 1);
        const sleepUs = requests[k]!.service_ms * 1000;
        assert.ok(serverUs >= sleepUs && serverUs <= sleepUs + 2000, `conn ${i} task ${k + 1}: server_us ${serverUs}, sleep ${sleepUs}`);
        // The body plus the headers of Python's http.server (about 115 bytes).
        assert.ok(sent - requests[k]!.bytes > 80 && sent - requests[k]!.bytes < 200, `sent ${sent} for a ${requests[k]!.bytes}-byte body`);
        assert.ok(minRttUs >= truth.rtt_ms * 1000 && minRttUs < truth.rtt_ms * 1100, `minrtt ${minRttUs}`);
        assert.ok(totalUs >= serverUs + minRttUs, `total ${totalUs} holds server time and at least one RTT`);
      });
      const e = recs.at(-1)!;
      assert.equal(e.fields[0], requests.length, 'E: last task number');
    });
  });

  test(`${dir}/${client} --tcprt --pports ${truth.server_port}: one P per request, server_us = sleep + RTT`, async () => {
    const run = await runCliInProcess([join('samples', dir, client), '--tcprt', '--pports', String(truth.server_port), '-q']);
    assert.equal(run.status, 0, run.stderr);
    const { records } = parse(run.stdout);
    const connections = byConnection(records, (r) => r.local);
    assert.equal(connections.length, conns.length + (truth.bulk_bytes !== undefined ? 1 : 0));
    expected.forEach((requests, i) => {
      const recs = connections[i]!;
      assert.deepEqual(
        recs.map((r) => r.type),
        [...requests.map(() => 'P'), 'E'],
        `connection ${i}`,
      );
      recs.slice(0, -1).forEach((r, k) => {
        const [, , , retrans, taskNo, serverUs, , respBytes, reorder] = r.fields as number[];
        assert.equal(taskNo, k + 1);
        assert.ok(respBytes! - requests[k]!.bytes > 80 && respBytes! - requests[k]!.bytes < 200, `resp_bytes ${respBytes}`);
        // A response whose first segment was lost on the way arrives late: only clean tasks are timed.
        if (retrans !== 0 || reorder !== 0 || truth.bulk_bytes !== undefined) return;
        const lowUs = (requests[k]!.service_ms + truth.rtt_ms) * 1000;
        assert.ok(serverUs! >= lowUs && serverUs! <= lowUs + 3000, `conn ${i} task ${k + 1}: server_us ${serverUs}, expected ${lowUs} + up to 3 ms`);
      });
    });
  });
}

test('server and client views of the same tasks agree: R sent bytes = P response bytes', async () => {
  const server = parse((await runCliInProcess(['samples/http-v4/server.pcap', '--tcprt', '--lports', '8080', '-q'])).stdout).records.filter((r) => r.type === 'R');
  const client = parse((await runCliInProcess(['samples/http-v4/client.pcap', '--tcprt', '--pports', '8080', '-q'])).stdout).records.filter((r) => r.type === 'P');
  const key = (r: Line, conn: string): string => `${conn} ${r.fields[4]}`;
  const sent = new Map(server.map((r) => [key(r, r.peer), r.fields[0]]));
  assert.equal(client.length, 20);
  for (const p of client) assert.equal(p.fields[7], sent.get(key(p, p.local)), `task ${key(p, p.local)}`);
});

test('the side comes from the vantage: on the client, --lports 8080 gives nothing (a note says why) and --pports 8080 the P lines', async () => {
  for (const local of [[], ['--local', '10.99.0.1']]) {
    const lports = await runCliInProcess(['samples/http-v4/client.pcap', '--tcprt', '--lports', '8080', ...local]);
    assert.equal(lports.status, 0, lports.stderr);
    assert.equal(lports.stdout, '');
    assert.match(
      lports.stderr,
      /rttscan: tcprt: 4 connections match a rule only at an end that is not the capture host \(e\.g\. 10\.99\.0\.2:8080, a local rule's port, is the remote end\).*\(a remote server's port is --pports\)\n/,
    );
    assert.match(lports.stderr, /tcprt: 0 connections watched, records 0 R, 0 P, 0 W, 0 N, 0 E/);
  }
  // Inferred (the client acknowledges in µs) or given, the same P lines.
  const inferred = await runCliInProcess(['samples/http-v4/client.pcap', '--tcprt', '--pports', '8080', '-q']);
  const given = await runCliInProcess(['samples/http-v4/client.pcap', '--tcprt', '--pports', '8080', '--local', '10.99.0.1', '-q']);
  assert.equal(inferred.stdout, given.stdout);
  assert.equal(parse(given.stdout).records.filter((r) => r.type === 'P').length, 20);
  // On the server, the reverse.
  const server = await runCliInProcess(['samples/http-v4/server.pcap', '--tcprt', '--pports', '8080', '--local', '10.99.0.2']);
  assert.equal(server.stdout, '');
  assert.match(server.stderr, /e\.g\. the client 10\.99\.0\.1:\d+ of 10\.99\.0\.2:8080, a peer rule's port, is the remote end.*the capture host's own server port is --lports/);
});

test('mid-path (--local names neither end): read by the ports alone, and stderr says which side was assumed', async () => {
  const run = await runCliInProcess(['samples/http-v4/client.pcap', '--tcprt', '--lports', '8080', '--local', '10.99.0.9']);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(parse(run.stdout).records.filter((r) => r.type === 'R').length, 20);
  assert.match(
    run.stderr,
    /rttscan: tcprt: 4 connections have no end on the capture host \(mid-path, or not inferred; set --local\): read by the ports alone, as if captured at the end whose port matched \(e\.g\. 10\.99\.0\.2:8080, taken as the server\)/,
  );
});

test('both ends on the capture host (loopback, real): the server socket gives R, the client socket P, for the same tasks', async () => {
  const run = await runCliInProcess(['samples/loopback-sll2-ns.pcap', '--tcprt', '--lports', '18765', '--pports', '18765', '--local', '127.0.0.1,::1', '-q']);
  assert.equal(run.status, 0, run.stderr);
  const { records } = parse(run.stdout);
  const r = records.filter((x) => x.type === 'R');
  const p = records.filter((x) => x.type === 'P');
  assert.equal(r.length, 5);
  assert.equal(p.length, 5);
  // Each R (server: peer = client) meets the P of the same connection (client: local = client).
  for (const task of r) {
    const twin = p.find((x) => x.local === task.peer && x.peer === task.local)!;
    assert.ok(twin, `no P for ${task.peer}`);
    assert.equal(twin.fields[7], task.fields[0], 'P resp_bytes = R sent_bytes');
    assert.equal(twin.fields[0], task.fields[7], 'P sent_bytes = R recv_bytes');
  }
});

test('TLS 1.2 (openssl s_server, real): two R.H per full handshake, R.A for the response with close_notify', async () => {
  const run = await runCliInProcess(['samples/tls12-v4/server.pcap', '--tcprt', '--lports', '8443', '--tcprt-mode', 'https', '-q']);
  assert.equal(run.status, 0, run.stderr);
  const { records } = parse(run.stdout);
  // The first connection: full handshake; the second resumes the session (one flight each way).
  assert.deepEqual(
    records.map((r) => r.type),
    ['R.H', 'R.H', 'R.A', 'E', 'R.H', 'R.A', 'E'],
  );
  for (const r of records.filter((r) => r.type.startsWith('R'))) {
    assert.equal(r.fields.length, 12, 'V7: srtt and cwnd after the V6 fields');
    assert.ok(r.fields[1]! >= 10000, `each phase takes at least the 10 ms RTT: ${r.fields[1]}`);
  }
  // 2000-byte file with its HTTP/1.0 header, encrypted: about 2100 bytes.
  assert.ok(Math.abs(records[2]!.fields[0]! - 2100) < 50, `response bytes ${records[2]!.fields[0]}`);
});

test('TLS 1.3 (real): one R.H with H = ClientHello to the client Finished; the request after it is task 2', async () => {
  const run = await runCliInProcess(['samples/tls13-v4/server.pcap', '--tcprt', '--lports', '8443', '--tcprt-mode', 'https', '-q']);
  assert.equal(run.status, 0, run.stderr);
  const { records } = parse(run.stdout);
  assert.deepEqual(
    records.map((r) => r.type),
    // R.A: each response ends with the server's close_notify, encrypted, 19 bytes (see tls13-alert-v4).
    ['R.H', 'R.A', 'E', 'R.H', 'R.A', 'E'],
  );
  for (const hs of [records[0]!, records[3]!]) {
    // fields: 12 numbers, then 'H' (NaN as a number) and the handshake µs.
    assert.ok(Number.isNaN(hs.fields[12]), 'H marker');
    const handshakeUs = hs.fields[13]!;
    assert.ok(handshakeUs >= 10000 && handshakeUs < 20000, `handshake ${handshakeUs} µs over a 10 ms RTT`);
    assert.ok(handshakeUs > hs.fields[1]!, 'the handshake outlasts its first phase');
  }
  assert.equal(records[1]!.fields[4], 2);
});

test('TLS 1.3 alerts (real, encrypted): R.A for each task that carried a 19-byte record, which the keys show is an alert', async () => {
  const dir = join(SAMPLES_DIR, 'tls13-alert-v4');
  const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as {
    alerts: Array<{ frame: number; stream: number; from_port: number; description: number; record_lengths: number[]; outer_types: number[] }>;
  };
  const run = await runCliInProcess(['samples/tls13-alert-v4/server.pcap', '--tcprt', '--lports', '8443,8444', '--tcprt-mode', 'https', '-q']);
  assert.equal(run.status, 0, run.stderr);
  const connections = byConnection(parse(run.stdout).records, (r) => r.peer);
  assert.deepEqual(
    connections.map((c) => c.map((r) => r.type)),
    [
      ['R.H', 'R.A', 'E'], // curl: the server's close_notify ends the response; the client's opens task 3, answered by a FIN only
      ['R.H', 'R.A', 'E'], // s_client: the same
      ['R.H', 'E'], // the client refuses the certificate: its (plaintext) alert opens task 2, answered by a FIN only
      ['R.H', 'R.A', 'E'], // no client certificate: the server's certificate_required alert is task 2's response
    ],
  );
  // The truth (tshark, decrypting with keylog.txt): every encrypted alert is a 19-byte record.
  const encrypted = truth.alerts.filter((a) => a.outer_types.includes(23));
  assert.equal(encrypted.length, 5);
  assert.ok(encrypted.every((a) => a.record_lengths.join() === '19'));
  // The connections with R.A are those where the server sent an encrypted alert.
  const serverAlertStreams = new Set(encrypted.filter((a) => a.from_port === 8443 || a.from_port === 8444).map((a) => a.stream));
  assert.deepEqual(
    connections.flatMap((c, i) => (c.some((r) => r.type === 'R.A') ? [i] : [])),
    [...serverAlertStreams].sort(),
  );
  if (!hasCommand('tshark')) return;
  // And no 19-byte record is anything but an alert: the frames holding one are the alerts' frames.
  const keys = ['-o', `tls.keylog_file:${join(dir, 'keylog.txt')}`];
  const frames = (filter: string, withKeys: boolean): string =>
    spawnSync('tshark', ['-r', join(dir, 'server.pcap'), ...(withKeys ? keys : []), '-Y', filter, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' }).stdout;
  assert.equal(frames('tls.record.length == 19', false), frames('tls.alert_message && tls.record.length == 19', true));
});

test('Expect: 100-continue (real, http mode): R.C for each 100 Continue, then R with the sleep as server time', async () => {
  const truth = JSON.parse(readFileSync(join(SAMPLES_DIR, 'expect100-v4', 'truth.json'), 'utf8')) as { posts: Array<{ service_ms: number }> };
  const run = await runCliInProcess(['samples/expect100-v4/server.pcap', '--tcprt', '--lports', '8080', '--tcprt-mode', 'http', '-q']);
  assert.equal(run.status, 0, run.stderr);
  const { records } = parse(run.stdout);
  assert.deepEqual(
    records.map((r) => r.type),
    ['R.C', 'R', 'R.C', 'R', 'R.C', 'R', 'E'],
  );
  truth.posts.forEach((post, i) => {
    const r = records[2 * i + 1]!;
    const serverUs = r.fields[5]!;
    assert.ok(serverUs >= post.service_ms * 1000 && serverUs <= post.service_ms * 1000 + 2000, `POST ${i + 1}: server_us ${serverUs}`);
    assert.equal(r.fields[7], 5000, 'the body is the request of the second task');
  });
});

test('--tcprt DIR writes rt-network-log and rt-network-stats, the same lines as stdout', async (t) => {
  const dir = join(await tempDir(t), 'out');
  const args = ['samples/http-v4/server.pcap', '--lports', '8080', '--stats-interval', '1s'];
  const toDir = await runCliInProcess([...args, '--tcprt', dir]);
  assert.equal(toDir.status, 0, toDir.stderr);
  // stdout is free: the default table, with TCP-RT per port under the RTT table.
  assert.match(toDir.stdout, /│ tcp-rt port │ tasks │ server p50 │ server p99 │ total p50 │ total p99 │ first byte p50 │ first byte p99 │ failures │\n/);
  assert.match(toDir.stdout, /│ 8080 +│ 20 +│/);
  assert.match(toDir.stderr, /tcprt: 4 connections watched, records 20 R, 0 P, 0 W, 0 N, 4 E in .*rt-network-log/);
  const log = readFileSync(join(dir, 'rt-network-log'), 'utf8');
  const stats = readFileSync(join(dir, 'rt-network-stats'), 'utf8');
  const toStdout = await runCliInProcess([...args, '--tcprt', '-q']);
  const lines = toStdout.stdout.split('\n').filter((l) => l !== '');
  assert.equal(log, lines.filter((l) => l.startsWith('V')).join('\n') + '\n');
  assert.equal(stats, lines.filter((l) => !l.startsWith('V')).join('\n') + '\n');
  assert.equal(stats.split('\n').filter((l) => l !== '').length, 2);
});

test('--json gains a tcprt section: per port the stats fields and the task count', async (t) => {
  const run = await runCliInProcess(['samples/http-v4/server.pcap', '--tcprt', await tempDir(t), '--lports', '8080,9999', '--json', '-', '-q']);
  assert.equal(run.status, 0, run.stderr);
  const doc = JSON.parse(run.stdout) as { tcprt: { ports: Array<Record<string, unknown>>; records: Record<string, number>; connections: Record<string, number> } };
  assert.deepEqual(
    doc.tcprt.ports.map((p) => [p.port, p.side, p.tasks, p.count]),
    [
      [8080, 'local', 20, 20],
      [9999, 'local', 0, 0],
    ],
  );
  assert.deepEqual(Object.keys(doc.tcprt.ports[0]!), [
    'port',
    'side',
    'tasks',
    'count',
    'avg_total_us',
    'avg_server_us',
    'drop_permille',
    'avg_minrtt_us',
    'fail_permille',
    'failures',
    'avg_sent_bytes',
    'avg_upload_us',
    'avg_recv_bytes',
    'server_us',
    'total_us',
    'first_byte_us',
    'merge_state',
  ]);
  // The server times are the sleeps (truth.json): 0, 5 and 50 ms, within 2 ms; the sum is exact.
  const port = doc.tcprt.ports[0]! as Record<string, Record<string, number>> & { count: number; avg_server_us: number };
  const server = port.server_us!;
  assert.ok(server.min! >= 0 && server.min! < 2000, `min ${server.min}`);
  assert.ok(server.max! >= 50000 && server.max! < 52000, `max ${server.max}`);
  assert.ok(server.p99! >= 50000 * 0.99 && server.p99! <= server.max!, `p99 ${server.p99}`);
  assert.equal(Math.floor(server.sum! / port.count), port.avg_server_us);
  const first = port.first_byte_us!;
  assert.ok(first.min! >= server.min! && first.max! >= server.max!, 'first byte = upload + server >= server');
  assert.deepEqual(doc.tcprt.records, { R: 20, P: 0, W: 0, N: 0, E: 4 });
  assert.deepEqual(doc.tcprt.connections, { matched: 4, assumed: 0, remote_only: 0, closed: 4, open_unreported: 0, flushed: 0 });
});

test('usage errors: exit 2 and one line naming the problem', async (t) => {
  const dir = await tempDir(t);
  const notDir = join(dir, 'file.txt');
  await writeFile(notDir, 'x');
  const cases: Array<[string[], RegExp]> = [
    [['samples/http-v4/server.pcap', '--lports', '8080'], /^rttscan: --lports needs --tcprt \(records to stdout\), --tcprt DIR or --tcprt-jsonl \[FILE\]\n$/],
    [['samples/http-v4/server.pcap', '--tcprt'], /^rttscan: --tcprt needs ports to watch: /],
    [['--tcprt', 'samples/http-v4/server.pcap', '--lports', '8080'], /^rttscan: samples\/http-v4\/server\.pcap: refusing to overwrite a capture file with output/],
    [['samples/http-v4/server.pcap', '--tcprt', notDir, '--lports', '8080'], /^rttscan: --tcprt: .*file\.txt is not a directory/],
    [['samples/http-v4/server.pcap', '--tcprt', '--lports', '8080', '--tcprt-config', join(dir, 'none.yaml')], /^rttscan: .*none\.yaml: no such file\n$/],
  ];
  for (const [args, message] of cases) {
    const run = await runCliInProcess(args);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.equal(run.stdout, '');
  }
});

test('--tcprt-config: a tcprt.yaml file picks ports and modes; a bad one is a usage error with its line', async (t) => {
  const dir = await tempDir(t);
  const good = join(dir, 'tcprt.yaml');
  await writeFile(good, 'global: { stats_interval: 1 }\nper-port:\n  - { port: 8443, mode: https }\n');
  const run = await runCliInProcess(['samples/tls12-v4/server.pcap', '--tcprt', '--tcprt-config', good, '-q']);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^V7 R\.H /);
  const bad = join(dir, 'bad.yaml');
  await writeFile(bad, 'per-port:\n  - { port: 8443, mode: tls }\n');
  const err = await runCliInProcess(['samples/tls12-v4/server.pcap', '--tcprt', '--tcprt-config', bad]);
  assert.equal(err.status, 2);
  assert.equal(err.stderr, `rttscan: ${bad}: line 2: per-port[0].mode: 'tls' is not default, http, https\n`);
});

// Golden files: the exact bytes of the log and stats lines. UPDATE_GOLDEN=1 rewrites them.
const GOLDEN_DIR = join(REPO_ROOT, 'test', 'golden', 'tcprt');
const GOLDEN: Record<string, string[]> = {
  'http-v4-server-lports-8080': ['samples/http-v4/server.pcap', '--tcprt', '--lports', '8080', '--stats-interval', '1s'],
  'http-v4-client-pports-8080': ['samples/http-v4/client.pcap', '--tcprt', '--pports', '8080', '--stats-interval', '1s'],
  'http-v6-pcapng-server-http-first-frame': ['samples/http-v6-pcapng/server.pcapng', '--tcprt', '--lports', '8080', '--tcprt-mode', 'http', '--first-frame', '100,2000,20000,0'],
  'mixed-loss-server-lports-range': ['samples/mixed-loss/server.pcap', '--tcprt', '--lports-range', '8000,8099', '--lports', '80', '--stats-interval', '60s'],
  'mixed-loss-client-pports': ['samples/mixed-loss/client.pcap', '--tcprt', '--pports', '8080'],
  'tls12-server-https': ['samples/tls12-v4/server.pcap', '--tcprt', '--lports', '8443', '--tcprt-mode', 'https'],
  'tls13-server-https': ['samples/tls13-v4/server.pcap', '--tcprt', '--lports', '8443', '--tcprt-mode', 'https'],
  'expect100-server-http': ['samples/expect100-v4/server.pcap', '--tcprt', '--lports', '8080', '--tcprt-mode', 'http'],
  'tls13-alert-server-https': ['samples/tls13-alert-v4/server.pcap', '--tcprt', '--lports', '8443,8444', '--tcprt-mode', 'https'],
  'http-v4-server-table': ['samples/http-v4/server.pcap', '--tcprt-jsonl', '/dev/null', '--lports', '8080,9999', '--table'],
  'mixed-loss-server-interval-json': ['samples/mixed-loss/server.pcap', '--tcprt-jsonl', '/dev/null', '--lports', '8080', '--interval', '1s', '--json', '-'],
  'tls13-alert-server-jsonl': ['samples/tls13-alert-v4/server.pcap', '--tcprt-jsonl', '--lports', '8443,8444', '--tcprt-mode', 'https'],
  'http-v6-pcapng-server-first-frame-jsonl': [
    'samples/http-v6-pcapng/server.pcapng',
    '--tcprt-jsonl',
    '--lports',
    '8080',
    '--tcprt-mode',
    'http',
    '--first-frame',
    '100,2000,20000,0',
  ],
  'loopback-both-sockets': ['samples/loopback-sll2-ns.pcap', '--tcprt', '--lports', '18765', '--pports', '18765', '--local', '127.0.0.1,::1'],
};

for (const [name, args] of Object.entries(GOLDEN)) {
  test(`golden: rttscan ${args.join(' ')}`, async () => {
    const run = await runCliInProcess([...args, '-q']);
    assert.equal(run.status, 0, run.stderr);
    assert.equal((await runCliInProcess([...args, '-q'])).stdout, run.stdout, 'output differs between two runs');
    const file = join(GOLDEN_DIR, `${name}.txt`);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
      assert.ok(process.env.UPDATE_GOLDEN === '1', `${file} is missing: run UPDATE_GOLDEN=1 npm test and review it`);
      mkdirSync(GOLDEN_DIR, { recursive: true });
      writeFileSync(file, run.stdout);
      return;
    }
    assert.equal(run.stdout, readFileSync(file, 'utf8'));
  });
}
