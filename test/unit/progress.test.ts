/** When the progress line shows, and what it says. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatProgress, progressWanted, PROGRESS_MIN_BYTES, type ProgressContext } from '../../src/cli/progress.js';

const BIG = 60_000_000;

test('the progress line shows only for a person: a terminal, not CI, not --quiet, a large known size', () => {
  const yes: ProgressContext = { stderrIsTTY: true, env: { TERM: 'xterm-256color' }, totalBytes: BIG, quiet: false };
  assert.equal(progressWanted(yes), true);
  assert.equal(progressWanted({ ...yes, env: {} }), true, 'TERM unset is fine');
  const no: Array<[string, Partial<ProgressContext>]> = [
    ['stderr is a pipe or a file', { stderrIsTTY: false }],
    ['CI=true', { env: { CI: 'true' } }],
    ['CI=1', { env: { CI: '1' } }],
    ['CI=yes (any value but false/0)', { env: { CI: 'yes' } }],
    ['--quiet', { quiet: true }],
    ['TERM=dumb', { env: { TERM: 'dumb' } }],
    ['stdin: size unknown', { totalBytes: undefined }],
    ['exactly the threshold', { totalBytes: PROGRESS_MIN_BYTES }],
    ['a small file', { totalBytes: 3_000_000 }],
  ];
  for (const [why, change] of no) assert.equal(progressWanted({ ...yes, ...change }), false, why);
  for (const ci of ['', '0', 'false', 'FALSE']) assert.equal(progressWanted({ ...yes, env: { CI: ci } }), true, `CI=${ci}`);
  assert.equal(PROGRESS_MIN_BYTES, 50_000_000);
});

test('the line: a bar, bytes of the total, percent, packets/s and time left', () => {
  const line = formatProgress({ bytesRead: 25_000_000, totalBytes: 100_000_000, packets: 1_500_000, elapsedMs: 1000 }, 100);
  assert.equal(line, '[########......................]  25.0 MB of 100.0 MB  25%  1.50 M packets/s  ETA 0:03');
  assert.equal(
    formatProgress({ bytesRead: 900_000_000, totalBytes: 1_000_000_000, packets: 2_500, elapsedMs: 3_725_000 }, 120),
    '[###########################...]  900.0 MB of 1000.0 MB  90%  1 packets/s  ETA 6:54',
  );
  assert.match(formatProgress({ bytesRead: 10e6, totalBytes: 20e6, packets: 12_345, elapsedMs: 4000 }, 100), /  3\.1 k packets\/s  ETA 0:04$/);
  // In the first half second there is no rate to speak of.
  assert.equal(formatProgress({ bytesRead: 1_048_576, totalBytes: 54_000_000, packets: 0, elapsedMs: 3 }, 80), '[#.............................]  1.0 MB of 54.0 MB  1%');
  assert.match(formatProgress({ bytesRead: 0, totalBytes: 54e6, packets: 0, elapsedMs: 0 }, 80), /^\[\.{30}\]  0\.0 MB of 54\.0 MB  0%$/);
  assert.match(formatProgress({ bytesRead: 5e6, totalBytes: 3_600_000_000_000, packets: 10, elapsedMs: 1000 }, 200), /  ETA 199:59:59$/);
  // Narrow terminals lose the bar first, then the end of the text; never wider than the screen.
  for (const columns of [20, 40, 60, 80]) {
    const narrow = formatProgress({ bytesRead: 25e6, totalBytes: 100e6, packets: 1.5e6, elapsedMs: 1000 }, columns);
    assert.ok(narrow.length < columns, `${columns}: ${narrow}`);
  }
});
