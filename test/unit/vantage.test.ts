/** Inferring the capture host from the flows, and what the collector does with it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAddress } from '../../src/flow/address.js';
import { VantageInference } from '../../src/flow/vantage.js';
import { ACK, SYN } from '../helpers/capture-writer.js';
import { runScript, TcpScript } from '../helpers/tcp-script.js';

function flow(a: string, b: string): Uint32Array {
  const out = new Uint32Array(8);
  out.set(parseAddress(a)!.words, 0);
  out.set(parseAddress(b)!.words, 4);
  return out;
}

test('one address in every flow is the capture host', () => {
  const v = new VantageInference();
  v.observeFlow(4, flow('10.0.0.5', '10.0.0.1'));
  v.observeFlow(4, flow('10.0.0.2', '10.0.0.5'));
  v.observeFlow(4, flow('10.0.0.5', '192.0.2.7'));
  const decided = v.decide(() => undefined);
  assert.deepEqual(decided.localLabels, ['10.0.0.5']);
  assert.match(decided.note!, /10\.0\.0\.5 is an endpoint of every TCP flow/);
});

test('two hosts in every flow: the one that acknowledges ten times faster is the capture host', () => {
  const v = new VantageInference();
  v.observeFlow(4, flow('10.0.0.1', '10.0.0.2'));
  v.observeFlow(4, flow('10.0.0.2', '10.0.0.1'));
  const fastest: Record<string, number> = { '10.0.0.1': 25_000_000, '10.0.0.2': 40_000 };
  assert.deepEqual(v.decide((a) => fastest[a]).localLabels, ['10.0.0.2']);
  const close: Record<string, number> = { '10.0.0.1': 25_000_000, '10.0.0.2': 5_000_000 };
  const midPath = v.decide((a) => close[a]);
  assert.deepEqual(midPath.local, []);
  assert.match(midPath.note!, /neither answers clearly faster: treated as mid-path/);
});

test('no host in every flow: mid-path', () => {
  const v = new VantageInference();
  v.observeFlow(4, flow('10.0.0.1', '10.0.0.2'));
  v.observeFlow(4, flow('10.0.0.3', '10.0.0.4'));
  const decided = v.decide(() => undefined);
  assert.deepEqual(decided.local, []);
  assert.match(decided.note!, /no single host ends every TCP flow/);
});

test('samples acknowledged by the inferred capture host are left out and counted', async (t) => {
  // 10.0.0.1 talks to two servers: it ends every flow, so it is the capture host.
  const script = new TcpScript();
  const other = new TcpScript({ client: '10.0.0.1', server: '10.0.0.3', clientPort: 40001, serverPort: 443 });
  script.c(0, { seq: 100, flags: SYN }).s(20, { seq: 900, ack: 101, flags: SYN | ACK }).c(20.01, { seq: 101, ack: 901 });
  other.c(1, { seq: 500, flags: SYN }).s(31, { seq: 700, ack: 501, flags: SYN | ACK }).c(31.02, { seq: 501, ack: 701 });
  script.records.push(...other.records);
  script.records.sort((x, y) => x.sec - y.sec || x.frac - y.frac);
  const { samples, result } = await runScript(t, script, { vantage: undefined });
  assert.deepEqual(result.vantage?.localLabels, ['10.0.0.1']);
  assert.deepEqual(samples.map((s) => [s.dst, s.rttUs]), [['10.0.0.2:80', 20000], ['10.0.0.3:443', 30000]]);
  assert.equal(result.localAcked, 2);
});

test('local_acked and filtered count samples, not connections', async (t) => {
  const script = new TcpScript()
    .c(0, { seq: 100, flags: SYN })
    .s(20, { seq: 900, ack: 101, flags: SYN | ACK })
    .c(20.01, { seq: 101, ack: 901 })
    .s(30, { seq: 901, ack: 101, payloadLen: 10 })
    .c(30.02, { seq: 101, ack: 911 })
    .s(40, { seq: 911, ack: 101, payloadLen: 10 })
    .c(40.03, { seq: 101, ack: 921 });
  const local = await runScript(t, script, { vantage: { local: [{ version: 4, words: parseAddress('10.0.0.1')!.words, prefix: 32 }], localLabels: ['10.0.0.1'], inferred: false, note: undefined } });
  assert.equal(local.result.localAcked, 3, 'the client acknowledged the SYN/ACK and two data segments');
  const filtered = await runScript(t, script, { filters: { rport: new Set([443]) } });
  assert.equal(filtered.result.filtered, 4);
});
