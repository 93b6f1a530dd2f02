/**
 * Classic libpcap files: a 24-byte file header, then 16-byte record headers each followed by
 * caplen bytes. Magic 0xA1B2C3D4 (µs) or 0xA1B23C4D (ns), in either byte order.
 */
import { CaptureError } from '../errors.js';
import { CapturedPacket } from './captured-packet.js';
import { ChunkBuffer } from './chunk-buffer.js';
import { MAX_RECORD_LEN, MAX_SNAPLEN, type CaptureReader } from './reader.js';

/** File header: magic, version major and minor, (reserved), snaplen, link type. */
const FILE_HEADER_LEN = 24;
const HDR_MAGIC = 0;
const HDR_MAJOR = 4;
const HDR_MINOR = 6;
const HDR_SNAPLEN = 16;
const HDR_LINKTYPE = 20;
/** Record header: seconds, fraction (µs or ns), caplen, origlen; the data follows. */
const RECORD_HEADER_LEN = 16;
const REC_TS_SEC = 0;
const REC_TS_FRAC = 4;
const REC_CAPLEN = 8;
const REC_ORIGLEN = 12;

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
const PCAP_MAGIC_KUZNETSOV = 0xa1b2cd34;
/** libpcap writes 2.4 and refuses any later minor version ("unsupported pcap savefile version"). */
const LAST_MINOR_VERSION = 4;

export class PcapReader implements CaptureReader {
  readonly format = 'pcap' as const;
  readonly packet = new CapturedPacket();
  linktypes: number[] = [];
  readonly warnings: string[] = [];
  private readonly buf = new ChunkBuffer();
  private readonly file: string;
  private headerRead = false;
  private littleEndian = true;
  private nanos = false;
  private snaplen = 0;
  private caplenLimit = 0;
  private linktype = 0;
  private records = 0;

  constructor(file: string) {
    this.file = file;
  }

  push(chunk: Uint8Array): void {
    this.buf.append(chunk);
  }

  next(): boolean {
    const buf = this.buf;
    if (!this.headerRead) {
      if (!buf.ensure(FILE_HEADER_LEN)) return false;
      this.readFileHeader();
    }
    if (!buf.ensure(RECORD_HEADER_LEN)) return false;
    const le = this.littleEndian;
    const caplen = buf.view.getUint32(buf.pos + REC_CAPLEN, le);
    if (caplen > this.caplenLimit) {
      throw new CaptureError(
        { file: this.file, offset: buf.offset, record: this.records + 1 },
        `caplen ${caplen} exceeds snaplen ${this.snaplen} (limit ${this.caplenLimit})`,
      );
    }
    // ensure may move the cursor onto the next chunk: read positions only after it.
    if (!buf.ensure(RECORD_HEADER_LEN + caplen)) return false;
    const pkt = this.packet;
    const view = buf.view;
    const at = buf.pos;
    const sec = view.getUint32(at + REC_TS_SEC, le);
    const frac = view.getUint32(at + REC_TS_FRAC, le);
    this.records++;
    pkt.record = this.records;
    pkt.fileOffset = buf.offset;
    if (this.nanos ? frac < 1e9 : frac < 1e6) {
      pkt.tsSec = sec;
      pkt.tsNsec = this.nanos ? frac : frac * 1000;
    } else {
      this.carryFraction(sec, frac);
    }
    pkt.caplen = caplen;
    pkt.origlen = view.getUint32(at + REC_ORIGLEN, le);
    pkt.linktype = this.linktype;
    pkt.setBuffer(buf.bytes, buf.view);
    pkt.dataOffset = at + RECORD_HEADER_LEN;
    buf.pos = at + RECORD_HEADER_LEN + caplen;
    return true;
  }

  /**
   * A fraction past one second is malformed but harmless: carry it into the seconds. Kept off
   * the per-record path, where a floating-point modulo cost more than the rest of the header.
   */
  private carryFraction(sec: number, frac: number): void {
    const perSec = this.nanos ? 1e9 : 1e6;
    this.packet.tsSec = sec + Math.floor(frac / perSec);
    this.packet.tsNsec = (frac % perSec) * (1e9 / perSec);
  }

  finish(): string | undefined {
    const buf = this.buf;
    if (!this.headerRead) {
      const pos = { file: this.file, offset: buf.offset };
      if (buf.available === 0 && buf.offset === 0) throw new CaptureError(pos, 'empty file');
      throw new CaptureError(pos, `truncated pcap file header (${buf.available} of ${FILE_HEADER_LEN} bytes)`);
    }
    if (buf.available === 0) return undefined;
    const record = this.records + 1;
    const where = `record ${record} at offset 0x${buf.offset.toString(16)}`;
    if (buf.available < RECORD_HEADER_LEN) {
      return `${this.file}: ${where}: truncated record header (${buf.available} of ${RECORD_HEADER_LEN} bytes); ignored`;
    }
    const caplen = buf.view.getUint32(buf.pos + REC_CAPLEN, this.littleEndian);
    const have = buf.available - RECORD_HEADER_LEN;
    return `${this.file}: ${where}: truncated record (${have} of ${caplen} bytes); ignored`;
  }

  private readFileHeader(): void {
    const buf = this.buf;
    const view = buf.view;
    const at = buf.pos;
    const magicLE = view.getUint32(at + HDR_MAGIC, true);
    const magicBE = view.getUint32(at + HDR_MAGIC, false);
    if (magicLE === PCAP_MAGIC_US || magicLE === PCAP_MAGIC_NS) {
      this.littleEndian = true;
      this.nanos = magicLE === PCAP_MAGIC_NS;
    } else if (magicBE === PCAP_MAGIC_US || magicBE === PCAP_MAGIC_NS) {
      this.littleEndian = false;
      this.nanos = magicBE === PCAP_MAGIC_NS;
    } else if (magicLE === PCAP_MAGIC_KUZNETSOV || magicBE === PCAP_MAGIC_KUZNETSOV) {
      throw new CaptureError({ file: this.file, offset: buf.offset }, 'modified (Kuznetsov) pcap format is not supported');
    } else {
      throw new CaptureError({ file: this.file, offset: buf.offset }, `not a pcap file (magic 0x${magicBE.toString(16).padStart(8, '0')})`);
    }
    const le = this.littleEndian;
    const major = view.getUint16(at + HDR_MAJOR, le);
    const minor = view.getUint16(at + HDR_MINOR, le);
    if (major !== 2) {
      throw new CaptureError({ file: this.file, offset: buf.offset + HDR_MAJOR }, `unsupported pcap version ${major}.${minor} (expected 2.x)`);
    }
    if (minor > LAST_MINOR_VERSION) {
      // Read as 2.4 (tshark does too), but say so: tcpdump and every libpcap tool refuse it.
      this.warnings.push(
        `${this.file}: offset 0x${(buf.offset + HDR_MAJOR).toString(16)}: pcap version 2.${minor} is past 2.${LAST_MINOR_VERSION}, the last libpcap knows (tcpdump refuses this file); read as 2.${LAST_MINOR_VERSION}`,
      );
    }
    this.snaplen = view.getUint32(at + HDR_SNAPLEN, le);
    this.caplenLimit = Math.max(Math.min(this.snaplen, MAX_RECORD_LEN), MAX_SNAPLEN);
    // The upper bits of the link-type field carry the FCS length and flags, not the type.
    this.linktype = view.getUint32(at + HDR_LINKTYPE, le) & 0xffff;
    this.linktypes = [this.linktype];
    buf.pos = at + FILE_HEADER_LEN;
    this.headerRead = true;
  }
}
