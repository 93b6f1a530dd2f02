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
/** NOP, NOP, kind 8 (timestamps), length 10: the usual 12 bytes of options, as one u32. */
const NOP_NOP_TS = 0x0101080a;

/**
 * TCP header at [at, end) of the packet's buffer. On entry `view.payloadLen` holds the IP
 * payload length; on success it holds the TCP payload length, and `payloadOffset` and
 * `capturedPayloadLen` say where the payload is (the caller sets `view.bytes`). Returns false after counting why the packet is not
 * usable. Options that run past the header are counted and the rest of them ignored: the
 * segment itself is still good.
 */
export function decodeTcp(dv: DataView, at: number, end: number, view: PacketView, counters: DecodeCounters): boolean {
  if (at + 20 > end) {
    counters.truncatedHeaders++;
    return false;
  }
  const headerLen = (dv.getUint8(at + 12) >> 4) * 4;
  if (headerLen < 20 || headerLen > view.payloadLen) {
    counters.malformedTcp++;
    return false;
  }
  if (at + headerLen > end) {
    counters.truncatedHeaders++;
    return false;
  }
  view.srcPort = dv.getUint16(at);
  view.dstPort = dv.getUint16(at + 2);
  view.seq = dv.getUint32(at + 4);
  view.ack = dv.getUint32(at + 8);
  view.flags = dv.getUint8(at + 13);
  view.window = dv.getUint16(at + 14);
  const payloadLen = view.payloadLen - headerLen;
  const payloadOffset = at + headerLen;
  // at + headerLen <= end (checked above), so what was captured is never negative.
  const captured = end - payloadOffset;
  view.payloadLen = payloadLen;
  view.payloadOffset = payloadOffset;
  view.capturedPayloadLen = captured < payloadLen ? captured : payloadLen;
  view.mss = -1;
  view.windowScale = -1;
  view.sackPermitted = false;
  view.sackBlocks = 0;
  view.hasTimestamp = false;
  if (headerLen === 32 && dv.getUint32(at + 20) === NOP_NOP_TS) {
    // NOP NOP TS: what nearly every segment after the handshake carries (bench/run.ts: 6%).
    view.hasTimestamp = true;
    view.tsVal = dv.getUint32(at + 24);
    view.tsEcr = dv.getUint32(at + 28);
  } else if (headerLen > 20 && !decodeOptions(dv, at + 20, at + headerLen, view)) {
    counters.badTcpOptions++;
  }
  return true;
}

/** Returns false when an option's length is impossible or runs past the header. */
function decodeOptions(dv: DataView, at: number, end: number, view: PacketView): boolean {
  let pos = at;
  while (pos < end) {
    const kind = dv.getUint8(pos);
    if (kind === OPT_END) return true;
    if (kind === OPT_NOP) {
      pos++;
      continue;
    }
    if (pos + 2 > end) return false;
    const len = dv.getUint8(pos + 1);
    if (len < 2 || pos + len > end) return false;
    switch (kind) {
      case OPT_MSS:
        if (len === 4) view.mss = dv.getUint16(pos + 2);
        break;
      case OPT_WSCALE:
        if (len === 3) view.windowScale = dv.getUint8(pos + 2);
        break;
      case OPT_SACK_PERMITTED:
        view.sackPermitted = true;
        break;
      case OPT_SACK: {
        const blocks = Math.min((len - 2) >> 3, MAX_SACK_BLOCKS);
        for (let i = 0; i < blocks; i++) {
          view.sack[2 * i] = dv.getUint32(pos + 2 + 8 * i);
          view.sack[2 * i + 1] = dv.getUint32(pos + 6 + 8 * i);
        }
        view.sackBlocks = blocks;
        break;
      }
      case OPT_TIMESTAMP:
        if (len === 10) {
          view.hasTimestamp = true;
          view.tsVal = dv.getUint32(pos + 2);
          view.tsEcr = dv.getUint32(pos + 6);
        }
        break;
      default:
        break;
    }
    pos += len;
  }
  return true;
}
