/**
 * Percentiles a user can check: the reported q-quantile is the nearest-rank one (the sample at
 * rank ceil(q·n) of the n sorted samples) within DDSketch's stated 1%, for one run, after
 * merging runs, and after a round trip through the --json state that `merge` reads.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { nearestRank } from '../helpers/nearest-rank.js';
import { RttStats, SKETCH_RELATIVE_ACCURACY } from '../../src/stats/rtt-stats.js';

function statsOf(values: readonly number[]): RttStats {
  const stats = new RttStats();
  for (const v of values) stats.add(Math.round(v * 1000)); // the values are µs, RttStats takes ns
  return stats;
}

const QUANTILES = [0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 1];
/** RTTs as the engine makes them: whole nanoseconds, from 0 to 10 s, as µs. */
const rttUs = fc.integer({ min: 0, max: 10e9 }).map((ns) => ns / 1000);

function assertWithinSketch(actual: number, exact: number, what: string): void {
  const slack = exact * SKETCH_RELATIVE_ACCURACY + 1e-9;
  assert.ok(actual >= exact - slack && actual <= exact + slack, `${what}: reported ${actual}, nearest rank ${exact}`);
}

test('the quantiles are nearest-rank within 1%, in one run, merged, and read back from state', () => {
  fc.assert(
    fc.property(fc.array(rttUs, { minLength: 1, maxLength: 400 }), fc.nat(), (values, cut) => {
      const one = statsOf(values);
      const at = cut % (values.length + 1);
      const merged = statsOf(values.slice(0, at));
      merged.merge(statsOf(values.slice(at)));
      const restored = RttStats.fromState(one.toState());
      for (const q of QUANTILES) {
        const exact = nearestRank(values, q);
        assertWithinSketch(one.quantile(q), exact, `p${q * 100} of one run`);
        assertWithinSketch(merged.quantile(q), exact, `p${q * 100} merged`);
        assertWithinSketch(restored.quantile(q), exact, `p${q * 100} from state`);
      }
    }),
    { numRuns: 300 },
  );
});

test('two outliers in 108 samples: p99 is the 107th sample, not the 106th (issue 10)', () => {
  // http-v4/server.pcap's shape: 106 samples near 25 ms, two delayed ACKs at 67 and 71 ms.
  const values = [...Array.from({ length: 106 }, (_, i) => 25_212 + i * 3), 66_857, 71_280];
  const stats = statsOf(values);
  assert.equal(nearestRank(values, 0.99), 66_857);
  assertWithinSketch(stats.quantile(0.99), 66_857, 'p99');
  assert.ok(values.filter((v) => v <= stats.quantile(0.99) * (1 + SKETCH_RELATIVE_ACCURACY)).length >= 0.99 * values.length);
});
