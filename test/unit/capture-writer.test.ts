/**
 * The synthetic-capture writer is the oracle for every reader and decoder test, so its bytes
 * are pinned here against layouts written out by hand from the format references.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ACK,
  ByteWriter,
  ethernet,
  ipv4,
  ipv4Checksum,
  ipv6,
  ipv6Bytes,
  LINKTYPE,
  ngBlock,
  pcapFile,
  pcapngFile,
  qinq,
  SYN,
  tcp,
  tcpOptionBytes,
} from '../helpers/capture-writer.js';
import { bulkCapture, bulkCaptureScripted } from '../helpers/big-capture.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

test('ByteWriter keeps every byte across its growth steps', () => {
  const w = new ByteWriter(true);
  for (let i = 0; i < 300; i++)
    w.u8(i & 0xff)
      .u16(i)
      .u32(i * 65537)
      .bytes(Uint8Array.of(i & 0xff));
  const out = w.finish();
  assert.equal(out.length, 300 * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 300; i++) {
    assert.deepEqual([view.getUint8(8 * i), view.getUint16(8 * i + 1, true), view.getUint32(8 * i + 3, true), out[8 * i + 7]], [i & 0xff, i, (i * 65537) >>> 0, i & 0xff]);
  }
});

test('classic pcap header and record, little-endian µs', () => {
  const file = pcapFile([{ sec: 0x01020304, frac: 5, data: Uint8Array.of(0xaa, 0xbb), origLen: 60 }], {
    snaplen: 65535,
    linktype: LINKTYPE.LINUX_SLL,
    linktypeHighBits: 0x1000,
  });
  assert.equal(
    hex(file),
    'd4c3b2a1' +
      '0200' +
      '0400' +
      '00000000' +
      '00000000' +
      'ffff0000' +
      '71000010' + // file header (link type 113 | 0x1000 << 16)
      '04030201' +
      '05000000' +
      '02000000' +
      '3c000000' +
      'aabb', // record
  );
});

test('classic pcap header, big-endian ns', () => {
  const file = pcapFile([], { littleEndian: false, nanos: true, snaplen: 1500, linktype: LINKTYPE.RAW });
  assert.equal(hex(file), 'a1b23c4d' + '0002' + '0004' + '00000000' + '00000000' + '000005dc' + '00000065');
});

test('TCP header with every option, and a payload cut short', () => {
  const seg = tcp({
    srcPort: 0x1234,
    dstPort: 80,
    seq: 0xfffffff0,
    ack: 7,
    flags: SYN | ACK,
    window: 512,
    options: { mss: 1460, sackPermitted: true, timestamp: [1, 2], windowScale: 7 },
    payloadLen: 10,
    capturedPayloadLen: 3,
  });
  const opts = '020405b4' + '0402' + '080a0000000100000002' + '01030307';
  assert.equal(hex(tcpOptionBytes({ mss: 1460, sackPermitted: true, timestamp: [1, 2], windowScale: 7 })), opts);
  assert.equal(hex(seg.bytes), '1234' + '0050' + 'fffffff0' + '00000007' + 'a0' + '12' + '0200' + '0000' + '0000' + opts + '01080f');
  assert.equal(seg.wireLen, 40 + 10);
  assert.equal(hex(tcpOptionBytes({ sack: [[1, 2]] })), '0101050a' + '00000001' + '00000002');
});

test('IPv4 header carries the wire length and a valid checksum', () => {
  const pkt = ipv4(tcp({ srcPort: 1, dstPort: 2, payloadLen: 100, capturedPayloadLen: 0 }), {
    src: '192.168.1.1',
    dst: '10.1.2.3',
    options: Uint8Array.of(1, 1, 1), // three NOPs, padded to 4 with EOL
  });
  const header = pkt.bytes.subarray(0, 24);
  assert.equal(header[0], 0x46);
  assert.equal((header[2]! << 8) | header[3]!, 24 + 20 + 100);
  assert.equal(hex(header.subarray(12, 20)), 'c0a80101' + '0a010203');
  assert.equal(hex(header.subarray(20, 24)), '01010100');
  assert.equal(ipv4Checksum(header), 0, 'a header with its checksum in place sums to 0xffff');
  assert.equal(pkt.bytes.length, 24 + 20);
  assert.equal(pkt.wireLen, 24 + 20 + 100);
});

test('IPv6 extension headers are chained and sized', () => {
  const pkt = ipv6(tcp({ srcPort: 1, dstPort: 2 }), {
    src: '2001:db8::1',
    dst: 'fe80::1:2',
    extensions: [{ type: 'hopByHop', length: 16 }, { type: 'routing', addresses: 1 }, { type: 'fragment' }, { type: 'destOpts' }, { type: 'ah' }],
  });
  const b = pkt.bytes;
  assert.equal(hex(ipv6Bytes('fe80::1:2')), 'fe800000000000000000000000010002');
  assert.equal((b[4]! << 8) | b[5]!, 16 + 24 + 8 + 8 + 24 + 20);
  assert.equal(b[6], 0); // hop-by-hop first
  assert.deepEqual([b[40], b[41]], [43, 1]); // → routing; (1 + 1) × 8 = 16 bytes
  assert.deepEqual([b[56], b[57]], [44, 2]); // → fragment; (2 + 1) × 8 = 24 bytes
  assert.deepEqual([b[80], b[82], b[83]], [60, 0, 0]); // → dest opts; atomic fragment
  assert.deepEqual([b[88], b[89]], [51, 0]); // → AH; 8 bytes
  assert.deepEqual([b[96], b[97]], [6, 4]); // → TCP; (4 + 2) × 4 = 24 bytes
  assert.equal(b.length, 40 + 80 + 20);
});

test('Ethernet with QinQ tags', () => {
  const frame = ethernet(ipv4(tcp({ srcPort: 1, dstPort: 2 })), { tags: qinq(100, 200) });
  assert.equal(hex(frame.bytes.subarray(12, 22)), '88a8' + '0064' + '8100' + '00c8' + '0800');
});

test('pcapng blocks: lengths, trailer, per-section byte order', () => {
  assert.equal(hex(ngBlock(0x99, Uint8Array.of(1, 2, 3), true)), '99000000' + '10000000' + '01020300' + '10000000');
  const file = pcapngFile([
    { kind: 'shb' },
    { kind: 'idb', linktype: 1, snaplen: 0x40, tsresol: 9 },
    { kind: 'shb', littleEndian: false },
    { kind: 'idb', linktype: 1, snaplen: 0x40 },
  ]);
  assert.equal(
    hex(file),
    '0a0d0d0a' +
      '1c000000' +
      '4d3c2b1a' +
      '0100' +
      '0000' +
      'ffffffffffffffff' +
      '1c000000' +
      '01000000' +
      '20000000' +
      '0100' +
      '0000' +
      '40000000' +
      '0900' +
      '0100' +
      '09000000' +
      '00000000' +
      '20000000' +
      '0a0d0d0a' +
      '0000001c' +
      '1a2b3c4d' +
      '0001' +
      '0000' +
      'ffffffffffffffff' +
      '0000001c' +
      '00000001' +
      '00000014' +
      '0001' +
      '0000' +
      '00000040' +
      '00000014',
  );
});

test('the bulk captures of the scale tests: the copied pairs are the bytes TcpScript writes', () => {
  for (const [segments, payloadLen] of [
    [0, 10],
    [1, 10],
    [3, 10],
    [1000, 10],
    [20, 60000],
  ] as const) {
    assert.deepEqual(bulkCapture(segments, payloadLen), bulkCaptureScripted(segments, payloadLen), `${segments} segments of ${payloadLen} bytes`);
  }
});
