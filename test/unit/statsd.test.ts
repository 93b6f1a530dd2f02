/**
 * The StatsD export: go-metro's gauge names in milliseconds, per (sender, acknowledger) pair of
 * hosts, DogStatsD tags, datagrams within 1432 bytes, and a real UDP socket on loopback that
 * receives exactly the lines sent.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../src/analyze.js';
import { parseCidr } from '../../src/flow/address.js';
import { givenVantage } from '../../src/flow/vantage.js';
import { isValidTag } from '../../src/cli/live-options.js';
import { formatMs, MAX_DATAGRAM_BYTES, packDatagrams, StatsdAggregator, StatsdClient } from '../../src/render/statsd.js';
import { parseHostPort } from '../../src/util/ports.js';
import { RttStats } from '../../src/stats/rtt-stats.js';
import { ACK, PSH, SYN } from '../helpers/capture-writer.js';
import { tempDir } from '../helpers/paths.js';
import { TcpScript } from '../helpers/tcp-script.js';

test('formatMs: µs to ms with nanosecond precision, never in exponent form', () => {
  assert.equal(formatMs(25123.456), '25.123456');
  assert.equal(formatMs(1), '0.001');
  assert.equal(formatMs(0.001), '0.000001');
  assert.equal(formatMs(0.0004), '0');
  assert.equal(formatMs(2_500_000), '2500');
});

test('packDatagrams: lines in order, newline-joined, none over the limit; a line too long travels alone', () => {
  const lines = Array.from({ length: 100 }, (_, i) => `system.net.tcp.rtt.p99:${i}.5|g|#src:10.0.0.1,dst:10.0.0.${i}`);
  const datagrams = packDatagrams(lines);
  assert.ok(datagrams.length > 1);
  assert.ok(datagrams.every((d) => Buffer.byteLength(d) <= MAX_DATAGRAM_BYTES));
  assert.deepEqual(datagrams.join('\n').split('\n'), lines);
  const long = 'x'.repeat(2000);
  assert.deepEqual(packDatagrams(['a', long, 'b']), ['a', long, 'b']);
  assert.deepEqual(packDatagrams([]), []);
});

test('parseHostPort and isValidTag', () => {
  assert.deepEqual(parseHostPort('127.0.0.1:8125'), { host: '127.0.0.1', port: 8125 });
  assert.deepEqual(parseHostPort('[::1]:8125'), { host: '::1', port: 8125 });
  assert.deepEqual(parseHostPort('statsd.local:9'), { host: 'statsd.local', port: 9 });
  for (const bad of ['8125', 'host:', 'host:0', 'host:65536', '::1:8125', 'a b:1', ':8125']) assert.equal(parseHostPort(bad), undefined, bad);
  // A listener's form: the host may be left out, port 0 is any free port; still 0-65535.
  const listener = { anyHost: '0.0.0.0', portZero: true };
  assert.deepEqual(parseHostPort(':9464', listener), { host: '0.0.0.0', port: 9464 });
  assert.deepEqual(parseHostPort('[::1]:0', listener), { host: '::1', port: 0 });
  for (const bad of ['9464', ':65536', 'host:x']) assert.equal(parseHostPort(bad, listener), undefined, bad);
  for (const good of ['env:prod', 'team', 'role:db:primary']) assert.ok(isValidTag(good), good);
  for (const bad of ['', 'a b', 'a,b', 'a|b', '#a', ':a']) assert.ok(!isValidTag(bad), bad);
});

test('StatsdAggregator: go-metro names, ms values, src/dst tags per pair of hosts, afresh each interval', async (t) => {
  // Client 10.0.0.1 (local) sends to the server twice; the server acknowledges after 25.123456
  // and 30 ms, and answered the SYN after 10 ms. The client's own ACKs are local: left out.
  const script = new TcpScript()
    .c(0, { seq: 1000, flags: SYN })
    .s(10, { seq: 5000, ack: 1001, flags: SYN | ACK })
    .c(10.05, { seq: 1001, ack: 5001 })
    .c(20, { seq: 1001, ack: 5001, flags: PSH | ACK, payloadLen: 100 })
    .s(45.123456, { seq: 5001, ack: 1101 })
    .c(50, { seq: 1101, ack: 5001, flags: PSH | ACK, payloadLen: 100 })
    .s(80, { seq: 5001, ack: 1201 });
  const dir = await tempDir(t);
  const path = join(dir, 'two.pcap');
  await writeFile(path, script.file());
  const gauges = new StatsdAggregator();
  await analyze([path], {
    vantage: givenVantage([parseCidr('10.0.0.1')!], ['10.0.0.1']),
    onSample: (sample) => gauges.add(sample),
    onFlowEnd: (flow) => gauges.flowEnded(flow),
  });
  const expected = new RttStats();
  for (const ns of [10_000_000, 25_123_456, 30_000_000]) expected.add(ns);
  const tags = '#src:10.0.0.1,dst:10.0.0.2,iface:eth0,env:test';
  assert.deepEqual(gauges.flush(['iface:eth0', 'env:test']), [
    `system.net.tcp.rtt:30|g|${tags}`,
    // srtt: 10, then 10 + (25.123456 - 10) / 8, then that + (30 - it) / 8
    `system.net.tcp.rtt.avg:14.154128|g|${tags}`,
    // jitter: (|25.123456 - 10| + |30 - 25.123456|) / 2
    `system.net.tcp.rtt.jitter:10|g|${tags}`,
    `system.net.tcp.rtt.min:10|g|${tags}`,
    `system.net.tcp.rtt.p50:${formatMs(expected.quantile(0.5))}|g|${tags}`,
    `system.net.tcp.rtt.p99:${formatMs(expected.quantile(0.99))}|g|${tags}`,
    `system.net.tcp.rtt.samples:3|g|${tags}`,
  ]);
  assert.ok(Math.abs(expected.quantile(0.5) - 25123.456) <= 0.01 * 25123.456);
  assert.deepEqual(gauges.flush(['iface:eth0']), [], 'the connection ended: the next interval has nothing');
});

/** The two-exchange connection above, kept open: samples at 10, 25.123456 and 30 ms. */
async function openConnection(t: import('node:test').TestContext): Promise<string> {
  const script = new TcpScript()
    .c(0, { seq: 1000, flags: SYN })
    .s(10, { seq: 5000, ack: 1001, flags: SYN | ACK })
    .c(10.05, { seq: 1001, ack: 5001 })
    .c(20, { seq: 1001, ack: 5001, flags: PSH | ACK, payloadLen: 100 })
    .s(45.123456, { seq: 5001, ack: 1101 })
    .c(50, { seq: 1101, ack: 5001, flags: PSH | ACK, payloadLen: 100 })
    .s(80, { seq: 5001, ack: 1201 });
  const path = join(await tempDir(t), 'open.pcap');
  await writeFile(path, script.file());
  return path;
}

test("StatsdAggregator: a pair with no new sample repeats go-metro's rtt, avg and jitter (samples 0) while its connection is tracked, then stops", async (t) => {
  const path = await openConnection(t);
  const gauges = new StatsdAggregator();
  const ended: Array<Parameters<StatsdAggregator['flowEnded']>[0]> = [];
  await analyze([path], {
    vantage: givenVantage([parseCidr('10.0.0.1')!], ['10.0.0.1']),
    onSample: (sample) => gauges.add(sample),
    onFlowEnd: (flow) => ended.push(flow), // held back: the connection is still open
  });
  const tags = '#src:10.0.0.1,dst:10.0.0.2,iface:eth0';
  assert.equal(gauges.flush(['iface:eth0']).length, 7);
  const quiet = [
    `system.net.tcp.rtt:30|g|${tags}`,
    `system.net.tcp.rtt.avg:14.154128|g|${tags}`,
    `system.net.tcp.rtt.jitter:10|g|${tags}`,
    `system.net.tcp.rtt.samples:0|g|${tags}`,
  ];
  assert.deepEqual(gauges.flush(['iface:eth0']), quiet);
  assert.deepEqual(gauges.flush(['iface:eth0']), quiet, 'every quiet interval, as go-metro');
  for (const flow of ended) gauges.flowEnded(flow);
  assert.deepEqual(gauges.flush(['iface:eth0']), [], 'once the connection expires the pair is forgotten');
});

test('StatsdAggregator, distribution: every sample as a DogStatsD distribution (several values a line), avg and jitter as gauges', async (t) => {
  const path = await openConnection(t);
  const early: string[][] = [];
  const metrics = new StatsdAggregator({ type: 'distribution', inputTags: (i) => [`iface:if${i}`], onEarly: (lines) => early.push(lines) });
  await analyze([path], {
    vantage: givenVantage([parseCidr('10.0.0.1')!], ['10.0.0.1']),
    onSample: (sample) => metrics.add(sample, 3, ['process:curl']),
  });
  const tags = '#src:10.0.0.1,dst:10.0.0.2,process:curl,iface:if3,env:test';
  assert.deepEqual(metrics.flush(['env:test']), [
    `system.net.tcp.rtt:10:25.123456:30|d|${tags}`,
    `system.net.tcp.rtt.avg:14.154128|g|${tags}`,
    `system.net.tcp.rtt.jitter:10|g|${tags}`,
  ]);
  assert.deepEqual(early, []);
});

test('StatsdAggregator, distribution: a busy pair sends its values before the interval ends, in lines of at most 1432 bytes', () => {
  const sent: string[] = [];
  const metrics = new StatsdAggregator({ type: 'distribution', onEarly: (lines) => sent.push(...lines) });
  const half = {};
  const flow = { state: { a: half, b: {} } };
  const sample = { half, flow, src: '10.0.0.1', dst: '10.0.0.2', rttNs: 0 } as unknown as Parameters<StatsdAggregator['add']>[0];
  for (let i = 0; i < 2500; i++) {
    sample.rttNs = 1_000_000 + i * 1000;
    metrics.add(sample);
  }
  const rest = metrics.flush([]).filter((l) => l.includes('|d|'));
  const values = [...sent, ...rest].flatMap((l) => l.slice('system.net.tcp.rtt:'.length, l.indexOf('|')).split(':').map(Number));
  assert.equal(values.length, 2500);
  assert.deepEqual(values.slice(0, 3), [1, 1.001, 1.002]);
  assert.ok(sent.length > 0, 'values went out before the interval ended');
  assert.ok([...sent, ...rest].every((l) => Buffer.byteLength(l) <= MAX_DATAGRAM_BYTES));
});

test('StatsdClient: a real UDP socket on loopback receives every line, in datagrams of at most 1432 bytes', async () => {
  const receiver = createSocket('udp4');
  await new Promise<void>((resolve) => receiver.bind(0, '127.0.0.1', resolve));
  const received: string[] = [];
  const arrived = new Promise<void>((resolve) => {
    receiver.on('message', (msg) => {
      assert.ok(msg.length <= MAX_DATAGRAM_BYTES);
      received.push(...msg.toString('utf8').split('\n'));
      if (received.length >= lines.length) resolve();
    });
  });
  const lines = Array.from({ length: 60 }, (_, i) => `system.net.tcp.rtt.samples:${i}|g|#src:10.0.0.1,dst:10.0.1.${i},iface:lo`);
  const errors: Error[] = [];
  const client = await StatsdClient.open('127.0.0.1', receiver.address().port, (err) => errors.push(err));
  client.send(lines);
  await client.close();
  await arrived;
  receiver.close();
  assert.deepEqual(received, lines);
  assert.deepEqual(errors, []);
});
