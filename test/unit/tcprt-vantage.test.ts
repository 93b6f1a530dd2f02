/**
 * TCP-RT watches the capture host's sockets: local rules match a local end's own port, peer
 * rules the port a local end connects to, as tcp_rt.ko on that host would. The vantage is
 * given (--local), inferred (records held until it is decided, bounded), or names no end of a
 * connection (mid-path): then the ports alone decide, and the records say it was assumed.
 * Client 10.0.0.1:40000+i, server 10.0.0.2:80; the client acknowledges within 50 µs (it is
 * where these captures were taken, as far as the inference can tell), the server after 10 ms.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AnalyzeOptions } from '../../src/analyze.js';
import { parseCidr } from '../../src/flow/address.js';
import { givenVantage } from '../../src/flow/vantage.js';
import { ACK, FIN, PSH, SYN, pcapFile } from '../helpers/capture-writer.js';
import { TcpScript } from '../helpers/tcp-script.js';
import { lport, pport, runTcprt } from '../helpers/tcprt.js';

const CLIENT = '10.0.0.1';
const SERVER = '10.0.0.2';

function at(...hosts: string[]): AnalyzeOptions {
  return {
    vantage: givenVantage(
      hosts.map((h) => parseCidr(h)!),
      hosts,
    ),
  };
}
const INFERRED: AnalyzeOptions = { vantage: undefined };

/**
 * One connection from client port 40000+i, starting at t0 ms: two requests, then a clean close.
 * The client acknowledges `ackMs` after the server's segments (default 50 µs).
 */
function connection(i: number, t0: number, server = SERVER, ackMs = 0.05): TcpScript {
  return new TcpScript({ client: CLIENT, server, clientPort: 40000 + i, serverPort: 80 })
    .c(t0, { seq: 1000, flags: SYN, options: { mss: 1460 } })
    .s(t0 + 10, { seq: 5000, ack: 1001, flags: SYN | ACK, options: { mss: 1460 } })
    .c(t0 + 10 + ackMs, { seq: 1001, ack: 5001 })
    .c(t0 + 20, { seq: 1001, ack: 5001, flags: PSH | ACK, payloadLen: 100 })
    .s(t0 + 45, { seq: 5001, ack: 1101, payloadLen: 1460 })
    .s(t0 + 46, { seq: 6461, ack: 1101, flags: PSH | ACK, payloadLen: 540 })
    .c(t0 + 46 + ackMs, { seq: 1101, ack: 7001 })
    .c(t0 + 60, { seq: 1101, ack: 7001, flags: PSH | ACK, payloadLen: 50 })
    .s(t0 + 75, { seq: 7001, ack: 1151, flags: PSH | ACK, payloadLen: 300 })
    .c(t0 + 75 + ackMs, { seq: 1151, ack: 7301, flags: FIN | ACK })
    .s(t0 + 85, { seq: 7301, ack: 1152, flags: FIN | ACK })
    .c(t0 + 85 + ackMs, { seq: 1152, ack: 7302 });
}

function pcap(scripts: TcpScript[]): Uint8Array {
  const records = scripts.flatMap((s) => s.records);
  records.sort((a, b) => a.sec - b.sec || a.frac - b.frac);
  return pcapFile(records, { nanos: true, linktype: 1 });
}

/** Connections one after another in one capture. */
function capture(n: number, gapMs = 100): Uint8Array {
  return pcap(Array.from({ length: n }, (_, i) => connection(i, i * gapMs)));
}

test('given vantage, the server: --lports 80 watches its sockets, records not assumed', async (t) => {
  const run = await runTcprt(t, capture(1), { rules: [lport(80)] }, at(SERVER));
  assert.deepEqual(
    run.log.map((l) => l.split(' ')[1]),
    ['R', 'R', 'E'],
  );
  assert.deepEqual(run.log[0]!.split(' ').slice(4, 6), [`${CLIENT}:40000`, `${SERVER}:80`]);
  const c = run.result.tcprt!.counters;
  assert.deepEqual([c.connections, c.assumed, c.remoteOnly], [1, 0, 0]);
  assert.deepEqual(
    run.notes.filter((n) => n.startsWith('tcprt')),
    [],
  );
});

test('given vantage, the client: --lports 80 matches only the remote end, so nothing, and a note says why; --pports 80 gives P', async (t) => {
  const lports = await runTcprt(t, capture(2), { rules: [lport(80)] }, at(CLIENT));
  assert.deepEqual(lports.log, []);
  const c = lports.result.tcprt!.counters;
  assert.deepEqual([c.connections, c.remoteOnly], [0, 2]);
  assert.deepEqual(lports.notes, [
    `tcprt: 2 connections match a rule only at an end that is not the capture host (e.g. ${SERVER}:80, a local rule's port, is the remote end): ` +
      "TCP-RT watches the capture host's own sockets, local rules by their own port and peer rules by the port they connect to, so they get no records (a remote server's port is --pports)",
  ]);
  const pports = await runTcprt(t, capture(2), { rules: [pport(80)] }, at(CLIENT));
  assert.deepEqual(
    pports.log.map((l) => l.split(' ')[1]),
    ['P', 'P', 'E', 'P', 'P', 'E'],
  );
  // On the server, --pports 80 matches only the client's end.
  const onServer = await runTcprt(t, capture(1), { rules: [pport(80)] }, at(SERVER));
  assert.deepEqual(onServer.log, []);
  assert.match(
    onServer.notes[0]!,
    /\(e\.g\. the client 10\.0\.0\.1:40000 of 10\.0\.0\.2:80, a peer rule's port, is the remote end\).*\(the capture host's own server port is --lports\)$/,
  );
});

test('both ends local (a host talking to itself): the server socket gives R and the client socket P, the same tasks', async (t) => {
  const run = await runTcprt(t, capture(1), { rules: [lport(80), pport(80)] }, at(CLIENT, SERVER));
  const r = run.log.filter((l) => l.startsWith('V6 R'));
  const p = run.log.filter((l) => l.startsWith('V6 P'));
  assert.equal(r.length, 2);
  assert.equal(p.length, 2);
  // R's sent_bytes is what P received (resp_bytes), task by task.
  for (let k = 0; k < 2; k++) assert.equal(r[k]!.split(' ')[6], p[k]!.split(' ')[13]);
  assert.equal(run.result.tcprt!.counters.connections, 2);
});

test('mid-path (no end is the capture host): read by the ports alone, as the server; the records say assumed', async (t) => {
  const midPath = await runTcprt(t, capture(1), { rules: [lport(80)] }, at('10.0.0.9'));
  const server = await runTcprt(t, capture(1), { rules: [lport(80)] }, at(SERVER));
  assert.deepEqual(midPath.log, server.log);
  assert.deepEqual(
    midPath.records.map((r) => r.assumed),
    [true, true, true],
  );
  assert.equal(midPath.result.tcprt!.counters.assumed, 1);
  assert.deepEqual(midPath.notes, [
    'tcprt: 1 connection has no end on the capture host (mid-path, or not inferred; set --local): read by the ports alone, ' +
      `as if captured at the end whose port matched (e.g. ${SERVER}:80, taken as the server); their records are marked assumed in --tcprt-jsonl`,
  ]);
});

test('inferred vantage: records and stats lines wait for the decision and come out as with --local', async (t) => {
  const config = { rules: [pport(80), lport(80)], statsIntervalNs: 100e6 };
  const given = await runTcprt(t, capture(3), config, at(CLIENT));
  const inferred = await runTcprt(t, capture(3), config, INFERRED);
  assert.ok(given.log.length === 9 && given.log.every((l) => !l.startsWith('V6 R')), given.log.join(''));
  assert.deepEqual(inferred.log, given.log);
  assert.deepEqual(inferred.stats, given.stats);
  assert.ok(inferred.stats.length >= 3, `${inferred.stats.length} stats lines`);
  assert.match(inferred.notes[0]!, /^vantage: 10\.0\.0\.1 is the capture host: \d+ of its \d+ answers came within 200 µs/);
});

test('the hold is bounded: when it fills the decision is forced, and the output is the same', async (t) => {
  const config = { rules: [pport(80)], statsIntervalNs: 100e6 };
  const unbounded = await runTcprt(t, capture(4), config, INFERRED);
  for (const holdLimit of [2, 5, 50]) {
    const bounded = await runTcprt(t, capture(4), { ...config, holdLimit }, INFERRED);
    assert.deepEqual(bounded.log, unbounded.log, `holdLimit ${holdLimit}`);
    assert.deepEqual(bounded.stats, unbounded.stats, `holdLimit ${holdLimit}`);
    assert.deepEqual(bounded.result.tcprt!.counters, unbounded.result.tcprt!.counters);
  }
});

test('the hold is bounded: a forced decision is made on what was seen so far, and kept', async (t) => {
  // The first connection alone cannot tell the client from the server (both acknowledge after
  // 10 ms); in the second, to another server, the client answers in host-stack time (50 µs).
  const twoServers = pcap([connection(0, 0, SERVER, 10), connection(1, 200, '10.0.0.3')]);
  const whole = await runTcprt(t, twoServers, { rules: [pport(80)] }, INFERRED);
  assert.deepEqual(
    whole.records.map((r) => r.assumed),
    [false, false, false, false, false, false],
  );
  // Held no more than one item, the decision came after the first record: mid-path then, so the
  // records are read by their ports (the same P lines) and say so.
  const forced = await runTcprt(t, twoServers, { rules: [pport(80)], holdLimit: 1 }, INFERRED);
  assert.deepEqual(forced.log, whole.log);
  assert.deepEqual(
    forced.records.map((r) => r.assumed),
    [true, true, true, true, true, true],
  );
  assert.equal(forced.result.tcprt!.counters.assumed, 2);
});

test('the hold counts connections too: many that emit nothing (SYNs to the port) force the decision as well', async (t) => {
  const syns = Array.from({ length: 5 }, (_, i) =>
    new TcpScript({ client: CLIENT, server: SERVER, clientPort: 50000 + i, serverPort: 80 }).c(i, { seq: 1000, flags: SYN, options: { mss: 1460 } }),
  );
  const capture = pcap([...syns, connection(9, 100)]);
  const free = await runTcprt(t, capture, { rules: [pport(80)] }, INFERRED);
  assert.ok(free.records.length === 3 && free.records.every((r) => !r.assumed));
  // At the third SYN-only connection nothing has been answered yet: the forced decision can
  // name no host, so the later connection is read by its ports, and says so.
  const bounded = await runTcprt(t, capture, { rules: [pport(80)], holdLimit: 3 }, INFERRED);
  assert.deepEqual(bounded.log, free.log);
  assert.ok(bounded.records.every((r) => r.assumed));
});
