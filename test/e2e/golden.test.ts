/**
 * Every output on every sample, compared byte for byte with test/golden/. A change in output is
 * reviewed like code: `UPDATE_GOLDEN=1 npm test` rewrites the files, and the diff shows what
 * changed. Each runs once, in-process (test/e2e/determinism.test.ts runs the built CLI again and
 * again, in other environments, for the same bytes).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { runCliInProcess } from '../helpers/cli.js';
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
    test(`golden: ${name} ${args.join(' ')}`, async () => {
      const first = await runCliInProcess([relative(REPO_ROOT, capture), ...args, '-q']);
      assert.equal(first.status, 0, first.stderr);
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
