/**
 * The RTT engine against every trap in shared/reference/rtt-pitfalls.md, on synthetic captures
 * whose right answer is known to the nanosecond.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACK, FIN, PSH, RST, SYN, dot1q, ethernet, linuxSll2, qinq } from '../helpers/capture-writer.js';
import { runScript, TcpScript } from '../helpers/tcp-script.js';
import { MAX_SEGMENTS } from '../../src/engines/rtt/outstanding.js';

const C = '10.0.0.1:40000';
const S = '10.0.0.2:80';

/** Handshake at 0 / 10 / 10.05 ms, client ISN 1000, server ISN 5000. */
function handshake(script = new TcpScript(), ts = false): TcpScript {
  return script
    .c(0, { seq: 1000, flags: SYN, options: { mss: 1460, ...(ts ? { timestamp: [100, 0] as const } : {}) } })
    .s(10, { seq: 5000, ack: 1001, flags: SYN | ACK, options: { mss: 1460, ...(ts ? { timestamp: [900, 100] as const } : {}) } })
    .c(10.05, { seq: 1001, ack: 5001, ...(ts ? { options: { timestamp: [101, 900] as const } } : {}) });
}

test('handshake gives two syn samples, one per side', async (t) => {
  const { samples } = await runScript(t, handshake());
  assert.deepEqual(samples, [
    { rttUs: 10000, kind: 'syn', src: C, dst: S },
    { rttUs: 50, kind: 'syn', src: S, dst: C },
  ]);
});

test('a data segment is timed to the ACK that ends at its last byte, to the nanosecond', async (t) => {
  const script = handshake()
    .c(20.000001, { seq: 1001, ack: 5001, flags: PSH | ACK, payloadLen: 100 })
    .s(45.123457, { seq: 5001, ack: 1101 });
  const { samples } = await runScript(t, script);
  assert.deepEqual(samples.slice(2), [{ rttUs: 25123.456, kind: 'data', src: C, dst: S }]);
});

test('cumulative and delayed ACKs: only the segment ending at the ack number gives a sample', async (t) => {
  const script = handshake()
    .c(20, { seq: 1001, ack: 5001, payloadLen: 1000 })
    .c(21, { seq: 2001, ack: 5001, payloadLen: 1000 })
    .c(22, { seq: 3001, ack: 5001, payloadLen: 1000 })
    .s(61, { seq: 5001, ack: 4001 }); // covers all three: timed from the third
  const { samples } = await runScript(t, script);
  assert.deepEqual(
    samples.slice(2).map((s) => s.rttUs),
    [39000],
  );
});

test('duplicate ACKs give no sample; each ack number gives at most one', async (t) => {
  const script = handshake().c(20, { seq: 1001, ack: 5001, payloadLen: 100 }).s(30, { seq: 5001, ack: 1101 }).s(31, { seq: 5001, ack: 1101 }).s(32, { seq: 5001, ack: 1101 });
  const { samples } = await runScript(t, script);
  assert.equal(samples.length, 3);
});

test('pure ACKs never start a sample', async (t) => {
  const script = handshake()
    .c(20, { seq: 1001, ack: 5001 }) // pure ACK: consumes no sequence space
    .s(30, { seq: 5001, ack: 1001 }); // answers nothing new
  const { samples } = await runScript(t, script);
  assert.equal(samples.length, 2);
});

test('partial ACKs of a captured super-segment are timed from it, and its start advances', async (t) => {
  const script = handshake()
    .c(20, { seq: 1001, ack: 5001, payloadLen: 4000 }) // TSO: one captured segment of 4000 bytes
    .s(45, { seq: 5001, ack: 2449 })
    .s(46, { seq: 5001, ack: 3897 })
    .s(47, { seq: 5001, ack: 5001 });
  const { samples } = await runScript(t, script);
  assert.deepEqual(
    samples.slice(2).map((s) => s.rttUs),
    [25000, 26000, 27000],
  );
});

test("Karn's rule: a retransmitted segment without timestamps gives no sample", async (t) => {
  const script = handshake()
    .c(20, { seq: 1001, ack: 5001, payloadLen: 100 })
    .c(220, { seq: 1001, ack: 5001, payloadLen: 100 }) // RTO retransmission
    .s(245, { seq: 5001, ack: 1101 });
  const { samples, result } = await runScript(t, script);
  assert.equal(samples.length, 2);
  assert.equal(result.rtt.karnSkipped, 1);
  // tshark would report 225 ms here (RTO inside); rttscan reports nothing rather than that.
});

test('with timestamps the echo names the retransmission: kind ts, timed from it', async (t) => {
  const script = handshake(new TcpScript(), true)
    .c(20, { seq: 1001, ack: 5001, payloadLen: 100, options: { timestamp: [120, 900] } })
    .c(220, { seq: 1001, ack: 5001, payloadLen: 100, options: { timestamp: [320, 900] } })
    .s(245, { seq: 5001, ack: 1101, options: { timestamp: [1145, 320] } });
  const { samples } = await runScript(t, script);
  assert.deepEqual(samples.slice(2), [{ rttUs: 25000, kind: 'ts', src: C, dst: S }]);
});

test('an echo of the original transmission after a retransmission gives no sample (it may hold an RTO)', async (t) => {
  const script = handshake(new TcpScript(), true)
    .c(20, { seq: 1001, ack: 5001, payloadLen: 100, options: { timestamp: [120, 900] } })
    .c(220, { seq: 1001, ack: 5001, payloadLen: 100, options: { timestamp: [320, 900] } })
    .s(245, { seq: 5001, ack: 1101, options: { timestamp: [1145, 120] } });
  const { samples, result } = await runScript(t, script);
  assert.equal(samples.length, 2);
  assert.equal(result.rtt.karnSkipped, 1);
});

test('an ACK that also covers a segment retransmitted after S is ambiguous; TS resolves it', async (t) => {
  const base = (ts: boolean): TcpScript => {
    const o = (v: number): Partial<{ options: { timestamp: readonly [number, number] } }> => (ts ? { options: { timestamp: [v, 900] } } : {});
    return handshake(new TcpScript(), ts)
      .c(20, { seq: 1001, ack: 5001, payloadLen: 100, ...o(120) }) // lost beyond the capture point
      .c(21, { seq: 1101, ack: 5001, payloadLen: 100, ...o(121) }) // S: arrives, held out of order
      .s(46, { seq: 5001, ack: 1001, ...(ts ? { options: { timestamp: [1146, 101] } } : {}) }) // dup ACK
      .c(60, { seq: 1001, ack: 5001, payloadLen: 100, ...o(160) }); // fast retransmission
  };
  const plain = await runScript(t, base(false).s(85, { seq: 5001, ack: 1201 }));
  assert.equal(plain.samples.length, 2, 'without timestamps: no sample from S');
  const withTs = await runScript(t, base(true).s(85, { seq: 5001, ack: 1201, options: { timestamp: [1185, 160] } }));
  assert.deepEqual(withTs.samples.slice(2), [{ rttUs: 25000, kind: 'ts', src: C, dst: S }]);
});

test('repeated TSvals: a timestamp sample runs from the first segment that carried the echoed value', async (t) => {
  const script = handshake(new TcpScript(), true)
    .c(20, { seq: 1001, ack: 5001, payloadLen: 100, options: { timestamp: [120, 900] } })
    .c(220, { seq: 1001, ack: 5001, payloadLen: 100, options: { timestamp: [320, 900] } })
    .c(220.5, { seq: 1101, ack: 5001, payloadLen: 100, options: { timestamp: [320, 900] } })
    .c(221, { seq: 1101, ack: 5001, payloadLen: 100, options: { timestamp: [320, 900] } })
    .s(246, { seq: 5001, ack: 1201, options: { timestamp: [1146, 320] } });
  const { samples } = await runScript(t, script);
  // 1201 ends the segment first sent at 220.5 and retransmitted at 221, so it is ambiguous; the
  // echo 320 was first carried at 220 ms: 26 ms, never less.
  assert.deepEqual(
    samples.slice(2).map((s) => [s.rttUs, s.kind]),
    [[26000, 'ts']],
  );
});

test('TSecr 0 on an ACK is not an echo', async (t) => {
  const script = handshake(new TcpScript(), true)
    .c(20, { seq: 1001, ack: 5001, payloadLen: 100, options: { timestamp: [120, 900] } })
    .c(220, { seq: 1001, ack: 5001, payloadLen: 100, options: { timestamp: [320, 900] } })
    .s(245, { seq: 5001, ack: 1101, options: { timestamp: [1145, 0] } });
  const { samples } = await runScript(t, script);
  assert.equal(samples.length, 2);
});

test('sequence numbers wrap around 2^32 (serial arithmetic)', async (t) => {
  const isn = 0xffffff00;
  const script = new TcpScript()
    .c(0, { seq: isn, flags: SYN })
    .s(10, { seq: 7, ack: isn + 1, flags: SYN | ACK })
    .c(10.01, { seq: isn + 1, ack: 8 })
    .c(20, { seq: isn + 1, ack: 8, payloadLen: 1000 }) // ends at 0x2e9 after the wrap
    .s(33, { seq: 8, ack: (isn + 1 + 1000) >>> 0 });
  const { samples } = await runScript(t, script);
  assert.deepEqual(
    samples.map((s) => s.rttUs),
    [10000, 10, 13000],
  );
});

test('a SYN with a new ISN on a known 4-tuple starts a new connection', async (t) => {
  const script = handshake()
    .c(20, { seq: 1001, ack: 5001, payloadLen: 100 })
    .s(30, { seq: 5001, ack: 1101 })
    .c(40, { seq: 1101, ack: 5001, flags: FIN | ACK })
    .s(50, { seq: 5001, ack: 1102, flags: FIN | ACK })
    .c(50.01, { seq: 1102, ack: 5002 })
    .c(100, { seq: 90000, flags: SYN })
    .s(107, { seq: 70000, ack: 90001, flags: SYN | ACK });
  const { samples, result } = await runScript(t, script);
  assert.equal(result.flows.created, 2);
  assert.equal(result.flows.reused, 1);
  assert.equal(samples.at(-1)!.rttUs, 7000);
  assert.equal(samples.at(-1)!.kind, 'syn');
});

test('a flow seen in one direction only gives no samples and is counted', async (t) => {
  const script = new TcpScript().c(0, { seq: 1000, flags: SYN }).c(1000, { seq: 1000, flags: SYN }).c(3000, { seq: 1000, flags: SYN });
  const { samples, result } = await runScript(t, script);
  assert.equal(samples.length, 0);
  assert.equal(result.oneWayFlows, 1);
});

test('keep-alive probes are neither data nor retransmissions', async (t) => {
  const script = handshake()
    .c(20, { seq: 1001, ack: 5001, payloadLen: 100 })
    .s(30, { seq: 5001, ack: 1101 })
    .c(7200030, { seq: 1100, ack: 5001, payloadLen: 1 })
    .s(7200040, { seq: 5001, ack: 1101 });
  const { result } = await runScript(t, script, { idleTtlNs: 1e13 });
  assert.equal(result.rtt.keepalives, 1);
  assert.equal(result.summary.retransmittedSegments, 0);
});

test('retransmitted segments are counted per group', async (t) => {
  const script = handshake()
    .c(20, { seq: 1001, ack: 5001, payloadLen: 100 })
    .c(220, { seq: 1001, ack: 5001, payloadLen: 100 })
    .s(245, { seq: 5001, ack: 1101 })
    .c(250, { seq: 1101, ack: 5001, flags: RST });
  const { result } = await runScript(t, script);
  // The client sent SYN, data, retransmission; the server its SYN/ACK.
  assert.equal(result.summary.dataSegments, 4);
  assert.equal(result.summary.retransmittedSegments, 1);
});

test('the same conversation gives the same samples over SLL2, 802.1Q, QinQ and IPv6', async (t) => {
  const conversation = (script: TcpScript): TcpScript => handshake(script).c(20, { seq: 1001, ack: 5001, payloadLen: 100 }).s(45, { seq: 5001, ack: 1101 });
  const expected = [10000, 50, 25000];
  const sll2 = await runScript(t, conversation(new TcpScript(undefined, (ip) => linuxSll2(ip))), {}, 276);
  const vlan = await runScript(t, conversation(new TcpScript(undefined, (ip) => ethernet(ip, { tags: dot1q(42) }))));
  const stacked = await runScript(t, conversation(new TcpScript(undefined, (ip) => ethernet(ip, { tags: qinq(100, 42) }))));
  const v6 = await runScript(t, conversation(new TcpScript({ client: 'fd00::1', server: 'fd00::2', clientPort: 40000, serverPort: 80 })));
  for (const run of [sll2, vlan, stacked, v6])
    assert.deepEqual(
      run.samples.map((s) => s.rttUs),
      expected,
    );
  assert.equal(v6.samples[2]!.dst, 'fd00::2:80');
});

test('idle flows expire by capture time, and --max-flows evicts the least recently active', async (t) => {
  const script = handshake().c(20, { seq: 1001, ack: 5001, payloadLen: 100 }).s(400020, { seq: 5001, ack: 1101 });
  const idle = await runScript(t, script, { idleTtlNs: 300e9 });
  assert.equal(idle.result.flows.expiredIdle, 1);
  assert.equal(idle.samples.length, 2, 'the ACK after expiry starts a new flow and pairs with nothing');

  const many = new TcpScript();
  for (let i = 0; i < 5; i++) {
    const e = { client: '10.0.0.1', server: '10.0.0.2', clientPort: 40000 + i, serverPort: 80 };
    new TcpScript(e).c(i, { seq: 1, flags: SYN }).records.forEach((r) => many.records.push(r));
  }
  const capped = await runScript(t, many, { maxFlows: 3 });
  assert.equal(capped.result.flows.evicted, 2);
  assert.equal(capped.result.flows.peakActive, 3);
});

test('beyond MAX_SEGMENTS in flight the oldest segments are dropped, counted, and give no sample', async (t) => {
  const extra = 3;
  const script = handshake();
  for (let i = 0; i < MAX_SEGMENTS + extra; i++) script.c(20 + i * 0.001, { seq: 1001 + 10 * i, ack: 5001, payloadLen: 10 });
  const end = 20 + (MAX_SEGMENTS + extra) * 0.001;
  script
    .s(end + 5, { seq: 5001, ack: 1001 + 10 }) // the first segment: forgotten, no sample
    .s(end + 6, { seq: 5001, ack: 1001 + 10 * (extra + 1) }); // the first one still held
  const { samples, result } = await runScript(t, script);
  assert.equal(result.rtt.segmentsDropped, extra);
  assert.equal(result.rtt.noSegmentMatch, 1);
  assert.deepEqual(
    samples.slice(2).map((s) => s.kind),
    ['data'],
  );
  assert.equal(samples[2]!.rttUs, Math.round((end + 6 - (20 + extra * 0.001)) * 1e6) / 1e3);
});
