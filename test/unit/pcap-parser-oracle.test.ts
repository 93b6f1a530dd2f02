/**
 * An independent reader as oracle: the `pcap-parser` package reads every classic µs pcap we
 * have, synthetic (both byte orders) and real (samples/, gunzipped when gzipped), and must
 * see exactly the packets our reader sees: count, timestamps, lengths and bytes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { parse, type PcapPacket } from 'pcap-parser';
import { conversation, ethernet, LINKTYPE, linuxSll2, pattern, pcapFile, record, type PcapRecord } from '../helpers/capture-writer.js';
import { REPO_ROOT, sampleCaptures } from '../helpers/paths.js';
import { readCapture } from '../helpers/read-capture.js';

/** All packets pcap-parser finds in `bytes`, fed in chunks of `chunk` bytes. */
function oracle(bytes: Uint8Array, chunk = 65536): Promise<PcapPacket[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += chunk) chunks.push(Buffer.from(bytes.subarray(at, at + chunk)));
    const packets: PcapPacket[] = [];
    const parser = parse(Readable.from(chunks));
    parser.on('packet', (p: PcapPacket) => packets.push({ header: p.header, data: Buffer.from(p.data) }));
    parser.on('error', reject);
    parser.on('end', () => resolve(packets));
  });
}

async function assertAgree(bytes: Uint8Array, what: string): Promise<number> {
  const theirs = await oracle(bytes);
  const ours = readCapture(bytes, 65536, what).packets;
  assert.equal(ours.length, theirs.length, `${what}: packet count`);
  ours.forEach((p, i) => {
    const h = theirs[i]!.header;
    const where = `${what}: packet ${i + 1}`;
    assert.deepEqual([p.tsSec, p.tsNsec, p.caplen, p.origlen], [h.timestampSeconds, h.timestampMicroseconds * 1000, h.capturedLength, h.originalLength], where);
    assert.ok(Buffer.from(p.data).equals(theirs[i]!.data), `${where}: bytes`);
  });
  return ours.length;
}

function syntheticRecords(): PcapRecord[] {
  const v4 = conversation().map((f) => ethernet(f));
  const records = v4.map((f, i) => record(f, 1_600_000_000 + i * 3, (i * 99991) % 1_000_000));
  records.push(
    { sec: 4_294_967_295, frac: 999_999, data: pattern(65535), origLen: 65535 },
    { sec: 0, frac: 0, data: new Uint8Array(0), origLen: 0 },
    { sec: 1_700_000_000, frac: 1, data: v4[5]!.bytes.subarray(0, 54), origLen: v4[5]!.wireLen },
    { sec: 1_700_000_000, frac: 2, data: linuxSll2(conversation()[0]!).bytes },
  );
  return records;
}

for (const littleEndian of [true, false]) {
  test(`pcap-parser agrees on a synthetic ${littleEndian ? 'little' : 'big'}-endian µs pcap`, async () => {
    const file = pcapFile(syntheticRecords(), { littleEndian, linktype: LINKTYPE.ETHERNET });
    assert.equal(await assertAgree(file, 'synthetic.pcap'), syntheticRecords().length);
    // Cut inside the last record: both readers stop before it.
    assert.equal(await assertAgree(file.subarray(0, file.length - 3), 'cut.pcap'), syntheticRecords().length - 1);
  });
}

/** Classic µs pcaps under samples/, gunzipped when gzipped; other formats are not its to read. */
function samplePcaps(): [string, Uint8Array][] {
  const out: [string, Uint8Array][] = [];
  for (const path of sampleCaptures()) {
    let bytes: Uint8Array = readFileSync(path);
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
    const magic = bytes.length >= 4 ? new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) : 0;
    if (magic === 0xa1b2c3d4 || magic === 0xd4c3b2a1) out.push([relative(REPO_ROOT, path), bytes]);
  }
  return out;
}

const samples = samplePcaps();
if (samples.length === 0) {
  test('pcap-parser agrees on the pcaps in samples/', (t) => t.skip('no classic µs pcap under samples/'));
}
for (const [name, bytes] of samples) {
  test(`pcap-parser agrees on ${name}`, async () => {
    assert.ok((await assertAgree(bytes, name)) > 0, 'a sample has packets');
  });
}
