/**
 * A run-wide bound on unacknowledged segments (issue 16 item 11): many flows, each with a
 * backlog, once held every segment (about 81 bytes each, capped only per flow). With
 * --max-segments a flow past the budget forgets its oldest segment: counted in the JSON and on
 * stderr, and the samples that remain are the ones an unbounded run gives (the newest segments
 * are kept, so a cumulative ACK still times the segment it ends at).
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { backlogCapture } from '../helpers/floods.js';
import { tempDir } from '../helpers/paths.js';

test('--max-segments bounds the backlog of all flows together, counted, samples unchanged', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'backlog.pcap');
  await writeFile(path, backlogCapture(300, 200)); // 60,000 segments in flight at once
  const run = (extra: string[]): { doc: any; stderr: string } => {
    const r = runCli([path, '--local', '10.0.0.1', '--by', 'flow', '--json', '-', ...extra]);
    assert.equal(r.status, 0, r.stderr);
    return { doc: JSON.parse(r.stdout), stderr: r.stderr };
  };
  const free = run([]);
  const bounded = run(['--max-segments', '10000']);
  assert.equal(free.doc.counters.rtt.segments_over_budget, 0);
  const forgotten = bounded.doc.counters.rtt.segments_over_budget as number;
  // 60,000 wanted, at most 10,000 slots beyond each of the 300 rings' first.
  assert.ok(forgotten >= 60_000 - 10_000 - 300, `${forgotten} forgotten`);
  assert.match(bounded.stderr, new RegExp(`${forgotten} unacknowledged segments forgotten at --max-segments`));
  // Each flow's cumulative ACK ends at its newest segment, which is kept: same samples, same RTTs.
  assert.equal(bounded.doc.summary.samples, free.doc.summary.samples);
  assert.deepEqual(
    bounded.doc.groups.map((g: any) => [g.key, g.samples, g.min_us, g.max_us]),
    free.doc.groups.map((g: any) => [g.key, g.samples, g.min_us, g.max_us]),
  );
  const bad = runCli([path, '--max-segments', 'lots']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--max-segments: 'lots' is not a whole number/);
});
