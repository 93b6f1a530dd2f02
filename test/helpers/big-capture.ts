/**
 * Captures for tests of scale, quick to write and to read: one connection whose client sends
 * `segments` segments of `payloadLen` bytes, each acknowledged 1.5 ms later, so rttscan finds
 * segments + 1 samples (handshake included) of 1 to 1.5 ms.
 */
import { writeFile } from 'node:fs/promises';
import { ACK, SYN } from './capture-writer.js';
import { TcpScript } from './tcp-script.js';

/** About 54 MB (over the progress line's threshold): 900 TSO-sized segments of 60 000 bytes. */
export async function writeBigCapture(path: string): Promise<void> {
  await writeBulkCapture(path, 900, 60000);
}

/** Many samples: 50 000 segments of 10 bytes (about 5 MB of capture, 4 MB of --samples lines). */
export async function writeManySamplesCapture(path: string): Promise<void> {
  await writeBulkCapture(path, 50000, 10);
}

/** `segments` + 1 samples of 1.5 ms, 10-byte segments (about 150 bytes of capture each). */
export async function writeSamplesCapture(path: string, segments: number): Promise<void> {
  await writeBulkCapture(path, segments, 10);
}

async function writeBulkCapture(path: string, segments: number, payloadLen: number): Promise<void> {
  await writeFile(path, bulkCapture(segments, payloadLen));
}

/** The handshake, then `segments` data segments of the client, each acknowledged 1.5 ms later. */
function bulkScript(segments: number, payloadLen: number): TcpScript {
  const script = new TcpScript();
  script
    .c(0, { seq: 999, flags: SYN })
    .s(1, { seq: 4999, ack: 1000, flags: SYN | ACK })
    .c(2, { seq: 1000, ack: 5000 });
  let seq = 1000;
  for (let i = 0; i < segments; i++) {
    const ms = 3 + i * 2;
    script.c(ms, { seq, ack: 5000, payloadLen });
    seq += payloadLen;
    script.s(ms + 1.5, { seq: 5000, ack: seq });
  }
  return script;
}

/** bulkScript(segments, payloadLen).file(), written as TcpScript writes it: the whole conversation. */
export function bulkCaptureScripted(segments: number, payloadLen: number): Uint8Array {
  return bulkScript(segments, payloadLen).file();
}

/**
 * The same bytes as bulkCaptureScripted (test/unit/capture-writer.test.ts compares them), a
 * hundred times faster: TcpScript spends about 15 µs of CPU on a packet (6 s for the 400,000 of
 * 200,000 segments), so the handshake and the first segment and its ACK are scripted, and every
 * later pair is a copy of the first with its sequence numbers and times moved on.
 */
export function bulkCapture(segments: number, payloadLen: number): Uint8Array {
  if (segments < 1) return bulkCaptureScripted(segments, payloadLen);
  const head = bulkCaptureScripted(0, payloadLen);
  const pair = bulkCaptureScripted(1, payloadLen).subarray(head.length);
  const out = new Uint8Array(head.length + segments * pair.length);
  out.set(head);
  const view = new DataView(out.buffer);
  // Each record: a 16-byte pcap header (seconds, nanoseconds, little-endian), Ethernet (14) and
  // IPv4 (20) headers, then TCP with seq at +4 and ack at +8 (network order).
  // The first record of the pair (the data segment): its header and its caplen bytes.
  const dataLen = 16 + new DataView(pair.buffer, pair.byteOffset).getUint32(8, true);
  const tcpAt = 16 + 14 + 20;
  for (let i = 0; i < segments; i++) {
    const at = head.length + i * pair.length;
    out.set(pair, at);
    const ms = 3 + i * 2;
    const seq = 1000 + i * payloadLen;
    stamp(view, at, ms);
    view.setUint32(at + tcpAt + 4, seq);
    stamp(view, at + dataLen, ms + 1.5);
    view.setUint32(at + dataLen + tcpAt + 8, seq + payloadLen);
  }
  return out;
}

/** A record's time as TcpScript writes it: `ms` after an arbitrary epoch second, in ns. */
function stamp(view: DataView, recordAt: number, ms: number): void {
  const ns = Math.round(ms * 1e6);
  view.setUint32(recordAt, 1_700_000_000 + Math.floor(ns / 1e9), true);
  view.setUint32(recordAt + 4, ns % 1e9, true);
}
