import type { DecodeCounters } from './decode-counters.js';
import type { PacketView } from './packet-view.js';

const IPPROTO_TCP = 6;

/**
 * IPv4 header at [at, end) of the packet's buffer: fills addresses and, in `view.payloadLen`, the length of what
 * the IP header says follows it (the TCP decoder takes its own header off). Returns the offset
 * of the TCP header, or -1 after counting why not.
 */
export function decodeIpv4(dv: DataView, at: number, end: number, view: PacketView, counters: DecodeCounters): number {
  if (at + 20 > end) {
    counters.truncatedHeaders++;
    return -1;
  }
  const headerLen = (dv.getUint8(at) & 0x0f) * 4;
  if (headerLen < 20) {
    counters.malformedIpv4++;
    return -1;
  }
  if (at + headerLen > end) {
    counters.truncatedHeaders++;
    return -1;
  }
  let totalLen = dv.getUint16(at + 2);
  // TSO/GSO captures carry 0 here: the packet is as long as what was captured.
  if (totalLen === 0) totalLen = end - at;
  if (totalLen < headerLen) {
    counters.malformedIpv4++;
    return -1;
  }
  const fragment = dv.getUint16(at + 6) & 0x3fff; // MF flag + offset
  if (fragment !== 0) {
    counters.ipv4Fragments++;
    return -1;
  }
  if (dv.getUint8(at + 9) !== IPPROTO_TCP) {
    counters.nonTcp++;
    return -1;
  }
  const src = view.src;
  const dst = view.dst;
  if (view.ipVersion !== 4) {
    // Words 1..3 are 0 for IPv4: clear them only after an IPv6 packet wrote them.
    src.fill(0, 1);
    dst.fill(0, 1);
    view.ipVersion = 4;
  }
  src[0] = dv.getUint32(at + 12);
  dst[0] = dv.getUint32(at + 16);
  view.payloadLen = totalLen - headerLen;
  return at + headerLen;
}
