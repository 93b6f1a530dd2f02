/** IPv6: extension headers walked to TCP, fragments counted, faults counted never thrown. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipv6, IPPROTO_UDP, LINKTYPE, NEXT_NONE, tcp, type Ipv6Extension, type Ipv6Spec } from '../helpers/capture-writer.js';
import { decodeFrame, nonZeroCounters, viewAddress } from '../helpers/read-capture.js';

const segment = tcp({ srcPort: 443, dstPort: 50123, seq: 99, payloadLen: 64 });

function decode(spec: Ipv6Spec, seg = segment): ReturnType<typeof decodeFrame> {
  return decodeFrame(LINKTYPE.RAW, ipv6(seg, { src: 'fe80::1', dst: '2001:db8:1:2:3:4:5:6', ...spec }));
}

const CHAINS: [string, Ipv6Extension[]][] = [
  ['no extension headers', []],
  ['hop-by-hop', [{ type: 'hopByHop' }]],
  ['a long hop-by-hop (64 bytes)', [{ type: 'hopByHop', length: 64 }]],
  ['routing with two addresses', [{ type: 'routing', addresses: 2, segmentsLeft: 1 }]],
  ['destination options', [{ type: 'destOpts', length: 16 }]],
  ['an atomic fragment (offset 0, no more fragments)', [{ type: 'fragment' }]],
  ['AH', [{ type: 'ah' }]],
  ['all of them, in RFC 8200 order', [{ type: 'hopByHop' }, { type: 'destOpts' }, { type: 'routing' }, { type: 'fragment' }, { type: 'ah' }, { type: 'destOpts', length: 24 }]],
];

for (const [name, extensions] of CHAINS) {
  test(`walks ${name} to TCP`, () => {
    const { ok, decoder } = decode({ extensions });
    assert.deepEqual(nonZeroCounters(decoder), { packets: 1, tcp_packets: 1 });
    assert.equal(ok, true);
    const v = decoder.view;
    assert.equal(v.ipVersion, 6);
    assert.equal(viewAddress(v.src, 6), 'fe80:0:0:0:0:0:0:1');
    assert.equal(viewAddress(v.dst, 6), '2001:db8:1:2:3:4:5:6');
    assert.deepEqual([v.srcPort, v.dstPort, v.seq, v.payloadLen], [443, 50123, 99, 64]);
  });
}

test('real fragments are counted and skipped', () => {
  for (const ext of [{ more: true }, { offset: 100 }, { offset: 100, more: true }]) {
    const { ok, decoder } = decode({ extensions: [{ type: 'hopByHop' }, { type: 'fragment', ...ext }] });
    assert.equal(ok, false);
    assert.deepEqual(nonZeroCounters(decoder), { packets: 1, ipv6_fragments: 1 }, JSON.stringify(ext));
  }
});

test('no next header, or another protocol, is not TCP', () => {
  for (const nextHeader of [NEXT_NONE, IPPROTO_UDP, 58]) {
    const { ok, decoder } = decode({ extensions: [{ type: 'destOpts' }], nextHeader });
    assert.equal(ok, false);
    assert.deepEqual(nonZeroCounters(decoder), { packets: 1, non_tcp: 1 }, `next header ${nextHeader}`);
  }
});

test('payload length 0 (jumbogram or TSO capture): the payload is what was captured', () => {
  const { ok, decoder } = decode({ payloadLengthZero: true, extensions: [{ type: 'hopByHop' }] }, tcp({ srcPort: 1, dstPort: 2, payloadLen: 9000 }));
  assert.equal(ok, true);
  assert.deepEqual([decoder.view.payloadLen, decoder.view.capturedPayloadLen], [9000, 9000]);
});

test('extension headers longer than the payload length are malformed', () => {
  const { ok, decoder } = decode({ extensions: [{ type: 'hopByHop', length: 32 }], payloadLength: 16 });
  assert.equal(ok, false);
  assert.deepEqual(nonZeroCounters(decoder), { packets: 1, malformed_ipv6: 1 });
});

test('a chain cut by the snaplen is truncated', () => {
  const full = ipv6(segment, { extensions: [{ type: 'hopByHop' }, { type: 'fragment' }, { type: 'ah' }] });
  for (const cut of [39, 41, 49, 55, 57, 80]) {
    const { ok, decoder } = decodeFrame(LINKTYPE.RAW, full.bytes.subarray(0, cut));
    assert.equal(ok, false);
    assert.deepEqual(nonZeroCounters(decoder), { packets: 1, truncated_headers: 1 }, `cut at ${cut}`);
  }
});
