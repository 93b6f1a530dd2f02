/**
 * Fields that hold capture times (ns from the start of the run), TSvals or frame references start
 * as doubles (NOT_YET_SET, src/time.ts), so that the first time past 2^31 ns (2.1 s into a
 * capture) does not change the objects' layout mid-run: V8 would deprecate the class's map,
 * migrate every live object and deoptimise the hot path (README, Performance). Checked with V8's
 * own %HaveSameMap in a child process (it needs --allow-natives-syntax): an object given a small
 * time and one given a time past 2^31 must keep one map.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../helpers/paths.js';

const module = (path: string): string => JSON.stringify(pathToFileURL(join(REPO_ROOT, 'dist/src', path)).href);

/** Runs `body` (ES module code, natives allowed) after the imports; returns what it printed, as JSON. */
function inV8(body: string): Record<string, boolean> {
  const script = `
    import { FlowTable } from ${module('flow/flow-table.js')};
    import { PacketView } from ${module('decode/packet-view.js')};
    import { newRttConnection, RttSample } from ${module('engines/rtt/rtt-engine.js')};
    import { AckMatch } from ${module('engines/rtt/outstanding.js')};
    ${body}`;
  const run = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as Record<string, boolean>;
}

test('a flow listed at 1 µs and one listed at 3 s of capture time share one map', () => {
  const result = inV8(`
    // Two tables: listing the second flow behind the first would touch (and so migrate) it.
    const options = { idleTtlNs: 300e9, expTtlNs: 60e9, maxFlows: 10, createState: () => newRttConnection() };
    const view = new PacketView();
    view.ipVersion = 4;
    view.src[0] = 0x0a000001;
    view.dst[0] = 0x0a000002;
    view.srcPort = 40000;
    view.dstPort = 443;
    const early = new FlowTable(options).lookup(view, 1000);
    const late = new FlowTable(options).lookup(view, 3e9);
    console.log(JSON.stringify({ distinct: early !== late, sameMap: %HaveSameMap(early, late) }));
  `);
  assert.deepEqual(result, { distinct: true, sameMap: true });
});

test('samples and ACK matches keep one map whether their times are small or past 2^31 ns', () => {
  const result = inV8(`
    const small = new RttSample();
    small.ackNs = 1000; small.rttNs = 50; small.segFrame = 1; small.ackFrame = 2;
    const big = new RttSample();
    big.ackNs = 3e9; big.rttNs = 2.5e9; big.segFrame = 2 ** 36 + 1; big.ackFrame = 2 ** 36 + 2;
    const m1 = new AckMatch();
    m1.sentNs = 1000; m1.latestSentNs = 1000; m1.echoSentNs = 1000; m1.sentFrame = 1; m1.echoSentFrame = 1; m1.endTsVal = 5; m1.latestTsVal = 5;
    const m2 = new AckMatch();
    m2.sentNs = 3e9; m2.latestSentNs = 3e9; m2.echoSentNs = 3e9; m2.sentFrame = 2 ** 36; m2.echoSentFrame = 2 ** 36; m2.endTsVal = 2 ** 32 - 1; m2.latestTsVal = 2 ** 32 - 1;
    console.log(JSON.stringify({ sample: %HaveSameMap(small, big), match: %HaveSameMap(m1, m2) }));
  `);
  assert.deepEqual(result, { sample: true, match: true });
});
