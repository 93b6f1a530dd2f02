/**
 * TCP-RT stats over empty time (issue 16 item 2): 2,000 SYNs spread over 16.7 hours. The run
 * must cost what its packets and the intervals that hold them cost, not what the span of
 * capture time does: no stats line for an interval in which nothing was captured, and no walk
 * over every port of a range for each line. The spawn's time limit is a hang detector, far
 * above the fixed run (a fraction of a second) and far below main's (minutes).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { spreadSynCapture } from '../helpers/floods.js';
import { CLI_PATH, REPO_ROOT, tempDir } from '../helpers/paths.js';

const SYNS = 2000;
const SPAN_SEC = 60_000; // 16.7 hours: a SYN every 30 s

function run(args: string[]): { status: number | null; stdout: string; stderr: string; timedOut: boolean } {
  const r = spawnSync(process.execPath, [CLI_PATH, ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000, maxBuffer: 512 * 1024 * 1024 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, timedOut: r.error !== undefined };
}

test('--lports-range 1-65535 over 16.7 hours of sparse SYNs ends (lines only for ports with tasks)', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'spread.pcap');
  await writeFile(path, spreadSynCapture(SYNS, SPAN_SEC));
  const r = run([path, '--tcprt', '--lports-range', '1-65535', '--stats-interval', '1s', '--local', '10.0.0.2', '-q']);
  assert.ok(!r.timedOut, 'still running after 120 s');
  assert.equal(r.status, 0, r.stderr);
  // No port had a task: a range shows none of them.
  assert.equal(r.stdout, '');
});

test('--lports 80: a stats line for each interval that holds packets, none for empty ones', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'spread.pcap');
  await writeFile(path, spreadSynCapture(SYNS, SPAN_SEC));
  const r = run([path, '--tcprt', '--lports', '80', '--stats-interval', '1s', '--local', '10.0.0.2', '-q']);
  assert.ok(!r.timedOut, 'still running after 120 s');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  // Each SYN falls in an interval of its own (30 s apart, 1 s intervals): one zero line each,
  // stamped where its interval ends; the last one at the last packet.
  assert.equal(lines.length, SYNS);
  assert.equal(lines[0], '1700000001 all 80 0 0 0 0 0 0 0 0 0');
  assert.equal(lines[1], `${1700000000 + 30 + 1} all 80 0 0 0 0 0 0 0 0 0`);
  const lastSec = 1700000000 + Math.floor(((SYNS - 1) * Math.floor((SPAN_SEC * 1e9) / (SYNS - 1))) / 1e9);
  assert.equal(lines.at(-1), `${lastSec} all 80 0 0 0 0 0 0 0 0 0`);
});
