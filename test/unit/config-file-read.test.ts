/**
 * A config file that cannot be read (--config, --tcprt-config) is said as every other input is
 * (util/errno.ts readFailure): `no such file`, `is a directory`, not the errno's code.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfigFile } from '../../src/cli/config-file.js';
import { buildProgram } from '../../src/cli/options.js';
import { tcprtConfigOf } from '../../src/cli/tcprt.js';
import { RttscanError } from '../../src/errors.js';
import { parseDurationNs } from '../../src/time.js';
import { tempDir } from '../helpers/paths.js';

async function inputError(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => assert.fail('read'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof RttscanError, String(err));
  assert.equal(err.code, 'input');
  return err.message;
}

test("--config and --tcprt-config that cannot be read: the path and the reason in the inputs' words", async (t) => {
  const dir = await tempDir(t);
  const missing = join(dir, 'nope.yaml');
  const readConfig = (path: string): Promise<unknown> => loadConfigFile(path, buildProgram(), parseDurationNs);
  const readTcprt = (path: string): Promise<unknown> => tcprtConfigOf({ tcprt: true, lports: ['80'], pports: [], lportsRange: [], pportsRange: [], tcprtConfig: path });
  for (const read of [readConfig, readTcprt]) {
    assert.equal(await inputError(read(missing)), `${missing}: no such file`);
    assert.equal(await inputError(read(dir)), `${dir}: is a directory`);
    assert.equal(await inputError(read(join(dir, 'nope', 'c.yaml'))), `${join(dir, 'nope', 'c.yaml')}: no such file`);
  }
});
