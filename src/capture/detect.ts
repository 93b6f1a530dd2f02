/** Which reader a byte stream needs, from its first four bytes (never from the file name). */
import { CaptureError } from '../errors.js';
import { PCAP_MAGIC_NS, PCAP_MAGIC_US, PcapReader } from './pcap-reader.js';
import { BLOCK_SHB, PcapngReader } from './pcapng-reader.js';
import type { CaptureReader } from './reader.js';

export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** Bytes needed to tell the formats apart. */
export const MAGIC_LEN = 4;

export function readerFor(file: string, head: Uint8Array): CaptureReader {
  if (head.length === 0) throw new CaptureError({ file, offset: 0 }, 'empty file');
  if (head.length < MAGIC_LEN) {
    throw new CaptureError({ file, offset: 0 }, `too short to be a capture (${head.length} bytes)`);
  }
  const view = new DataView(head.buffer, head.byteOffset, MAGIC_LEN);
  const le = view.getUint32(0, true);
  const be = view.getUint32(0, false);
  for (const magic of [le, be]) {
    if (magic === PCAP_MAGIC_US || magic === PCAP_MAGIC_NS || magic === 0xa1b2cd34) return new PcapReader(file);
  }
  if (le === BLOCK_SHB) return new PcapngReader(file);
  throw new CaptureError({ file, offset: 0 }, `not a capture file: magic 0x${be.toString(16).padStart(8, '0')} is neither pcap, pcapng nor gzip`);
}
