/** `--from/--to +DURATION` count from the first packet's exact capture time, not its whole second. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCsv, runCliInProcess } from '../helpers/cli.js';

const CAPTURE = 'samples/mixed-loss/server.pcap';

/** `sec.nsec` plus whole milliseconds, as the same 9-decimal text. */
function plusMs(ts: string, ms: number): string {
  const [sec, nsec] = ts.split('.') as [string, string];
  const total = BigInt(sec) * 1_000_000_000n + BigInt(nsec) + BigInt(ms) * 1_000_000n;
  return `${total / 1_000_000_000n}.${String(total % 1_000_000_000n).padStart(9, '0')}`;
}

async function samples(args: string[]): Promise<number> {
  const run = await runCliInProcess([CAPTURE, ...args, '--json', '-', '-q']);
  assert.equal(run.status, 0, run.stderr);
  return (JSON.parse(run.stdout) as { summary: { samples: number } }).summary.samples;
}

test('+DURATION counts from the first packet (mixed-loss: --to +2s keeps all 214, not 48)', async () => {
  const doc = JSON.parse((await runCliInProcess([CAPTURE, '--json', '-', '-q'])).stdout) as { start: string; summary: { samples: number } };
  const rows = parseCsv((await runCliInProcess([CAPTURE, '--csv', '-', '-q'])).stdout);
  assert.equal(doc.summary.samples, 214);
  assert.equal(await samples(['--to', '+2s']), 214);
  for (const ms of [200, 700, 1300]) {
    const edge = plusMs(doc.start, ms);
    assert.equal(await samples(['--from', `+${ms}ms`]), rows.filter((r) => r.ts >= edge).length, `--from +${ms}ms`);
    assert.equal(await samples(['--to', `+${ms}ms`]), rows.filter((r) => r.ts < edge).length, `--to +${ms}ms`);
  }
});

test("the README's --from 1795317633 --to +2s keeps the samples in that window", async () => {
  const rows = parseCsv((await runCliInProcess([CAPTURE, '--csv', '-', '-q'])).stdout);
  const expected = rows.filter((r) => r.ts >= '1795317633' && r.ts < '1795317633.846913000').length;
  assert.ok(expected > 0);
  assert.equal(await samples(['--from', '1795317633', '--to', '+2s']), expected);
});

test('an empty window says so on stderr', async () => {
  const run = await runCliInProcess([CAPTURE, '--from', '+1s', '--to', '+500ms', '--json', '-']);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /the time window is empty/);
});
