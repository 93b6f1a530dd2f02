/**
 * Capture times past JavaScript's Date range (±8.64e15 ms: the year 275760) and before 1970: a
 * pcapng timestamp is a 64-bit count of units plus a signed 64-bit if_tsoffset, so both occur
 * in files. Every report that prints a capture time must print it, not throw "Invalid time
 * value" (issue 16 item 6).
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { conversation, epb, pcapngFile, type NgBlock } from '../helpers/capture-writer.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

/** The conversation's packets 1 ms apart from `startSec` (µs units, the pcapng default), shifted by `offsetSec`. */
function farCapture(startSec: bigint, offsetSec?: bigint): Uint8Array {
  const blocks: NgBlock[] = [
    { kind: 'shb' },
    { kind: 'idb', linktype: 101, ...(offsetSec !== undefined ? { tsoffset: offsetSec } : {}) },
    ...conversation().map((frame, i) => epb(frame, 0, startSec * 1_000_000n + BigInt(i) * 1000n)),
  ];
  return pcapngFile(blocks);
}

// 9e12 s after 1970 is in the year 287,000-odd: past Date's 8.64e12 s.
const FAR_SEC = 9_000_000_000_000n;

for (const [name, bytes, year] of [
  ['past the year 275760', farCapture(FAR_SEC), /\+28\d{4}-/],
  ['before 1970 (negative if_tsoffset)', farCapture(1000n, -2_000_000_000n), /capture time from 1906-08-/],
] as const) {
  test(`capture times ${name}: --samples, --chart, -T, --csv and --json all print`, async (t) => {
    const dir = await tempDir(t);
    const path = join(dir, 'far.pcapng');
    await writeFile(path, bytes);
    for (const args of [['--samples'], ['--chart'], ['--interval', '1ms', '-T'], ['--csv', '-'], ['--json', '-']]) {
      const run = runCli([path, '--local', '10.0.0.1', ...args, '-q']);
      assert.equal(run.status, 0, `${args.join(' ')}: ${run.stderr}`);
      assert.doesNotMatch(run.stderr, /Invalid time value|internal error/);
      assert.ok(run.stdout.length > 0, `${args.join(' ')} printed nothing`);
    }
    const chart = runCli([path, '--local', '10.0.0.1', '--chart', '-q']);
    assert.match(chart.stdout, year);
  });
}

test('a JSON summary of a capture before 1970 reads back: merge takes its negative times', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'early.pcapng');
  await writeFile(path, farCapture(1000n, -2_000_000_000n));
  const json = join(dir, 'early.json');
  const run = runCli([path, '--local', '10.0.0.1', '--json', json, '-q']);
  assert.equal(run.status, 0, run.stderr);
  const doc = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(json, 'utf8'))) as { start: string; end: string };
  // 1000 - 2e9 s: the conversation starts at -1999999000 s exactly and lasts 9 ms.
  assert.equal(doc.start, '-1999999000.000000000');
  assert.equal(doc.end, '-1999998999.991000000');
  const merged = runCli(['merge', json, json, '--json', '-', '-q']);
  assert.equal(merged.status, 0, merged.stderr);
  assert.equal((JSON.parse(merged.stdout) as { start: string }).start, '-1999999000.000000000');
});
