/** TCP: header fields, options, payload lengths under the snaplen, faults counted never thrown. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PacketDecoder } from '../../src/decode/decoder.js';
import { ACK, CWR, ECE, FIN, ipv4, ipv6, LINKTYPE, PSH, RST, SYN, tcp, URG, type TcpSpec } from '../helpers/capture-writer.js';
import { decodeFrame, nonZeroCounters } from '../helpers/read-capture.js';

function decode(spec: Partial<TcpSpec>, decoder?: PacketDecoder): ReturnType<typeof decodeFrame> {
  return decodeFrame(LINKTYPE.RAW, ipv4(tcp({ srcPort: 5000, dstPort: 6000, ...spec })), decoder);
}

test('header fields: ports, 32-bit seq/ack, every flag bit, window', () => {
  const { ok, decoder } = decode({ srcPort: 65535, dstPort: 1, seq: 0xffffffff, ack: 0x80000000, flags: FIN | SYN | RST | PSH | ACK | URG | ECE | CWR, window: 0 });
  assert.equal(ok, true);
  const v = decoder.view;
  assert.deepEqual([v.srcPort, v.dstPort, v.seq, v.ack, v.flags, v.window], [65535, 1, 0xffffffff, 0x80000000, 0xff, 0]);
  assert.deepEqual([v.mss, v.windowScale, v.sackPermitted, v.sackBlocks, v.hasTimestamp], [-1, -1, false, 0, false], 'no options');
});

test('SYN options: MSS, window scale, SACK-permitted, timestamps', () => {
  const { decoder } = decode({ flags: SYN, options: { mss: 8960, windowScale: 14, sackPermitted: true, timestamp: [0xfffffff0, 0] } });
  const v = decoder.view;
  assert.deepEqual([v.mss, v.windowScale, v.sackPermitted, v.hasTimestamp, v.tsVal, v.tsEcr], [8960, 14, true, true, 0xfffffff0, 0]);
  assert.deepEqual(nonZeroCounters(decoder), { packets: 1, tcp_packets: 1 });
});

test('SACK blocks, one to four, with timestamps alongside when they fit', () => {
  const edges: [number, number][] = [
    [1000, 2000],
    [3000, 4000],
    [0xfffffff0, 0x10],
    [7, 8],
  ];
  for (let n = 1; n <= 4; n++) {
    const blocks = edges.slice(0, n);
    const { ok, decoder } = decode({ options: n <= 3 ? { timestamp: [5, 6], sack: blocks } : { sack: blocks }, payloadLen: 10 });
    assert.equal(ok, true);
    const v = decoder.view;
    assert.equal(v.sackBlocks, n);
    assert.deepEqual(Array.from(v.sack.subarray(0, 2 * n)), blocks.flat());
    assert.equal(v.hasTimestamp, n <= 3);
    if (n <= 3) assert.deepEqual([v.tsVal, v.tsEcr], [5, 6]);
  }
});

test('options of one packet never leak into the next (the view is reused)', () => {
  const decoder = new PacketDecoder();
  decode({ options: { mss: 1460, windowScale: 2, sackPermitted: true, timestamp: [1, 2], sack: [[1, 2]] } }, decoder);
  decode({}, decoder);
  const v = decoder.view;
  assert.deepEqual([v.mss, v.windowScale, v.sackPermitted, v.sackBlocks, v.hasTimestamp], [-1, -1, false, 0, false]);
});

test('options with impossible lengths are counted; the segment is kept', () => {
  const cases: [string, Uint8Array][] = [
    ['length 0', Uint8Array.of(8, 0)],
    ['length 1', Uint8Array.of(2, 1, 0, 0)],
    ['running past the header', Uint8Array.of(1, 1, 8, 10, 0, 0, 0, 0)],
    ['a kind with no room for its length', Uint8Array.of(1, 1, 1, 30)],
  ];
  for (const [name, raw] of cases) {
    const { ok, decoder } = decode({ options: { mss: 1200, raw }, payloadLen: 5 });
    assert.equal(ok, true, name);
    assert.equal(decoder.view.mss, 1200, `${name}: options before the bad one still count`);
    assert.equal(decoder.view.payloadLen, 5, name);
    assert.deepEqual(nonZeroCounters(decoder), { packets: 1, tcp_packets: 1, bad_tcp_options: 1 }, name);
  }
  // Wrong lengths for known kinds are ignored, not misread.
  const { decoder } = decode({ options: { raw: Uint8Array.of(2, 3, 5, 8, 6, 1, 2, 3, 4) } });
  assert.deepEqual([decoder.view.mss, decoder.view.hasTimestamp], [-1, false]);
  assert.deepEqual(nonZeroCounters(decoder), { packets: 1, tcp_packets: 1 });
});

test('a payload cut by the snaplen keeps its length from the IP header', () => {
  for (const ip of [ipv4, ipv6]) {
    const frame = ip(tcp({ srcPort: 1, dstPort: 2, options: { timestamp: [1, 2] }, payloadLen: 1448, capturedPayloadLen: 14 }), {});
    const { ok, decoder } = decodeFrame(LINKTYPE.RAW, frame);
    assert.equal(ok, true);
    const v = decoder.view;
    assert.deepEqual([v.payloadLen, v.capturedPayloadLen], [1448, 14]);
    assert.deepEqual(v.bytes.subarray(v.payloadOffset, v.payloadOffset + 14), frame.bytes.subarray(frame.bytes.length - 14));
  }
});

test('a header cut by the snaplen is truncated; impossible data offsets are malformed', () => {
  const full = ipv4(tcp({ srcPort: 1, dstPort: 2, options: { mss: 1 } }));
  for (const cut of [20, 39, 43]) {
    const { ok, decoder } = decodeFrame(LINKTYPE.RAW, full.bytes.subarray(0, cut));
    assert.equal(ok, false);
    assert.deepEqual(nonZeroCounters(decoder), { packets: 1, truncated_headers: 1 }, `cut at ${cut}`);
  }
  for (const dataOffsetWords of [0, 4, 15]) {
    // 15 words = 60 bytes, more than the 20-byte segment the IP header announces.
    const { ok, decoder } = decode({ dataOffsetWords });
    assert.equal(ok, false);
    assert.deepEqual(nonZeroCounters(decoder), { packets: 1, malformed_tcp: 1 }, `data offset ${dataOffsetWords}`);
  }
});
