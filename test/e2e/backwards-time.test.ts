/**
 * Capture time that goes backwards (a clock step, captures joined out of order): an ACK captured
 * before the segment it acknowledges is not an RTT. It is counted (negative_intervals), said
 * once on stderr, and kept out of every statistic and of the vantage inference, so that min is
 * never negative, with --local or without, and `rttscan merge` reads rttscan's own output.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ACK, PSH, SYN } from '../helpers/capture-writer.js';
import { runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';
import { TcpScript } from '../helpers/tcp-script.js';

interface Doc {
  vantage: { local: string[] };
  summary: { samples: number; min_us: number; mean_us: number };
  counters: { rtt: { samples: number; negative_intervals: number } };
}

/** Requests answered 20 ms later; then the clock steps back 500 ms before one answer. */
function steppedBack(): TcpScript {
  const s = new TcpScript()
    .c(1000, { seq: 1000, flags: SYN })
    .s(1020, { seq: 9000, ack: 1001, flags: SYN | ACK })
    .c(1020.01, { seq: 1001, ack: 9001 });
  let t = 1030;
  let seq = 1001;
  for (let i = 0; i < 4; i++, t += 100, seq += 100) s.c(t, { seq, ack: 9001, flags: PSH | ACK, payloadLen: 100 }).s(t + 20, { seq: 9001, ack: seq + 100 });
  // The step: the next ACK carries a time 500 ms before its request's.
  s.c(t, { seq, ack: 9001, flags: PSH | ACK, payloadLen: 100 }).s(t - 500, { seq: 9001, ack: seq + 100 });
  return s;
}

test('an ACK captured before its segment: counted, said once, out of every statistic, with --local or not; merge reads the output', async (t) => {
  const dir = await tempDir(t);
  const capture = join(dir, 'stepped.pcap');
  writeFileSync(capture, steppedBack().file());
  for (const local of [[], ['--local', '10.0.0.1']]) {
    const json = join(dir, `run${local.length}.json`);
    const run = await runCliInProcess([capture, ...local, '--json', json]);
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr.match(/capture time goes back/g)?.length, 1, run.stderr);
    assert.match(run.stderr, /1 ACKs captured before their segment left out/);
    const doc = JSON.parse((await runCliInProcess([capture, ...local, '--json', '-', '-q'])).stdout) as Doc;
    assert.equal(doc.counters.rtt.negative_intervals, 1);
    assert.equal(doc.summary.min_us, 20_000);
    assert.equal(doc.summary.mean_us, 20_000);
    assert.equal(doc.summary.samples, 5, 'the SYN and four requests, all 20 ms');
    assert.deepEqual(doc.vantage.local, ['10.0.0.1'], 'the client answered the SYN/ACK in 10 µs');
    const merged = await runCliInProcess(['merge', json, json, '--json', '-', '-q']);
    assert.equal(merged.status, 0, merged.stderr);
    const m = JSON.parse(merged.stdout) as Doc;
    assert.equal(m.summary.samples, 10);
    assert.equal(m.summary.min_us, 20_000);
    assert.equal(m.counters.rtt.negative_intervals, 2);
  }
});
