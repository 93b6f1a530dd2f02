/**
 * Several capture points (issue 10): the same traffic captured at both ends overlaps in time, so
 * each capture is analysed on its own and nothing is paired across them; slices of one rotated
 * capture follow one another and join into one analysis, giving what the whole capture gives.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasCommand, parseCsv, runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';
import { capturePoints, type CaptureSpan } from '../../src/capture/capture-points.js';
import { spawnSync } from 'node:child_process';

const CLIENT = 'samples/http-v4/client.pcap';
const SERVER = 'samples/http-v4/server.pcap';

interface Doc {
  inputs: Array<{ path: string }>;
  summary: { samples: number; min_us: number; data_segments: number; retransmitted_segments: number };
}

async function json(args: string[]): Promise<Doc | Doc[]> {
  const run = await runCliInProcess([...args, '--json', '-', '-q']);
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as Doc | Doc[];
}

test('both ends of the same traffic: two capture points, each as when given alone; no cross-capture RTT', async () => {
  const docs = (await json([CLIENT, SERVER])) as Doc[];
  assert.ok(Array.isArray(docs), 'one document per capture point');
  assert.deepEqual(
    docs.map((d) => d.inputs.map((i) => i.path)),
    [[CLIENT], [SERVER]],
  );
  assert.deepEqual(docs[0]!.summary, ((await json([CLIENT])) as Doc).summary);
  assert.deepEqual(docs[1]!.summary, ((await json([SERVER])) as Doc).summary);
  // The path is 25 ms: pairing across captures gave 10 and 15 ms "RTTs" and 50% "retransmissions".
  const rows = parseCsv((await runCliInProcess([CLIENT, SERVER, '--csv', '-', '-q'])).stdout);
  assert.equal(rows.length, 28 + 108);
  assert.ok(
    rows.every((r) => r.rttUs > 25_000),
    `smallest ${Math.min(...rows.map((r) => r.rttUs))} µs`,
  );
  for (const d of docs) assert.equal(d.summary.retransmitted_segments, 0);
  const run = await runCliInProcess([CLIENT, SERVER]);
  assert.match(run.stderr, /overlap in time/);
  assert.match(run.stdout, /^==> samples\/http-v4\/client\.pcap <==$/m);
  assert.match(run.stdout, /^==> samples\/http-v4\/server\.pcap <==$/m);
});

test('--join analyses overlapping inputs as one capture point, as before', async () => {
  const joined = (await json([CLIENT, SERVER, '--join'])) as Doc;
  assert.ok(!Array.isArray(joined));
  assert.equal(joined.inputs.length, 2);
});

test('rotated slices of one capture (editcap -c) join: the same figures as the whole capture', async (t) => {
  if (!hasCommand('editcap')) {
    t.skip('editcap (wireshark-common) not installed');
    return;
  }
  const dir = await tempDir(t);
  const whole = 'samples/mixed-loss/server.pcap';
  assert.equal(spawnSync('editcap', ['-c', '500', whole, join(dir, 'slice.pcap')]).status, 0);
  const slices = readdirSync(dir)
    .sort()
    .map((f) => join(dir, f));
  assert.ok(slices.length >= 7);
  const joined = (await json(slices)) as Doc;
  assert.ok(!Array.isArray(joined), 'one capture point');
  assert.equal(joined.inputs.length, slices.length);
  const alone = (await json([whole])) as Doc;
  assert.equal(joined.summary.samples, alone.summary.samples);
  assert.equal(joined.summary.min_us, alone.summary.min_us);
});

test('grouping: slices of two rotated captures make two points; ties keep the command-line order', () => {
  const span = (path: string, from: number, to: number): CaptureSpan => ({ path, first: [from, 0], last: [to, 0] });
  assert.deepEqual(capturePoints([span('a0', 0, 10), span('a1', 10, 20), span('b0', 0, 10), span('b1', 10, 20)]), [{ paths: ['a0', 'a1'] }, { paths: ['b0', 'b1'] }]);
  assert.deepEqual(capturePoints([span('late', 30, 40), span('early', 0, 10)]), [{ paths: ['late', 'early'] }]);
  assert.deepEqual(capturePoints([span('x', 0, 10), span('y', 5, 15), span('z', 12, 20)]), [{ paths: ['x', 'z'] }, { paths: ['y'] }]);
  assert.deepEqual(capturePoints([span('x', 0, 10), { path: 'empty', first: undefined, last: undefined }]), [{ paths: ['x', 'empty'] }]);
});
