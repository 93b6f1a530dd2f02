/** The engine's two rings (one array a sender): segments in flight and TSval sightings, across growth and wraparound. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AckMatch, DROPPED_OVER_BUDGET, DROPPED_PER_FLOW, MAX_SEGMENTS, Outstanding, PUSHED, SegmentBudget } from '../../src/engines/rtt/outstanding.js';

const unbounded = (): SegmentBudget => new SegmentBudget(Infinity);

/** When the first segment with `tsVal` was seen, or -1; its frame must be the one recorded with it (time + 1e6 here). */
function firstSeenNs(h: Outstanding, tsVal: number): number {
  const at = h.findTsVal(tsVal);
  if (at < 0) return -1;
  assert.equal(h.tsSeenFrame(at), h.tsSeenNs(at) + 1e6, `the frame of TSval ${tsVal} is kept with its time`);
  return h.tsSeenNs(at);
}

test('Outstanding keeps segments in order through wraparound and growth', () => {
  const segs = new Outstanding();
  const match = new AckMatch();
  const budget = unbounded();
  let next = 0;
  let acked = 0;
  // Interleave pushes and ACKs so the ring's head moves before each growth.
  for (let round = 1; round <= 200; round++) {
    for (let k = 0; k < (round % 7) + 3; k++) {
      segs.push(next, next + 100, next * 10, next, false, next + 1, budget);
      next += 100;
    }
    const ack = acked + 100 * ((round % 3) + 1);
    if (ack <= next) {
      segs.acknowledge(ack, match);
      assert.equal(match.sentNs, (ack - 100) * 10, `round ${round}: ACK ${ack} pairs with the segment ending there`);
      assert.equal(match.sentFrame, ack - 100 + 1, `round ${round}: and reports that segment's frame`);
      acked = ack;
    }
    for (let i = 0; i < segs.count; i++) assert.equal(segs.start(i), acked + 100 * i);
  }
});

test('Outstanding drops its oldest segment beyond MAX_SEGMENTS and says so', () => {
  const segs = new Outstanding();
  const budget = unbounded();
  let dropped = 0;
  for (let i = 0; i < MAX_SEGMENTS + 5; i++) if (segs.push(i * 10, i * 10 + 10, i, 0, false, i + 1, budget) === DROPPED_PER_FLOW) dropped++;
  assert.equal(segs.count, MAX_SEGMENTS);
  assert.equal(dropped, 5);
  assert.equal(segs.start(0), 50);
});

test('a run-wide budget bounds the slots of all rings together; rings give them back', () => {
  const budget = new SegmentBudget(1000);
  const rings = Array.from({ length: 50 }, () => new Outstanding());
  const outcomes = [0, 0, 0];
  // 50 connections with 100 segments each in flight: 5,000 wanted, 1,000 extra slots allowed.
  for (let i = 0; i < 100; i++) {
    for (const ring of rings) {
      outcomes[ring.push(i * 10, i * 10 + 10, i, 0, false, i + 1, budget)]!++;
      assert.ok(budget.held <= budget.limit, `${budget.held} slots held`);
    }
  }
  assert.equal(outcomes[PUSHED]! + outcomes[DROPPED_OVER_BUDGET]!, 5000);
  assert.equal(outcomes[DROPPED_PER_FLOW], 0);
  assert.ok(outcomes[DROPPED_OVER_BUDGET]! > 0);
  assert.equal(budget.forgotten, outcomes[DROPPED_OVER_BUDGET]);
  // Each ring keeps its newest segments, in order: what it forgot is its oldest.
  for (const ring of rings) for (let i = 1; i < ring.count; i++) assert.equal(ring.start(i), ring.start(i - 1) + 10);
  // Acknowledged and emptied, large rings give their slots back; ended connections all of theirs.
  const match = new AckMatch();
  for (const ring of rings) {
    ring.acknowledge(1000, match);
    ring.shrinkIfEmpty(budget);
  }
  for (const ring of rings) ring.giveBack(budget);
  assert.equal(budget.held, 0);
});

test('a partial ACK advances the segment start; a later exact ACK pairs with it again', () => {
  const segs = new Outstanding();
  const match = new AckMatch();
  segs.push(1000, 5000, 7, 0, false, 42, unbounded());
  segs.acknowledge(2448, match);
  assert.equal(match.sentNs, 7);
  assert.equal(match.sentFrame, 42);
  assert.equal(segs.start(0), 2448);
  segs.acknowledge(5000, match);
  assert.equal(match.sentNs, 7);
  assert.equal(segs.count, 0);
});

test('TsHistory remembers the first sighting of each TSval, keeps the newest 256, wraps in serial order', () => {
  const h = new Outstanding();
  assert.equal(h.hasTsHistory, false);
  assert.equal(h.findTsVal(5), -1);
  const base = 0xffffff00; // TSvals cross 2^32
  for (let i = 0; i < 600; i++) {
    const tsVal = (base + Math.floor(i / 2)) >>> 0; // each TSval on two segments
    h.seeTsVal(tsVal, 1000 + i, 1000 + i + 1e6);
  }
  // 300 distinct values were seen; the newest 256 are remembered, timed by their first segment.
  assert.equal(firstSeenNs(h, (base + 299) >>> 0), 1000 + 598);
  assert.equal(firstSeenNs(h, (base + 44) >>> 0), 1000 + 88);
  assert.equal(firstSeenNs(h, (base + 43) >>> 0), -1);
  h.seeTsVal((base + 10) >>> 0, 99999, 99999 + 1e6); // older than the newest: ignored
  assert.equal(firstSeenNs(h, (base + 299) >>> 0), 1598);
  // Before it fills up, every entry is found too.
  const small = new Outstanding();
  small.seeTsVal(5, 50, 50 + 1e6);
  small.seeTsVal(6, 60, 60 + 1e6);
  small.seeTsVal(7, 70, 70 + 1e6);
  assert.deepEqual(
    [5, 6, 7, 8].map((v) => firstSeenNs(small, v)),
    [50, 60, 70, -1],
  );
});

test('the TSval history and the segment ring share one array: each survives the other growing and shrinking', () => {
  const half = new Outstanding();
  const match = new AckMatch();
  const budget = unbounded();
  half.push(0, 100, 1, 7, false, 2, budget);
  half.seeTsVal(7, 1, 1 + 1e6);
  half.seeLatestTsVal(7, 1);
  // The ring grows past SHRINK_ABOVE (64) while the history grows past its first entries.
  for (let i = 1; i < 200; i++) {
    half.push(i * 100, i * 100 + 100, 1 + i, 7 + i, false, 2 + i, budget);
    half.seeTsVal(7 + i, 1 + i, 1 + i + 1e6);
  }
  assert.equal(half.count, 200);
  for (let i = 0; i < 200; i++) assert.equal(half.start(i), i * 100);
  assert.equal(firstSeenNs(half, 7), 1);
  assert.equal(firstSeenNs(half, 7 + 199), 200);
  // Acknowledged whole, the ring shrinks back to one slot; the history stays as it was.
  half.acknowledge(20000, match);
  assert.equal(match.sentNs, 200);
  half.shrinkIfEmpty(budget);
  assert.equal(budget.held, 0);
  assert.equal(firstSeenNs(half, 7 + 100), 101);
  assert.equal(half.echoDelayNs(7, 50), 49, 'the newest TSval seen on any packet (7 here) is kept too');
  assert.equal(half.echoDelayNs(7, 60), -1, 'each echo is timed once');
  half.push(20000, 20100, 500, 300, false, 501, budget);
  half.acknowledge(20100, match);
  assert.equal(match.sentNs, 500);
  assert.equal(firstSeenNs(half, 7 + 199), 200);
});

test('a sender allocates nothing until its first segment or timestamp, and then keeps both in order', () => {
  const budget = new SegmentBudget(10);
  const match = new AckMatch();
  const silent = new Outstanding();
  assert.equal(silent.echoDelayNs(5, 10), -1);
  assert.equal(silent.findTsVal(5), -1);
  silent.acknowledge(100, match);
  assert.equal(match.sentNs, -1);
  silent.markSacked(0, 100);
  silent.shrinkIfEmpty(budget);
  silent.giveBack(budget);
  assert.equal(budget.held, 0, 'a silent sender holds no budget, and gives none back');
  // A pure ACK's timestamp first (the history comes with the ring's first slot), then data.
  const acker = new Outstanding();
  acker.seeLatestTsVal(9, 5);
  assert.equal(acker.hasTsHistory, true);
  assert.equal(acker.push(0, 10, 20, 9, false, 3, budget), PUSHED);
  assert.equal(budget.held, 0, 'the first slot is free of the budget');
  acker.seeTsVal(10, 20, 20 + 1e6);
  assert.equal(acker.push(10, 20, 30, 10, false, 4, budget), PUSHED);
  assert.equal(budget.held, 1);
  assert.equal(acker.echoDelayNs(9, 25), 20);
  acker.acknowledge(20, match);
  assert.equal(match.sentNs, 30);
  assert.equal(match.sentFrame, 4);
  assert.equal(firstSeenNs(acker, 10), 20);
  acker.giveBack(budget);
  assert.equal(budget.held, 0);
});
