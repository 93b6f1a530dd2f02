/** Link layers: every supported link type finds the IP header; everything else is counted. */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../../src/analyze.js';
import { PacketDecoder } from '../../src/decode/decoder.js';
import {
  AF_INET,
  AF_INET6_BSD,
  AF_INET6_DARWIN,
  AF_INET6_FREEBSD,
  dot1q,
  ETHERTYPE_ARP,
  ETHERTYPE_VLAN,
  ethernet,
  ipv4,
  ipv6,
  LINKTYPE,
  linuxSll,
  linuxSll2,
  loopLink,
  nullLink,
  pcapngFile,
  PSH,
  ACK,
  qinq,
  tcp,
  type Frame,
} from '../helpers/capture-writer.js';
import { tempDir } from '../helpers/paths.js';
import { decodeFrame, nonZeroCounters, viewAddress } from '../helpers/read-capture.js';
import { noteText } from '../../src/cli/notes.js';
import type { AnalysisNote } from '../../src/analyze.js';

const segment = tcp({ srcPort: 40001, dstPort: 443, seq: 0x80000001, ack: 0xfffffffe, flags: PSH | ACK, window: 1234, payloadLen: 33 });
const v4 = ipv4(segment, { src: '192.0.2.1', dst: '198.51.100.7' });
const v6 = ipv6(segment, { src: '2001:db8::1', dst: '2001:db8:0:0:0:0:0:ff' });

/** Decodes and checks every field the link layer could have shifted. */
function assertTcp(linktype: number, frame: Frame, ipVersion: 4 | 6): void {
  const { ok, decoder } = decodeFrame(linktype, frame);
  assert.deepEqual(nonZeroCounters(decoder), { packets: 1, tcp_packets: 1 });
  assert.equal(ok, true);
  const v = decoder.view;
  assert.equal(v.ipVersion, ipVersion);
  if (ipVersion === 4) {
    assert.equal(viewAddress(v.src, 4), '192.0.2.1');
    assert.equal(viewAddress(v.dst, 4), '198.51.100.7');
  } else {
    assert.equal(viewAddress(v.src, 6), '2001:db8:0:0:0:0:0:1');
    assert.equal(viewAddress(v.dst, 6), '2001:db8:0:0:0:0:0:ff');
  }
  assert.deepEqual([v.srcPort, v.dstPort, v.seq, v.ack, v.flags, v.window, v.payloadLen], [40001, 443, 0x80000001, 0xfffffffe, PSH | ACK, 1234, 33]);
  assert.deepEqual([v.tsSec, v.tsNsec], [1_700_000_000, 123_456_789]);
}

const CASES: [string, number, (ip: Frame) => Frame][] = [
  ['Ethernet', LINKTYPE.ETHERNET, (ip) => ethernet(ip)],
  ['Ethernet + 802.1Q', LINKTYPE.ETHERNET, (ip) => ethernet(ip, { tags: dot1q(42) })],
  ['Ethernet + QinQ (0x88a8, 0x8100)', LINKTYPE.ETHERNET, (ip) => ethernet(ip, { tags: qinq(100, 4094) })],
  ['Ethernet + old QinQ (0x9100) + 802.1Q', LINKTYPE.ETHERNET, (ip) => ethernet(ip, { tags: [{ tpid: 0x9100, vid: 1 }, ...dot1q(2)] })],
  ['Ethernet + three tags', LINKTYPE.ETHERNET, (ip) => ethernet(ip, { tags: [...qinq(1, 2), ...dot1q(3)] })],
  ['LINUX_SLL (113)', LINKTYPE.LINUX_SLL, (ip) => linuxSll(ip)],
  ['LINUX_SLL2 (276)', LINKTYPE.LINUX_SLL2, (ip) => linuxSll2(ip)],
  ['RAW (101)', LINKTYPE.RAW, (ip) => ip],
  ['NULL (0), little-endian family', LINKTYPE.NULL, (ip) => nullLink(ip, { littleEndian: true })],
  ['NULL (0), big-endian family', LINKTYPE.NULL, (ip) => nullLink(ip, { littleEndian: false })],
  ['LOOP (108)', LINKTYPE.LOOP, (ip) => loopLink(ip)],
];

for (const [name, linktype, wrap] of CASES) {
  test(`${name} carries IPv4 and IPv6`, () => {
    assertTcp(linktype, wrap(v4), 4);
    assertTcp(linktype, wrap(v6), 6);
  });
}

test('IPV4 (228) and IPV6 (229) are raw IP', () => {
  assertTcp(LINKTYPE.IPV4, v4, 4);
  assertTcp(LINKTYPE.IPV6, v6, 6);
});

test('NULL and LOOP know every BSD family number for IPv6', () => {
  for (const family of [AF_INET6_BSD, AF_INET6_FREEBSD, AF_INET6_DARWIN]) {
    for (const littleEndian of [true, false]) assertTcp(LINKTYPE.NULL, nullLink(v6, { littleEndian, family }), 6);
    assertTcp(LINKTYPE.LOOP, loopLink(v6, { family }), 6);
  }
  assertTcp(LINKTYPE.NULL, nullLink(v4, { littleEndian: false, family: AF_INET }), 4);
});

const NOT_IP: [string, number, Frame][] = [
  ['Ethernet ARP', LINKTYPE.ETHERNET, ethernet(v4, { etherType: ETHERTYPE_ARP })],
  ['802.1Q-tagged ARP', LINKTYPE.ETHERNET, ethernet(v4, { tags: dot1q(5), etherType: ETHERTYPE_ARP })],
  ['LINUX_SLL ARP', LINKTYPE.LINUX_SLL, linuxSll(v4, { protocol: ETHERTYPE_ARP })],
  ['LINUX_SLL2 ARP', LINKTYPE.LINUX_SLL2, linuxSll2(v4, { protocol: ETHERTYPE_ARP })],
  ['NULL family 7', LINKTYPE.NULL, nullLink(v4, { littleEndian: true, family: 7 })],
  // LOOP is big-endian by definition: a family written little-endian is not AF_INET.
  ['LOOP family in the wrong byte order', LINKTYPE.LOOP, nullLink(v4, { littleEndian: true })],
  ['RAW with IP version 5', LINKTYPE.RAW, { bytes: Uint8Array.of(0x55, ...v4.bytes.subarray(1)), wireLen: v4.wireLen }],
];

for (const [name, linktype, frame] of NOT_IP) {
  test(`${name} is counted as not IP`, () => {
    const { ok, decoder } = decodeFrame(linktype, frame);
    assert.equal(ok, false);
    assert.deepEqual(nonZeroCounters(decoder), { packets: 1, non_ip: 1 });
  });
}

const TRUNCATED: [string, number, Uint8Array][] = [
  ['Ethernet cut inside the MAC addresses', LINKTYPE.ETHERNET, ethernet(v4).bytes.subarray(0, 10)],
  ['Ethernet cut inside a VLAN tag', LINKTYPE.ETHERNET, ethernet(v4, { tags: dot1q(5) }).bytes.subarray(0, 17)],
  ['Ethernet header and nothing after it', LINKTYPE.ETHERNET, ethernet(v4).bytes.subarray(0, 14)],
  ['LINUX_SLL cut before the protocol', LINKTYPE.LINUX_SLL, linuxSll(v4).bytes.subarray(0, 15)],
  ['LINUX_SLL2 cut inside its header', LINKTYPE.LINUX_SLL2, linuxSll2(v4).bytes.subarray(0, 19)],
  ['NULL cut inside the family', LINKTYPE.NULL, nullLink(v4, { littleEndian: true }).bytes.subarray(0, 3)],
  ['LOOP cut inside the family', LINKTYPE.LOOP, loopLink(v4).bytes.subarray(0, 2)],
  ['RAW with no bytes', LINKTYPE.RAW, new Uint8Array(0)],
];

for (const [name, linktype, bytes] of TRUNCATED) {
  test(`${name} is counted as a truncated header`, () => {
    const { ok, decoder } = decodeFrame(linktype, bytes);
    assert.equal(ok, false);
    assert.deepEqual(nonZeroCounters(decoder), { packets: 1, truncated_headers: 1 });
  });
}

test('a VLAN-tag EtherType alone is walked, not mistaken for IP', () => {
  const frame = ethernet(v4, { etherType: ETHERTYPE_VLAN });
  const { ok } = decodeFrame(LINKTYPE.ETHERNET, frame);
  assert.equal(ok, false);
});

test('unsupported link types are counted per type and named once each', () => {
  const decoder = new PacketDecoder();
  const named: number[] = [];
  decoder.onUnsupportedLinktype = (linktype) => named.push(linktype);
  for (const linktype of [105, 105, 147, 105, 147, 1]) decodeFrame(linktype, ethernet(v4), decoder);
  assert.deepEqual(named, [105, 147]);
  assert.deepEqual(nonZeroCounters(decoder), { packets: 6, tcp_packets: 1, 'unsupported_linktypes.105': 3, 'unsupported_linktypes.147': 2 });
});

test('analyze() names an unsupported link type once, and still reads the rest', async (t) => {
  const path = join(await tempDir(t), 'wifi.pcapng');
  await writeFile(
    path,
    pcapngFile([
      { kind: 'shb' },
      { kind: 'idb', linktype: 105 },
      { kind: 'idb', linktype: LINKTYPE.RAW },
      ...[0, 1, 0, 0, 1].map((interfaceId, i) => ({ kind: 'epb' as const, interfaceId, timestamp: BigInt(i), data: v4.bytes })),
    ]),
  );
  const notes: AnalysisNote[] = [];
  const result = await analyze([path], { onNote: (m) => notes.push(m) });
  // The library gives the note as data; the CLI words it.
  assert.deepEqual(
    notes.filter((n) => n.code === 'unsupported-link-type'),
    [{ code: 'unsupported-link-type', linktype: 105, name: 'IEEE802_11' }],
  );
  assert.deepEqual(
    notes.map(noteText).filter((n) => n.startsWith('link type')),
    ['link type IEEE802_11 (105) is not supported: its packets are counted and skipped'],
  );
  assert.equal(result.inputs[0]!.linktype, 'IEEE802_11,RAW');
  assert.deepEqual([result.inputs[0]!.packets, result.inputs[0]!.tcp_packets], [5, 2]);
  const decode = JSON.parse(JSON.stringify(result.decode)) as { unsupported_linktypes: unknown };
  assert.deepEqual(decode.unsupported_linktypes, { '105': 3 });
});
