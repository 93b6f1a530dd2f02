/**
 * Bad input at the library level: analyze() (and openInputs() for faults found on opening)
 * rejects with an RttscanError naming the file, offset and fault; inputs that are merely
 * cut short are read up to the cut, with a warning. The CLI side is bad-input-cli.test.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { analyze } from '../../src/analyze.js';
import { openInputs } from '../../src/capture/packet-source.js';
import { CaptureError, RttscanError } from '../../src/errors.js';
import { ACCEPTED, REFUSED, unreadableFile, type RefusedInput } from '../helpers/bad-inputs.js';
import { LIBRARY_PATH, tempDir } from '../helpers/paths.js';

function checkError(err: unknown, c: RefusedInput, path: string): true {
  assert.ok(err instanceof RttscanError, `expected an RttscanError, got ${String(err)}`);
  assert.equal(err.code, c.code);
  const prefix = `${path}: `;
  assert.ok(err.message.startsWith(prefix), `message names the file: ${err.message}`);
  const rest = err.message.slice(prefix.length);
  if (typeof c.message === 'string') assert.equal(rest, c.message);
  else assert.match(rest, c.message);
  if (c.code === 'capture') {
    assert.ok(err instanceof CaptureError);
    assert.equal(err.file, path);
    if (c.offset !== undefined) assert.equal(err.offset, c.offset);
    assert.equal(err.record, c.record);
  }
  return true;
}

for (const c of REFUSED) {
  test(`analyze() refuses ${c.name}`, async (t) => {
    const path = await c.make(await tempDir(t));
    await assert.rejects(analyze([path]), (err) => checkError(err, c, path));
    if (c.atOpen) await assert.rejects(openInputs([path]), (err) => checkError(err, c, path));
  });
}

for (const c of ACCEPTED) {
  test(`analyze() reads ${c.name}`, async (t) => {
    const path = await c.make(await tempDir(t));
    const result = await analyze([path]);
    const input = result.inputs[0]!;
    assert.deepEqual([input.format, input.packets], [c.format, c.packets]);
    assert.equal(input.warnings.length, c.warnings.length, input.warnings.join('\n'));
    c.warnings.forEach((want, i) => assert.match(input.warnings[i]!, want(path)));
  });
}

test('a truncated gzip still yields the packets before the cut', () => {
  const truncatedGzip = ACCEPTED.find((c) => c.name.includes('truncated gzip'))!;
  assert.ok(truncatedGzip.packets > 50 && truncatedGzip.packets < 200, `${truncatedGzip.packets} of 200 packets`);
});

test('analyze() refuses a file it may not read (permission denied)', async (t) => {
  const denied = await unreadableFile(await tempDir(t));
  if (typeof denied === 'string') return t.skip(denied);
  // In a child process, so that as root it can run without the power to read any file.
  const script = `
    import { analyze, RttscanError } from ${JSON.stringify(pathToFileURL(LIBRARY_PATH).href)};
    try { await analyze([${JSON.stringify(denied.path)}]); console.log(JSON.stringify({ resolved: true })); }
    catch (err) { console.log(JSON.stringify({ ours: err instanceof RttscanError, code: err.code, message: err.message })); }`;
  const argv = [...denied.prefix, process.execPath, '--input-type=module', '-e', script];
  const child = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  assert.deepEqual(JSON.parse(child.stdout), { ours: true, code: 'input', message: `${denied.path}: permission denied` });
});
