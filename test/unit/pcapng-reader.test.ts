/** pcapng structure: sections, interfaces, packet block kinds, skipped blocks and block faults. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CaptureError } from '../../src/errors.js';
import {
  BLOCK,
  conversation,
  ethernet,
  IF_NAME,
  IF_TSRESOL,
  LINKTYPE,
  linuxSll2,
  ngBlock,
  OPT_COMMENT,
  pattern,
  pcapngFile,
  tsresolBinary,
  type NgBlock,
} from '../helpers/capture-writer.js';
import { readCapture } from '../helpers/read-capture.js';

const frames = conversation();
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Throws a CaptureError whose message is exactly `message` and whose record/offset are as given. */
function assertCaptureError(fn: () => unknown, want: { record?: number; offset: number; reason: string | RegExp }): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof CaptureError, `expected a CaptureError, got ${String(err)}`);
    assert.equal(err.record, want.record);
    assert.equal(err.offset, want.offset);
    if (typeof want.reason === 'string') assert.equal(err.reason, want.reason);
    else assert.match(err.reason, want.reason);
    return true;
  });
}

test('sections change byte order and reset interfaces', () => {
  const blocks: NgBlock[] = [
    { kind: 'shb', littleEndian: true },
    { kind: 'idb', linktype: LINKTYPE.ETHERNET }, // µs
    { kind: 'idb', linktype: LINKTYPE.RAW, tsresol: 9 },
    { kind: 'epb', interfaceId: 1, timestamp: 1_700_000_000_000_000_001n, data: frames[0]!.bytes },
    { kind: 'epb', interfaceId: 0, timestamp: 1_700_000_000_000_002n, data: ethernet(frames[1]!).bytes },
    { kind: 'shb', littleEndian: false },
    { kind: 'idb', linktype: LINKTYPE.LINUX_SLL2, tsresol: tsresolBinary(20) },
    { kind: 'epb', interfaceId: 0, timestamp: (1_700_000_001n << 20n) + 524288n, data: linuxSll2(frames[2]!).bytes },
    { kind: 'shb', littleEndian: true },
    { kind: 'idb', linktype: LINKTYPE.RAW, tsresol: 3 },
    { kind: 'epb', interfaceId: 0, timestamp: 1_700_000_002_500n, data: frames[3]!.bytes },
  ];
  const got = readCapture(pcapngFile(blocks), undefined, 'multi.pcapng');
  assert.equal(got.format, 'pcapng');
  assert.deepEqual(got.linktypes, [LINKTYPE.ETHERNET, LINKTYPE.RAW, LINKTYPE.LINUX_SLL2]);
  assert.deepEqual(
    got.packets.map((p) => [p.linktype, p.tsSec, p.tsNsec, p.record]),
    [
      [LINKTYPE.RAW, 1_700_000_000, 1, 4],
      [LINKTYPE.ETHERNET, 1_700_000_000, 2000, 5],
      [LINKTYPE.LINUX_SLL2, 1_700_000_001, 500_000_000, 8],
      [LINKTYPE.RAW, 1_700_000_002, 500_000_000, 11],
    ],
  );
  assert.deepEqual(got.packets[2]!.data, linuxSll2(frames[2]!).bytes);
  assert.equal(got.warning, undefined);

  // Interface 1 existed in the first section only.
  const stale = pcapngFile([...blocks.slice(0, 7), { kind: 'epb', interfaceId: 1, timestamp: 0n, data: frames[0]!.bytes }]);
  const offset = pcapngFile(blocks.slice(0, 7)).length;
  assertCaptureError(() => readCapture(stale), { record: 8, offset, reason: 'packet names interface 1, but the section defines 1' });
});

test('EPB: data is padded to 4 and followed by options, neither of which leaks into the packet', () => {
  const data = pattern(61);
  const file = pcapngFile([
    { kind: 'shb', options: [{ code: OPT_COMMENT, value: text('made by a test') }], sectionLength: 4096n },
    {
      kind: 'idb',
      linktype: LINKTYPE.RAW,
      options: [
        { code: IF_NAME, value: text('eth0') },
        { code: OPT_COMMENT, value: text('x') },
      ],
      tsresol: 9,
    },
    { kind: 'epb', interfaceId: 0, timestamp: 5_000_000_007n, data, origLen: 1514, options: [{ code: OPT_COMMENT, value: text('hello') }] },
  ]);
  const [p] = readCapture(file).packets;
  assert.deepEqual(p!.data, data);
  assert.deepEqual([p!.caplen, p!.origlen, p!.tsSec, p!.tsNsec], [61, 1514, 5, 7]);
});

test('SPB: interface 0, captured length from snaplen and the block, time of the packet before', () => {
  const frame = ethernet(frames[5]!);
  const file = pcapngFile([
    { kind: 'shb' },
    { kind: 'idb', linktype: LINKTYPE.ETHERNET, snaplen: 61, tsresol: 9 },
    { kind: 'epb', interfaceId: 0, timestamp: 42_000_000_001n, data: frame.bytes.subarray(0, 61), origLen: frame.wireLen },
    // Cut to the snaplen: 61 data bytes, padded to 64; the padding is not packet.
    { kind: 'spb', data: frame.bytes.subarray(0, 61), origLen: frame.wireLen },
    { kind: 'shb' },
    { kind: 'idb', linktype: LINKTYPE.RAW, snaplen: 0 },
    // Not cut: the original length says where the data stops inside the padding.
    { kind: 'spb', data: pattern(61) },
  ]);
  const got = readCapture(file).packets;
  assert.equal(got.length, 3);
  const [epb, cut, whole] = got;
  assert.deepEqual([cut!.caplen, cut!.origlen, cut!.tsSec, cut!.tsNsec], [61, frame.wireLen, epb!.tsSec, epb!.tsNsec]);
  assert.deepEqual(cut!.data, frame.bytes.subarray(0, 61));
  assert.equal(whole!.caplen, 61);
  assert.deepEqual(whole!.data, pattern(61));
  assert.equal(whole!.linktype, LINKTYPE.RAW);
});

test('the obsolete packet block (type 2) is read like an EPB', () => {
  const file = pcapngFile([
    { kind: 'shb', littleEndian: false },
    { kind: 'idb', linktype: LINKTYPE.ETHERNET },
    { kind: 'idb', linktype: LINKTYPE.RAW, tsresol: 9 },
    { kind: 'pb', interfaceId: 1, timestamp: 3_000_000_004n, data: frames[1]!.bytes, origLen: 2000, drops: 3 },
  ]);
  const [p] = readCapture(file).packets;
  assert.deepEqual([p!.linktype, p!.tsSec, p!.tsNsec, p!.caplen, p!.origlen], [LINKTYPE.RAW, 3, 4, frames[1]!.bytes.length, 2000]);
  assert.deepEqual(p!.data, frames[1]!.bytes);
});

test('NRB, ISB, DSB, custom and unknown blocks are skipped by length, and counted as records', () => {
  const file = pcapngFile([
    { kind: 'shb' },
    { kind: 'nrb' },
    { kind: 'idb', linktype: LINKTYPE.RAW },
    { kind: 'dsb', secrets: text('CLIENT_RANDOM 00 11\n') },
    { kind: 'epb', interfaceId: 0, timestamp: 1n, data: frames[0]!.bytes },
    { kind: 'custom', copyable: true, data: pattern(13) },
    { kind: 'custom', copyable: false, data: pattern(4) },
    { kind: 'raw', type: 0x99, body: pattern(100) },
    { kind: 'raw', type: 0x80000001, body: new Uint8Array(0) }, // local-use type, empty body
    { kind: 'isb', interfaceId: 0, timestamp: 2n },
    { kind: 'epb', interfaceId: 0, timestamp: 3n, data: frames[1]!.bytes },
  ]);
  const got = readCapture(file);
  assert.deepEqual(
    got.packets.map((p) => [p.record, p.tsNsec]),
    [
      [5, 1000],
      [11, 3000],
    ],
  );
  assert.equal(got.warning, undefined);
});

test('an unknown block longer than the in-memory bound is skipped without being held', () => {
  const huge = 16 * 1024 * 1024 + 64;
  const skipped = ngBlock(0x1234, new Uint8Array(huge - 12), true);
  const head = pcapngFile([{ kind: 'shb' }, { kind: 'idb', linktype: LINKTYPE.RAW }]);
  const tail = pcapngFile([{ kind: 'shb' }, { kind: 'idb', linktype: LINKTYPE.RAW }, { kind: 'epb', interfaceId: 0, timestamp: 9n, data: frames[2]!.bytes }]);
  const file = new Uint8Array(head.length + skipped.length + tail.length);
  file.set(head, 0);
  file.set(skipped, head.length);
  file.set(tail, head.length + skipped.length);
  for (const chunk of [65536, 1 << 20, 4093]) {
    const got = readCapture(file, chunk);
    assert.equal(got.packets.length, 1, `chunks of ${chunk}`);
    assert.deepEqual(got.packets[0]!.data, frames[2]!.bytes);
    assert.equal(got.packets[0]!.fileOffset, head.length + skipped.length + tail.length - 32 - ((frames[2]!.bytes.length + 3) & ~3));
  }
});

test('a pcapng with no packets is a capture with no packets', () => {
  const got = readCapture(pcapngFile([{ kind: 'shb' }, { kind: 'idb', linktype: LINKTYPE.ETHERNET }]));
  assert.deepEqual([got.packets.length, got.warning, got.linktypes], [0, undefined, [LINKTYPE.ETHERNET]]);
  assert.deepEqual(readCapture(pcapngFile([{ kind: 'shb' }])).packets, []);
});

const SHB_LEN = 28;
const IDB_LEN = 20;
const header = (): NgBlock[] => [{ kind: 'shb' }, { kind: 'idb', linktype: LINKTYPE.RAW }];

test('block length: below 12, not a multiple of 4, and a trailer that disagrees', () => {
  const at = SHB_LEN + IDB_LEN;
  const withBlock = (b: NgBlock): Uint8Array => pcapngFile([...header(), b, { kind: 'epb', interfaceId: 0, timestamp: 0n, data: frames[0]!.bytes }]);
  assertCaptureError(() => readCapture(withBlock({ kind: 'raw', type: 0x99, body: new Uint8Array(4), totalLength: 8 })), {
    record: 3,
    offset: at,
    reason: 'block length 8 is below the minimum of 12',
  });
  assertCaptureError(() => readCapture(withBlock({ kind: 'raw', type: 0x99, body: new Uint8Array(20), totalLength: 30 })), {
    record: 3,
    offset: at,
    reason: 'block length 30 is not a multiple of 4',
  });
  assertCaptureError(() => readCapture(withBlock({ kind: 'raw', type: 0x99, body: new Uint8Array(20), trailerLength: 36 })), {
    record: 3,
    offset: at,
    reason: 'block length 32 does not match its trailing length 36',
  });
});

test('an interface option running past its block is refused, naming the option', () => {
  const file = pcapngFile([{ kind: 'shb' }, { kind: 'idb', linktype: LINKTYPE.RAW, options: [{ code: IF_TSRESOL, value: Uint8Array.of(9), length: 200 }] }]);
  assertCaptureError(() => readCapture(file), {
    record: 2,
    offset: SHB_LEN,
    reason: `interface option 9 at offset 0x${(SHB_LEN + 16).toString(16)} runs past the end of its block`,
  });
});

test('packet blocks whose contents do not fit their length', () => {
  const bad = (b: NgBlock): Uint8Array => pcapngFile([...header(), b]);
  assertCaptureError(() => readCapture(bad({ kind: 'epb', interfaceId: 0, timestamp: 0n, data: pattern(8), caplen: 9 })), {
    record: 3,
    offset: SHB_LEN + IDB_LEN,
    reason: 'captured length 9 does not fit in a block of 40 bytes',
  });
  assertCaptureError(() => readCapture(bad({ kind: 'raw', type: BLOCK.EPB, body: new Uint8Array(16) })), {
    record: 3,
    offset: SHB_LEN + IDB_LEN,
    reason: 'enhanced packet block length 28 is below 32',
  });
  assertCaptureError(() => readCapture(bad({ kind: 'raw', type: BLOCK.SPB, body: new Uint8Array(0) })), {
    record: 3,
    offset: SHB_LEN + IDB_LEN,
    reason: 'simple packet block length 12 is below 16',
  });
  assertCaptureError(() => readCapture(bad({ kind: 'epb', interfaceId: 2, timestamp: 0n, data: pattern(8) })), {
    record: 3,
    offset: SHB_LEN + IDB_LEN,
    reason: 'packet names interface 2, but the section defines 1',
  });
  assertCaptureError(() => readCapture(pcapngFile([{ kind: 'shb' }, { kind: 'spb', data: pattern(8) }])), {
    record: 2,
    offset: SHB_LEN,
    reason: 'packet names interface 0, but the section defines 0',
  });
});

test('a packet block longer than the in-memory bound fails fast instead of buffering', () => {
  const file = pcapngFile([...header(), { kind: 'raw', type: BLOCK.EPB, body: new Uint8Array(32), totalLength: 64 * 1024 * 1024 }]);
  assertCaptureError(() => readCapture(file.subarray(0, SHB_LEN + IDB_LEN + 12)), {
    record: 3,
    offset: SHB_LEN + IDB_LEN,
    reason: `block length ${64 * 1024 * 1024} exceeds the ${16 * 1024 * 1024}-byte limit`,
  });
});

test('section header faults: byte-order magic, version', () => {
  const file = pcapngFile([{ kind: 'shb' }]);
  file[8] = 0x11;
  assertCaptureError(() => readCapture(file), { record: 1, offset: 0, reason: 'bad byte-order magic 0x1a2b3c11 in section header' });
  assertCaptureError(() => readCapture(pcapngFile([{ kind: 'shb', major: 2 }])), { record: 1, offset: 0, reason: 'unsupported pcapng version 2.0 (expected 1.x)' });
  const later = pcapngFile([{ kind: 'shb' }, { kind: 'shb', littleEndian: false, major: 3, minor: 1 }]);
  assertCaptureError(() => readCapture(later), { record: 2, offset: SHB_LEN, reason: 'unsupported pcapng version 3.1 (expected 1.x)' });
});

test('a truncated section header, and a truncated last block, at the end of the input', () => {
  assertCaptureError(() => readCapture(pcapngFile([{ kind: 'shb' }]).subarray(0, 10)), {
    record: 1,
    offset: 0,
    reason: 'truncated section header block (10 bytes)',
  });
  const whole = pcapngFile([
    ...header(),
    { kind: 'epb', interfaceId: 0, timestamp: 1n, data: frames[0]!.bytes },
    { kind: 'epb', interfaceId: 0, timestamp: 2n, data: frames[1]!.bytes },
  ]);
  const lastLen = 32 + ((frames[1]!.bytes.length + 3) & ~3);
  const lastAt = whole.length - lastLen;
  const cut = readCapture(whole.subarray(0, whole.length - 1));
  assert.equal(cut.packets.length, 1);
  assert.equal(cut.warning, `test.pcap: record 4 at offset 0x${lastAt.toString(16)}: truncated block (${lastLen - 1} of ${lastLen} bytes); ignored`);
  const cutHeader = readCapture(whole.subarray(0, lastAt + 5));
  assert.equal(cutHeader.packets.length, 1);
  assert.equal(cutHeader.warning, `test.pcap: record 4 at offset 0x${lastAt.toString(16)}: truncated block header (5 of 12 bytes); ignored`);
});
