/**
 * gzip member by member (capture/gunzip.ts): concatenated members, optional header fields,
 * zero padding, bytes after the last member (a warning, every byte before it kept: issue 16
 * item 12), truncation and corruption, whatever the chunk boundaries; and backpressure.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { constants, crc32, deflateRawSync, gunzipSync, gzipSync } from 'node:zlib';
import { gunzipMembers, INFLATE_AHEAD, INFLATE_CHUNK } from '../../src/capture/gunzip.js';
import { CaptureError } from '../../src/errors.js';
import { concat } from '../helpers/capture-writer.js';
import { Random } from '../helpers/random.js';

/** Compressible but not trivial data. */
function sample(n: number, seed: number): Uint8Array {
  const rnd = new Random(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = i % 7 === 0 ? rnd.bytes(1)[0]! : (i >> 4) & 0xff;
  return out;
}

/** `bytes` as chunks cut at `cuts` (sorted offsets), each chunk its own copy. */
async function* chunked(bytes: Uint8Array, cuts: number[], pulled?: { bytes: number }): AsyncGenerator<Uint8Array> {
  let from = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length), bytes.length]) {
    if (cut <= from) continue;
    if (pulled) pulled.bytes += cut - from;
    yield bytes.slice(from, cut);
    from = cut;
  }
}

async function gunzip(bytes: Uint8Array, cuts: number[]): Promise<{ out: Uint8Array; warnings: string[] }> {
  const warnings: string[] = [];
  const parts: Uint8Array[] = [];
  for await (const chunk of gunzipMembers(chunked(bytes, cuts), 'f.gz', warnings)) parts.push(chunk);
  return { out: concat(...parts), warnings };
}

/** Cut points around `at` (every offset within 12 bytes) plus a regular grid. */
function cutsAround(at: number, length: number): number[][] {
  const sets: number[][] = [[]];
  for (let d = -12; d <= 12; d++) sets.push([at + d]);
  sets.push(Array.from({ length: Math.ceil(length / 997) }, (_, i) => i * 997));
  sets.push(Array.from({ length }, (_, i) => i).filter((i) => i % 64 === 0 || Math.abs(i - at) < 3));
  return sets;
}

const A = sample(150_000, 1);
const B = sample(70_000, 2);
const gzA = gzipSync(A);
const gzB = gzipSync(B);

test('concatenated members give their data in order, whatever the chunk boundaries', async () => {
  const file = concat(gzA, gzB);
  for (const cuts of cutsAround(gzA.length, file.length)) {
    const { out, warnings } = await gunzip(file, cuts);
    assert.deepEqual(warnings, []);
    assert.ok(Buffer.from(out).equals(Buffer.from(concat(A, B))), `cuts ${cuts.slice(0, 3).join(',')}`);
  }
});

test('bytes after the last member: every byte before them kept, one warning naming their offset', async () => {
  const garbage = new TextEncoder().encode('GARBAGE after the stream\x01\x02');
  for (const tail of [garbage, Uint8Array.of(0x1f, 0x8b, 0x78, 0x78), Uint8Array.of(0x1f)]) {
    const file = concat(gzA, gzB, tail);
    for (const cuts of cutsAround(gzA.length + gzB.length, file.length)) {
      const { out, warnings } = await gunzip(file, cuts);
      assert.ok(Buffer.from(out).equals(Buffer.from(concat(A, B))), 'data before the garbage');
      assert.deepEqual(warnings, [`f.gz: ${tail.length} bytes at compressed offset 0x${(gzA.length + gzB.length).toString(16)}, after the gzip data, are not gzip: ignored`]);
    }
  }
});

test('zero padding after the last member is silent, as gzip allows', async () => {
  const { out, warnings } = await gunzip(concat(gzA, new Uint8Array(1000)), []);
  assert.deepEqual(warnings, []);
  assert.ok(Buffer.from(out).equals(Buffer.from(A)));
});

test('a member with every optional header field (FEXTRA, FNAME, FCOMMENT, FHCRC)', async () => {
  const deflated = deflateRawSync(B);
  const header = Uint8Array.of(0x1f, 0x8b, 8, 0x02 | 0x04 | 0x08 | 0x10, 0, 0, 0, 0, 0, 3);
  const extra = Uint8Array.of(4, 0, 0x41, 0x42, 2, 0);
  const name = new TextEncoder().encode('capture.pcap\0');
  const comment = new TextEncoder().encode('from the lab\0');
  const trailer = new Uint8Array(8);
  new DataView(trailer.buffer).setUint32(0, crc32(B), true);
  new DataView(trailer.buffer).setUint32(4, B.length, true);
  const hcrc = crc32(concat(header, extra, name, comment)) & 0xffff;
  const member = concat(header, extra, name, comment, Uint8Array.of(hcrc & 0xff, hcrc >> 8), deflated, trailer);
  assert.ok(Buffer.from(gunzipSync(member)).equals(Buffer.from(B)), 'the test member is valid gzip');
  for (const cuts of cutsAround(20, member.length)) {
    const { out, warnings } = await gunzip(
      concat(gzA, member),
      cuts.map((c) => c + gzA.length),
    );
    assert.deepEqual(warnings, []);
    assert.ok(Buffer.from(out).equals(Buffer.from(concat(A, B))));
  }
});

test('a stream cut short keeps what was decompressed and warns; a wrong CRC is corrupt data', async () => {
  const cut = gzA.subarray(0, Math.floor(gzA.length / 2));
  const { out, warnings } = await gunzip(cut, [1000, 5000]);
  const partial = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH });
  assert.ok(Buffer.from(out).equals(Buffer.from(partial)));
  assert.deepEqual(warnings, [`f.gz: gzip stream truncated after ${partial.length} decompressed bytes`]);
  // The trailer alone missing: the data is all there, the stream is still cut short.
  const noTrailer = await gunzip(gzA.subarray(0, gzA.length - 8), []);
  assert.equal(noTrailer.out.length, A.length);
  assert.deepEqual(noTrailer.warnings, [`f.gz: gzip stream truncated after ${A.length} decompressed bytes`]);
  const badCrc = gzA.slice();
  badCrc[badCrc.length - 8] = badCrc[badCrc.length - 8]! ^ 0xff;
  await assert.rejects(gunzip(badCrc, []), (err: unknown) => err instanceof CaptureError && /CRC-32 of member 1/.test(err.message));
  const badData = gzA.slice();
  for (let i = 100; i < 140; i++) badData[i] = 0xff;
  await assert.rejects(gunzip(badData, []), (err: unknown) => err instanceof CaptureError && /^f\.gz: offset 0x[0-9a-f]+: corrupt gzip data/.test(err.message));
});

test('backpressure: a slow reader holds back the compressed reads (a gzip bomb stays flat)', async () => {
  const bomb = gzipSync(new Uint8Array(64 * 1024 * 1024)); // 64 MiB of zeros in ~64 KB
  const pulled = { bytes: 0 };
  const cuts = Array.from({ length: Math.ceil(bomb.length / 1024) }, (_, i) => i * 1024);
  const it = gunzipMembers(chunked(bomb, cuts, pulled), 'bomb.gz', [])[Symbol.asyncIterator]();
  let out = 0;
  for (let i = 0; i < 10; i++) out += ((await it.next()).value as Uint8Array).length;
  // Ten output chunks, plus what inflation may run ahead (INFLATE_AHEAD, and a chunk in the
  // making), need a few compressed pieces, not the whole file.
  const ratio = (64 * 1024 * 1024) / bomb.length;
  const bound = (out + INFLATE_AHEAD + INFLATE_CHUNK) / ratio + 2 * 1024;
  assert.ok(pulled.bytes <= bound, `${pulled.bytes} compressed bytes pulled for ${out} out (bound ${Math.round(bound)} of ${bomb.length})`);
  assert.ok(bound < bomb.length / 4);
  await it.return?.(undefined);
});

test('a read that fails after the reader stopped pulling (an interrupted run closing its input) is not an unhandled rejection', async () => {
  // The first half of a member, then a source that fails: what stdin gives once an interrupted
  // run has destroyed it while the inflater still waited for more.
  const member = gzipSync(sample(150_000, 3));
  const half = member.subarray(0, member.length >> 1);
  let fail: (err: Error) => void = () => {};
  const failing = new Promise<never>((_, reject) => (fail = reject));
  async function* source(): AsyncGenerator<Uint8Array> {
    yield half.slice();
    await failing;
  }
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    const it = gunzipMembers(source(), 'stdin', [])[Symbol.asyncIterator]();
    assert.ok(((await it.next()).value as Uint8Array).length > 0, 'a first chunk');
    // The reader stops pulling here; the feeder is waiting on the source, which now fails.
    fail(new Error('Premature close'));
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
