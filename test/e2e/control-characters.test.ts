/**
 * Raw control characters from file names or file contents never reach the terminal (issue 16
 * item 12): a message stays one line, with `\x1b`, `\n` and bidi overrides written as escapes.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { printable } from '../../src/util/printable.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

// ESC [31m (red), a newline, a carriage return and a right-to-left override.
const HOSTILE = 'cap\x1b[31mred\nnext\rline\u202etxt';
const SHOWN = 'cap\\x1b[31mred\\nnext\\rline\\u202etxt';

/** One line on stderr, no raw control character, the escaped name in it. */
function assertOneCleanLine(stderr: string, shown: string): void {
  assert.equal(stderr.split('\n').length, 2, JSON.stringify(stderr));
  assert.doesNotMatch(stderr.slice(0, -1), /[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
  assert.ok(stderr.includes(shown), JSON.stringify(stderr));
}

test('printable escapes controls and bidi overrides, and nothing else', () => {
  assert.equal(printable(HOSTILE), SHOWN);
  assert.equal(printable('C:\\caps\\ü 日本.pcap'), 'C:\\caps\\ü 日本.pcap');
  assert.equal(printable('\x00\x7f\x9b\u2028'), '\\x00\\x7f\\x9b\\u2028');
});

test('a capture file named with control characters: the error names it escaped, on one line', async (t) => {
  const dir = await tempDir(t);
  const notCapture = join(dir, `${HOSTILE}.pcap`);
  await writeFile(notCapture, 'hello, world\n');
  let r = runCli([notCapture]);
  assert.equal(r.status, 2);
  assertOneCleanLine(r.stderr, `${SHOWN}.pcap: offset 0x0: not a capture file`);
  r = runCli([join(dir, `missing${HOSTILE}.pcap`)]);
  assert.equal(r.status, 2);
  assertOneCleanLine(r.stderr, `missing${SHOWN}.pcap: no such file`);
  await mkdir(join(dir, `${HOSTILE}.d`));
  r = runCli([join(dir, `${HOSTILE}.d`)]);
  assert.equal(r.status, 2);
  assertOneCleanLine(r.stderr, `${SHOWN}.d: is a directory`);
});

test('a tcprt.yaml whose key holds control characters: the error shows it escaped', async (t) => {
  const dir = await tempDir(t);
  const config = join(dir, 'tcprt.yaml');
  await writeFile(config, `global: { "st\\e[2Jats": enable }\n`);
  const r = runCli(['samples/http-v4/server.pcap', '--tcprt', '--tcprt-config', config, '-q']);
  assert.equal(r.status, 2, r.stderr);
  assertOneCleanLine(r.stderr, "unknown key 'st\\x1b[2Jats'");
});
