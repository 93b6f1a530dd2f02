/**
 * The TCP-RT engine on synthetic conversations whose every record field is known exactly:
 * each record type (R, W, N, E, P), retransmissions, reordering, the FIN left out of sent
 * bytes, pipelining, port matching and ranges, stats lines, connections open at the end.
 * Times are epoch 1700000000 + the script's milliseconds; client 10.0.0.1:40000, server
 * 10.0.0.2:80, client ISN 1000, server ISN 5000, MSS 1460 both ways.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACK, FIN, PSH, RST, SYN } from '../helpers/capture-writer.js';
import { TcpScript } from '../helpers/tcp-script.js';
import { lport, pport, runTcprt } from '../helpers/tcprt.js';

const PEER = '10.0.0.1:40000';
const LOCAL = '10.0.0.2:80';
const HEAD = `1700000000`;

/** SYN at 0, SYN/ACK at 10, ACK at 20 ms: the server's handshake RTT sample is 10 ms. */
function handshake(script = new TcpScript()): TcpScript {
  return script
    .c(0, { seq: 1000, flags: SYN, options: { mss: 1460 } })
    .s(10, { seq: 5000, ack: 1001, flags: SYN | ACK, options: { mss: 1460 } })
    .c(20, { seq: 1001, ack: 5001 });
}

/** Two request/response tasks, the second response ending with the server's FIN. */
function twoTasks(): TcpScript {
  return handshake()
    .c(100, { seq: 1001, ack: 5001, flags: PSH | ACK, payloadLen: 100 })
    .s(150, { seq: 5001, ack: 1101, payloadLen: 1000 })
    .s(151, { seq: 6001, ack: 1101, flags: PSH | ACK, payloadLen: 1000 })
    .c(170, { seq: 1101, ack: 6001 })
    .c(175, { seq: 1101, ack: 7001 })
    .c(300, { seq: 1101, ack: 7001, flags: PSH | ACK, payloadLen: 50 })
    .s(320, { seq: 7001, ack: 1151, flags: PSH | ACK | FIN, payloadLen: 500 })
    .c(340, { seq: 1151, ack: 7502, flags: FIN | ACK })
    .s(345, { seq: 7502, ack: 1152 });
}

test('R per task, E at the close, with every field; the FIN is not counted as a sent byte', async (t) => {
  const { log, stats, result } = await runTcprt(t, twoTasks());
  assert.deepEqual(log, [
    // sent total minrtt retrans task server upload recv reorder mss
    `V6 R ${HEAD} 100000 ${PEER} ${LOCAL} 2000 75000 10000 0 1 50000 0 100 0 1460 \n`,
    `V6 R ${HEAD} 300000 ${PEER} ${LOCAL} 500 40000 10000 0 2 20000 0 50 0 1460 \n`,
    // last_task conn_sent unacked conn_recv conn_retrans minrtt
    `V6 E ${HEAD} 300000 ${PEER} ${LOCAL} 2 2500 0 150 0 10000 \n`,
  ]);
  // avg total, server, drop‰, minrtt, fail‰, sent, upload, recv, count; packets = 2000/1460+1 + 500/1460+1 = 3
  assert.deepEqual(stats, [`${HEAD} all 80 57500 35000 0 10000 0 1250 0 75 2`]);
  assert.deepEqual(result.tcprt?.counters.records, { R: 2, P: 0, W: 0, N: 0, E: 1 });
});

test('upload time: from the first to the last request segment; server time from the last', async (t) => {
  const script = handshake()
    .c(100, { seq: 1001, ack: 5001, payloadLen: 1000 })
    .c(104, { seq: 2001, ack: 5001, payloadLen: 1000 })
    .c(107.5, { seq: 3001, ack: 5001, flags: PSH | ACK, payloadLen: 500 })
    .s(130, { seq: 5001, ack: 3501, flags: PSH | ACK, payloadLen: 300 })
    .c(150, { seq: 3501, ack: 5301, flags: RST | ACK });
  const { log } = await runTcprt(t, script);
  assert.equal(log[0], `V6 R ${HEAD} 100000 ${PEER} ${LOCAL} 300 50000 10000 0 1 22500 7500 2500 0 1460 \n`);
});

test('W: the connection closed while the response was still unacknowledged', async (t) => {
  const script = handshake()
    .c(100, { seq: 1001, ack: 5001, flags: PSH | ACK, payloadLen: 100 })
    .s(130, { seq: 5001, ack: 1101, payloadLen: 1460 })
    .s(131, { seq: 6461, ack: 1101, payloadLen: 1460 })
    .s(132, { seq: 7921, ack: 1101, payloadLen: 80 })
    .c(160, { seq: 1101, ack: 6461 })
    .c(200, { seq: 1101, ack: 6461, flags: RST | ACK });
  const { log, stats, result } = await runTcprt(t, script);
  assert.deepEqual(log, [
    // sent elapsed minrtt retrans task server upload unacked reorder mss
    `V6 W ${HEAD} 100000 ${PEER} ${LOCAL} 3000 100000 10000 0 1 30000 0 1540 0 1460 \n`,
    `V6 E ${HEAD} 100000 ${PEER} ${LOCAL} 1 3000 1540 100 0 10000 \n`,
  ]);
  // fail‰ is relative to count (R records that sent data), as the kernel computes it: 0 here.
  assert.deepEqual(stats, [`${HEAD} all 80 0 0 0 0 0 0 0 0 0`]);
  assert.equal(result.tcprt?.ports[0]?.counters.fail, 1);
});

test('N: the connection closed while the request was being received', async (t) => {
  const script = handshake()
    .c(100, { seq: 1001, ack: 5001, payloadLen: 1000 })
    .c(102, { seq: 2001, ack: 5001, payloadLen: 200 })
    .s(103, { seq: 5001, ack: 2201 })
    .c(250, { seq: 2201, ack: 5001, flags: RST | ACK });
  const { log } = await runTcprt(t, script);
  assert.deepEqual(log, [
    // task elapsed recv reorder mss
    `V6 N ${HEAD} 100000 ${PEER} ${LOCAL} 1 150000 1200 0 1460 \n`,
    `V6 E ${HEAD} 100000 ${PEER} ${LOCAL} 1 0 0 1200 0 10000 \n`,
  ]);
});

test('a server that answers a request only by closing: no task record, as the kernel (its FIN is the answer)', async (t) => {
  const script = handshake()
    .c(100, { seq: 1001, ack: 5001, flags: PSH | ACK, payloadLen: 31 })
    .s(101, { seq: 5001, ack: 1032, flags: FIN | ACK })
    .c(111, { seq: 1032, ack: 5002, flags: FIN | ACK })
    .s(112, { seq: 5002, ack: 1033 });
  const { log } = await runTcprt(t, script);
  assert.deepEqual(log, [`V6 E ${HEAD} 100000 ${PEER} ${LOCAL} 1 0 0 31 0 10000 \n`]);
});

test('retransmissions during a task are counted in R, E and drop‰', async (t) => {
  const script = handshake()
    .c(100, { seq: 1001, ack: 5001, flags: PSH | ACK, payloadLen: 100 })
    .s(110, { seq: 5001, ack: 1101, payloadLen: 1000 })
    .s(320, { seq: 5001, ack: 1101, payloadLen: 1000 }) // RTO retransmission
    .c(330, { seq: 1101, ack: 6001 })
    .c(400, { seq: 1101, ack: 6001, flags: FIN | ACK })
    .s(401, { seq: 6001, ack: 1102, flags: FIN | ACK })
    .c(411, { seq: 1102, ack: 6002 });
  const { log, stats } = await runTcprt(t, script);
  assert.deepEqual(log, [`V6 R ${HEAD} 100000 ${PEER} ${LOCAL} 1000 230000 10000 1 1 10000 0 100 0 1460 \n`, `V6 E ${HEAD} 100000 ${PEER} ${LOCAL} 1 1000 0 100 1 10000 \n`]);
  // packets = 1000/1460 + 1 = 1, one retransmission: 1000‰.
  assert.deepEqual(stats, [`${HEAD} all 80 230000 10000 1000 10000 0 1000 0 100 1`]);
});

test('a keep-alive probe is neither data nor a retransmission', async (t) => {
  const script = handshake()
    .c(100, { seq: 1001, ack: 5001, flags: PSH | ACK, payloadLen: 100 })
    .s(110, { seq: 5001, ack: 1101, payloadLen: 1000 })
    .c(130, { seq: 1101, ack: 6001 })
    .s(5000, { seq: 6000, ack: 1101, payloadLen: 1 })
    .c(5010, { seq: 1101, ack: 6001 })
    .c(6000, { seq: 1101, ack: 6001, flags: RST | ACK });
  const { log } = await runTcprt(t, script);
  assert.deepEqual(log, [`V6 R ${HEAD} 100000 ${PEER} ${LOCAL} 1000 30000 10000 0 1 10000 0 100 0 1460 \n`, `V6 E ${HEAD} 100000 ${PEER} ${LOCAL} 1 1000 0 100 0 10000 \n`]);
});

test('reordering: a request segment beyond a hole marks the task; rcv_nxt waits for the hole', async (t) => {
  const script = handshake()
    .c(100, { seq: 1501, ack: 5001, flags: PSH | ACK, payloadLen: 300 }) // arrives first
    .c(101, { seq: 1001, ack: 5001, payloadLen: 500 }) // fills the hole: the task starts
    .s(120, { seq: 5001, ack: 1801, payloadLen: 100 })
    .c(140, { seq: 1801, ack: 5101 })
    .c(200, { seq: 1801, ack: 5101, payloadLen: 10 })
    .s(210, { seq: 5101, ack: 1811, payloadLen: 10 })
    .c(230, { seq: 1811, ack: 5111, flags: RST | ACK });
  const { log } = await runTcprt(t, script);
  assert.deepEqual(log, [
    `V6 R ${HEAD} 101000 ${PEER} ${LOCAL} 100 39000 10000 0 1 19000 0 800 1 1460 \n`,
    `V6 R ${HEAD} 200000 ${PEER} ${LOCAL} 10 30000 10000 0 2 10000 0 10 0 1460 \n`,
    `V6 E ${HEAD} 200000 ${PEER} ${LOCAL} 2 110 0 810 0 10000 \n`,
  ]);
});

test('pipelined requests (two before the first response) make one task, as in the kernel', async (t) => {
  const script = handshake()
    .c(100, { seq: 1001, ack: 5001, flags: PSH | ACK, payloadLen: 80 })
    .c(101, { seq: 1081, ack: 5001, flags: PSH | ACK, payloadLen: 80 })
    .s(130, { seq: 5001, ack: 1161, payloadLen: 400 })
    .s(131, { seq: 5401, ack: 1161, payloadLen: 400 })
    .c(150, { seq: 1161, ack: 5801 })
    .c(200, { seq: 1161, ack: 5801, flags: RST | ACK });
  const { log } = await runTcprt(t, script);
  assert.deepEqual(log, [`V6 R ${HEAD} 100000 ${PEER} ${LOCAL} 800 50000 10000 0 1 29000 1000 160 0 1460 \n`, `V6 E ${HEAD} 100000 ${PEER} ${LOCAL} 1 800 0 160 0 10000 \n`]);
});

test("the task ends at the last ACK that moved snd_una by more than one byte (not the FIN's)", async (t) => {
  const script = handshake()
    .c(100, { seq: 1001, ack: 5001, flags: PSH | ACK, payloadLen: 100 })
    .s(110, { seq: 5001, ack: 1101, flags: PSH | ACK | FIN, payloadLen: 1000 })
    .c(130, { seq: 1101, ack: 6001 }) // the data: end
    .c(140, { seq: 1101, ack: 6002, flags: FIN | ACK }) // the FIN: not the end
    .s(141, { seq: 6002, ack: 1102 });
  const { log } = await runTcprt(t, script);
  assert.equal(log[0], `V6 R ${HEAD} 100000 ${PEER} ${LOCAL} 1000 30000 10000 0 1 10000 0 100 0 1460 \n`);
});

test('P (peer mode, the capture host is the client): request bytes, server and download times', async (t) => {
  const script = handshake()
    .c(100, { seq: 1001, ack: 5001, flags: PSH | ACK, payloadLen: 120 })
    .s(140, { seq: 5001, ack: 1121, payloadLen: 1460 })
    .s(141, { seq: 6461, ack: 1121, payloadLen: 540 })
    .c(142, { seq: 1121, ack: 7001 })
    .c(300, { seq: 1121, ack: 7001, flags: PSH | ACK, payloadLen: 60 })
    .s(330, { seq: 7001, ack: 1181, payloadLen: 10 })
    .c(400, { seq: 1181, ack: 7011, flags: FIN | ACK })
    .s(410, { seq: 7011, ack: 1182, flags: FIN | ACK })
    .c(411, { seq: 1182, ack: 7012 });
  const { log, stats } = await runTcprt(t, script, { rules: [pport(80)] });
  // The client's data is acknowledged by the server 40 ms after it left (SYN: 10 ms).
  assert.deepEqual(log, [
    // sent total minrtt retrans task server download resp reorder mss
    `V6 P ${HEAD} 100000 ${LOCAL} ${PEER} 120 41000 10000 0 1 40000 1000 2000 0 1460 \n`,
    `V6 P ${HEAD} 300000 ${LOCAL} ${PEER} 60 30000 10000 0 2 30000 0 10 0 1460 \n`,
    `V6 E ${HEAD} 300000 ${LOCAL} ${PEER} 2 180 0 2010 0 10000 \n`,
  ]);
  assert.deepEqual(stats, [`${HEAD} all P80 35500 35000 0 10000 0 90 0 1005 2`]);
});

test("MSS as the kernel's mss_cache: the smaller SYN MSS, less 12 with timestamps; else the largest segment", async (t) => {
  const ts = handshake(new TcpScript())
    .c(100, { seq: 1001, ack: 5001, payloadLen: 10, options: { timestamp: [1, 1] } })
    .s(110, { seq: 5001, ack: 1011, payloadLen: 10, options: { timestamp: [2, 1] } })
    .c(120, { seq: 1011, ack: 5011, flags: RST | ACK });
  assert.match((await runTcprt(t, ts)).log[0]!, / 1448 \n$/);
  const noSyn = new TcpScript()
    .c(100, { seq: 1001, ack: 5001, payloadLen: 10 })
    .s(110, { seq: 5001, ack: 1011, payloadLen: 900 })
    .c(120, { seq: 1011, ack: 5901, flags: RST | ACK });
  const { log } = await runTcprt(t, noSyn);
  assert.equal(log[0], `V6 R ${HEAD} 100000 ${PEER} ${LOCAL} 900 20000 10000 0 1 10000 0 10 0 900 \n`);
});

test('IPv6 endpoints are printed as [addr]:port', async (t) => {
  const script = handshake(new TcpScript({ client: 'fd00::1', server: 'fd00::2', clientPort: 40000, serverPort: 80 }))
    .c(100, { seq: 1001, ack: 5001, payloadLen: 10 })
    .s(110, { seq: 5001, ack: 1011, payloadLen: 10 })
    .c(120, { seq: 1011, ack: 5011, flags: RST | ACK });
  const { log } = await runTcprt(t, script);
  assert.equal(log[0], `V6 R ${HEAD} 100000 [fd00::1]:40000 [fd00::2]:80 10 20000 10000 0 1 10000 0 10 0 1460 \n`);
});

test('connections still open at the end: nothing for their last task unless --tcprt-flush', async (t) => {
  const script = handshake()
    .c(100, { seq: 1001, ack: 5001, flags: PSH | ACK, payloadLen: 100 })
    .s(110, { seq: 5001, ack: 1101, payloadLen: 1000 })
    .c(130, { seq: 1101, ack: 6001 });
  const open = await runTcprt(t, script);
  assert.deepEqual(open.log, []);
  assert.equal(open.result.tcprt?.counters.openUnreported, 1);
  assert.ok(open.notes.some((n) => n.includes('1 connection was still open at the end')));
  const flushed = await runTcprt(t, script, { flush: true });
  assert.deepEqual(flushed.log, [
    `V6 R ${HEAD} 100000 ${PEER} ${LOCAL} 1000 30000 10000 0 1 10000 0 100 0 1460 \n`,
    `V6 E ${HEAD} 100000 ${PEER} ${LOCAL} 1 1000 0 100 0 10000 \n`,
  ]);
  assert.equal(flushed.result.tcprt?.counters.flushed, 1);
});

test('both FINs seen but the last ACK missing: the close counts as seen', async (t) => {
  const script = handshake()
    .c(100, { seq: 1001, ack: 5001, flags: PSH | ACK, payloadLen: 100 })
    .s(110, { seq: 5001, ack: 1101, payloadLen: 1000 })
    .c(130, { seq: 1101, ack: 6001, flags: FIN | ACK })
    .s(131, { seq: 6001, ack: 1102, flags: FIN | ACK });
  const { log, result } = await runTcprt(t, script);
  assert.deepEqual(log, [`V6 R ${HEAD} 100000 ${PEER} ${LOCAL} 1000 30000 10000 0 1 10000 0 100 0 1460 \n`, `V6 E ${HEAD} 100000 ${PEER} ${LOCAL} 1 1000 1 100 0 10000 \n`]);
  assert.equal(result.tcprt?.counters.closed, 1);
});

test('port matching: local rules before peer rules, ports before ranges; unmatched ports are ignored', async (t) => {
  const script = handshake()
    .c(100, { seq: 1001, ack: 5001, payloadLen: 10 })
    .s(110, { seq: 5001, ack: 1011, payloadLen: 10 })
    .c(120, { seq: 1011, ack: 5011, flags: RST | ACK });
  const range = (side: 'local' | 'peer', lo: number, hi: number) => ({ side, lo, hi, range: true, mode: 'default' as const, firstFrame: false });
  // A peer port (80) and a local range holding 80: the local range wins.
  const both = await runTcprt(t, script, { rules: [pport(80), range('local', 70, 90)] });
  assert.match(both.log[0]!, /^V6 R /);
  // Only the client's ephemeral port in a local range: the client is "local", as its own kernel
  // would take it, and the server's bytes are the requests (closed while receiving one: N).
  const eph = await runTcprt(t, script, { rules: [range('local', 39000, 41000)] });
  assert.equal(eph.log[0], `V6 N ${HEAD} 110000 ${LOCAL} ${PEER} 1 10000 10 0 1460 \n`);
  const none = await runTcprt(t, script, { rules: [lport(81), range('peer', 1, 79)] });
  assert.deepEqual(none.log, []);
  assert.equal(none.result.tcprt?.counters.connections, 0);
});

test('stats: listed ports always get a line, range-only ports when they had tasks; P prefixes peer ports', async (t) => {
  const script = handshake()
    .c(100, { seq: 1001, ack: 5001, payloadLen: 10 })
    .s(110, { seq: 5001, ack: 1011, payloadLen: 10 })
    .c(120, { seq: 1011, ack: 5011, flags: RST | ACK });
  const { stats } = await runTcprt(t, script, {
    rules: [
      lport(8080),
      { side: 'local', lo: 70, hi: 90, range: true, mode: 'default', firstFrame: false },
      pport(443),
      { side: 'peer', lo: 1000, hi: 1010, range: true, mode: 'default', firstFrame: false },
    ],
  });
  assert.deepEqual(stats, [`${HEAD} all 8080 0 0 0 0 0 0 0 0 0`, `${HEAD} all 80 20000 10000 0 10000 0 10 0 10 1`, `${HEAD} all P443 0 0 0 0 0 0 0 0 0`]);
});

test('stats lines every interval of capture time, counters reset after each', async (t) => {
  const script = handshake();
  let seq = 1001;
  let sseq = 5001;
  // One task every 400 ms from 100 ms: tasks start at 100, 500, 900, 1300 ms.
  for (let at = 100; at < 1500; at += 400) {
    script
      .c(at, { seq, ack: sseq, payloadLen: 10 })
      .s(at + 5, { seq: sseq, ack: seq + 10, payloadLen: 10 })
      .c(at + 8, { seq: seq + 10, ack: sseq + 10 });
    seq += 10;
    sseq += 10;
  }
  script.c(1600, { seq, ack: sseq, flags: RST | ACK });
  const { stats, log } = await runTcprt(t, script, { statsIntervalNs: 1e9 });
  // R for tasks 1-3 come out at the next request (500, 900, 1300 ms), the 4th at the RST
  // (1600): two in the first second, two in the rest, whose line is stamped at the end.
  assert.equal(log.filter((l) => l.startsWith('V6 R')).length, 4);
  assert.deepEqual(stats, [`1700000001 all 80 8000 5000 0 3000 0 10 0 10 2`, `1700000001 all 80 8000 5000 0 3000 0 10 0 10 2`]);
});

test('a jump in capture time prints no line for the empty intervals it skips', async (t) => {
  const script = handshake().c(1e9, { seq: 1001, ack: 5001, flags: RST | ACK }); // 11.6 days later, 1 s interval
  const { stats } = await runTcprt(t, script, { statsIntervalNs: 1e9 });
  // The handshake's interval, then the RST's (the last line, at the last packet).
  assert.deepEqual(
    stats.map((l) => l.split(' ')[0]),
    ['1700000001', '1701000000'],
  );
});

test('first-frame times (R.F): per threshold reached, what the ACK acknowledged and when, from the task start', async (t) => {
  const script = handshake()
    .c(100, { seq: 1001, ack: 5001, payloadLen: 100 })
    .s(110, { seq: 5001, ack: 1101, payloadLen: 1460 })
    .s(111, { seq: 6461, ack: 1101, payloadLen: 1460 })
    .c(130, { seq: 1101, ack: 6461 })
    .c(131, { seq: 1101, ack: 7921 })
    .c(200, { seq: 1101, ack: 7921, flags: RST | ACK });
  const { log } = await runTcprt(t, script, { rules: [lport(80, { firstFrame: true })], firstFrameBytes: [100, 2000, 20000] });
  // V7: srtt (10, 20, 20 ms samples: 10 + (20-10)/8 = 11.25 → 11.25 + (20-11.25)/8 = 12.34 ms), cwnd 2 segments.
  // F 4: four numbers follow. The ACK at 130 ms acknowledged 1460 bytes (threshold 100), the
  // one at 131 ms 2920 (threshold 2000); 20000 was never reached.
  assert.equal(log[0], `V7 R.F ${HEAD} 100000 ${PEER} ${LOCAL} 2920 31000 10000 0 1 10000 0 100 0 1460 12343 2 F 4 1460 30000 2920 31000 \n`);
});

test("the guide's R.F example, F 6 7240 214 63698 311 98436 358, from the exchange it describes", async (t) => {
  // A 98436-byte response under the guide's thresholds 100,2000,20000,0; the client's ACKs
  // acknowledge 7240, 63698 and 98436 bytes at 214, 311 and 358 µs from the request. The first
  // ACK passes 100 and 2000 both, but one ACK answers one threshold: 2000 takes the next.
  // (minrtt 160 µs: the first ACK, 160 µs after the segment it completed; srtt of the three.)
  const script = handshake().c(100, { seq: 1001, ack: 5001, payloadLen: 100 });
  const responseBytes = 98436;
  for (let off = 0, i = 0; off < responseBytes; off += 1460, i++) {
    script.s(100.05 + i * 0.001, { seq: 5001 + off, ack: 1101, payloadLen: Math.min(1460, responseBytes - off) });
  }
  script
    .c(100.214, { seq: 1101, ack: 5001 + 7240 })
    .c(100.311, { seq: 1101, ack: 5001 + 63698 })
    .c(100.358, { seq: 1101, ack: 5001 + 98436 })
    .c(200, { seq: 1101, ack: 5001 + 98436, flags: RST | ACK });
  const { log } = await runTcprt(t, script, { rules: [lport(80, { firstFrame: true })], firstFrameBytes: [100, 2000, 20000] });
  assert.match(log[0]!, / F 6 7240 214 63698 311 98436 358 \n$/);
  assert.equal(log[0], `V7 R.F ${HEAD} 100000 ${PEER} ${LOCAL} 98436 358 160 0 1 50 0 100 0 1460 6768 68 F 6 7240 214 63698 311 98436 358 \n`);
});

test("a request segment the capture missed: rcv_nxt follows the server's ACK, the next request is a task again", async (t) => {
  const script = handshake()
    // 1001..1101 was received by the server but is not in the capture.
    .c(101, { seq: 1101, ack: 5001, flags: PSH | ACK, payloadLen: 50 })
    .s(102, { seq: 5001, ack: 1151 })
    .s(130, { seq: 5001, ack: 1151, payloadLen: 100 })
    .c(150, { seq: 1151, ack: 5101 })
    .c(200, { seq: 1151, ack: 5101, flags: PSH | ACK, payloadLen: 20 })
    .s(210, { seq: 5101, ack: 1171, payloadLen: 30 })
    .c(230, { seq: 1171, ack: 5131, flags: RST | ACK });
  const { log } = await runTcprt(t, script);
  assert.deepEqual(log, [`V6 R ${HEAD} 200000 ${PEER} ${LOCAL} 30 30000 10000 0 1 10000 0 20 0 1460 \n`, `V6 E ${HEAD} 200000 ${PEER} ${LOCAL} 1 130 0 170 0 10000 \n`]);
});
