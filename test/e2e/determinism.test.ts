/**
 * The same input gives the same bytes, in every format: run after run, in any time zone and
 * locale. (test/e2e/golden.test.ts pins each sample's bytes; this varies
 * what the environment could leak into them.)
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { SAMPLES_DIR, tempDir } from '../helpers/paths.js';

// Two captures taken at one host (the client of both labs), analysed as one capture point.
const CLIENT = join(SAMPLES_DIR, 'http-v4', 'client.pcap');
const OTHER = join(SAMPLES_DIR, 'mixed-loss', 'client.pcap');

/** Environments that would change the bytes if anything depended on them. */
const ENVIRONMENTS: NodeJS.ProcessEnv[] = [
  { TZ: 'UTC', LANG: 'C', LC_ALL: 'C' },
  { TZ: 'America/St_Johns', LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8', COLUMNS: '40' },
];

const OUTPUTS: string[][] = [
  ['--table'],
  ['--histogram', '-B'],
  ['--csv', '-'],
  ['--json', '-'],
  ['--chart', '--by', 'flow'],
  ['--samples'],
  ['--interval', '300ms', '-T', '--table'],
  ['--interval', '300ms', '--json', '-'],
  ['--each', '--table', '--by', 'raddr'],
  ['--each', '--json', '-'],
];

function sameEverywhere(args: string[]): string {
  const first = runCli(args, undefined, ENVIRONMENTS[0]);
  assert.equal(first.status, 0, first.stderr);
  assert.ok(first.stdout.length > 0);
  // The first environment again (a second run), then the others.
  for (const env of ENVIRONMENTS) {
    const again = runCli(args, undefined, env);
    assert.equal(again.stdout, first.stdout, `${args.join(' ')} with ${JSON.stringify(env)}`);
  }
  return first.stdout;
}

for (const output of OUTPUTS) {
  test(`deterministic: two captures, ${output.join(' ')}`, () => {
    sameEverywhere([CLIENT, OTHER, ...output, '-q']);
  });
}

test('deterministic: merge, in any argument order, in every format', async (t) => {
  const dir = await tempDir(t);
  const jsons = [CLIENT, OTHER].map((capture, i) => {
    const path = join(dir, `${i}.json`);
    assert.equal(runCli([capture, '--by', 'raddr', '--json', path, '-q']).status, 0);
    return path;
  });
  for (const output of [['--table'], ['--histogram'], ['--json', '-']]) {
    const forward = sameEverywhere(['merge', ...jsons, ...output, '-q']);
    const backward = sameEverywhere(['merge', ...[...jsons].reverse(), ...output, '-q']);
    assert.equal(backward, forward, `merge ${output.join(' ')}: the order of the arguments does not matter`);
  }
});
