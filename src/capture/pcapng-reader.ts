/**
 * pcapng: a sequence of blocks `type(4) length(4) body length(4)`. A small block state machine:
 * SHB starts a section (its byte-order magic sets the endianness, interfaces reset), IDBs
 * declare interfaces with their link type and timestamp resolution, EPB/SPB/PB carry packets,
 * everything else is skipped by its length.
 */
import { CaptureError } from '../errors.js';
import { CapturedPacket } from './captured-packet.js';
import { ChunkBuffer } from './chunk-buffer.js';
import { MAX_RECORD_LEN, type CaptureReader } from './reader.js';
import { DEFAULT_RESOLUTION, resolutionFromOption, unitsToTime, type TimestampResolution } from './timestamp.js';

export const BLOCK_SHB = 0x0a0d0d0a;
const BLOCK_IDB = 1;
const BLOCK_PB = 2;
const BLOCK_SPB = 3;
const BLOCK_EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const BYTE_ORDER_MAGIC_SWAPPED = 0x4d3c2b1a;

/** Every block: its type and total length, the body, the total length again as a trailer. */
const BLOCK_TYPE = 0;
const BLOCK_LENGTH = 4;
/** The smallest block: header and trailer. */
const MIN_BLOCK_LEN = 12;
const BLOCK_TRAILER_LEN = 4;
/** Section header block: byte-order magic, version. */
const SHB_BYTE_ORDER = 8;
const SHB_MAJOR = 12;
const SHB_MINOR = 14;
/** Interface description block: link type (u16, then 2 reserved), snaplen, options. */
const IDB_LINKTYPE = 8;
const IDB_SNAPLEN = 12;
const IDB_OPTIONS = 16;
/** Enhanced packet block: interface id (u32), timestamp (high, low), caplen, origlen, data. */
const EPB_INTERFACE = 8;
/** Packet block (obsolete): interface id (u16) and drops count, then as an EPB. */
const PB_INTERFACE = 8;
const TIMED_TS_HIGH = 12;
const TIMED_TS_LOW = 16;
const TIMED_CAPLEN = 20;
const TIMED_ORIGLEN = 24;
const TIMED_DATA = 28;
/** Simple packet block: origlen, data (interface 0, no timestamp). */
const SPB_ORIGLEN = 8;
const SPB_DATA = 12;
/** An option: code (u16), length (u16), value padded to 4 bytes. */
const OPT_CODE = 0;
const OPT_LENGTH = 2;
const OPT_VALUE = 4;

const OPT_ENDOFOPT = 0;
const OPT_IF_TSRESOL = 9;
const OPT_IF_TSOFFSET = 14;

/** Smallest legal total length of each block we parse (header, fixed fields, trailer). */
const MIN_LEN_SHB = 28;
const MIN_LEN_IDB = 20;
const MIN_LEN_EPB = 32;
const MIN_LEN_SPB = 16;

/**
 * Interfaces one section may declare. Real captures have a handful (dumpcap: one per -i); each
 * costs some 100 bytes, and a file of nothing but interface blocks must not fill the memory
 * (30 M of them took 3.3 GB). 65,536 is far past any capture host and a few MB at most.
 */
export const MAX_INTERFACES_PER_SECTION = 65536;

interface Interface {
  linktype: number;
  snaplen: number;
  resolution: TimestampResolution;
}

export class PcapngReader implements CaptureReader {
  readonly format = 'pcapng' as const;
  readonly packet = new CapturedPacket();
  readonly linktypes: number[] = [];
  readonly warnings: string[] = [];
  private readonly buf = new ChunkBuffer();
  private readonly file: string;
  private littleEndian = true;
  private sawSection = false;
  private interfaces: Interface[] = [];
  /** Blocks consumed so far, and the 1-based number of the block being read. */
  private blocks = 0;
  private record = 1;

  constructor(file: string) {
    this.file = file;
  }

  push(chunk: Uint8Array): void {
    this.buf.append(chunk);
  }

  next(): boolean {
    const buf = this.buf;
    for (;;) {
      if (buf.skipping || !buf.ensure(MIN_BLOCK_LEN)) return false;
      this.record = this.blocks + 1;
      let at = buf.pos;
      let view = buf.view;
      let type = view.getUint32(at + BLOCK_TYPE, this.littleEndian);
      if (type === BLOCK_SHB) {
        // The SHB type reads the same in both byte orders; its magic says which one follows.
        this.readByteOrder(at);
      } else if (!this.sawSection) {
        throw this.error(at, `not a pcapng file (first block type 0x${type.toString(16)} is not a section header)`);
      }
      type = view.getUint32(at + BLOCK_TYPE, this.littleEndian);
      const length = view.getUint32(at + BLOCK_LENGTH, this.littleEndian);
      if (length < MIN_BLOCK_LEN || length % 4 !== 0) {
        throw this.error(at, `block length ${length} is ${length < MIN_BLOCK_LEN ? `below the minimum of ${MIN_BLOCK_LEN}` : 'not a multiple of 4'}`);
      }
      const parsed = type === BLOCK_SHB || type === BLOCK_IDB || type === BLOCK_EPB || type === BLOCK_SPB || type === BLOCK_PB;
      if (length > MAX_RECORD_LEN) {
        if (parsed) throw this.error(at, `block length ${length} exceeds the ${MAX_RECORD_LEN}-byte limit`);
        this.blocks++;
        buf.skip(length);
        continue;
      }
      if (!buf.ensure(length)) return false;
      // ensure may have moved the cursor onto the next chunk.
      at = buf.pos;
      view = buf.view;
      this.blocks++;
      const trailer = view.getUint32(at + length - BLOCK_TRAILER_LEN, this.littleEndian);
      if (trailer !== length) {
        throw this.error(at, `block length ${length} does not match its trailing length ${trailer}`);
      }
      buf.pos = at + length;
      switch (type) {
        case BLOCK_EPB:
          this.readTimedPacket(at, length, view.getUint32(at + EPB_INTERFACE, this.littleEndian), 'enhanced packet');
          return true;
        case BLOCK_SPB:
          this.readSimplePacket(at, length);
          return true;
        case BLOCK_PB:
          this.readTimedPacket(at, length, view.getUint16(at + PB_INTERFACE, this.littleEndian), 'packet');
          return true;
        case BLOCK_SHB:
          this.readSectionHeader(at, length);
          break;
        case BLOCK_IDB:
          this.readInterface(at, length);
          break;
        default:
          break; // NRB, ISB, DSB, custom and unknown blocks carry nothing we need
      }
    }
  }

  finish(): string | undefined {
    const buf = this.buf;
    if (!this.sawSection) {
      if (buf.offset === 0 && buf.available === 0) throw this.error(0, 'empty file');
      throw this.error(buf.pos, `truncated section header block (${buf.available} bytes)`);
    }
    if (buf.available === 0 && !buf.skipping) return undefined;
    const where = `record ${this.blocks + (buf.skipping ? 0 : 1)} at offset 0x${buf.offset.toString(16)}`;
    if (buf.skipping) return `${this.file}: ${where}: truncated block (input ended inside it); ignored`;
    if (buf.available < MIN_BLOCK_LEN) {
      return `${this.file}: ${where}: truncated block header (${buf.available} of ${MIN_BLOCK_LEN} bytes); ignored`;
    }
    const length = buf.view.getUint32(buf.pos + BLOCK_LENGTH, this.littleEndian);
    return `${this.file}: ${where}: truncated block (${buf.available} of ${length} bytes); ignored`;
  }

  private error(at: number, reason: string): CaptureError {
    return new CaptureError({ file: this.file, offset: this.buf.base + at, record: this.record }, reason);
  }

  private readByteOrder(at: number): void {
    const magic = this.buf.view.getUint32(at + SHB_BYTE_ORDER, true);
    if (magic === BYTE_ORDER_MAGIC) this.littleEndian = true;
    else if (magic === BYTE_ORDER_MAGIC_SWAPPED) this.littleEndian = false;
    else throw this.error(at, `bad byte-order magic 0x${magic.toString(16)} in section header`);
  }

  private readSectionHeader(at: number, length: number): void {
    if (length < MIN_LEN_SHB) throw this.error(at, `section header block length ${length} is below ${MIN_LEN_SHB}`);
    const view = this.buf.view;
    const major = view.getUint16(at + SHB_MAJOR, this.littleEndian);
    const minor = view.getUint16(at + SHB_MINOR, this.littleEndian);
    if (major !== 1) throw this.error(at, `unsupported pcapng version ${major}.${minor} (expected 1.x)`);
    this.sawSection = true;
    this.interfaces = [];
  }

  private readInterface(at: number, length: number): void {
    if (length < MIN_LEN_IDB) throw this.error(at, `interface block length ${length} is below ${MIN_LEN_IDB}`);
    if (this.interfaces.length >= MAX_INTERFACES_PER_SECTION) {
      throw this.error(at, `more than ${MAX_INTERFACES_PER_SECTION} interfaces in one section (the limit rttscan holds)`);
    }
    const view = this.buf.view;
    const le = this.littleEndian;
    const linktype = view.getUint16(at + IDB_LINKTYPE, le);
    const snaplen = view.getUint32(at + IDB_SNAPLEN, le);
    let tsresol = -1;
    let offsetSec = 0;
    const end = at + length - BLOCK_TRAILER_LEN;
    let opt = at + IDB_OPTIONS;
    while (opt + OPT_VALUE <= end) {
      const code = view.getUint16(opt + OPT_CODE, le);
      const optLen = view.getUint16(opt + OPT_LENGTH, le);
      if (code === OPT_ENDOFOPT) break;
      if (opt + OPT_VALUE + optLen > end) {
        throw this.error(at, `interface option ${code} at offset 0x${(this.buf.base + opt).toString(16)} runs past the end of its block`);
      }
      if (code === OPT_IF_TSRESOL && optLen >= 1) tsresol = view.getUint8(opt + OPT_VALUE);
      if (code === OPT_IF_TSOFFSET && optLen >= 8) {
        const hi = view.getInt32(opt + OPT_VALUE + (le ? 4 : 0), le);
        const lo = view.getUint32(opt + OPT_VALUE + (le ? 0 : 4), le);
        offsetSec = hi * 4294967296 + lo;
      }
      opt += OPT_VALUE + ((optLen + 3) & ~3);
    }
    const resolution = tsresol < 0 ? { ...DEFAULT_RESOLUTION, offsetSec } : resolutionFromOption(tsresol, offsetSec);
    this.interfaces.push({ linktype, snaplen, resolution });
    if (!this.linktypes.includes(linktype)) this.linktypes.push(linktype);
  }

  private interfaceFor(at: number, id: number): Interface {
    const iface = this.interfaces[id];
    if (iface === undefined) {
      throw this.error(at, `packet names interface ${id}, but the section defines ${this.interfaces.length}`);
    }
    return iface;
  }

  /**
   * EPB and the obsolete PB share their layout from TIMED_TS_HIGH on (timestamp, caplen,
   * origlen, data); they differ only in the interface id before it (u32 in an EPB, u16 + drops in a PB).
   */
  private readTimedPacket(at: number, length: number, interfaceId: number, what: string): void {
    if (length < MIN_LEN_EPB) throw this.error(at, `${what} block length ${length} is below ${MIN_LEN_EPB}`);
    const view = this.buf.view;
    const le = this.littleEndian;
    const iface = this.interfaceFor(at, interfaceId);
    const caplen = view.getUint32(at + TIMED_CAPLEN, le);
    if (TIMED_DATA + caplen > length - BLOCK_TRAILER_LEN) {
      throw this.error(at, `captured length ${caplen} does not fit in a block of ${length} bytes`);
    }
    this.fillPacket(at, iface, caplen, view.getUint32(at + TIMED_ORIGLEN, le), at + TIMED_DATA);
    unitsToTime(view.getUint32(at + TIMED_TS_HIGH, le), view.getUint32(at + TIMED_TS_LOW, le), iface.resolution, this.packet);
  }

  /** SPBs carry no timestamp: the packet keeps the time of the one before it. */
  private readSimplePacket(at: number, length: number): void {
    if (length < MIN_LEN_SPB) throw this.error(at, `simple packet block length ${length} is below ${MIN_LEN_SPB}`);
    const iface = this.interfaceFor(at, 0);
    const origlen = this.buf.view.getUint32(at + SPB_ORIGLEN, this.littleEndian);
    let caplen = Math.min(origlen, length - MIN_LEN_SPB);
    if (iface.snaplen > 0) caplen = Math.min(caplen, iface.snaplen);
    this.fillPacket(at, iface, caplen, origlen, at + SPB_DATA);
  }

  private fillPacket(at: number, iface: Interface, caplen: number, origlen: number, dataAt: number): void {
    const pkt = this.packet;
    pkt.record = this.record;
    pkt.fileOffset = this.buf.base + at;
    pkt.setBuffer(this.buf.bytes, this.buf.view);
    pkt.dataOffset = dataAt;
    pkt.caplen = caplen;
    pkt.origlen = origlen;
    pkt.linktype = iface.linktype;
  }
}
