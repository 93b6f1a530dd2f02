/** IPv4: options skipped by IHL, fragments counted and skipped, total length 0, faults counted. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ipv4, ipv6, IPPROTO_UDP, LINKTYPE, pattern, tcp, type Ipv4Spec } from '../helpers/capture-writer.js';
import { decodeFrame, nonZeroCounters, viewAddress } from '../helpers/read-capture.js';

const segment = tcp({ srcPort: 1000, dstPort: 2000, seq: 7, payloadLen: 100 });

function decode(spec: Ipv4Spec, seg = segment): ReturnType<typeof decodeFrame> {
  return decodeFrame(LINKTYPE.RAW, ipv4(seg, { src: '10.1.2.3', dst: '172.16.0.9', ...spec }));
}

test('a plain IPv4 header', () => {
  const { ok, decoder } = decode({});
  assert.equal(ok, true);
  const v = decoder.view;
  assert.deepEqual([v.ipVersion, viewAddress(v.src, 4), viewAddress(v.dst, 4)], [4, '10.1.2.3', '172.16.0.9']);
  assert.deepEqual(Array.from(v.src.subarray(1)), [0, 0, 0], 'IPv4 uses word 0 only');
  assert.deepEqual([v.srcPort, v.dstPort, v.payloadLen], [1000, 2000, 100]);
});

test('an IPv4 packet after an IPv6 one, in the same view, has words 1..3 of its addresses zero', () => {
  const { decoder } = decodeFrame(LINKTYPE.RAW, ipv6(segment, { src: '2001:db8::1:2:3', dst: '2001:db8::4:5:6' }));
  assert.equal(decoder.view.ipVersion, 6);
  const { ok } = decodeFrame(LINKTYPE.RAW, ipv4(segment, { src: '10.1.2.3', dst: '172.16.0.9' }), decoder);
  assert.equal(ok, true);
  const v = decoder.view;
  assert.deepEqual([v.ipVersion, viewAddress(v.src, 4), viewAddress(v.dst, 4)], [4, '10.1.2.3', '172.16.0.9']);
  assert.deepEqual([...v.src.subarray(1), ...v.dst.subarray(1)], [0, 0, 0, 0, 0, 0]);
});

test('options are skipped by the header length, whatever they hold', () => {
  for (const options of [Uint8Array.of(1, 1, 1, 0), Uint8Array.of(0x83, 7, 4, 10, 0, 0, 1), pattern(40, 3)]) {
    const { ok, decoder } = decode({ options });
    assert.equal(ok, true, `${options.length} option bytes`);
    assert.deepEqual([decoder.view.srcPort, decoder.view.dstPort, decoder.view.seq, decoder.view.payloadLen], [1000, 2000, 7, 100]);
  }
});

test('fragments are counted and skipped; DF alone is not a fragment', () => {
  const cases: [string, Ipv4Spec, boolean][] = [
    ['first fragment (MF)', { moreFragments: true }, false],
    ['middle fragment', { moreFragments: true, fragmentOffset: 185 }, false],
    ['last fragment', { fragmentOffset: 185 }, false],
    ['DF', { dontFragment: true }, true],
  ];
  for (const [name, spec, whole] of cases) {
    const { ok, decoder } = decode(spec);
    assert.equal(ok, whole, name);
    assert.deepEqual(nonZeroCounters(decoder), whole ? { packets: 1, tcp_packets: 1 } : { packets: 1, ipv4_fragments: 1 }, name);
  }
});

test('total length 0 (TSO/GSO capture): the packet is what was captured', () => {
  const { ok, decoder } = decode({ totalLengthZero: true }, tcp({ srcPort: 1, dstPort: 2, payloadLen: 3000 }));
  assert.equal(ok, true);
  assert.equal(decoder.view.payloadLen, 3000);
  assert.equal(decoder.view.capturedPayloadLen, 3000);
});

test('the total length, not the captured length, gives the payload length', () => {
  // Ethernet-style trailing padding after the IP packet is not payload.
  const frame = ipv4(tcp({ srcPort: 1, dstPort: 2, payloadLen: 6 }));
  const padded = new Uint8Array(frame.bytes.length + 10);
  padded.set(frame.bytes);
  const { decoder } = decodeFrame(LINKTYPE.RAW, padded);
  assert.deepEqual([decoder.view.payloadLen, decoder.view.capturedPayloadLen], [6, 6]);
});

test('not TCP is counted as such', () => {
  const { ok, decoder } = decode({ protocol: IPPROTO_UDP });
  assert.equal(ok, false);
  assert.deepEqual(nonZeroCounters(decoder), { packets: 1, non_tcp: 1 });
});

test('malformed headers are counted, never thrown', () => {
  const cases: [string, Ipv4Spec][] = [
    ['IHL 4', { ihl: 4 }],
    ['IHL 0', { ihl: 0 }],
    ['total length shorter than the header', { totalLength: 19 }],
  ];
  for (const [name, spec] of cases) {
    const { ok, decoder } = decode(spec);
    assert.equal(ok, false, name);
    assert.deepEqual(nonZeroCounters(decoder), { packets: 1, malformed_ipv4: 1 }, name);
  }
  // A total length that leaves no room for the TCP header is TCP's fault to report.
  const short = decode({ totalLength: 30 });
  assert.deepEqual(nonZeroCounters(short.decoder), { packets: 1, malformed_tcp: 1 });
});

test('headers cut by the snaplen are truncated, not malformed', () => {
  const full = ipv4(segment, { options: pattern(8) });
  for (const cut of [1, 19, 20, 27]) {
    const { ok, decoder } = decodeFrame(LINKTYPE.RAW, full.bytes.subarray(0, cut));
    assert.equal(ok, false);
    assert.deepEqual(nonZeroCounters(decoder), { packets: 1, truncated_headers: 1 }, `cut at ${cut}`);
  }
});
