import type { DecodeCounters } from './decode-counters.js';
import type { PacketView } from './packet-view.js';
import { MAX_SACK_BLOCKS } from './packet-view.js';

const OPT_END = 0;
const OPT_NOP = 1;
const OPT_MSS = 2;
const OPT_WSCALE = 3;
const OPT_SACK_PERMITTED = 4;
const OPT_SACK = 5;
const OPT_TIMESTAMP = 8;

function readU32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

/**
 * TCP header at bytes[at, end). On entry `view.payloadLen` holds the IP payload length; on
 * success it holds the TCP payload length. Returns false after counting why the packet is not
 * usable. Options that run past the header are counted and the rest of them ignored: the
 * segment itself is still good.
 */
export function decodeTcp(bytes: Uint8Array, at: number, end: number, view: PacketView, counters: DecodeCounters): boolean {
  if (at + 20 > end) {
    counters.truncatedHeaders++;
    return false;
  }
  const headerLen = (bytes[at + 12]! >> 4) * 4;
  if (headerLen < 20 || headerLen > view.payloadLen) {
    counters.malformedTcp++;
    return false;
  }
  if (at + headerLen > end) {
    counters.truncatedHeaders++;
    return false;
  }
  view.srcPort = (bytes[at]! << 8) | bytes[at + 1]!;
  view.dstPort = (bytes[at + 2]! << 8) | bytes[at + 3]!;
  view.seq = readU32(bytes, at + 4);
  view.ack = readU32(bytes, at + 8);
  view.flags = bytes[at + 13]!;
  view.window = (bytes[at + 14]! << 8) | bytes[at + 15]!;
  view.payloadLen -= headerLen;
  view.bytes = bytes;
  view.payloadOffset = at + headerLen;
  view.capturedPayloadLen = Math.max(0, Math.min(view.payloadLen, end - view.payloadOffset));
  view.mss = -1;
  view.windowScale = -1;
  view.sackPermitted = false;
  view.sackBlocks = 0;
  view.hasTimestamp = false;
  if (headerLen === 32 && bytes[at + 20] === OPT_NOP && bytes[at + 21] === OPT_NOP && bytes[at + 22] === OPT_TIMESTAMP && bytes[at + 23] === 10) {
    // NOP NOP TS: what nearly every segment after the handshake carries (bench/run.ts: 6%).
    view.hasTimestamp = true;
    view.tsVal = readU32(bytes, at + 24);
    view.tsEcr = readU32(bytes, at + 28);
  } else if (headerLen > 20 && !decodeOptions(bytes, at + 20, at + headerLen, view)) {
    counters.badTcpOptions++;
  }
  return true;
}

/** Returns false when an option's length is impossible or runs past the header. */
function decodeOptions(bytes: Uint8Array, at: number, end: number, view: PacketView): boolean {
  let pos = at;
  while (pos < end) {
    const kind = bytes[pos]!;
    if (kind === OPT_END) return true;
    if (kind === OPT_NOP) {
      pos++;
      continue;
    }
    if (pos + 2 > end) return false;
    const len = bytes[pos + 1]!;
    if (len < 2 || pos + len > end) return false;
    switch (kind) {
      case OPT_MSS:
        if (len === 4) view.mss = (bytes[pos + 2]! << 8) | bytes[pos + 3]!;
        break;
      case OPT_WSCALE:
        if (len === 3) view.windowScale = bytes[pos + 2]!;
        break;
      case OPT_SACK_PERMITTED:
        view.sackPermitted = true;
        break;
      case OPT_SACK: {
        const blocks = Math.min((len - 2) >> 3, MAX_SACK_BLOCKS);
        for (let i = 0; i < blocks; i++) {
          view.sack[2 * i] = readU32(bytes, pos + 2 + 8 * i);
          view.sack[2 * i + 1] = readU32(bytes, pos + 6 + 8 * i);
        }
        view.sackBlocks = blocks;
        break;
      }
      case OPT_TIMESTAMP:
        if (len === 10) {
          view.hasTimestamp = true;
          view.tsVal = readU32(bytes, pos + 2);
          view.tsEcr = readU32(bytes, pos + 6);
        }
        break;
      default:
        break;
    }
    pos += len;
  }
  return true;
}
