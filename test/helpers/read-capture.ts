/**
 * Runs a capture held in memory through rttscan's own readers (and, on request, the decoder),
 * fed in chunks of chosen sizes, and returns copies of what came out: packets are views that
 * the next read invalidates, so a test that keeps them must copy, and this does.
 */
import { readerFor } from '../../src/capture/detect.js';
import { CapturedPacket } from '../../src/capture/captured-packet.js';
import { PacketDecoder } from '../../src/decode/decoder.js';
import type { Frame } from './capture-writer.js';

export interface ReadPacket {
  tsSec: number;
  tsNsec: number;
  caplen: number;
  origlen: number;
  linktype: number;
  record: number;
  fileOffset: number;
  data: Uint8Array;
}

export interface ReadResult {
  format: string;
  packets: ReadPacket[];
  /** What `finish` said about bytes left at the end. */
  warning: string | undefined;
  linktypes: number[];
}

/** Chunk sizes: one number for all chunks, or a function of the chunk index. */
export type ChunkPlan = number | ((index: number) => number);

export function copyPacket(pkt: CapturedPacket): ReadPacket {
  return {
    tsSec: pkt.tsSec,
    tsNsec: pkt.tsNsec,
    caplen: pkt.caplen,
    origlen: pkt.origlen,
    linktype: pkt.linktype,
    record: pkt.record,
    fileOffset: pkt.fileOffset,
    data: pkt.bytes.slice(pkt.dataOffset, pkt.dataOffset + pkt.caplen),
  };
}

/**
 * Reads `bytes` as the file `file`, pushing chunks as `plan` says and draining packets after
 * each. Throws whatever the reader throws (a CaptureError for malformed bytes).
 */
export function readCapture(bytes: Uint8Array, plan: ChunkPlan = bytes.length || 1, file = 'test.pcap'): ReadResult {
  const reader = readerFor(file, bytes.subarray(0, 4));
  const packets: ReadPacket[] = [];
  let index = 0;
  for (let at = 0; at < bytes.length; index++) {
    const size = Math.max(1, typeof plan === 'number' ? plan : plan(index));
    reader.push(bytes.subarray(at, at + size));
    at += size;
    while (reader.next()) packets.push(copyPacket(reader.packet));
  }
  const warning = reader.finish();
  return { format: reader.format, packets, warning, linktypes: [...reader.linktypes] };
}

/** Decodes one frame on `linktype` with a fresh decoder; returns the decoder to inspect. */
export function decodeFrame(linktype: number, frame: Frame | Uint8Array, decoder = new PacketDecoder()): { ok: boolean; decoder: PacketDecoder } {
  const bytes = frame instanceof Uint8Array ? frame : frame.bytes;
  // Put the packet at a non-zero offset in a larger buffer, as readers do, so that decoders
  // that forget `dataOffset` or read past `caplen` are caught; and that buffer a view starting
  // 5 bytes into its memory (as a gzip chunk can be), so that one confusing the two is too.
  const padded = new Uint8Array(bytes.length + 21).fill(0xee).subarray(5);
  padded.set(bytes, 8);
  const pkt = new CapturedPacket();
  pkt.setBuffer(padded, new DataView(padded.buffer, padded.byteOffset, padded.byteLength));
  Object.assign(pkt, {
    dataOffset: 8,
    caplen: bytes.length,
    origlen: frame instanceof Uint8Array ? bytes.length : frame.wireLen,
    tsSec: 1_700_000_000,
    tsNsec: 123_456_789,
    linktype,
    record: 1,
    fileOffset: 24,
  });
  return { ok: decoder.decode(pkt), decoder };
}

/** Packets counted under some reason for not being TCP; with tcpPackets it should make packets. */
export function undecodedPackets(decoder: PacketDecoder): number {
  const c = decoder.counters;
  const unsupported = [...c.unsupportedLinktypes.values()].reduce((a, b) => a + b, 0);
  return c.nonIp + c.nonTcp + c.ipv4Fragments + c.ipv6Fragments + c.truncatedHeaders + c.malformedIpv4 + c.malformedIpv6 + c.malformedTcp + unsupported;
}

/** The decoder's counters that are not zero, e.g. `{ packets: 1, non_ip: 1 }`: exact to assert on. */
export function nonZeroCounters(decoder: PacketDecoder): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of Object.entries(decoder.counters.toJSON())) {
    if (typeof value === 'number') {
      if (value !== 0) out[key] = value;
    } else {
      for (const [linktype, n] of Object.entries(value)) out[`${key}.${linktype}`] = n;
    }
  }
  return out;
}

/** An address from a PacketView's four words, as text (IPv6 uncompressed, lower-case hex). */
export function viewAddress(words: Uint32Array, ipVersion: number): string {
  if (ipVersion === 4) return [24, 16, 8, 0].map((s) => (words[0]! >>> s) & 0xff).join('.');
  const groups: string[] = [];
  for (const w of words) groups.push((w >>> 16).toString(16), (w & 0xffff).toString(16));
  return groups.join(':');
}
