/**
 * Synthetic captures, built layer by layer so a test states exactly the bytes it needs:
 *
 *   const frame = ethernet(ipv4(tcp({ srcPort: 40000, dstPort: 80, seq: 1, flags: SYN })));
 *   const file = pcapFile([record(frame, 1700000000, 250)], { linktype: LINKTYPE.ETHERNET });
 *
 * Each builder wraps a `Frame`: the bytes as captured and the length the packet had on the
 * wire, so a payload cut short by the snaplen keeps its true length in the IP header while
 * the captured bytes stop early. Nothing here imports from src/: the writer is an independent
 * statement of the formats (shared/reference/formats.md), which is what makes it an oracle.
 * TCP checksums are left 0 (rttscan does not verify them); IPv4 header checksums are real.
 */

/** A packet under construction: the captured bytes, and its length on the wire. */
export interface Frame {
  bytes: Uint8Array;
  wireLen: number;
}

// ---------------------------------------------------------------------------------------------
// Bytes

/** A growable byte buffer with big- or little-endian integer writers. */
export class ByteWriter {
  private buf = new Uint8Array(64);
  private view = new DataView(this.buf.buffer);
  length = 0;
  constructor(readonly littleEndian = false) {}

  /** Reserves n bytes and returns where they start; may replace buf and view, so callers take it first. */
  private room(n: number): number {
    const at = this.length;
    if (at + n > this.buf.length) {
      const bigger = new Uint8Array(Math.max(this.buf.length * 2, at + n));
      bigger.set(this.buf.subarray(0, at));
      this.buf = bigger;
      this.view = new DataView(bigger.buffer);
    }
    this.length = at + n;
    return at;
  }

  u8(v: number): this {
    const at = this.room(1);
    this.view.setUint8(at, v);
    return this;
  }
  u16(v: number): this {
    const at = this.room(2);
    this.view.setUint16(at, v, this.littleEndian);
    return this;
  }
  u32(v: number): this {
    const at = this.room(4);
    this.view.setUint32(at, v >>> 0, this.littleEndian);
    return this;
  }
  i32(v: number): this {
    const at = this.room(4);
    this.view.setInt32(at, v, this.littleEndian);
    return this;
  }
  u64(v: bigint): this {
    const at = this.room(8);
    this.view.setBigUint64(at, BigInt.asUintN(64, v), this.littleEndian);
    return this;
  }
  bytes(b: Uint8Array): this {
    const at = this.room(b.length);
    this.buf.set(b, at);
    return this;
  }
  zeros(n: number): this {
    const at = this.room(n);
    this.buf.fill(0, at, this.length);
    return this;
  }
  /** Zero bytes up to the next multiple of `align`. */
  pad(align: number): this {
    return this.zeros((align - (this.length % align)) % align);
  }
  /** Overwrites a u16/u32 already written at `at`. */
  setU16(at: number, v: number): this {
    this.view.setUint16(at, v, this.littleEndian);
    return this;
  }
  setU32(at: number, v: number): this {
    this.view.setUint32(at, v >>> 0, this.littleEndian);
    return this;
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return concatAll(parts);
}

/** concat() for any number of parts (a spread of hundreds of thousands overflows the stack). */
export function concatAll(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A recognisable filler: byte i of a payload is (i * 7 + seed) & 0xff. */
export function pattern(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 7 + seed) & 0xff;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Addresses

export function ipv4Bytes(addr: string): Uint8Array {
  const parts = addr.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`bad IPv4 address ${addr}`);
  }
  return Uint8Array.from(parts);
}

/** IPv6 text (with at most one `::`, no embedded IPv4) to 16 bytes. */
export function ipv6Bytes(addr: string): Uint8Array {
  const halves = addr.split('::');
  if (halves.length > 2) throw new Error(`bad IPv6 address ${addr}`);
  const groups = (s: string | undefined): number[] => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || missing < 0) throw new Error(`bad IPv6 address ${addr}`);
  const all = [...head, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    if (!(g >= 0 && g <= 0xffff)) throw new Error(`bad IPv6 address ${addr}`);
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// TCP

export const FIN = 0x01;
export const SYN = 0x02;
export const RST = 0x04;
export const PSH = 0x08;
export const ACK = 0x10;
export const URG = 0x20;
export const ECE = 0x40;
export const CWR = 0x80;

export interface TcpOptionsSpec {
  mss?: number;
  windowScale?: number;
  sackPermitted?: boolean;
  /** SACK blocks as [left, right) edges. */
  sack?: ReadonlyArray<readonly [number, number]>;
  /** TSval, TSecr. */
  timestamp?: readonly [number, number];
  /** Extra option bytes after the above, as given (for malformed options). */
  raw?: Uint8Array;
}

export interface TcpSpec {
  srcPort: number;
  dstPort: number;
  seq?: number;
  ack?: number;
  /** Flag bits (SYN | ACK ...); default ACK. */
  flags?: number;
  window?: number;
  urgent?: number;
  options?: TcpOptionsSpec;
  /** The payload; or give payloadLen and get `pattern(payloadLen)`. */
  payload?: Uint8Array;
  payloadLen?: number;
  /** How much of the payload was captured (default all): the rest counts on the wire only. */
  capturedPayloadLen?: number;
  /** Overrides the data-offset field (header length in 32-bit words), for malformed headers. */
  dataOffsetWords?: number;
}

/** Option bytes in the usual SYN order (MSS, SACK-permitted, TS, NOP+WS), then SACK, padded with EOL. */
export function tcpOptionBytes(o: TcpOptionsSpec): Uint8Array {
  const w = new ByteWriter();
  if (o.mss !== undefined) w.u8(2).u8(4).u16(o.mss);
  if (o.sackPermitted) w.u8(4).u8(2);
  if (o.timestamp !== undefined) w.u8(8).u8(10).u32(o.timestamp[0]).u32(o.timestamp[1]);
  if (o.windowScale !== undefined) w.u8(1).u8(3).u8(3).u8(o.windowScale);
  if (o.sack !== undefined && o.sack.length > 0) {
    w.u8(1)
      .u8(1)
      .u8(5)
      .u8(2 + 8 * o.sack.length);
    for (const [left, right] of o.sack) w.u32(left).u32(right);
  }
  if (o.raw !== undefined) w.bytes(o.raw);
  w.pad(4);
  return w.finish();
}

export function tcp(spec: TcpSpec): Frame {
  const options = spec.options === undefined ? new Uint8Array(0) : tcpOptionBytes(spec.options);
  if (options.length > 40) throw new Error(`TCP options are ${options.length} bytes; at most 40 fit`);
  const payload = spec.payload ?? pattern(spec.payloadLen ?? 0);
  const captured = Math.min(spec.capturedPayloadLen ?? payload.length, payload.length);
  const headerLen = 20 + options.length;
  const w = new ByteWriter();
  w.u16(spec.srcPort).u16(spec.dstPort);
  w.u32(spec.seq ?? 0).u32(spec.ack ?? 0);
  w.u8((spec.dataOffsetWords ?? headerLen / 4) << 4).u8(spec.flags ?? ACK);
  w.u16(spec.window ?? 65535)
    .u16(0)
    .u16(spec.urgent ?? 0);
  w.bytes(options).bytes(payload.subarray(0, captured));
  return { bytes: w.finish(), wireLen: headerLen + payload.length };
}

// ---------------------------------------------------------------------------------------------
// IPv4

export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;

export interface Ipv4Spec {
  src?: string;
  dst?: string;
  /** Default 6 (TCP). */
  protocol?: number;
  ttl?: number;
  id?: number;
  /** IP option bytes, padded with EOL to a multiple of 4 (at most 40). */
  options?: Uint8Array;
  dontFragment?: boolean;
  moreFragments?: boolean;
  /** In 8-byte units. */
  fragmentOffset?: number;
  /** Write 0 as the total length, as TSO/GSO captures do. */
  totalLengthZero?: boolean;
  /** Overrides the total-length field. */
  totalLength?: number;
  /** Overrides the header-length field (IHL, in words). */
  ihl?: number;
}

export function ipv4Checksum(header: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < header.length; i += 2) sum += (header[i]! << 8) | (header[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export function ipv4(inner: Frame, spec: Ipv4Spec = {}): Frame {
  const opts = new ByteWriter()
    .bytes(spec.options ?? new Uint8Array(0))
    .pad(4)
    .finish();
  if (opts.length > 40) throw new Error(`IPv4 options are ${opts.length} bytes; at most 40 fit`);
  const headerLen = 20 + opts.length;
  const totalLen = spec.totalLength ?? (spec.totalLengthZero ? 0 : headerLen + inner.wireLen);
  const flagsAndOffset = (spec.dontFragment ? 0x4000 : 0) | (spec.moreFragments ? 0x2000 : 0) | (spec.fragmentOffset ?? 0);
  const w = new ByteWriter();
  w.u8(0x40 | (spec.ihl ?? headerLen / 4))
    .u8(0)
    .u16(totalLen);
  w.u16(spec.id ?? 0x1234).u16(flagsAndOffset);
  w.u8(spec.ttl ?? 64)
    .u8(spec.protocol ?? IPPROTO_TCP)
    .u16(0);
  w.bytes(ipv4Bytes(spec.src ?? '10.0.0.1')).bytes(ipv4Bytes(spec.dst ?? '10.0.0.2'));
  w.bytes(opts);
  const header = w.finish();
  const sum = ipv4Checksum(header);
  header[10] = sum >> 8;
  header[11] = sum & 0xff;
  return { bytes: concat(header, inner.bytes), wireLen: headerLen + inner.wireLen };
}

// ---------------------------------------------------------------------------------------------
// IPv6

export const NEXT_HOP_BY_HOP = 0;
export const NEXT_ROUTING = 43;
export const NEXT_FRAGMENT = 44;
export const NEXT_AH = 51;
export const NEXT_NONE = 59;
export const NEXT_DEST_OPTS = 60;

export type Ipv6Extension =
  /** Options headers carry PadN to `length` bytes in all (a multiple of 8, default 8). */
  | { type: 'hopByHop' | 'destOpts'; length?: number }
  /** Type-0-style routing header with `addresses` 16-byte addresses. */
  | { type: 'routing'; routingType?: number; segmentsLeft?: number; addresses?: number }
  /** Offset in 8-byte units; offset 0 without `more` is an atomic fragment. */
  | { type: 'fragment'; offset?: number; more?: boolean; id?: number }
  /** Authentication header with a 12-byte ICV. */
  | { type: 'ah' };

export interface Ipv6Spec {
  src?: string;
  dst?: string;
  /** The protocol after the last extension header; default 6 (TCP). */
  nextHeader?: number;
  hopLimit?: number;
  extensions?: Ipv6Extension[];
  /** Write 0 as the payload length (jumbogram / TSO capture). */
  payloadLengthZero?: boolean;
  /** Overrides the payload-length field. */
  payloadLength?: number;
}

const EXTENSION_CODES: Record<Ipv6Extension['type'], number> = {
  hopByHop: NEXT_HOP_BY_HOP,
  routing: NEXT_ROUTING,
  fragment: NEXT_FRAGMENT,
  ah: NEXT_AH,
  destOpts: NEXT_DEST_OPTS,
};

function ipv6Extension(ext: Ipv6Extension, next: number): Uint8Array {
  const w = new ByteWriter();
  switch (ext.type) {
    case 'hopByHop':
    case 'destOpts': {
      const length = ext.length ?? 8;
      if (length % 8 !== 0 || length < 8 || length > 8 * 256) throw new Error(`bad option header length ${length}`);
      // PadN (type 1) filling everything after next-header and length.
      w.u8(next)
        .u8(length / 8 - 1)
        .u8(1)
        .u8(length - 4)
        .zeros(length - 4);
      break;
    }
    case 'routing': {
      const n = ext.addresses ?? 1;
      w.u8(next)
        .u8(2 * n)
        .u8(ext.routingType ?? 0)
        .u8(ext.segmentsLeft ?? 0)
        .u32(0);
      for (let i = 0; i < n; i++) w.bytes(ipv6Bytes(`2001:db8::${i + 100}`));
      break;
    }
    case 'fragment':
      w.u8(next)
        .u8(0)
        .u16(((ext.offset ?? 0) << 3) | (ext.more ? 1 : 0))
        .u32(ext.id ?? 0xcafe);
      break;
    case 'ah':
      // 12 fixed bytes + 12-byte ICV = 24 bytes; the length field counts 4-byte words minus 2.
      w.u8(next)
        .u8(24 / 4 - 2)
        .u16(0)
        .u32(0x100)
        .u32(1)
        .zeros(12);
      break;
  }
  return w.finish();
}

export function ipv6(inner: Frame, spec: Ipv6Spec = {}): Frame {
  const exts = spec.extensions ?? [];
  const parts: Uint8Array[] = [];
  for (let i = 0; i < exts.length; i++) {
    const following = exts[i + 1];
    parts.push(ipv6Extension(exts[i]!, following === undefined ? (spec.nextHeader ?? IPPROTO_TCP) : EXTENSION_CODES[following.type]));
  }
  const extBytes = concat(...parts);
  const first = exts[0];
  const payloadLen = extBytes.length + inner.wireLen;
  const w = new ByteWriter();
  w.u32(0x60000000).u16(spec.payloadLength ?? (spec.payloadLengthZero ? 0 : payloadLen));
  w.u8(first === undefined ? (spec.nextHeader ?? IPPROTO_TCP) : EXTENSION_CODES[first.type]).u8(spec.hopLimit ?? 64);
  w.bytes(ipv6Bytes(spec.src ?? '2001:db8::1')).bytes(ipv6Bytes(spec.dst ?? '2001:db8::2'));
  return { bytes: concat(w.finish(), extBytes, inner.bytes), wireLen: 40 + payloadLen };
}

// ---------------------------------------------------------------------------------------------
// Link layers

export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  RAW: 101,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_VLAN = 0x8100;
export const ETHERTYPE_QINQ = 0x88a8;

/** BSD address families: AF_INET 2; AF_INET6 is 24 (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS). */
export const AF_INET = 2;
export const AF_INET6_BSD = 24;
export const AF_INET6_FREEBSD = 28;
export const AF_INET6_DARWIN = 30;

/** The EtherType that fits an IP packet, from its version nibble. */
function ethertypeOf(inner: Frame): number {
  return inner.bytes.length > 0 && inner.bytes[0]! >> 4 === 6 ? ETHERTYPE_IPV6 : ETHERTYPE_IPV4;
}

function prepend(header: Uint8Array, inner: Frame): Frame {
  return { bytes: concat(header, inner.bytes), wireLen: header.length + inner.wireLen };
}

export interface VlanTag {
  tpid: number;
  vid: number;
  pcp?: number;
}

/** One 802.1Q tag. */
export function dot1q(vid: number): VlanTag[] {
  return [{ tpid: ETHERTYPE_VLAN, vid }];
}

/** 802.1ad QinQ: an S-tag (0x88a8) outside a C-tag (0x8100). */
export function qinq(outerVid: number, innerVid: number): VlanTag[] {
  return [
    { tpid: ETHERTYPE_QINQ, vid: outerVid },
    { tpid: ETHERTYPE_VLAN, vid: innerVid },
  ];
}

export interface EthernetSpec {
  tags?: VlanTag[];
  /** Default: from the IP version of the payload. */
  etherType?: number;
}

export function ethernet(inner: Frame, spec: EthernetSpec = {}): Frame {
  const w = new ByteWriter();
  w.bytes(Uint8Array.of(0x02, 0, 0, 0, 0, 0x02)).bytes(Uint8Array.of(0x02, 0, 0, 0, 0, 0x01));
  for (const tag of spec.tags ?? []) w.u16(tag.tpid).u16(((tag.pcp ?? 0) << 13) | tag.vid);
  w.u16(spec.etherType ?? ethertypeOf(inner));
  return prepend(w.finish(), inner);
}

/** LINUX_SLL (113): packet type, ARPHRD, address length, 8 address bytes, protocol. */
export function linuxSll(inner: Frame, spec: { protocol?: number; packetType?: number } = {}): Frame {
  const w = new ByteWriter();
  w.u16(spec.packetType ?? 0)
    .u16(1)
    .u16(6)
    .bytes(Uint8Array.of(0x02, 0, 0, 0, 0, 0x01, 0, 0));
  w.u16(spec.protocol ?? ethertypeOf(inner));
  return prepend(w.finish(), inner);
}

/** LINUX_SLL2 (276): protocol, reserved, ifindex, ARPHRD, packet type, address length, 8 address bytes. */
export function linuxSll2(inner: Frame, spec: { protocol?: number; ifindex?: number } = {}): Frame {
  const w = new ByteWriter();
  w.u16(spec.protocol ?? ethertypeOf(inner))
    .u16(0)
    .u32(spec.ifindex ?? 2)
    .u16(1)
    .u8(0)
    .u8(6);
  w.bytes(Uint8Array.of(0x02, 0, 0, 0, 0, 0x01, 0, 0));
  return prepend(w.finish(), inner);
}

function familyOf(inner: Frame): number {
  return ethertypeOf(inner) === ETHERTYPE_IPV6 ? AF_INET6_DARWIN : AF_INET;
}

/** BSD NULL (0): a 4-byte address family in the capturing host's byte order. */
export function nullLink(inner: Frame, spec: { littleEndian: boolean; family?: number }): Frame {
  return prepend(new ByteWriter(spec.littleEndian).u32(spec.family ?? familyOf(inner)).finish(), inner);
}

/** OpenBSD LOOP (108): the address family, always big-endian. */
export function loopLink(inner: Frame, spec: { family?: number } = {}): Frame {
  return prepend(new ByteWriter(false).u32(spec.family ?? familyOf(inner)).finish(), inner);
}

/** Wraps an IP packet in the link layer of `linktype` (RAW, IPV4 and IPV6 add nothing). */
export function withLink(linktype: number, inner: Frame): Frame {
  switch (linktype) {
    case LINKTYPE.ETHERNET:
      return ethernet(inner);
    case LINKTYPE.LINUX_SLL:
      return linuxSll(inner);
    case LINKTYPE.LINUX_SLL2:
      return linuxSll2(inner);
    case LINKTYPE.NULL:
      return nullLink(inner, { littleEndian: true });
    case LINKTYPE.LOOP:
      return loopLink(inner);
    case LINKTYPE.RAW:
    case LINKTYPE.IPV4:
    case LINKTYPE.IPV6:
      return inner;
    default:
      throw new Error(`no link-layer builder for link type ${linktype}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Classic pcap

export interface PcapRecord {
  sec: number;
  /** Microseconds, or nanoseconds in a nanosecond file. */
  frac: number;
  data: Uint8Array;
  /** Length on the wire; default data.length. */
  origLen?: number;
  /** Overrides the caplen field (the data written stays `data`). */
  caplen?: number;
}

export interface PcapOptions {
  littleEndian?: boolean;
  nanos?: boolean;
  snaplen?: number;
  linktype?: number;
  /** Bits 16..31 of the link-type field (FCS length and flags): must be masked by readers. */
  linktypeHighBits?: number;
  versionMajor?: number;
  versionMinor?: number;
}

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;

/** A record for `frame` at sec + frac (µs or ns, as the file says). */
export function record(frame: Frame, sec: number, frac: number): PcapRecord {
  return { sec, frac, data: frame.bytes, origLen: frame.wireLen };
}

export function pcapHeader(opts: PcapOptions = {}): Uint8Array {
  const w = new ByteWriter(opts.littleEndian ?? true);
  w.u32(opts.nanos ? PCAP_MAGIC_NS : PCAP_MAGIC_US);
  w.u16(opts.versionMajor ?? 2).u16(opts.versionMinor ?? 4);
  w.i32(0).u32(0); // thiszone, sigfigs
  w.u32(opts.snaplen ?? 262144);
  w.u32((((opts.linktypeHighBits ?? 0) << 16) | (opts.linktype ?? LINKTYPE.ETHERNET)) >>> 0);
  return w.finish();
}

export function pcapRecord(r: PcapRecord, littleEndian = true): Uint8Array {
  const w = new ByteWriter(littleEndian);
  w.u32(r.sec)
    .u32(r.frac)
    .u32(r.caplen ?? r.data.length)
    .u32(r.origLen ?? r.data.length)
    .bytes(r.data);
  return w.finish();
}

export function pcapFile(records: readonly PcapRecord[], opts: PcapOptions = {}): Uint8Array {
  return concatAll([pcapHeader(opts), ...records.map((r) => pcapRecord(r, opts.littleEndian ?? true))]);
}

// ---------------------------------------------------------------------------------------------
// pcapng

export const BLOCK = {
  SHB: 0x0a0d0d0a,
  IDB: 1,
  PB: 2,
  SPB: 3,
  NRB: 4,
  ISB: 5,
  EPB: 6,
  DSB: 0x0a,
  CUSTOM: 0x0bad,
  CUSTOM_NOCOPY: 0x40000bad,
} as const;

export const OPT_ENDOFOPT = 0;
export const OPT_COMMENT = 1;
export const IF_NAME = 2;
export const IF_TSRESOL = 9;
export const IF_TSOFFSET = 14;

export interface NgOption {
  code: number;
  value: Uint8Array;
  /** Overrides the length field (the value written stays `value`). */
  length?: number;
}

export type NgBlock =
  /** Section header: its byte order holds for every block until the next one. */
  | { kind: 'shb'; littleEndian?: boolean; major?: number; minor?: number; sectionLength?: bigint; options?: NgOption[] }
  /** Interface: tsresol is the raw if_tsresol byte (bit 7 set = 2^-n); tsoffset in seconds. */
  | { kind: 'idb'; linktype: number; snaplen?: number; tsresol?: number; tsoffset?: bigint; options?: NgOption[] }
  /** Enhanced packet: timestamp as a count of the interface's units. */
  | { kind: 'epb'; interfaceId: number; timestamp: bigint; data: Uint8Array; origLen?: number; caplen?: number; options?: NgOption[] }
  | { kind: 'spb'; data: Uint8Array; origLen?: number }
  /** Obsolete packet block (type 2). */
  | { kind: 'pb'; interfaceId: number; timestamp: bigint; data: Uint8Array; origLen?: number; drops?: number }
  | { kind: 'nrb' }
  | { kind: 'isb'; interfaceId: number; timestamp: bigint }
  | { kind: 'dsb'; secrets: Uint8Array }
  | { kind: 'custom'; copyable: boolean; data: Uint8Array }
  /** Any block type with any body; lengths overridable to build malformed blocks. */
  | { kind: 'raw'; type: number; body: Uint8Array; totalLength?: number; trailerLength?: number };

/** Options list in a section's byte order, each value padded to 4, ended by opt_endofopt. */
export function ngOptions(options: readonly NgOption[], littleEndian: boolean): Uint8Array {
  if (options.length === 0) return new Uint8Array(0);
  const w = new ByteWriter(littleEndian);
  for (const o of options)
    w.u16(o.code)
      .u16(o.length ?? o.value.length)
      .bytes(o.value)
      .pad(4);
  w.u16(OPT_ENDOFOPT).u16(0);
  return w.finish();
}

/** One block: type, total length, body padded to 4, total length again. */
export function ngBlock(type: number, body: Uint8Array, littleEndian: boolean, overrides: { totalLength?: number; trailerLength?: number } = {}): Uint8Array {
  const w = new ByteWriter(littleEndian);
  w.u32(type).u32(0).bytes(body).pad(4).u32(0);
  const length = w.length;
  w.setU32(4, overrides.totalLength ?? length).setU32(length - 4, overrides.trailerLength ?? overrides.totalLength ?? length);
  return w.finish();
}

function u64Option(code: number, v: bigint, le: boolean): NgOption {
  return { code, value: new ByteWriter(le).u64(v).finish() };
}

function blockBytes(b: NgBlock, le: boolean): Uint8Array {
  const w = new ByteWriter(le);
  switch (b.kind) {
    case 'shb':
      w.u32(0x1a2b3c4d)
        .u16(b.major ?? 1)
        .u16(b.minor ?? 0)
        .u64(b.sectionLength ?? -1n);
      w.bytes(ngOptions(b.options ?? [], le));
      return ngBlock(BLOCK.SHB, w.finish(), le);
    case 'idb': {
      const options = [...(b.options ?? [])];
      if (b.tsresol !== undefined) options.push({ code: IF_TSRESOL, value: Uint8Array.of(b.tsresol) });
      if (b.tsoffset !== undefined) options.push(u64Option(IF_TSOFFSET, b.tsoffset, le));
      w.u16(b.linktype)
        .u16(0)
        .u32(b.snaplen ?? 262144)
        .bytes(ngOptions(options, le));
      return ngBlock(BLOCK.IDB, w.finish(), le);
    }
    case 'epb':
      w.u32(b.interfaceId)
        .u32(Number(b.timestamp >> 32n))
        .u32(Number(b.timestamp & 0xffffffffn));
      w.u32(b.caplen ?? b.data.length)
        .u32(b.origLen ?? b.data.length)
        .bytes(b.data)
        .pad(4);
      w.bytes(ngOptions(b.options ?? [], le));
      return ngBlock(BLOCK.EPB, w.finish(), le);
    case 'spb':
      w.u32(b.origLen ?? b.data.length).bytes(b.data);
      return ngBlock(BLOCK.SPB, w.finish(), le);
    case 'pb':
      w.u16(b.interfaceId)
        .u16(b.drops ?? 0)
        .u32(Number(b.timestamp >> 32n))
        .u32(Number(b.timestamp & 0xffffffffn));
      w.u32(b.data.length)
        .u32(b.origLen ?? b.data.length)
        .bytes(b.data);
      return ngBlock(BLOCK.PB, w.finish(), le);
    case 'nrb':
      // One IPv4 record (type 1): address + "host.example\0", then nrb_record_end.
      w.u16(1)
        .u16(4 + 13)
        .bytes(ipv4Bytes('10.0.0.2'))
        .bytes(new TextEncoder().encode('host.example\0'))
        .pad(4);
      w.u16(0).u16(0);
      return ngBlock(BLOCK.NRB, w.finish(), le);
    case 'isb':
      w.u32(b.interfaceId)
        .u32(Number(b.timestamp >> 32n))
        .u32(Number(b.timestamp & 0xffffffffn));
      w.bytes(ngOptions([u64Option(4, 1000n, le)], le)); // isb_ifrecv
      return ngBlock(BLOCK.ISB, w.finish(), le);
    case 'dsb':
      w.u32(0x544c534b).u32(b.secrets.length).bytes(b.secrets); // TLS key log
      return ngBlock(BLOCK.DSB, w.finish(), le);
    case 'custom':
      w.u32(32473).bytes(b.data); // the PEN reserved for examples
      return ngBlock(b.copyable ? BLOCK.CUSTOM : BLOCK.CUSTOM_NOCOPY, w.finish(), le);
    case 'raw':
      return ngBlock(b.type, b.body, le, b);
  }
}

/** A pcapng file: the first block should be an SHB; each SHB sets the byte order after it. */
export function pcapngFile(blocks: readonly NgBlock[]): Uint8Array {
  let le = true;
  return concat(
    ...blocks.map((b) => {
      if (b.kind === 'shb') le = b.littleEndian ?? true;
      return blockBytes(b, le);
    }),
  );
}

/** An EPB for `frame` on interface `interfaceId` at `timestamp` units. */
export function epb(frame: Frame, interfaceId: number, timestamp: bigint): NgBlock {
  return { kind: 'epb', interfaceId, timestamp, data: frame.bytes, origLen: frame.wireLen };
}

/** if_tsresol byte for 2^-n s (a plain n means 10^-n s). */
export function tsresolBinary(n: number): number {
  return 0x80 | n;
}

// ---------------------------------------------------------------------------------------------
// A ready-made conversation, for tests that need "some realistic packets"

export interface Endpoints {
  client: string;
  server: string;
  clientPort: number;
  serverPort: number;
}

/**
 * A small TCP exchange (handshake with options, request, response, ACK, FIN) as IP packets,
 * IPv4 or IPv6 by the address syntax. Timestamps are left to the caller.
 */
export function conversation(e: Endpoints = { client: '10.0.0.1', server: '10.0.0.2', clientPort: 40000, serverPort: 80 }): Frame[] {
  const v6 = e.client.includes(':');
  const ip = (frame: Frame, fromClient: boolean): Frame => {
    const spec = fromClient ? { src: e.client, dst: e.server } : { src: e.server, dst: e.client };
    return v6 ? ipv6(frame, spec) : ipv4(frame, spec);
  };
  type Segment = Omit<TcpSpec, 'srcPort' | 'dstPort'>;
  const c = (seg: Segment): Frame => ip(tcp({ srcPort: e.clientPort, dstPort: e.serverPort, ...seg }), true);
  const s = (seg: Segment): Frame => ip(tcp({ srcPort: e.serverPort, dstPort: e.clientPort, ...seg }), false);
  return [
    c({ seq: 1000, flags: SYN, options: { mss: 1460, sackPermitted: true, timestamp: [100, 0], windowScale: 7 } }),
    s({ seq: 5000, ack: 1001, flags: SYN | ACK, options: { mss: 1400, sackPermitted: true, timestamp: [900, 100], windowScale: 8 } }),
    c({ seq: 1001, ack: 5001, options: { timestamp: [101, 900] } }),
    c({ seq: 1001, ack: 5001, flags: PSH | ACK, payloadLen: 120, options: { timestamp: [102, 900] } }),
    s({ seq: 5001, ack: 1121, options: { timestamp: [901, 102] } }),
    s({ seq: 5001, ack: 1121, flags: PSH | ACK, payloadLen: 1000, options: { timestamp: [905, 102] } }),
    c({ seq: 1121, ack: 6001, options: { timestamp: [110, 905], sack: [[7000, 8000]] } }),
    c({ seq: 1121, ack: 6001, flags: FIN | ACK }),
    s({ seq: 6001, ack: 1122, flags: FIN | ACK }),
    c({ seq: 1122, ack: 6002 }),
  ];
}
