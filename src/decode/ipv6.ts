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

function readWord(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

/**
 * IPv6 header at bytes[at, end), walking extension headers to TCP. Same contract as decodeIpv4.
 */
export function decodeIpv6(bytes: Uint8Array, at: number, end: number, view: PacketView, counters: DecodeCounters): number {
  if (at + 40 > end) {
    counters.truncatedHeaders++;
    return -1;
  }
  let payloadLen = (bytes[at + 4]! << 8) | bytes[at + 5]!;
  // 0 means a jumbogram or a TSO capture: the payload is what was captured.
  if (payloadLen === 0) payloadLen = end - at - 40;
  let next = bytes[at + 6]!;
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
        extLen = (bytes[pos + 1]! + 1) * 8;
        break;
      case NEXT_AH:
        if (pos + 2 > end) {
          counters.truncatedHeaders++;
          return -1;
        }
        extLen = (bytes[pos + 1]! + 2) * 4;
        break;
      case NEXT_FRAGMENT: {
        if (pos + 8 > end) {
          counters.truncatedHeaders++;
          return -1;
        }
        // An atomic fragment (offset 0, no more fragments) is a whole packet.
        const offsetAndMore = ((bytes[pos + 2]! << 8) | bytes[pos + 3]!) & 0xfff9;
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
    next = bytes[pos]!;
    pos += extLen;
    if (pos > payloadEnd) {
      counters.malformedIpv6++;
      return -1;
    }
  }
  view.ipVersion = 6;
  const src = view.src;
  const dst = view.dst;
  src[0] = readWord(bytes, at + 8);
  src[1] = readWord(bytes, at + 12);
  src[2] = readWord(bytes, at + 16);
  src[3] = readWord(bytes, at + 20);
  dst[0] = readWord(bytes, at + 24);
  dst[1] = readWord(bytes, at + 28);
  dst[2] = readWord(bytes, at + 32);
  dst[3] = readWord(bytes, at + 36);
  view.payloadLen = payloadEnd - pos;
  return pos;
}
