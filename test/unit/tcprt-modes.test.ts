/**
 * TCP-RT's http and https modes on synthetic conversations: V7 R lines and the extended types
 * read from payloads (R.C, R.H, R.Z, R.A), TLS records split across segments, and what happens
 * when the bytes are not there (snaplen) or are not TLS. Real captures of the same are checked
 * in test/e2e/tcprt-cli.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACK, PSH, RST, SYN, concat } from '../helpers/capture-writer.js';
import { TcpScript } from '../helpers/tcp-script.js';
import { lport, runTcprt } from '../helpers/tcprt.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A TLS record: type, version 3.3, length, body (`size` bytes starting with `first`). */
function record(type: number, size: number, first = 0): Uint8Array {
  const body = new Uint8Array(size).fill(0xaa);
  body[0] = first;
  return concat(Uint8Array.of(type, 3, 3, size >> 8, size & 255), body);
}

function handshake(script = new TcpScript()): TcpScript {
  return script
    .c(0, { seq: 1000, flags: SYN, options: { mss: 1460 } })
    .s(10, { seq: 5000, ack: 1001, flags: SYN | ACK, options: { mss: 1460 } })
    .c(20, { seq: 1001, ack: 5001 });
}

/** Client segments then server segments, in turns: [at ms, from client?, payload]. */
function conversation(turns: Array<[number, boolean, Uint8Array]>, end = 1000): TcpScript {
  const script = handshake();
  let cseq = 1001;
  let sseq = 5001;
  for (const [at, fromClient, payload] of turns) {
    if (fromClient) {
      script.c(at, { seq: cseq, ack: sseq, flags: PSH | ACK, payload });
      cseq += payload.length;
    } else {
      script.s(at, { seq: sseq, ack: cseq, flags: PSH | ACK, payload });
      sseq += payload.length;
    }
  }
  return script.c(end, { seq: cseq, ack: sseq, flags: RST | ACK });
}

const expect100 = (expectHeader: boolean, status: string): TcpScript =>
  conversation([
    [100, true, text(`POST /upload HTTP/1.1\r\nHost: x\r\n${expectHeader ? 'Expect: 100-continue\r\n' : ''}Content-Length: 10\r\n\r\n`)],
    [101, false, text(`HTTP/1.1 ${status}\r\n\r\n`)],
    [120, true, text('0123456789')],
    [150, false, text('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')],
  ]);

test('http: a request with Expect: 100-continue answered 100 Continue is an R.C task; the body its own', async (t) => {
  const { log } = await runTcprt(t, expect100(true, '100 Continue'), { rules: [lport(80, { mode: 'http' })] });
  assert.deepEqual(
    log.map((l) => l.split(' ').slice(0, 2).join(' ')),
    ['V7 R.C', 'V7 R', 'V6 E'],
  );
  // The body's task: server time 30 ms (120 → 150), request bytes 10.
  assert.match(log[1]!, / 2 30000 0 10 0 1460 /);
});

test('http: without the header, or without the 100 answer, tasks are plain R (still V7)', async (t) => {
  for (const script of [expect100(false, '100 Continue'), expect100(true, '417 Expectation Failed')]) {
    const { log } = await runTcprt(t, script, { rules: [lport(80, { mode: 'http' })] });
    assert.deepEqual(
      log.map((l) => l.split(' ').slice(0, 2).join(' ')),
      ['V7 R', 'V7 R', 'V6 E'],
    );
  }
});

test('default mode: V6 lines, and payloads are not read', async (t) => {
  const { log } = await runTcprt(t, expect100(true, '100 Continue'));
  assert.deepEqual(
    log.map((l) => l.split(' ').slice(0, 2).join(' ')),
    ['V6 R', 'V6 R', 'V6 E'],
  );
});

/** TLS 1.3 with 0-RTT: ClientHello + early data, the server's flight, the client's Finished alone, a request. */
function tls13EarlyData(split = false): TcpScript {
  const hello = concat(record(22, 200, 1), record(23, 60));
  const turns: Array<[number, boolean, Uint8Array]> = split
    ? [
        [100, true, hello.subarray(0, 3)], // the record header itself split across segments
        [100.5, true, hello.subarray(3)],
      ]
    : [[100, true, hello]];
  turns.push([112, false, concat(record(22, 90, 2), record(20, 1, 1), record(23, 700))], [133, true, record(23, 53)], [140, true, record(23, 120)], [150, false, record(23, 900)]);
  return conversation(turns);
}

test('https: TLS 1.3 0-RTT handshake is R.HZ with H = ClientHello to the client Finished; the request after it R', async (t) => {
  for (const split of [false, true]) {
    const { log } = await runTcprt(t, tls13EarlyData(split), { rules: [lport(80, { mode: 'https' })] });
    const [hs, req, e] = log;
    // ClientHello at 100 ms, server flight at 112 ms, the client's Finished alone at 133 ms.
    assert.match(hs!, /^V7 R.HZ 1700000000 100000 /, hs);
    assert.match(hs!, / H 33000 \n$/, hs);
    // The Finished started no task: the request at 140 ms is task 2, answered at 150 ms.
    assert.match(req!, /^V7 R 1700000000 140000 \S+ \S+ 905 \d+ \d+ 0 2 10000 0 125 0 1460 \d+ \d+ \n$/, req);
    assert.match(e!, /^V6 E \S+ \S+ \S+ \S+ 2 1711 /, e);
  }
});

test('https: TLS 1.2 shape (two handshake flights, then data and an alert) is R.H, R.H, R.A', async (t) => {
  const script = conversation([
    [100, true, record(22, 300, 1)],
    [110, false, concat(record(22, 90, 2), record(22, 800, 11), record(22, 4, 14))],
    [130, true, concat(record(22, 70, 16), record(20, 1, 1), record(22, 40, 0))],
    [140, false, concat(record(20, 1, 1), record(22, 40, 0))],
    [160, true, record(23, 150)],
    [170, false, concat(record(23, 2000), record(21, 26))],
    [180, true, record(21, 26)],
  ]);
  const { log } = await runTcprt(t, script, { rules: [lport(80, { mode: 'https' })] });
  assert.deepEqual(
    log.map((l) => l.split(' ').slice(0, 2).join(' ')),
    // The client's own close_notify (at 180 ms) gets no answer before its RST: N.
    ['V7 R.H', 'V7 R.H', 'V7 R.A', 'V6 N', 'V6 E'],
  );
  assert.doesNotMatch(log[0]!, / H \d+ /, 'TLS 1.2 handshakes carry no H field');
});

test('https: TLS 1.3 alerts by their size, 19 bytes, after the handshake only; TLS 1.2 application data of 19 bytes is not one', async (t) => {
  const tls13 = (responseTail: Uint8Array[]): TcpScript =>
    conversation([
      [100, true, record(22, 300, 1)],
      [112, false, concat(record(22, 90, 2), record(20, 1, 1), record(23, 700))],
      [133, true, record(23, 53)], // the client's Finished
      [140, true, record(23, 120)],
      [150, false, concat(record(23, 900), ...responseTail)],
      [160, true, record(23, 120)],
      [170, false, record(23, 500)],
    ]);
  const types = async (script: TcpScript): Promise<string[]> => (await runTcprt(t, script, { rules: [lport(80, { mode: 'https' })] })).log.map((l) => l.split(' ')[1]!);
  // A close_notify after the response: 2 + 1 + 16-byte tag = 19.
  assert.deepEqual(await types(tls13([record(23, 19)])), ['R.H', 'R.A', 'R', 'E']);
  // 18 or 20 bytes: not an alert's size.
  assert.deepEqual(await types(tls13([record(23, 18)])), ['R.H', 'R', 'R', 'E']);
  assert.deepEqual(await types(tls13([record(23, 20)])), ['R.H', 'R', 'R', 'E']);
  // TLS 1.2 (handshake answered with handshake records): its alerts have their own type; a
  // 19-byte application_data record there is data.
  const tls12 = conversation([
    [100, true, record(22, 300, 1)],
    [110, false, concat(record(22, 90, 2), record(22, 800, 11), record(22, 4, 14))],
    [130, true, concat(record(22, 70, 16), record(20, 1, 1), record(22, 40, 0))],
    [140, false, concat(record(20, 1, 1), record(22, 40, 0))],
    [160, true, record(23, 150)],
    [170, false, concat(record(23, 2000), record(23, 19))],
  ]);
  assert.deepEqual(await types(tls12), ['R.H', 'R.H', 'R', 'E']);
});

test('https: a stream that is not TLS gives plain V7 R lines', async (t) => {
  const { log } = await runTcprt(t, expect100(true, '100 Continue'), { rules: [lport(80, { mode: 'https' })] });
  assert.deepEqual(
    log.map((l) => l.split(' ').slice(0, 2).join(' ')),
    ['V7 R', 'V7 R', 'V6 E'],
  );
});

test('https: payloads cut by the snaplen: one note, and no extended types from there on', async (t) => {
  const script = handshake()
    .c(100, { seq: 1001, ack: 5001, payload: record(22, 300, 1), capturedPayloadLen: 40 })
    .s(110, { seq: 5001, ack: 1306, payload: concat(record(22, 90, 2), record(23, 700)), capturedPayloadLen: 40 })
    .c(130, { seq: 1306, ack: 5801, payload: record(23, 100), capturedPayloadLen: 40 })
    .s(140, { seq: 5801, ack: 1411, payload: record(23, 500), capturedPayloadLen: 40 })
    .c(160, { seq: 1411, ack: 6306, flags: RST | ACK });
  const { log, notes } = await runTcprt(t, script, { rules: [lport(80, { mode: 'https' })] });
  assert.deepEqual(
    log.map((l) => l.split(' ').slice(0, 2).join(' ')),
    ['V7 R', 'V7 R', 'V6 E'],
  );
  assert.equal(notes.filter((n) => n.includes('snaplen')).length, 1, notes.join('\n'));
});
