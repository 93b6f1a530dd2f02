/**
 * Summary documents are untrusted input (issue 16 items 3 and 4): a `--baseline` or a `merge`
 * input can neither change how rttscan analyses a capture (a `__proto__` key once wrote into
 * Object.prototype) nor crash it (key ranges, sizes, depth): each is refused with exit 2 and one
 * line naming the file, the field and the bound.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

const CAPTURE = 'samples/http-v4/server.pcap';

async function goodDocument(): Promise<Record<string, any>> {
  const r = await runCliInProcess([CAPTURE, '--json', '-', '-q']);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, any>;
}

/** Exit 2, one line on stderr matching `message`. */
async function assertRefused(args: string[], message: RegExp): Promise<void> {
  const r = await runCliInProcess(args);
  assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status}\n${r.stderr.slice(0, 2000)}`);
  assert.equal(r.stderr.split('\n').length, 2, r.stderr.slice(0, 2000));
  assert.match(r.stderr.trimEnd(), message);
}

test('a __proto__ key in a --baseline cannot change the analysis or crash it', async (t) => {
  const dir = await tempDir(t);
  const good = await goodDocument();
  // The baseline is the capture's own document: nothing changed, so the check passes.
  const same = join(dir, 'same.json');
  await writeFile(same, JSON.stringify(good));
  const clean = await runCliInProcess([CAPTURE, '--baseline', same, '--fail-if', 'p99>+1%', '-q']);
  assert.equal(clean.status, 0, clean.stderr);
  // JSON.parse keeps "__proto__" as an own key; merging counters once assigned through it.
  const text = JSON.stringify(good);
  for (const [name, counters] of [
    ['interval', '{"__proto__":{"intervalNs":1000}}'],
    ['tcprt', '{"__proto__":{"tcprt":{"x":1}}}'],
  ]) {
    const evil = join(dir, `${name}.json`);
    await writeFile(evil, text.replace(/"counters":\{.*\}\}$/s, `"counters":${counters}}`));
    await assertRefused(
      [CAPTURE, '--baseline', evil, '--fail-if', 'p99>+1%', '-q'],
      new RegExp(`^rttscan: .*${name}\\.json: counters\\.__proto__: "__proto__" is not a key rttscan writes$`),
    );
    await assertRefused(['merge', evil, same], /counters\.__proto__: "__proto__" is not a key rttscan writes/);
  }
});

test('merge refuses out-of-range sketch keys, huge arrays, deep nesting and 400 k inputs with exit 2', async (t) => {
  const dir = await tempDir(t);
  const good = await goodDocument();
  const put = async (name: string, doc: Record<string, any> | string): Promise<string> => {
    const path = join(dir, name);
    await writeFile(path, typeof doc === 'string' ? doc : JSON.stringify(doc));
    return path;
  };
  const withSketch = (minKey: number, counts?: number[]): Record<string, any> => {
    const doc = structuredClone(good);
    doc.summary.sketch.min_key = minKey;
    if (counts) doc.summary.sketch.counts = counts;
    return doc;
  };
  await assertRefused(['merge', await put('big-key.json', withSketch(1e300))], /big-key\.json: summary\.sketch\.min_key: 1e\+300 is above the maximum 1873$/);
  await assertRefused(['merge', await put('half-key.json', withSketch(0.5))], /half-key\.json: summary\.sketch\.min_key: expected a whole number, found 0\.5$/);
  await assertRefused(['merge', await put('low-key.json', withSketch(-2e9))], /low-key\.json: summary\.sketch\.min_key: -2000000000 is below the minimum -345$/);
  // Two documents whose keys lie 2e9 apart once asked for a 3.1 GB array.
  await assertRefused(
    ['merge', await put('zero.json', withSketch(0)), await put('far.json', withSketch(2e9))],
    /far\.json: summary\.sketch\.min_key: 2000000000 is above the maximum 1873$/,
  );
  const counts = new Array(1_000_000).fill(0);
  counts[0] = good.summary.sketch.counts.reduce((a: number, b: number) => a + b, 0);
  await assertRefused(['merge', await put('bins.json', withSketch(-300, counts))], /bins\.json: summary\.sketch\.counts: 1000000 items, at most 2219$/);
  const deep = JSON.stringify(good).replace('"rtt":{', `"rtt":{"deep":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)},`);
  await assertRefused(['merge', await put('deep.json', deep)], /deep\.json: nested more than 32 levels deep$/);
  const many = structuredClone(good);
  many.inputs = new Array(400_000).fill(good.inputs[0]);
  await assertRefused(['merge', await put('inputs.json', many)], /inputs\.json: inputs: 400000 items, at most 100000$/);
  // The same inputs spread over four documents of 100 000 each are within every bound: merged.
  const quarter = structuredClone(good);
  quarter.inputs = new Array(100_000).fill(good.inputs[0]);
  const q = await put('quarter.json', quarter);
  const ok = await runCliInProcess(['merge', q, q, q, q, '--json', join(dir, 'all.json'), '-q']);
  assert.equal(ok.status, 0, ok.stderr.slice(0, 2000));
  assert.equal((JSON.parse(readFileSync(join(dir, 'all.json'), 'utf8')) as { inputs: unknown[] }).inputs.length, 400_000);
});
