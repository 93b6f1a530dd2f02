/**
 * The percentiles the CLI prints are the nearest-rank ones of the samples it wrote (within the
 * sketch's 1%): checked against the --csv rows of the same run, in one run, per group, per
 * interval, and after `rttscan merge` (the README states the definition).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCsv, runCliInProcess, type CsvSample } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';
import { nearestRank } from '../helpers/nearest-rank.js';

interface Stats {
  samples: number;
  p50_us: number | null;
  p90_us: number | null;
  p99_us: number | null;
}
interface Report {
  start: string;
  end: string;
  summary: Stats;
  groups: Array<Stats & { key: string }>;
}

const CAPTURES = ['samples/http-v4/server.pcap', 'samples/mixed-loss/server.pcap', 'samples/http-v6-pcapng/client.pcapng'];

function checkStats(stats: Stats, rtts: number[], what: string): void {
  assert.equal(stats.samples, rtts.length, what);
  if (rtts.length === 0) return;
  for (const [q, reported] of [
    [0.5, stats.p50_us],
    [0.9, stats.p90_us],
    [0.99, stats.p99_us],
  ] as const) {
    const exact = nearestRank(rtts, q);
    // Within the sketch's 1%, and the JSON's rounding to the nanosecond.
    assert.ok(Math.abs(reported! - exact) <= exact * 0.01 + 0.001, `${what}: p${q * 100} is ${reported}, the nearest-rank one ${exact}`);
  }
}

function flowKey(s: CsvSample): string {
  // --by flow keys are "local remote"; on these server captures the local end is the data sender.
  const end = (addr: string, port: number): string => (addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`);
  return `${end(s.src, s.sport)} ${end(s.dst, s.dport)}`;
}

for (const capture of CAPTURES) {
  test(`percentiles are nearest-rank: ${capture}, whole run and per flow`, async (t) => {
    const csv = join(await tempDir(t), 'rtt.csv');
    const run = await runCliInProcess([capture, '--by', 'flow', '--csv', csv, '--json', '-', '-q']);
    assert.equal(run.status, 0, run.stderr);
    const rows = parseCsv(readFileSync(csv, 'utf8'));
    const doc = JSON.parse(run.stdout) as Report;
    checkStats(
      doc.summary,
      rows.map((r) => r.rttUs),
      'summary',
    );
    for (const g of doc.groups)
      checkStats(
        g,
        rows.filter((r) => flowKey(r) === g.key).map((r) => r.rttUs),
        g.key,
      );
  });
}

test('percentiles are nearest-rank per --interval', async (t) => {
  const csv = join(await tempDir(t), 'rtt.csv');
  const run = await runCliInProcess(['samples/mixed-loss/server.pcap', '--interval', '300ms', '--csv', csv, '--json', '-', '-q']);
  assert.equal(run.status, 0, run.stderr);
  const rows = parseCsv(readFileSync(csv, 'utf8'));
  const reports = run.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Report);
  assert.ok(reports.length >= 3);
  // Intervals are [start, end), but the last one ends at the last packet and holds it.
  for (const [i, r] of reports.entries()) {
    const inside = (s: CsvSample): boolean => s.ts >= r.start && (s.ts < r.end || (i === reports.length - 1 && s.ts === r.end));
    checkStats(
      r.summary,
      rows.filter(inside).map((s) => s.rttUs),
      `interval ending ${r.end}`,
    );
  }
});

test('percentiles are nearest-rank after rttscan merge', async (t) => {
  const dir = await tempDir(t);
  const rtts: number[] = [];
  const docs: string[] = [];
  for (const [i, capture] of CAPTURES.entries()) {
    const run = await runCliInProcess([capture, '--csv', '-', '-q']);
    rtts.push(...parseCsv(run.stdout).map((r) => r.rttUs));
    docs.push(join(dir, `${i}.json`));
    writeFileSync(docs[i]!, (await runCliInProcess([capture, '--json', '-', '-q'])).stdout);
  }
  const merged = await runCliInProcess(['merge', ...docs, '--json', '-', '-q']);
  assert.equal(merged.status, 0, merged.stderr);
  checkStats((JSON.parse(merged.stdout) as Report).summary, rtts, 'merged');
});
