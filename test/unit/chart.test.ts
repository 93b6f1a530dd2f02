/**
 * --chart tells the truth: each column's p50 and p99 (within 1% of the exact nearest-rank
 * values), empty columns left blank, as wide as asked, a time axis whose ticks sit at the
 * right offsets, and no more panels than CHART_MAX_GROUPS.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHART_MAX_GROUPS, renderChart } from '../../src/render/chart.js';
import { Group } from '../../src/stats/collector.js';
import { RttStats } from '../../src/stats/rtt-stats.js';
import { SeriesBin, TimeSeries } from '../../src/stats/time-series.js';
import { Random } from '../helpers/random.js';

const BASE = { baseSec: 1_700_000_000 };

function group(key: string, samples: Array<[number, number]>): Group {
  const stats = new RttStats();
  const series = new TimeSeries();
  for (const [atNs, rttUs] of samples) {
    stats.add(Math.round(rttUs * 1000));
    series.add(atNs, rttUs);
  }
  return new Group(key, stats, series);
}

function exactRank(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

test('a series bin gives p50 and p99 within 1% of the exact nearest-rank values, also after halving', () => {
  const rng = new Random(7);
  const random = (): number => rng.u32() / 4294967296;
  const series = new TimeSeries();
  const values: number[] = [];
  for (let i = 0; i < 20000; i++) {
    const rtt = random() < 0.9 ? 20000 + 3000 * random() : 40000 + 200000 * random();
    values.push(rtt);
    series.add(i * 1e6, rtt); // 20 s of capture time: the 1 ms bins halve several times
  }
  assert.ok(series.widthNs > 1e6, 'bins widened');
  const all = new SeriesBin();
  for (const bin of series.bins.values()) all.merge(bin);
  assert.equal(all.count, values.length);
  for (const q of [0.5, 0.99]) {
    const exact = exactRank(values, q);
    assert.ok(Math.abs(all.quantile(q) - exact) <= 0.01 * exact, `q${q}: ${all.quantile(q)} vs exact ${exact}`);
  }
});

test('each column shows its p50 below its p99; a column without samples is blank in every row', () => {
  // 10 ms bins of samples, then a hole from 400 ms to 800 ms, then more.
  const samples: Array<[number, number]> = [];
  for (let t = 0; t < 1200e6; t += 2e6) {
    if (t >= 400e6 && t < 800e6) continue;
    // At each instant nine fast samples and a slow one: every column's p50 is 10 ms, its p99 90 ms.
    for (let k = 0; k < 9; k++) samples.push([t, 10000]);
    samples.push([t, 90000]);
  }
  const text = renderChart([group('all', samples)], BASE, 0, { colors: false, width: 72 });
  const lines = text.split('\n');
  const plot = lines.slice(1, 11).map((l) => l.slice(12));
  const columns = Math.max(...plot.map((l) => l.length));
  let blank = 0;
  for (let x = 0; x < columns; x++) {
    const cells = plot.map((l) => l[x] ?? ' ').join('');
    if (cells.trim() === '') {
      blank++;
      continue;
    }
    // Top row p99 (┬), bottom row p50 (•), the band between.
    assert.equal(cells, `┬${'│'.repeat(8)}•`, `column ${x}: ${JSON.stringify(cells)}`);
  }
  // 400 ms of 1.2 s (bins of 1.2 s / 60 columns = 20 ms) are empty: about a third of the columns.
  assert.ok(blank >= 15 && blank <= 25, `${blank} blank columns of ${columns}`);
  assert.match(lines[1]!, /^ +90\.00ms ┤/);
  assert.match(lines[10]!, /^ +6\.00ms ┤•/); // 10 ms less 5% of the range
  for (const line of lines) assert.ok([...line].length <= 72 || line.includes('capture time from'), `line wider than 72: ${line}`);
});

test('the time axis puts each tick in the column that holds its round offset', () => {
  const samples: Array<[number, number]> = [];
  for (let t = 0; t < 10e9; t += 10e6) samples.push([t, 25000]);
  const text = renderChart([group('all', samples)], BASE, 0, { colors: false, width: 112 });
  const lines = text.trimEnd().split('\n');
  const rule = lines[11]!;
  const labels = lines[12]!;
  const legend = lines[13]!;
  const columnMs = Number(/one column = ([\d.]+)ms/.exec(legend)![1]);
  assert.match(legend, /capture time from 2023-11-14T22:13:20\.000Z/);
  const start = rule.indexOf('└') + 1;
  const ticks = [...rule].flatMap((c, i) => (c === '┬' ? [i - start] : []));
  assert.ok(ticks.length >= 4, rule);
  for (const x of ticks) {
    const label = /^\S+/.exec(labels.slice(start + x))![0];
    const ms = label === '0' ? 0 : Number(label.slice(1, -1)) * (label.endsWith('ms') ? 1 : 1000);
    assert.ok(x * columnMs <= ms && ms < (x + 1) * columnMs, `tick at column ${x} (${x * columnMs} ms on) is labelled ${label}`);
  }
});

test(`no more than ${CHART_MAX_GROUPS} panels, and the chart says how many groups it left out`, () => {
  const groups = Array.from({ length: 6 }, (_, i) => group(`10.0.0.${i}`, [[i * 1e6, 1000 + i]]));
  const text = renderChart(groups, BASE, 0, { colors: false, width: 80 });
  assert.equal(text.match(/^RTT over capture time/gm)?.length, CHART_MAX_GROUPS);
  assert.match(text, /2 more groups not drawn/);
});
