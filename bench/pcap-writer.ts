/**
 * A buffered classic-pcap writer for the generator: little-endian, µs or ns magic, Ethernet.
 * Frames are written as header bytes (built by the caller) + payload bytes taken from a fixed
 * pattern, cut at the snaplen, padded to Ethernet's 60-byte minimum like a tap would see them.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
const LINKTYPE_ETHERNET = 1;
const FILE_HEADER_LEN = 24;
const RECORD_HEADER_LEN = 16;
const ETHERNET_MIN_FRAME = 60;
const BUFFER_LEN = 8 << 20;

/** Capture times are written as this many seconds since the epoch plus the simulated time. */
export const BASE_EPOCH_SEC = 1_700_000_000;

export class PcapWriter {
  /** Bytes written so far, file header included. */
  bytes = 0;
  records = 0;
  /** The time of the last record exactly as a reader will report it. */
  tsSec = 0;
  tsNsec = 0;
  private readonly fd: number;
  private readonly buf = Buffer.allocUnsafe(BUFFER_LEN);
  private pos = 0;
  private readonly nanos: boolean;
  private readonly snaplen: number;

  constructor(path: string, nanos: boolean, snaplen: number) {
    this.fd = openSync(path, 'w');
    this.nanos = nanos;
    this.snaplen = snaplen;
    const b = this.buf;
    b.writeUInt32LE(nanos ? PCAP_MAGIC_NS : PCAP_MAGIC_US, 0);
    b.writeUInt16LE(2, 4);
    b.writeUInt16LE(4, 6);
    b.writeInt32LE(0, 8);
    b.writeUInt32LE(0, 12);
    b.writeUInt32LE(snaplen, 16);
    b.writeUInt32LE(LINKTYPE_ETHERNET, 20);
    this.pos = FILE_HEADER_LEN;
    this.bytes = FILE_HEADER_LEN;
  }

  /**
   * One record at `timeNs` after BASE_EPOCH_SEC: `header[0, headerLen)` then `payloadLen` bytes
   * of `pattern` from `patternAt`. Returns the captured length.
   */
  frame(timeNs: number, header: Uint8Array, headerLen: number, pattern: Uint8Array, patternAt: number, payloadLen: number): number {
    const frameLen = headerLen + payloadLen;
    const origlen = Math.max(frameLen, ETHERNET_MIN_FRAME);
    const caplen = Math.min(origlen, this.snaplen);
    if (this.pos + RECORD_HEADER_LEN + caplen > BUFFER_LEN) this.flush();
    const t = Math.floor(timeNs);
    const whole = Math.floor(t / 1e9);
    const ns = t - whole * 1e9;
    this.tsSec = BASE_EPOCH_SEC + whole;
    const frac = this.nanos ? ns : Math.floor(ns / 1000);
    this.tsNsec = this.nanos ? ns : frac * 1000;
    const b = this.buf;
    let at = this.pos;
    b.writeUInt32LE(this.tsSec, at);
    b.writeUInt32LE(frac, at + 4);
    b.writeUInt32LE(caplen, at + 8);
    b.writeUInt32LE(origlen, at + 12);
    at += RECORD_HEADER_LEN;
    const fromHeader = Math.min(headerLen, caplen);
    b.set(header.subarray(0, fromHeader), at);
    at += fromHeader;
    const fromPayload = Math.min(payloadLen, caplen - fromHeader);
    if (fromPayload > 0) {
      b.set(pattern.subarray(patternAt, patternAt + fromPayload), at);
      at += fromPayload;
    }
    const pad = caplen - fromHeader - fromPayload;
    if (pad > 0) {
      b.fill(0, at, at + pad);
      at += pad;
    }
    this.bytes += at - this.pos;
    this.pos = at;
    this.records++;
    return caplen;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    let done = 0;
    while (done < this.pos) done += writeSync(this.fd, this.buf, done, this.pos - done);
    this.pos = 0;
  }
}
