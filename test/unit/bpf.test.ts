/**
 * The BPF interpreter against tcpdump itself: on every sample capture, for filters that use
 * every kind of instruction tcpdump emits (absolute, indirect and MSH loads, arithmetic, jumps,
 * scratch memory, len), rttscan's --filter keeps exactly the packets `tcpdump -r FILE EXPR` prints.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BpfProgram, compileBpf, parseBpfDecimal, PacketFilter } from '../../src/capture/bpf.js';
import { openInputs, readPackets } from '../../src/capture/packet-source.js';
import { errorText } from '../../src/cli/error-text.js';
import type { RttscanError } from '../../src/errors.js';
import { hasCommand } from '../helpers/cli.js';
import { sampleCaptures, tempDir } from '../helpers/paths.js';

const FILTERS = [
  'tcp',
  'tcp port 8080',
  'tcp[tcpflags] & (tcp-syn|tcp-fin) != 0',
  'host 10.99.0.1 and len > 100',
  'ip6 and tcp dst port 8080',
  'tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420',
  'ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2) > 0',
  'net 10.99.0.0/24 or net fd00:99::/64',
  'tcp[13] = 0x10 and greater 60',
  'not ip6 or ip',
];

/**
 * How many packets of each file tcpdump keeps with `filter`, in `files`' order: one tcpdump
 * reads them all (-V, a list of files; it compiles the filter again for each file's link type),
 * a tenth of the process starts of one run per file and filter (500 of them cost 4 s of CPU).
 * tcpdump says "reading from file F" on stderr as it opens each file; stdout line-buffered (-l)
 * and stderr on one pipe keep each file's packet lines after its own announcement.
 */
function tcpdumpCounts(files: readonly string[], filter: string, listFile: string): number[] {
  writeFileSync(listFile, files.map((f) => `${f}\n`).join(''));
  // Run as root, tcpdump becomes user tcpdump once it has opened the first file, and then may
  // not open the next (a checkout under a 0700 directory, as mktemp -d makes): -Z root keeps it.
  const keepUser = process.getuid?.() === 0 ? '-Z root' : '';
  const r = spawnSync('sh', ['-c', `exec tcpdump ${keepUser} -l -V "$0" -nq "$1" 2>&1`, listFile, filter], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stdout.slice(-2000));
  const counts = new Map<string, number>();
  let current: string | undefined;
  for (const line of r.stdout.split('\n')) {
    const opened = /^reading from file (.*), link-type /.exec(line);
    if (opened) counts.set((current = opened[1]!), 0);
    else if (line !== '') {
      assert.ok(current !== undefined, `tcpdump printed "${line}" before naming a file`);
      counts.set(current, counts.get(current)! + 1);
    }
  }
  assert.deepEqual([...counts.keys()], files, `tcpdump read every file once, in order ('${filter}')`);
  return files.map((f) => counts.get(f)!);
}

/** Each filter compiled once per link type (by tcpdump -ddd), for every capture. */
const packetFilters = FILTERS.map((filter) => new PacketFilter(filter));

/** How many packets of `file` each filter keeps, in FILTERS' order: the file read once for all. */
async function ourCounts(file: string): Promise<number[]> {
  const kept = FILTERS.map(() => 0);
  await readPackets(await openInputs([file]), (pkt) => {
    packetFilters.forEach((filter, i) => {
      if (filter.matches(pkt)) kept[i]!++;
    });
  });
  return kept;
}

test('--filter keeps exactly what tcpdump keeps, on every sample capture', async (t) => {
  if (!hasCommand('tcpdump')) {
    t.skip('tcpdump not installed');
    return;
  }
  // tcpdump reads no gzip: the gzipped sample is the same capture as its plain twin.
  const files = sampleCaptures().filter((f) => !f.endsWith('.gz'));
  const listFile = join(await tempDir(t), 'files.txt');
  const theirs = FILTERS.map((filter) => tcpdumpCounts(files, filter, listFile));
  for (const [k, file] of files.entries()) {
    const ours = await ourCounts(file);
    FILTERS.forEach((filter, i) => assert.equal(ours[i], theirs[i]![k], `${file}: '${filter}'`));
  }
});

test('the interpreter: out-of-packet loads reject, division by zero rejects, ret A returns A', () => {
  const view = new DataView(new Uint8Array([0x45, 0x00, 0x00, 0x10]).buffer);
  // ld [8] (beyond 4 bytes): reject.
  assert.equal(
    new BpfProgram([
      [0x20, 0, 0, 8],
      [0x06, 0, 0, 1],
    ]).matches(view, 0, 4, 4),
    false,
  );
  // ldb [0]; div #0: reject.
  assert.equal(
    new BpfProgram([
      [0x30, 0, 0, 0],
      [0x34, 0, 0, 0],
      [0x06, 0, 0, 1],
    ]).matches(view, 0, 4, 4),
    false,
  );
  // ldh [2] = 16; sub #16; ret A = 0: reject. ld len; ret A: accept.
  assert.equal(
    new BpfProgram([
      [0x28, 0, 0, 2],
      [0x14, 0, 0, 16],
      [0x16, 0, 0, 0],
    ]).matches(view, 0, 4, 4),
    false,
  );
  assert.equal(
    new BpfProgram([
      [0x80, 0, 0, 0],
      [0x16, 0, 0, 0],
    ]).matches(view, 0, 4, 4),
    true,
  );
  // ldxb 4*([0]&0xf) = 20; txa; st M[3]; ld #0; ld M[3]; jeq #20 → accept.
  const msh = new BpfProgram([
    [0xb1, 0, 0, 0],
    [0x87, 0, 0, 0],
    [0x02, 0, 0, 3],
    [0x00, 0, 0, 0],
    [0x60, 0, 0, 3],
    [0x15, 0, 1, 20],
    [0x06, 0, 0, 1],
    [0x06, 0, 0, 0],
  ]);
  assert.equal(msh.matches(view, 0, 4, 4), true);
  assert.throws(() => parseBpfDecimal('2\n40 0 0 12\n'), /said 2 instructions and printed 1/);
});

test("a bad filter is a usage error naming it and tcpdump's reason", (t) => {
  if (!hasCommand('tcpdump')) {
    t.skip('tcpdump not installed');
    return;
  }
  const reason = "not a valid BPF filter (tcpdump: can't parse filter expression: syntax error)";
  // The library names its option; the CLI names the flag that sets it.
  assert.throws(
    () => compileBpf('tcp and and', 1),
    (err: RttscanError) => err.option === 'filter' && err.message === `filter 'tcp and and': ${reason}`,
  );
  assert.throws(
    () => compileBpf('tcp and and', 1),
    (err: RttscanError) => errorText(err) === `--filter 'tcp and and': ${reason}`,
  );
});
