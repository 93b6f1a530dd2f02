/**
 * Link layers: find where the IP header starts. Each decoder returns the offset of an IPv4 or
 * IPv6 header within `bytes`, or -1 after counting why there is none.
 */
import type { DecodeCounters } from './decode-counters.js';

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

const LINKTYPE_NAMES: Record<number, string> = {
  [LINKTYPE_NULL]: 'NULL',
  [LINKTYPE_ETHERNET]: 'EN10MB',
  [LINKTYPE_RAW]: 'RAW',
  [LINKTYPE_LOOP]: 'LOOP',
  [LINKTYPE_LINUX_SLL]: 'LINUX_SLL',
  [LINKTYPE_IPV4]: 'IPV4',
  [LINKTYPE_IPV6]: 'IPV6',
  [LINKTYPE_LINUX_SLL2]: 'LINUX_SLL2',
  105: 'IEEE802_11',
  127: 'IEEE802_11_RADIOTAP',
  147: 'USER0',
  195: 'IEEE802_15_4',
  220: 'USB_LINUX_MMAPPED',
};

/** tcpdump's name for a link type, or `LINKTYPE_<n>` for ones we do not know. */
export function linktypeName(linktype: number): string {
  return LINKTYPE_NAMES[linktype] ?? `LINKTYPE_${linktype}`;
}

export function isSupportedLinktype(linktype: number): boolean {
  switch (linktype) {
    case LINKTYPE_NULL:
    case LINKTYPE_ETHERNET:
    case LINKTYPE_RAW:
    case LINKTYPE_LOOP:
    case LINKTYPE_LINUX_SLL:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
    case LINKTYPE_LINUX_SLL2:
      return true;
    default:
      return false;
  }
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;
const ETHERTYPE_QINQ_OLD = 0x9100;

/** BSD address families that mean IPv6 (NetBSD/OpenBSD 24, FreeBSD 28, macOS 30). */
function isAfInet6(family: number): boolean {
  return family === 24 || family === 28 || family === 30;
}
const AF_INET = 2;

/** Offset of the IP header after an EtherType at `typeAt`, or -1 when it is not IP. */
function ipAfterEthertype(dv: DataView, typeAt: number, end: number, counters: DecodeCounters): number {
  let at = typeAt;
  for (;;) {
    if (at + 2 > end) {
      counters.truncatedHeaders++;
      return -1;
    }
    const type = dv.getUint16(at);
    if (type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6) return at + 2;
    if (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD) {
      at += 4; // 2-byte TCI, then the inner EtherType
      continue;
    }
    counters.nonIp++;
    return -1;
  }
}

/** SLL2 puts the protocol first and has no VLAN tags to walk. */
function ipAfterSll2(dv: DataView, offset: number, end: number, counters: DecodeCounters): number {
  if (offset + 20 > end) {
    counters.truncatedHeaders++;
    return -1;
  }
  const protocol = dv.getUint16(offset);
  if (protocol === ETHERTYPE_IPV4 || protocol === ETHERTYPE_IPV6) return offset + 20;
  counters.nonIp++;
  return -1;
}

/** NULL and LOOP: a 4-byte address family, then IP. */
function ipAfterFamily(linktype: number, dv: DataView, offset: number, end: number, counters: DecodeCounters): number {
  if (offset + 4 > end) {
    counters.truncatedHeaders++;
    return -1;
  }
  let family: number;
  if (linktype === LINKTYPE_LOOP) {
    family = dv.getUint32(offset);
  } else {
    // Written in the capturing host's byte order: a family is small, so whichever reading
    // fits in 16 bits is the right one.
    const le = dv.getUint32(offset, true);
    family = le <= 0xffff ? le : dv.getUint32(offset);
  }
  if (family === AF_INET || isAfInet6(family)) return offset + 4;
  counters.nonIp++;
  return -1;
}

/**
 * Offset of the IP header for a packet at [offset, offset + caplen) of the packet's buffer on
 * `linktype`, or -1. Unsupported link types are counted by the caller, which knows them before
 * decoding. Kept small (each link layer in a function of its own) so that V8 inlines it, and
 * the IP and TCP decoders after it, into the decoder's loop.
 */
export function ipOffset(linktype: number, dv: DataView, offset: number, caplen: number, counters: DecodeCounters): number {
  const end = offset + caplen;
  switch (linktype) {
    case LINKTYPE_ETHERNET:
      return ipAfterEthertype(dv, offset + 12, end, counters);
    case LINKTYPE_LINUX_SLL:
      return ipAfterEthertype(dv, offset + 14, end, counters);
    case LINKTYPE_LINUX_SLL2:
      return ipAfterSll2(dv, offset, end, counters);
    case LINKTYPE_RAW:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      return offset;
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP:
      return ipAfterFamily(linktype, dv, offset, end, counters);
    default:
      return -1;
  }
}
