/**
 * An input abandoned by an error must let go of its file at once, not when the garbage
 * collector finds its handle: a library user analysing many files would run out of
 * descriptors. Counted in /proc/self/fd (Linux).
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { analyze } from '../../src/analyze.js';
import { RttscanError } from '../../src/errors.js';
import { conversation, ethernet, pcapFile, record } from '../helpers/capture-writer.js';
import { tempDir } from '../helpers/paths.js';

const openFds = (): number => readdirSync('/proc/self/fd').length;

test('inputs refused or failing mid-read close their files', { skip: existsSync('/proc/self/fd') ? false : 'no /proc/self/fd here' }, async (t) => {
  const dir = await tempDir(t);
  const good = join(dir, 'good.pcap');
  const badRecord = join(dir, 'bad-record.pcap');
  const badMagic = join(dir, 'bad-magic.pcap');
  const records = conversation().map((f, i) => record(ethernet(f), i, 0));
  await writeFile(good, pcapFile(records));
  await writeFile(badRecord, pcapFile([...records.slice(0, 2), { sec: 9, frac: 0, data: new Uint8Array(4), caplen: 1 << 30 }]));
  await writeFile(badMagic, 'not a capture at all');
  const before = openFds();
  for (let i = 0; i < 20; i++) {
    for (const paths of [[badRecord], [badMagic], [good, badMagic], [good, badRecord]]) {
      await assert.rejects(analyze(paths), RttscanError);
    }
  }
  // Closing is asynchronous: give it a moment, far less than a garbage collection would take.
  for (let wait = 0; wait < 40 && openFds() > before; wait++) await sleep(25);
  assert.ok(openFds() <= before, `${openFds() - before} descriptors still open after 80 refused inputs`);
});
