import type { DecodeCounters } from './decode-counters.js';
import type { PacketView } from './packet-view.js';

const NEXT_HOP_BY_HOP = 0;
const NEXT_TCP = 6;
const NEXT_ROUTING = 43;
const NEXT_FRAGMENT = 44;
const NEXT_AH = 51;
const NEXT_NONE = 59;
const NEXT_DEST_OPTS = 60;
const NEXT_MOBILITY = 135;
const NEXT_HIP = 139;
const NEXT_SHIM6 = 140;
const NEXT_EXPERIMENT_1 = 253;
const NEXT_EXPERIMENT_2 = 254;

/**
 * IPv6 header at [at, end) of the packet's buffer, walking extension headers to TCP. Same contract as decodeIpv4.
 */
export function decodeIpv6(dv: DataView, at: number, end: number, view: PacketView, counters: DecodeCounters): number {
  if (at + 40 > end) {
    counters.truncatedHeaders++;
    return -1;
  }
  let payloadLen = dv.getUint16(at + 4);
  // 0 means a jumbogram or a TSO capture: the payload is what was captured.
  if (payloadLen === 0) payloadLen = end - at - 40;
  let next = dv.getUint8(at + 6);
  let pos = at + 40;
  const payloadEnd = at + 40 + payloadLen;
  for (;;) {
    if (next === NEXT_TCP) break;
    let extLen: number;
    switch (next) {
      case NEXT_HOP_BY_HOP:
      case NEXT_ROUTING:
      case NEXT_DEST_OPTS:
      case NEXT_MOBILITY:
      case NEXT_HIP:
      case NEXT_SHIM6:
      case NEXT_EXPERIMENT_1:
      case NEXT_EXPERIMENT_2:
        if (pos + 2 > end) {
          counters.truncatedHeaders++;
          return -1;
        }
        extLen = (dv.getUint8(pos + 1) + 1) * 8;
        break;
      case NEXT_AH:
        if (pos + 2 > end) {
          counters.truncatedHeaders++;
          return -1;
        }
        extLen = (dv.getUint8(pos + 1) + 2) * 4;
        break;
      case NEXT_FRAGMENT: {
        if (pos + 8 > end) {
          counters.truncatedHeaders++;
          return -1;
        }
        // An atomic fragment (offset 0, no more fragments) is a whole packet.
        const offsetAndMore = dv.getUint16(pos + 2) & 0xfff9;
        if (offsetAndMore !== 0) {
          counters.ipv6Fragments++;
          return -1;
        }
        extLen = 8;
        break;
      }
      case NEXT_NONE:
      default:
        counters.nonTcp++;
        return -1;
    }
    next = dv.getUint8(pos);
    pos += extLen;
    if (pos > payloadEnd) {
      counters.malformedIpv6++;
      return -1;
    }
  }
  view.ipVersion = 6;
  const src = view.src;
  const dst = view.dst;
  src[0] = dv.getUint32(at + 8);
  src[1] = dv.getUint32(at + 12);
  src[2] = dv.getUint32(at + 16);
  src[3] = dv.getUint32(at + 20);
  dst[0] = dv.getUint32(at + 24);
  dst[1] = dv.getUint32(at + 28);
  dst[2] = dv.getUint32(at + 32);
  dst[3] = dv.getUint32(at + 36);
  view.payloadLen = payloadEnd - pos;
  return pos;
}
