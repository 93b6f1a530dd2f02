/**
 * The HTML report's decimation: under the budget every sample stays; above it, in every time
 * column each kind's fastest and slowest sample stay, every sample above the p99 stays, the
 * result fits the budget and is in time order, and the same input gives the same choice.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decimate, nearestRank, type SampleColumns } from '../../src/render/html/decimate.js';
import { Random } from '../helpers/random.js';

function columns(n: number, seed: number): SampleColumns & { t: Float64Array; rtt: Float64Array; k: Uint8Array } {
  const rng = new Random(seed);
  const t = new Float64Array(n);
  const rtt = new Float64Array(n);
  const k = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = i * 1000 + rng.int(1000); // in time order
    rtt[i] = rng.int(100) < 2 ? 1e6 + rng.int(1e8) : 20e6 + rng.int(5e6);
    k[i] = rng.int(10) === 0 ? 2 : rng.int(50) === 0 ? 1 : 0;
  }
  return { t, rtt, k, length: n, tNs: (i) => t[i]!, rttNs: (i) => rtt[i]!, kind: (i) => k[i]! };
}

test('under the budget every sample is kept', () => {
  const c = columns(1000, 1);
  const d = decimate(c, 1000);
  assert.equal(d.kept.length, 1000);
  assert.deepEqual([...d.kept.slice(0, 3)], [0, 1, 2]);
  assert.ok(Number.isNaN(d.p99Ns));
});

test('above it: every sample above the p99, each column\'s extremes per kind, within the budget, in order', () => {
  const n = 200_000;
  const budget = 20_000;
  const c = columns(n, 2);
  const d = decimate(c, budget);
  assert.ok(d.kept.length <= budget, `${d.kept.length} kept`);
  for (let j = 1; j < d.kept.length; j++) assert.ok(d.kept[j]! > d.kept[j - 1]!, 'ascending');
  const kept = new Set(d.kept);
  const sorted = Float64Array.from(c.rtt).sort();
  assert.equal(d.p99Ns, nearestRank(sorted, 0.99));
  let above = 0;
  for (let i = 0; i < n; i++) {
    if (c.rtt[i]! > d.p99Ns) {
      above++;
      assert.ok(kept.has(i), `sample ${i} above the p99 was dropped`);
    }
  }
  assert.equal(d.outliers, above);
  // Each column and kind: its fastest and slowest (non-outlier) sample are kept.
  const t0 = c.t[0]!;
  const per = (c.t[n - 1]! - t0) / d.columns;
  const best = new Map<string, [number, number]>();
  for (let i = 0; i < n; i++) {
    if (c.rtt[i]! > d.p99Ns) continue;
    const key = `${Math.min(d.columns - 1, Math.floor((c.t[i]! - t0) / per))}/${c.k[i]}`;
    const b = best.get(key);
    if (b === undefined) best.set(key, [c.rtt[i]!, c.rtt[i]!]);
    else best.set(key, [Math.min(b[0], c.rtt[i]!), Math.max(b[1], c.rtt[i]!)]);
  }
  const keptBy = new Map<string, number[]>();
  for (const i of d.kept) {
    const key = `${Math.min(d.columns - 1, Math.floor((c.t[i]! - t0) / per))}/${c.k[i]}`;
    keptBy.set(key, [...(keptBy.get(key) ?? []), c.rtt[i]!]);
  }
  for (const [key, [lo, hi]] of best) {
    const values = keptBy.get(key) ?? [];
    assert.ok(values.includes(lo) && values.includes(hi), `column/kind ${key}: min ${lo} and max ${hi} kept`);
  }
  assert.deepEqual(decimate(c, budget).kept, d.kept, 'deterministic');
});

test('a budget too small for the samples above the p99 keeps the slowest of them, and says so', () => {
  const c = columns(100_000, 3);
  const d = decimate(c, 1000);
  assert.ok(d.outliersCut);
  assert.ok(d.kept.length <= 1000);
  const slowest = [...c.rtt].sort((a, b) => b - a).slice(0, 400);
  const keptValues = new Set([...d.kept].map((i) => c.rtt[i]!));
  for (const v of slowest) assert.ok(keptValues.has(v), `one of the 400 slowest (${v}) was dropped`);
});
