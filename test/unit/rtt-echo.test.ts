/**
 * Which copy an ACK answers, when sequence numbers cannot say: the TSecr echo and SACK blocks
 * (engines/rtt/rtt-engine.ts). Each case is one the lab's oracle met on real captures
 * (samples/vantage/, test/e2e/vantage.test.ts); here the times are exact by construction.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACK, FIN, PSH, SYN } from '../helpers/capture-writer.js';
import { runScript, TcpScript, type Segment } from '../helpers/tcp-script.js';

const C = '10.0.0.1:40000';
const S = '10.0.0.2:80';

/** TS (and SACK-permitted) on every segment: client TSval from 100, server from 900. */
function handshake(sack = true): TcpScript {
  return new TcpScript()
    .c(0, { seq: 1000, flags: SYN, options: { sackPermitted: sack, timestamp: [100, 0] } })
    .s(10, { seq: 5000, ack: 1001, flags: SYN | ACK, options: { sackPermitted: sack, timestamp: [900, 100] } })
    .c(10.01, { seq: 1001, ack: 5001, options: { timestamp: [101, 900] } });
}

function ts(tsVal: number, tsEcr: number, extra: Segment['options'] = {}): Segment['options'] {
  return { timestamp: [tsVal, tsEcr], ...extra };
}

/** The samples after the handshake's two. */
async function after(t: Parameters<typeof runScript>[0], script: TcpScript): Promise<Array<{ rttUs: number; kind: string; dst: string }>> {
  const { samples } = await runScript(t, script);
  return samples.slice(2).map(({ rttUs, kind, dst }) => ({ rttUs, kind, dst }));
}

test('a ts sample runs from the copy the echo names, not from an earlier segment that carried the same TSval', async (t) => {
  const script = handshake()
    .c(20, { seq: 1001, ack: 5001, payloadLen: 1000, options: ts(200, 900) })
    .c(21, { seq: 2001, ack: 5001, payloadLen: 1000, options: ts(201, 900) }) // lost
    .s(40, { seq: 5001, ack: 2001, options: ts(920, 200, { sack: [] }) })
    // New data and then the retransmission of the lost segment, in one timestamp tick.
    .c(249.5, { seq: 3001, ack: 5001, payloadLen: 1000, options: ts(430, 920) })
    .c(250, { seq: 2001, ack: 5001, payloadLen: 1000, options: ts(430, 920) })
    .s(270, { seq: 5001, ack: 3001, options: ts(1150, 430) });
  assert.deepEqual(await after(t, script), [
    { rttUs: 20_000, kind: 'data', dst: S },
    { rttUs: 20_000, kind: 'ts', dst: S }, // from the retransmission at 250, not the new data at 249.5
  ]);
});

test('Eifel: an ACK that echoes the first copy of a spuriously resent segment is timed from it', async (t) => {
  // The ACK of the first copy sat in a queue past the RTO; the retransmission was spurious.
  const spurious = (ackOptions: Segment['options'], closing = false): TcpScript => {
    const s = handshake().c(20, { seq: 1001, ack: 5001, payloadLen: 100, options: ts(200, 900) });
    if (closing) s.s(21, { seq: 5001, ack: 1001, flags: FIN | ACK, options: ts(905, 200) });
    return s.c(300, { seq: 1001, ack: 5001, payloadLen: 100, options: ts(480, 900) }).s(320, { seq: closing ? 5002 : 5001, ack: 1101, options: ackOptions });
  };
  assert.deepEqual(await after(t, spurious(ts(1120, 200))), [{ rttUs: 300_000, kind: 'ts', dst: S }]);
  // It reports the resent copy as a duplicate (D-SACK): the retransmission had arrived, and
  // the ACK may answer it, with a stale echo.
  assert.deepEqual(await after(t, spurious(ts(1120, 200, { sack: [[1001, 1101]] }))), []);
  // A closing host (it sent its FIN): a TIME_WAIT socket echoes the TSval it kept.
  assert.deepEqual(
    (await after(t, spurious(ts(1120, 200), true))).filter((s) => s.dst === S),
    [],
  );
});

test('Eifel needs SACK: a receiver that cannot report a duplicate could be answering the resent copy', async (t) => {
  const script = handshake(false)
    .c(20, { seq: 1001, ack: 5001, payloadLen: 100, options: ts(200, 900) })
    .c(300, { seq: 1001, ack: 5001, payloadLen: 100, options: ts(480, 900) })
    .s(320, { seq: 5001, ack: 1101, options: ts(1120, 200) });
  const { samples, result } = await runScript(t, script);
  assert.equal(samples.length, 2);
  assert.equal(result.rtt.karnSkipped, 1);
});

test('a SYN/ACK sent three times: the echo of its middle copy times the ACK from that copy', async (t) => {
  const script = new TcpScript()
    .c(0, { seq: 1000, flags: SYN, options: { sackPermitted: true, timestamp: [100, 0] } })
    .s(0.04, { seq: 5000, ack: 1001, flags: SYN | ACK, options: { sackPermitted: true, timestamp: [900, 100] } }) // lost
    .s(1000.04, { seq: 5000, ack: 1001, flags: SYN | ACK, options: { sackPermitted: true, timestamp: [1900, 100] } })
    .c(1010, { seq: 1000, flags: SYN, options: { sackPermitted: true, timestamp: [1110, 0] } }) // the client resent its SYN
    .s(1010.04, { seq: 5000, ack: 1001, flags: SYN | ACK, options: { sackPermitted: true, timestamp: [1910, 100] } })
    .c(1020.04, { seq: 1001, ack: 5001, options: { timestamp: [1120, 1900] } }); // answers the copy of 1000.04
  const { samples } = await runScript(t, script);
  assert.deepEqual(
    samples.filter((s) => s.dst === C).map(({ rttUs, kind }) => ({ rttUs, kind })),
    [{ rttUs: 20_000, kind: 'ts' }],
  );
});

test('an answer to a SYN sent twice that echoes the first copy gives no sample: it may be a resent answer, a second late', async (t) => {
  const script = new TcpScript()
    .c(0, { seq: 1000, flags: SYN, options: { sackPermitted: true, timestamp: [100, 0] } })
    .c(1000, { seq: 1000, flags: SYN, options: { sackPermitted: true, timestamp: [1100, 0] } })
    .s(1010, { seq: 5000, ack: 1001, flags: SYN | ACK, options: { sackPermitted: true, timestamp: [2000, 100] } });
  const { samples, result } = await runScript(t, script);
  assert.deepEqual(samples, []);
  assert.equal(result.rtt.karnSkipped, 1);
});

/** Three segments; the receiver gets the first, then the third (SACKed), then the second. */
function reordered(secondTsVal: number, thirdTsVal: number, sackBlocks = true): TcpScript {
  return handshake(sackBlocks)
    .c(20, { seq: 1001, ack: 5001, payloadLen: 1000, options: ts(200, 900) })
    .c(21, { seq: 2001, ack: 5001, payloadLen: 1000, options: ts(secondTsVal, 900) })
    .c(21.5, { seq: 3001, ack: 5001, flags: PSH | ACK, payloadLen: 1000, options: ts(thirdTsVal, 900) })
    .s(40, { seq: 5001, ack: 2001, options: ts(920, 200) })
    .s(41.6, { seq: 5001, ack: 2001, options: ts(921, 200, sackBlocks ? { sack: [[3001, 4001]] } : {}) })
    .s(47, { seq: 5001, ack: 4001, options: ts(927, secondTsVal) }); // the second arrives late: the hole fills
}

test('an ACK that jumps a SACKed hole is timed from the copy that filled it, when the echo names only that one', async (t) => {
  assert.deepEqual(await after(t, reordered(201, 202)), [
    { rttUs: 20_000, kind: 'data', dst: S },
    { rttUs: 26_000, kind: 'ts', dst: S }, // 47 - 21, the second segment's round trip
  ]);
});

test('a hole jump the echo cannot resolve (one tick for both) is timed from the segment it ends at, as kind hole', async (t) => {
  assert.deepEqual(await after(t, reordered(201, 201)), [
    { rttUs: 20_000, kind: 'data', dst: S },
    { rttUs: 25_500, kind: 'hole', dst: S }, // 47 - 21.5: what tshark and tcptrace report
  ]);
});

test('without SACK blocks the hole is not seen: the ACK is timed as data from the segment it ends at', async (t) => {
  assert.deepEqual(await after(t, reordered(201, 202, false)), [
    { rttUs: 20_000, kind: 'data', dst: S },
    { rttUs: 25_500, kind: 'data', dst: S },
  ]);
});
