/**
 * Every output on every sample, compared byte for byte with test/golden/. A change in output is
 * reviewed like code: `UPDATE_GOLDEN=1 npm test` rewrites the files, and the diff shows what
 * changed. Each run is done twice: the same input must give the same bytes.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { REPO_ROOT, sampleCaptures } from '../helpers/paths.js';

const GOLDEN_DIR = join(REPO_ROOT, 'test', 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

const OUTPUTS: Record<string, string[]> = {
  table: ['--table'],
  histogram: ['--histogram'],
  'histogram-ms-by-raddr': ['--histogram', '--ms', '-B'],
  csv: ['--csv', '-'],
  json: ['--json', '-'],
  chart: ['--chart'],
  samples: ['--samples'],
  'table-by-flow-include-local': ['--table', '--by', 'flow', '--include-local'],
};

// The lab captures of samples/vantage/ are pinned by their oracle (test/e2e/vantage.test.ts).
for (const capture of sampleCaptures().filter((p) => !p.includes('/samples/vantage/'))) {
  const name = relative(join(REPO_ROOT, 'samples'), capture).replaceAll('/', '_');
  for (const [output, args] of Object.entries(OUTPUTS)) {
    test(`golden: ${name} ${args.join(' ')}`, () => {
      const argv = [relative(REPO_ROOT, capture), ...args, '-q'];
      const first = runCli(argv);
      assert.equal(first.status, 0, first.stderr);
      const second = runCli(argv);
      assert.equal(second.stdout, first.stdout, 'output differs between two runs');
      const file = join(GOLDEN_DIR, `${name}.${output}.txt`);
      if (update || !existsSync(file)) {
        assert.ok(update, `${file} is missing: run UPDATE_GOLDEN=1 npm test and review it`);
        mkdirSync(GOLDEN_DIR, { recursive: true });
        writeFileSync(file, first.stdout);
        return;
      }
      assert.equal(first.stdout, readFileSync(file, 'utf8'));
    });
  }
}
