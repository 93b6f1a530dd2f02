/**
 * docs/options.md is generated from the option definitions (npm run docs); this fails when the
 * committed file is stale, and when the README leaves an option unmentioned.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildMergeProgram } from '../../src/cli/merge-command.js';
import { buildProgram } from '../../src/cli/options.js';
import { renderOptionsReference } from '../../src/cli/options-reference.js';
import { REPO_ROOT } from '../helpers/paths.js';

test('docs/options.md is what the option definitions give (run npm run docs after changing an option)', () => {
  const committed = readFileSync(join(REPO_ROOT, 'docs', 'options.md'), 'utf8');
  const generated = renderOptionsReference([buildProgram(), buildMergeProgram()]);
  assert.equal(committed, generated, 'docs/options.md is stale: run `npm run docs` and commit it');
});

test('the reference lists every option of both commands, with its description', () => {
  const reference = renderOptionsReference([buildProgram(), buildMergeProgram()]);
  for (const program of [buildProgram(), buildMergeProgram()]) {
    for (const option of program.options) {
      assert.ok(reference.includes(`| \`${option.flags}\` | ${option.description.replaceAll('|', '\\|')}`), option.flags);
    }
  }
  assert.match(reference, /^## `rttscan merge \[options\] <summaries\.\.\.>`$/m);
});

test('the README mentions every option', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  for (const program of [buildProgram(), buildMergeProgram()]) {
    for (const option of program.options) {
      const name = option.long ?? option.short!;
      assert.ok(readme.includes(`\`${name}`) || readme.includes(` ${name} `) || readme.includes(`${name}\``), `README.md does not mention ${name}`);
    }
  }
});
