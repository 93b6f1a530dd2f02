/**
 * The same input gives the same bytes, in every format: run after run, in any time zone and
 * locale. Each environment is a process of its own (the time zone and locale are read at its
 * start) that runs every command line (runCliInChild). (test/e2e/golden.test.ts pins each sample's bytes; this varies
 * what the environment could leak into them.)
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCliInChild, runCliInProcess, type CliRun } from '../helpers/cli.js';
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

/** The environments each command line runs in, the first twice (run after run). */
const RUNS_IN = [ENVIRONMENTS[0]!, ...ENVIRONMENTS];

/**
 * Every command line run in each of RUNS_IN: for each command line, its runs (one per
 * environment). One process per environment runs them all (runCliInChild).
 */
function runEverywhere(commandLines: readonly string[][]): CliRun[][] {
  const byEnvironment = RUNS_IN.map((env) => runCliInChild(commandLines, env));
  return commandLines.map((_, i) => byEnvironment.map((runs) => runs[i]!));
}

/** The output, the same in every environment. */
function sameEverywhere(args: readonly string[], runs: readonly CliRun[]): string {
  const [first, ...again] = runs as [CliRun, ...CliRun[]];
  assert.equal(first.status, 0, first.stderr);
  assert.ok(first.stdout.length > 0);
  for (const [i, run] of again.entries()) assert.equal(run.stdout, first.stdout, `${args.join(' ')} with ${JSON.stringify(RUNS_IN[i + 1])}`);
  return first.stdout;
}

const COMMAND_LINES = OUTPUTS.map((output) => [CLIENT, OTHER, ...output, '-q']);
let outputRuns: CliRun[][] | undefined;

for (const [i, output] of OUTPUTS.entries()) {
  test(`deterministic: two captures, ${output.join(' ')}`, () => {
    outputRuns ??= runEverywhere(COMMAND_LINES);
    sameEverywhere(COMMAND_LINES[i]!, outputRuns[i]!);
  });
}

test('deterministic: merge, in any argument order, in every format', async (t) => {
  const dir = await tempDir(t);
  const jsons: string[] = [];
  for (const [i, capture] of [CLIENT, OTHER].entries()) {
    const path = join(dir, `${i}.json`);
    assert.equal((await runCliInProcess([capture, '--by', 'raddr', '--json', path, '-q'])).status, 0);
    jsons.push(path);
  }
  const outputs = [['--table'], ['--histogram'], ['--json', '-']];
  const orders = [jsons, [...jsons].reverse()];
  const commandLines = outputs.flatMap((output) => orders.map((order) => ['merge', ...order, ...output, '-q']));
  const runs = runEverywhere(commandLines);
  for (const [i, output] of outputs.entries()) {
    const forward = sameEverywhere(commandLines[2 * i]!, runs[2 * i]!);
    const backward = sameEverywhere(commandLines[2 * i + 1]!, runs[2 * i + 1]!);
    assert.equal(backward, forward, `merge ${output.join(' ')}: the order of the arguments does not matter`);
  }
});
