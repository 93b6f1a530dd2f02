/**
 * RttStats merge: any sample sequence cut into consecutive runs and merged back gives the
 * statistics of the whole sequence — exactly for counts, extremes, mean, percentiles and the
 * histogram, to rounding for stddev, srtt and jitter. And a state written as JSON reads back
 * into the same statistics.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RttStats, type RttStatsState } from '../../src/stats/rtt-stats.js';

const QUANTILES = [0, 0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 1];

function statsOf(rttsNs: readonly number[], unit: 'usecs' | 'msecs' = 'usecs'): RttStats {
  const s = new RttStats(unit);
  for (const ns of rttsNs) s.add(ns);
  return s;
}

function close(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
}

function assertSameStats(merged: RttStats, whole: RttStats): void {
  assert.equal(merged.count, whole.count);
  assert.equal(merged.minUs, whole.minUs);
  assert.equal(merged.maxUs, whole.maxUs);
  assert.equal(merged.mean, whole.mean, 'mean is an exact sum over the count');
  for (const q of QUANTILES) assert.equal(merged.quantile(q), whole.quantile(q), `quantile ${q}`);
  assert.deepEqual(Array.from(merged.histogram.counts), Array.from(whole.histogram.counts));
  close(merged.stddev, whole.stddev, 'stddev');
  close(merged.srttUs, whole.srttUs, 'srtt');
  close(merged.jitter, whole.jitter, 'jitter');
  assert.equal(merged.dataSegments, whole.dataSegments);
  assert.equal(merged.retransmittedSegments, whole.retransmittedSegments);
}

/** RTTs in whole ns from 0 to 10 s, as captures give them; and cut points into the sequence. */
const sequences = fc
  .array(fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 0, max: 10_000_000_000 })), { minLength: 0, maxLength: 300 })
  .chain((rtts) => fc.tuple(fc.constant(rtts), fc.uniqueArray(fc.integer({ min: 0, max: rtts.length }), { maxLength: 5 })));

test('consecutive runs merged in order equal one run over the whole sequence', () => {
  fc.assert(
    fc.property(sequences, fc.constantFrom<'usecs' | 'msecs'>('usecs', 'msecs'), ([rtts, cuts], unit) => {
      const bounds = [0, ...[...cuts].sort((a, b) => a - b), rtts.length];
      const merged = new RttStats(unit);
      for (let i = 0; i + 1 < bounds.length; i++) {
        const part = statsOf(rtts.slice(bounds[i], bounds[i + 1]), unit);
        part.dataSegments = i + 1;
        part.retransmittedSegments = i;
        merged.merge(part);
      }
      const whole = statsOf(rtts, unit);
      whole.dataSegments = ((bounds.length - 1) * bounds.length) / 2;
      whole.retransmittedSegments = ((bounds.length - 2) * (bounds.length - 1)) / 2;
      assertSameStats(merged, whole);
    }),
    { numRuns: 300 },
  );
});

test('a state written as JSON and read back is the same statistics', () => {
  fc.assert(
    fc.property(sequences, ([rtts]) => {
      const original = statsOf(rtts);
      original.dataSegments = 7;
      original.retransmittedSegments = 2;
      const state = JSON.parse(JSON.stringify(original.toState())) as RttStatsState;
      const back = RttStats.fromState(state);
      assert.deepEqual(back.toState(), original.toState());
      assertSameStats(back, original);
      // Read-back statistics keep merging like the original.
      const more = statsOf([1_500_000, 2_500_000]);
      original.merge(more);
      back.merge(more);
      assertSameStats(back, original);
    }),
    { numRuns: 200 },
  );
});

test('merging an empty run changes nothing; merging into an empty one copies', () => {
  const s = statsOf([1000, 25_000_000, 3_000_123]);
  const copy = new RttStats();
  copy.merge(s);
  assertSameStats(copy, s);
  copy.merge(new RttStats());
  assertSameStats(copy, s);
  assert.equal(new RttStats().mean, 0);
});

test('histograms in different units do not merge', () => {
  assert.throws(() => new RttStats('usecs').merge(new RttStats('msecs')), /cannot merge a msecs histogram into a usecs one/);
});
