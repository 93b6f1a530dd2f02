/**
 * A distribution of whole-µs times (TCP-RT's server, total and first-byte times per port):
 * exact count, sum, min and max, and a DDSketch (the same 1% relative accuracy as the RTT
 * statistics) for percentiles. It merges exactly, and its state is plain numbers for --json
 * and `merge` (sketchState / sketchOf are shared with RttStats).
 */
import type * as Sketches from '@datadog/sketches-js';
import { requireCjs } from '../util/cjs.js';

const { DDSketch } = requireCjs('@datadog/sketches-js') as typeof Sketches;
type DDSketch = Sketches.DDSketch;

/** DDSketch's guarantee: every quantile within 1% of the true value. */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

/** A DDSketch's contents: its zero bucket and its dense bins from minKey. */
export interface SketchState {
  zeroCount: number;
  minKey: number;
  counts: number[];
}

/** @internal A sketch's contents (DDSketch's types are not published: see tsconfig's stripInternal). */
export function sketchState(sketch: DDSketch): SketchState {
  const { store, zeroCount } = sketch;
  const counts: number[] = [];
  if (store.count > 0) {
    for (let key = store.minKey; key <= store.maxKey; key++) counts.push(store.bins[key - store.offset] ?? 0);
  }
  return { zeroCount, minKey: store.count > 0 ? store.minKey : 0, counts };
}

/** @internal The sketch a state describes; its quantiles come out exactly as the original's. */
export function sketchOf(state: SketchState): DDSketch {
  const sketch = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
  state.counts.forEach((weight, i) => {
    if (weight > 0) sketch.store.add(state.minKey + i, weight);
  });
  sketch.zeroCount = state.zeroCount;
  sketch.count = sketch.store.count + sketch.zeroCount;
  return sketch;
}

export interface DistributionState {
  count: number;
  sumUs: number;
  minUs: number;
  maxUs: number;
  sketch: SketchState;
}

export class Distribution {
  count = 0;
  /** Exact: whole µs summed stay exact below 2^53 µs (285 years). */
  sumUs = 0;
  minUs = Infinity;
  maxUs = -Infinity;
  private sketch = new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });

  add(us: number): void {
    this.count++;
    this.sumUs += us;
    if (us < this.minUs) this.minUs = us;
    if (us > this.maxUs) this.maxUs = us;
    this.sketch.accept(us);
  }

  merge(other: Distribution): void {
    if (other.count === 0) return;
    this.count += other.count;
    this.sumUs += other.sumUs;
    if (other.minUs < this.minUs) this.minUs = other.minUs;
    if (other.maxUs > this.maxUs) this.maxUs = other.maxUs;
    this.sketch.merge(other.sketch);
  }

  /** The sketch's estimate within 1%, clamped to the exact extremes; NaN when empty. */
  quantile(q: number): number {
    if (this.count === 0) return NaN;
    return Math.min(this.maxUs, Math.max(this.minUs, this.sketch.getValueAtQuantile(q)));
  }

  toState(): DistributionState {
    return { count: this.count, sumUs: this.sumUs, minUs: this.minUs, maxUs: this.maxUs, sketch: sketchState(this.sketch) };
  }

  static fromState(state: DistributionState): Distribution {
    const d = new Distribution();
    d.count = state.count;
    d.sumUs = state.sumUs;
    d.minUs = state.count > 0 ? state.minUs : Infinity;
    d.maxUs = state.count > 0 ? state.maxUs : -Infinity;
    d.sketch = sketchOf(state.sketch);
    return d;
  }
}
