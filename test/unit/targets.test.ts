/**
 * File targets: created when opened (before anything is read), one error line naming the file
 * when a write fails, and reopen() for a log rotation (SIGHUP in a service): after the file was
 * moved away the new writes go to a new file of the same name; without a move they append.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FileTarget } from '../../src/cli/targets.js';
import { RttscanError } from '../../src/errors.js';
import { tempDir } from '../helpers/paths.js';

test('a file target exists once opened, and closes with what was written', async (t) => {
  const path = join(await tempDir(t), 'out.csv');
  const target = await FileTarget.open(path);
  assert.ok(existsSync(path));
  target.write('a\n');
  await target.close();
  assert.equal(readFileSync(path, 'utf8'), 'a\n');
});

test('reopen: appends to the same file, or starts a new one after the old was moved away', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'rtt.jsonl');
  const target = await FileTarget.open(path);
  target.write('1\n');
  await target.reopen();
  target.write('2\n');
  renameSync(path, join(dir, 'rtt.jsonl.1'));
  await target.reopen();
  target.write('3\n');
  await target.close();
  assert.equal(readFileSync(join(dir, 'rtt.jsonl.1'), 'utf8'), '1\n2\n');
  assert.equal(readFileSync(path, 'utf8'), '3\n');
});

test('reopen with rows still coming (a SIGHUP mid-run): each row in one file, the new file header first', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'rtt.csv');
  const target = await FileTarget.open(path, 'h\n');
  target.write('h\n1\n');
  renameSync(path, join(dir, 'rtt.csv.1'));
  const reopened = target.reopen();
  // Rows the analysis writes while the old file closes and the new one opens.
  target.write('2\n');
  await new Promise((r) => setImmediate(r));
  target.write('3\n');
  await reopened;
  target.write('4\n');
  await target.close();
  assert.equal(readFileSync(join(dir, 'rtt.csv.1'), 'utf8'), 'h\n1\n');
  assert.equal(readFileSync(path, 'utf8'), 'h\n2\n3\n4\n');
});

test('a write that fails is one RttscanError naming the file (code output)', async (t) => {
  if (!existsSync('/dev/full')) {
    t.skip('no /dev/full');
    return;
  }
  const target = await FileTarget.open('/dev/full');
  target.write('x'.repeat(100_000));
  await assert.rejects(target.close(), (err) => err instanceof RttscanError && err.code === 'output' && err.message === '/dev/full: cannot write (no space left on device)');
  await assert.rejects(FileTarget.open('/no/such/dir/out.csv'), /\/no\/such\/dir\/out\.csv: cannot write \(no such directory\)/);
});
