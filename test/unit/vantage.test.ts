/**
 * Inferring the capture host from how fast hosts answer (flow/vantage.ts), on scripted
 * conversations whose times are exact: the absolute host-stack bound, several local addresses
 * or none, slices without a handshake, echoes of pure ACKs, and a decision that the time
 * window, filters and kinds never change.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AnalyzeOptions } from '../../src/analyze.js';
import { KIND_DATA, KIND_SYN } from '../../src/engines/rtt/rtt-engine.js';
import { HOST_STACK_NS } from '../../src/flow/vantage.js';
import { ACK, PSH, SYN } from '../helpers/capture-writer.js';
import { runScript, TcpScript, type ScriptEndpoints } from '../helpers/tcp-script.js';
import { noteText } from '../../src/cli/notes.js';

const inferred: AnalyzeOptions = { vantage: undefined };

function endpoints(client: string, clientPort = 40000, server = '10.0.0.2'): ScriptEndpoints {
  return { client, server, clientPort, serverPort: 80 };
}

/**
 * A connection: handshake, then `rounds` requests answered by the server; the client answers
 * the server's segments after `clientMs` and the server the client's after `serverMs`.
 */
function conversation(script: TcpScript, startMs: number, clientMs: number, serverMs: number, rounds = 3): TcpScript {
  let t = startMs;
  let cSeq = 1000;
  let sSeq = 9000;
  script.c(t, { seq: cSeq, flags: SYN });
  script.s((t += serverMs), { seq: sSeq, ack: ++cSeq, flags: SYN | ACK });
  script.c((t += clientMs), { seq: cSeq, ack: ++sSeq });
  for (let i = 0; i < rounds; i++) {
    script.c((t += 1), { seq: cSeq, ack: sSeq, flags: PSH | ACK, payloadLen: 100 });
    script.s((t += serverMs), { seq: sSeq, ack: (cSeq += 100), flags: PSH | ACK, payloadLen: 500 });
    script.c((t += clientMs), { seq: cSeq, ack: (sSeq += 500) });
  }
  return script;
}

/** Several scripts' records in one capture, in time order. */
function together(...scripts: TcpScript[]): TcpScript {
  const all = new TcpScript();
  for (const s of scripts) all.records.push(...s.records);
  all.records.sort((x, y) => x.sec - y.sec || x.frac - y.frac);
  return all;
}

test('a host that answers within the host-stack bound is the capture host; its peer 20 ms away is not', async (t) => {
  const script = conversation(new TcpScript(), 0, 0.01, 20);
  const { samples, result } = await runScript(t, script, inferred);
  assert.deepEqual(result.vantage?.localLabels, ['10.0.0.1']);
  assert.equal(result.vantage?.how, 'host-stack');
  assert.equal(result.vantage?.confidence, 'low', 'four host-stack answers: fewer than five');
  assert.ok(samples.every((s) => s.dst === '10.0.0.2:80'), 'only the server acknowledged what is reported');
  assert.equal(result.localAcked, 4);
  const [client, server] = result.vantage!.evidence;
  assert.deepEqual(client, { address: '10.0.0.1', answers: 4, hostStack: 4, fastestNs: 10_000, local: true });
  assert.deepEqual(server, { address: '10.0.0.2', answers: 4, hostStack: 0, fastestNs: 20_000_000, local: false });
  assert.deepEqual(result.vantage!.note, {
    code: 'vantage-local',
    hosts: ['10.0.0.1'],
    hostStackAnswers: 4,
    answers: 4,
    boundNs: HOST_STACK_NS,
    fastestOther: { address: '10.0.0.2', fastestNs: 20_000_000 },
    unnamedLocal: false,
    maxHosts: 65536,
  });
  assert.match(noteText(result.vantage!.note!), /vantage: 10\.0\.0\.1 is the capture host: 4 of its 4 answers came within 200 µs, host-stack time; the other hosts' fastest took 20\.0 ms \(10\.0\.0\.2\)/);
});

test('a router 1 ms from the client sees no host-stack answer: mid-path, both halves reported', async (t) => {
  const script = conversation(new TcpScript(), 0, 1, 20);
  const { samples, result } = await runScript(t, script, inferred);
  assert.deepEqual(result.vantage?.local, []);
  assert.equal(result.vantage?.how, 'no-host-stack');
  assert.equal(result.vantage?.confidence, 'low', 'eight answers: fewer than ten');
  assert.equal(samples.filter((s) => s.dst === '10.0.0.1:40000').length, 4, 'the client half, 1 ms');
  assert.equal(samples.filter((s) => s.dst === '10.0.0.2:80').length, 4, 'the server half, 20 ms');
  assert.match(noteText(result.vantage!.note!), /mid-path: no host answered within 200 µs, the fastest took 1\.00 ms \(10\.0\.0\.1\); both halves reported/);
});

test('the bound is absolute: an answer at the bound counts, one just past it does not', async (t) => {
  const at = await runScript(t, conversation(new TcpScript(), 0, HOST_STACK_NS / 1e6, 20), inferred);
  assert.deepEqual(at.result.vantage?.localLabels, ['10.0.0.1']);
  const past = await runScript(t, conversation(new TcpScript(), 0, HOST_STACK_NS / 1e6 + 0.001, 20), inferred);
  assert.deepEqual(past.result.vantage?.local, []);
});

test('a client using several source addresses: each is local, the server is not', async (t) => {
  const a = conversation(new TcpScript(endpoints('10.0.0.1')), 0, 0.005, 25);
  const b = conversation(new TcpScript(endpoints('10.0.0.3', 40001)), 3, 0.007, 25);
  const c = conversation(new TcpScript(endpoints('10.0.0.4', 40002)), 5, 0.004, 25);
  const { samples, result } = await runScript(t, together(a, b, c), inferred);
  assert.deepEqual([...result.vantage!.localLabels].sort(), ['10.0.0.1', '10.0.0.3', '10.0.0.4']);
  assert.equal(samples.length, 12);
  assert.ok(samples.every((s) => s.dst === '10.0.0.2:80'));
});

test('one host-stack answer among many slow ones is not enough (a host answers more than once); two are', async (t) => {
  // The client answers the SYN/ACK at once but everything else 20 ms later.
  const script = new TcpScript();
  script.c(0, { seq: 1000, flags: SYN }).s(25, { seq: 9000, ack: 1001, flags: SYN | ACK }).c(25.01, { seq: 1001, ack: 9001 });
  let t0 = 30;
  for (let i = 0; i < 5; i++, t0 += 100) {
    script.s(t0, { seq: 9001 + 500 * i, ack: 1001, flags: PSH | ACK, payloadLen: 500 }).c(t0 + 20, { seq: 1001, ack: 9501 + 500 * i });
  }
  const one = await runScript(t, script, inferred);
  assert.deepEqual(one.result.vantage?.local, [], 'one fast answer of six');
  script.s(t0, { seq: 11501, ack: 1001, flags: PSH | ACK, payloadLen: 500 }).c(t0 + 0.02, { seq: 1001, ack: 12001 });
  const two = await runScript(t, script, inferred);
  assert.deepEqual(two.result.vantage?.localLabels, ['10.0.0.1'], 'two fast answers of seven');
});

test('no host answered anything: could not tell, and the note says what to pass', async (t) => {
  const script = new TcpScript().c(0, { seq: 1000, flags: SYN }).c(1000, { seq: 1000, flags: SYN });
  const { result } = await runScript(t, script, inferred);
  assert.deepEqual(result.vantage?.local, []);
  assert.equal(result.vantage?.how, 'no-answers');
  assert.equal(result.vantage?.confidence, 'none');
  assert.match(noteText(result.vantage!.note!), /could not tell which host took this capture.*--local HOST, or --local none/);
});

test('a slice of a download taken at the client (no handshake, data in, ACKs out) still finds the client', async (t) => {
  const script = new TcpScript();
  for (let i = 0; i < 10; i++) {
    const at = 100 + i;
    script.s(at, { seq: 50_000 + 1448 * i, ack: 7000, payloadLen: 1448, options: { timestamp: [900 + i, 300 + i] } });
    if (i % 2 === 1) script.c(at + 0.003, { seq: 7000, ack: 50_000 + 1448 * (i + 1), options: { timestamp: [301 + i, 900 + i] } });
  }
  const { samples, result } = await runScript(t, script, inferred);
  assert.deepEqual(result.vantage?.localLabels, ['10.0.0.1']);
  assert.equal(samples.length, 0, 'every sample of the slice is the client acknowledging');
  assert.equal(result.localAcked, 5);
});

test('a sender whose data echoes its peer\'s ACKs within the bound is local, though it acknowledges nothing', async (t) => {
  // The server's slice of a download: the client's ACKs come back 20 ms after the data, and the
  // server sends the next segments 10 µs after each ACK, echoing its TSval.
  const script = new TcpScript();
  let seq = 50_000;
  let at = 100;
  for (let i = 0; i < 6; i++) {
    script.s(at, { seq, ack: 7000, payloadLen: 1448, options: { timestamp: [900 + i, 300 + i] } });
    seq += 1448;
    script.c((at += 20), { seq: 7000, ack: seq, options: { timestamp: [301 + i, 900 + i] } });
    at += 0.01;
  }
  script.s(at, { seq, ack: 7000, payloadLen: 1448, options: { timestamp: [906, 306] } });
  const { samples, result } = await runScript(t, script, inferred);
  assert.deepEqual(result.vantage?.localLabels, ['10.0.0.2']);
  assert.equal(samples.length, 6);
  assert.ok(samples.every((s) => s.dst === '10.0.0.1:40000' && s.rttUs === 20_000));
  const server = result.vantage!.evidence.find((e) => e.address === '10.0.0.2');
  assert.equal(server?.hostStack, 6, 'six echoes, each 10 µs after the ACK it answers');
});

test('the time window, address and port filters and kinds select samples but never change whose RTT it is', async (t) => {
  // The client's fast answers all come in the first second; the window starts later.
  const early = conversation(new TcpScript(), 0, 0.01, 20);
  const late = conversation(new TcpScript(endpoints('10.0.0.1', 40001)), 2000, 0.01, 20);
  const script = together(early, late);
  const whole = await runScript(t, script, inferred);
  for (const options of [
    { from: { offsetNs: 1.5e9 } },
    { to: { offsetNs: 0.05e9 } },
    { filters: { rport: new Set([443]) } },
    { filters: { laddr: [{ version: 4 as const, words: [0xc0000200, 0, 0, 0], prefix: 24 }] } },
    { kinds: [KIND_SYN] as const },
  ]) {
    const run = await runScript(t, script, { ...inferred, ...options });
    assert.deepEqual(run.result.vantage, whole.result.vantage, JSON.stringify(options, (_k, v: unknown) => (v instanceof Set ? [...v] : v)));
  }
  const windowed = await runScript(t, script, { ...inferred, from: { offsetNs: 1.5e9 } });
  assert.ok(windowed.samples.length > 0 && windowed.samples.length < whole.samples.length);
  const handshakes = await runScript(t, script, { ...inferred, kinds: [KIND_SYN] });
  assert.deepEqual(
    handshakes.samples.map((s) => s.kind),
    ['syn', 'syn'],
  );
  assert.equal(handshakes.result.filtered, whole.samples.length - 2, 'the other kinds counted as filtered');
  const data = await runScript(t, script, { ...inferred, kinds: [KIND_DATA] });
  assert.ok(data.samples.every((s) => s.kind === 'data'));
});

test('a data sender that answered nothing makes a mid-path decision of low confidence, and is named', async (t) => {
  // No timestamps: the server's data is acknowledged 1 ms later, the server acknowledges nothing.
  const script = new TcpScript();
  for (let i = 0; i < 4; i++) script.s(10 * i, { seq: 5000 + 100 * i, ack: 700, payloadLen: 100 }).c(10 * i + 1, { seq: 700, ack: 5100 + 100 * i });
  const { result } = await runScript(t, script, inferred);
  assert.deepEqual(result.vantage?.local, []);
  assert.equal(result.vantage?.confidence, 'low');
  assert.match(noteText(result.vantage!.note!), /10\.0\.0\.2 sent data but answered nothing here: if one of them took the capture, pass --local/);
});

test('flows that ended wait for the decision only up to --max-flows: then it is forced', async (t) => {
  // Eight connections with no answer at all, then eight where the client answers in 10 µs.
  const silent = Array.from({ length: 8 }, (_, i) => new TcpScript(endpoints('10.0.0.1', 41000 + i)).c(i, { seq: 1000, flags: SYN }));
  const talking = Array.from({ length: 8 }, (_, i) => conversation(new TcpScript(endpoints('10.0.0.1', 42000 + i)), 100 + 100 * i, 0.01, 20, 1));
  const script = together(...silent, ...talking);
  const unbounded = await runScript(t, script, inferred);
  assert.deepEqual(unbounded.result.vantage?.localLabels, ['10.0.0.1']);
  // With room for 4 flows, the silent ones are evicted first; at the 4th eviction the decision
  // is taken from what was seen: nothing, so no host is local.
  const bounded = await runScript(t, script, { ...inferred, maxFlows: 4 });
  assert.equal(bounded.result.vantage?.how, 'no-answers');
  assert.ok(bounded.result.flows.evicted >= 4);
  assert.equal(bounded.samples.filter((s) => s.dst.startsWith('10.0.0.1:')).length, 16, 'the client half is reported: a handshake and a response each');
});

test('capture time that goes backwards: an ACK before its segment is counted, noted once, never a sample', async (t) => {
  const script = new TcpScript()
    .c(0, { seq: 1000, flags: SYN })
    .s(20, { seq: 9000, ack: 1001, flags: SYN | ACK })
    .c(20.01, { seq: 1001, ack: 9001 })
    .c(30, { seq: 1001, ack: 9001, payloadLen: 100 })
    .s(25, { seq: 9001, ack: 1101 }) // captured 5 ms before the data it acknowledges
    .c(40, { seq: 1101, ack: 9001, payloadLen: 100 })
    .s(60, { seq: 9001, ack: 1201 });
  const notes: string[] = [];
  const { samples, result } = await runScript(t, script, { ...inferred, onNote: (n) => notes.push(noteText(n)) });
  assert.equal(result.rtt.negativeIntervals, 1);
  assert.ok(samples.every((s) => s.rttUs >= 0));
  assert.ok(result.summary.minUs >= 0, `min ${result.summary.minUs}`);
  assert.deepEqual(
    samples.filter((s) => s.dst === '10.0.0.2:80').map((s) => s.rttUs),
    [20_000, 20_000],
  );
  assert.equal(notes.filter((n) => /capture time goes back 5\.000 ms at packet 5/.test(n)).length, 1);
});
