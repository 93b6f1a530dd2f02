/**
 * The README never lies: every `rttscan` command in its ```sh blocks runs and succeeds, and
 * every ```console block's `$ command` prints exactly the lines under it (stdout, or stderr
 * when the command ends in `>/dev/null`).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCliInProcess } from './helpers/cli.js';
import { REPO_ROOT } from './helpers/paths.js';

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, body: m[2]! }));

/**
 * `npx rttscan a b` / `rttscan a 'p99>1ms'  # comment` → ['a', 'p99>1ms']; undefined if not an
 * rttscan command. Single quotes group a word, as in the shell.
 */
function rttscanArgs(line: string): string[] | undefined {
  const command = line
    .replace(/^npm install && /, '')
    .replace(/\s+#[^']*$/, '')
    .trim();
  const m = /^(?:npx )?rttscan (.*)$/.exec(command);
  return m ? [...m[1]!.matchAll(/'([^']*)'|(\S+)/g)].map((w) => w[1] ?? w[2]!) : undefined;
}

const shCommands = blocks
  .filter((b) => b.lang === 'sh')
  .flatMap((b) => b.body.split('\n'))
  .filter((l) => rttscanArgs(l) !== undefined);

test('the README has commands to check', () => {
  assert.ok(shCommands.length >= 10, `only ${shCommands.length} rttscan commands found`);
});

for (const line of shCommands) {
  test(`README: ${line}`, async () => {
    const run = await runCliInProcess(rttscanArgs(line)!);
    assert.equal(run.status, 0, run.stderr);
    assert.ok(run.stdout.length > 0, 'prints something');
  });
}

for (const block of blocks.filter((b) => b.lang === 'console')) {
  const [first = '', ...expected] = block.body.replace(/\n$/, '').split('\n');
  test(`README console: ${first}`, async () => {
    assert.ok(first?.startsWith('$ '), 'a console block starts with "$ command"');
    const toStderr = first.endsWith(' >/dev/null');
    const args = rttscanArgs(first.slice(2).replace(/ >\/dev\/null$/, ''));
    assert.ok(args, `not an rttscan command: ${first}`);
    const run = await runCliInProcess(args);
    assert.equal(run.status, 0, run.stderr);
    assert.equal((toStderr ? run.stderr : run.stdout).replace(/\n$/, ''), expected.join('\n'));
  });
}
