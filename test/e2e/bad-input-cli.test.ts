/**
 * Bad input end to end: `rttscan FILE --json` exits 2 with exactly one stderr line,
 * `rttscan: FILE: <where>: <fault>`, and nothing on stdout; inputs cut short exit 0, print
 * their JSON and a warning line. Same table as the library-level bad-input.test.ts. The CLI
 * runs in-process (main), but for the unreadable file: `node bin/rttscan` without the power to
 * read it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { ACCEPTED, REFUSED, unreadableFile } from '../helpers/bad-inputs.js';
import { runCliInProcess } from '../helpers/cli.js';
import { CLI_PATH, tempDir } from '../helpers/paths.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(argv: string[], timeoutMs = 20_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const rttscan = (...args: string[]): string[] => [process.execPath, CLI_PATH, ...args];

async function runInProcess(args: string[]): Promise<Run> {
  const r = await runCliInProcess(args);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function assertRefused(r: Run, path: string, message: string | RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.ok(r.stderr.endsWith('\n') && r.stderr.indexOf('\n') === r.stderr.length - 1, `one line on stderr: ${JSON.stringify(r.stderr)}`);
  const prefix = `rttscan: ${path}: `;
  assert.ok(r.stderr.startsWith(prefix), r.stderr);
  const rest = r.stderr.slice(prefix.length, -1);
  if (typeof message === 'string') assert.equal(rest, message);
  else assert.match(rest, message);
}

for (const c of REFUSED) {
  test(`rttscan exits 2 on ${c.name}`, async (t) => {
    const path = await c.make(await tempDir(t));
    assertRefused(await runInProcess([path, '--json']), path, c.message);
  });
}

for (const c of ACCEPTED) {
  test(`rttscan exits 0 on ${c.name}`, async (t) => {
    const path = await c.make(await tempDir(t));
    const r = await runInProcess([path, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { inputs: { path: string; format: string; packets: number; warnings: string[] }[] };
    assert.deepEqual(
      doc.inputs.map((i) => [i.path, i.format, i.packets]),
      [[path, c.format, c.packets]],
    );
    const warningLines = r.stderr.split('\n').filter((l) => l.startsWith('rttscan: warning: '));
    assert.equal(warningLines.length, c.warnings.length, r.stderr);
    c.warnings.forEach((want, i) => {
      assert.match(warningLines[i]!.slice('rttscan: warning: '.length), want(path));
      assert.match(doc.inputs[0]!.warnings[i]!, want(path));
    });
  });
}

test('rttscan exits 2 on a file it may not read (permission denied)', async (t) => {
  const denied = await unreadableFile(await tempDir(t));
  if (typeof denied === 'string') return t.skip(denied);
  assertRefused(await run([...denied.prefix, ...rttscan(denied.path, '--json')]), denied.path, 'permission denied');
});
