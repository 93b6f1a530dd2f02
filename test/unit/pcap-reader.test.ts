/** Classic pcap: both byte orders × both timestamp precisions, and every header fault. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CaptureError } from '../../src/errors.js';
import { conversation, ethernet, LINKTYPE, pcapFile, pcapHeader, pcapRecord, record, type PcapRecord } from '../helpers/capture-writer.js';
import { readCapture } from '../helpers/read-capture.js';

const frames = conversation().map((f) => ethernet(f));
/** Timestamps chosen to be exact only at full precision (no float shortcut passes). */
const SEC = [1_700_000_000, 1_700_000_000, 1_700_000_001, 4_294_967_295];
const FRAC_US = [0, 999_999, 1, 123_457];
const FRAC_NS = [0, 999_999_999, 1, 123_456_789];

for (const littleEndian of [true, false]) {
  for (const nanos of [false, true]) {
    test(`${littleEndian ? 'little' : 'big'}-endian ${nanos ? 'ns' : 'µs'} pcap: every field of every record`, () => {
      const fracs = nanos ? FRAC_NS : FRAC_US;
      const records: PcapRecord[] = SEC.map((sec, i) => record(frames[i]!, sec, fracs[i]!));
      const file = pcapFile(records, { littleEndian, nanos, linktype: LINKTYPE.ETHERNET, snaplen: 65535 });
      const got = readCapture(file);
      assert.equal(got.format, 'pcap');
      assert.deepEqual(got.linktypes, [LINKTYPE.ETHERNET]);
      assert.equal(got.warning, undefined);
      assert.equal(got.packets.length, records.length);
      let offset = 24;
      got.packets.forEach((p, i) => {
        const r = records[i]!;
        assert.equal(p.tsSec, SEC[i]);
        assert.equal(p.tsNsec, nanos ? fracs[i] : fracs[i]! * 1000);
        assert.equal(p.caplen, r.data.length);
        assert.equal(p.origlen, r.origLen);
        assert.deepEqual(p.data, r.data);
        assert.equal(p.linktype, LINKTYPE.ETHERNET);
        assert.equal(p.record, i + 1);
        assert.equal(p.fileOffset, offset);
        offset += 16 + r.data.length;
      });
    });
  }
}

test('the FCS bits above the link type are masked off', () => {
  const file = pcapFile([record(frames[0]!, 1, 0)], { linktype: LINKTYPE.LINUX_SLL2, linktypeHighBits: 0x1234 });
  const got = readCapture(file);
  assert.deepEqual(got.linktypes, [LINKTYPE.LINUX_SLL2]);
  assert.equal(got.packets[0]!.linktype, LINKTYPE.LINUX_SLL2);
});

test('snaplen-cut records keep their wire length; empty records are records', () => {
  const data = frames[5]!.bytes.subarray(0, 54);
  const file = pcapFile(
    [
      { sec: 10, frac: 0, data, origLen: frames[5]!.wireLen },
      { sec: 11, frac: 0, data: new Uint8Array(0), origLen: 0 },
    ],
    { snaplen: 54 },
  );
  const [cut, empty] = readCapture(file).packets;
  assert.equal(cut!.caplen, 54);
  assert.equal(cut!.origlen, frames[5]!.wireLen);
  assert.deepEqual(cut!.data, data);
  assert.equal(empty!.caplen, 0);
  assert.equal(empty!.tsSec, 11);
});

test('a µs fraction of a second or more is carried into the seconds', () => {
  const got = readCapture(pcapFile([{ sec: 5, frac: 2_500_000, data: Uint8Array.of(1) }])).packets;
  assert.deepEqual([got[0]!.tsSec, got[0]!.tsNsec], [7, 500_000_000]);
  const ns = readCapture(pcapFile([{ sec: 5, frac: 1_000_000_001, data: Uint8Array.of(1) }], { nanos: true })).packets;
  assert.deepEqual([ns[0]!.tsSec, ns[0]!.tsNsec], [6, 1]);
});

test('caplen above snaplen is allowed up to 262144, beyond that the record is corrupt', () => {
  const big = new Uint8Array(70000);
  assert.equal(readCapture(pcapFile([{ sec: 1, frac: 0, data: big }], { snaplen: 65535 })).packets.length, 1);
  const file = pcapFile(
    [
      { sec: 1, frac: 0, data: Uint8Array.of(1, 2, 3) },
      { sec: 2, frac: 0, data: new Uint8Array(8), caplen: 300000 },
    ],
    { snaplen: 65535 },
  );
  assert.throws(
    () => readCapture(file),
    (err: unknown) => {
      assert.ok(err instanceof CaptureError);
      assert.equal(err.record, 2);
      assert.equal(err.offset, 24 + 16 + 3);
      assert.equal(err.message, 'test.pcap: record 2 at offset 0x2b: caplen 300000 exceeds snaplen 65535 (limit 262144)');
      return true;
    },
  );
});

test('a snaplen above 262144 raises the caplen bound to the snaplen', () => {
  const data = new Uint8Array(300000);
  const got = readCapture(pcapFile([{ sec: 1, frac: 0, data }], { snaplen: 400000 }));
  assert.equal(got.packets[0]!.caplen, 300000);
});

test('pcap version other than 2.x is refused at offset 4', () => {
  assert.throws(() => readCapture(pcapFile([], { versionMajor: 1, versionMinor: 0 })), {
    name: 'CaptureError',
    message: 'test.pcap: offset 0x4: unsupported pcap version 1.0 (expected 2.x)',
  });
  assert.throws(() => readCapture(pcapFile([], { versionMajor: 0x400, versionMinor: 0x200, littleEndian: false })), /unsupported pcap version 1024\.512/);
  assert.equal(readCapture(pcapFile([], { versionMinor: 3 })).packets.length, 0, '2.3 is still 2.x');
});

test('the modified (Kuznetsov) pcap magic is named, not misread', () => {
  const file = pcapFile([]);
  new DataView(file.buffer).setUint32(0, 0xa1b2cd34, true);
  assert.throws(() => readCapture(file), /modified \(Kuznetsov\) pcap format is not supported/);
});

test('a file header alone is a capture with no packets', () => {
  const got = readCapture(pcapHeader({ nanos: true }));
  assert.deepEqual([got.packets.length, got.warning], [0, undefined]);
});

test('a truncated file header is an error naming how much there was', () => {
  assert.throws(() => readCapture(pcapHeader().subarray(0, 20)), {
    message: 'test.pcap: offset 0x0: truncated pcap file header (20 of 24 bytes)',
  });
});

test('a truncated last record is a warning; every record before it is read', () => {
  const whole = pcapFile(frames.slice(0, 3).map((f, i) => record(f, 100 + i, 0)));
  const lastAt = whole.length - 16 - frames[2]!.bytes.length;
  const cutBody = readCapture(whole.subarray(0, whole.length - 5));
  assert.equal(cutBody.packets.length, 2);
  assert.equal(
    cutBody.warning,
    `test.pcap: record 3 at offset 0x${lastAt.toString(16)}: truncated record (${frames[2]!.bytes.length - 5} of ${frames[2]!.bytes.length} bytes); ignored`,
  );
  const cutHeader = readCapture(whole.subarray(0, lastAt + 7));
  assert.equal(cutHeader.packets.length, 2);
  assert.equal(cutHeader.warning, `test.pcap: record 3 at offset 0x${lastAt.toString(16)}: truncated record header (7 of 16 bytes); ignored`);
});

test('records are independent of one another: a big-endian record parsed alone', () => {
  const r = pcapRecord({ sec: 0x01020304, frac: 0x0a0b0c, data: Uint8Array.of(9, 8, 7), origLen: 1000 }, false);
  const file = new Uint8Array([...pcapHeader({ littleEndian: false }), ...r]);
  const [p] = readCapture(file).packets;
  assert.deepEqual([p!.tsSec, p!.tsNsec, p!.caplen, p!.origlen], [0x01020304, 0x0a0b0c * 1000, 3, 1000]);
});
