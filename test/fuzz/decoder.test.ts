/**
 * The decoder on any bytes: well-formed packets of every kind, then flipped and cut. It must
 * never throw, count every packet it does not decode under exactly one reason, and never
 * describe a payload outside the captured bytes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { PacketDecoder } from '../../src/decode/decoder.js';
import { ipv4, ipv6, LINKTYPE, tcp, withLink, type Frame, type Ipv6Extension } from '../helpers/capture-writer.js';
import { decodeFrame, undecodedPackets } from '../helpers/read-capture.js';

const SEED = process.env.FUZZ_SEED === undefined ? 0xdec0de : Number(process.env.FUZZ_SEED);

const linktypeArb = fc.constantFrom(...Object.values(LINKTYPE), 105, 147);
const extensionArb: fc.Arbitrary<Ipv6Extension> = fc.oneof(
  fc.record({ type: fc.constantFrom('hopByHop' as const, 'destOpts' as const), length: fc.constantFrom(8, 16, 24) }),
  fc.record({ type: fc.constant('routing' as const), addresses: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ type: fc.constant('fragment' as const), offset: fc.constantFrom(0, 0, 1, 100), more: fc.boolean() }),
  fc.constant({ type: 'ah' as const }),
);
const packetArb = fc
  .record({
    v6: fc.boolean(),
    ports: fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 })),
    seq: fc.nat({ max: 0xffffffff }),
    flags: fc.integer({ min: 0, max: 255 }),
    options: fc.record({
      mss: fc.option(fc.integer({ min: 0, max: 65535 }), { nil: undefined }),
      timestamp: fc.option(fc.tuple(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff })), { nil: undefined }),
      sack: fc.option(fc.array(fc.tuple(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff })), { maxLength: 2 }), { nil: undefined }),
    }),
    payloadLen: fc.integer({ min: 0, max: 2000 }),
    capturedFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    ipv4Options: fc.uint8Array({ maxLength: 40 }),
    fragment: fc.constantFrom(undefined, { moreFragments: true }, { fragmentOffset: 3 }),
    extensions: fc.array(extensionArb, { maxLength: 4 }),
    zeroLength: fc.boolean(),
  })
  .map(({ v6, ports, seq, flags, options, payloadLen, capturedFraction, ipv4Options, fragment, extensions, zeroLength }): Frame => {
    const seg = tcp({ srcPort: ports[0], dstPort: ports[1], seq, flags, options, payloadLen, capturedPayloadLen: Math.floor(payloadLen * capturedFraction) });
    return v6
      ? ipv6(seg, { extensions, payloadLengthZero: zeroLength })
      : ipv4(seg, { options: ipv4Options.subarray(0, ipv4Options.length & ~3), ...fragment, totalLengthZero: zeroLength });
  });
const damageArb = fc.oneof(
  fc.constant({ flips: [] as [number, number][], cutAt: undefined }),
  fc.record({
    flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }),
    cutAt: fc.option(fc.nat(), { nil: undefined }),
  }),
);

test('the decoder never throws, counts each undecoded packet once, stays inside the capture', () => {
  const decoder = new PacketDecoder();
  let decoded = 0;
  fc.assert(
    fc.property(linktypeArb, packetArb, damageArb, (linktype, ip, damage) => {
      const bytes = (linktype in { 105: 1, 147: 1 } ? ip : withLink(linktype, ip)).bytes.slice();
      for (const [at, xor] of damage.flips) if (bytes.length > 0) bytes[at % bytes.length]! ^= xor;
      const frame = damage.cutAt === undefined ? bytes : bytes.subarray(0, damage.cutAt % (bytes.length + 1));
      const ok = decodeFrame(linktype, frame, decoder).ok;
      const c = decoder.counters;
      assert.equal(c.tcpPackets + undecodedPackets(decoder), c.packets, JSON.stringify(c.toJSON()));
      if (ok) {
        decoded++;
        const v = decoder.view;
        // decodeFrame puts the packet at offset 8 of its buffer.
        assert.ok(v.payloadOffset >= 8 + 20 && v.payloadOffset + v.capturedPayloadLen <= 8 + frame.length, 'captured payload inside the packet');
        assert.ok(v.capturedPayloadLen >= 0 && v.capturedPayloadLen <= v.payloadLen, `captured ${v.capturedPayloadLen} of ${v.payloadLen}`);
        assert.ok(v.sackBlocks >= 0 && v.sackBlocks <= 4);
      }
    }),
    { seed: SEED, numRuns: 20000 },
  );
  // Unless the damage always wins, plenty of packets still decode.
  assert.ok(decoded > 4000, `${decoded} of 20000 decoded`);
});
