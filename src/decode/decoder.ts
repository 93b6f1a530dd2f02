/**
 * Captured packet → PacketView: link layer, then IPv4 or IPv6, then TCP. Never throws; every
 * packet that does not yield a TCP segment is counted by reason in DecodeCounters.
 */
import type { CapturedPacket } from '../capture/captured-packet.js';
import { DecodeCounters } from './decode-counters.js';
import { decodeIpv4 } from './ipv4.js';
import { decodeIpv6 } from './ipv6.js';
import { ipOffset, isSupportedLinktype } from './link.js';
import { PacketView } from './packet-view.js';
import { decodeTcp } from './tcp.js';

export class PacketDecoder {
  readonly view = new PacketView();
  readonly counters = new DecodeCounters();
  /** Called once for each link type rttscan cannot decode, the first time it is seen. */
  onUnsupportedLinktype: ((linktype: number) => void) | undefined;

  /** Decodes `pkt` into `this.view`; true when it is a TCP segment. */
  decode(pkt: CapturedPacket): boolean {
    const counters = this.counters;
    counters.packets++;
    const bytes = pkt.bytes;
    const dv = pkt.view;
    const end = pkt.dataOffset + pkt.caplen;
    const ip = ipOffset(pkt.linktype, dv, pkt.dataOffset, pkt.caplen, counters);
    if (ip < 0) {
      if (!isSupportedLinktype(pkt.linktype)) this.countUnsupported(pkt.linktype);
      return false;
    }
    if (ip >= end) {
      counters.truncatedHeaders++;
      return false;
    }
    const view = this.view;
    const version = bytes[ip]! >> 4;
    let tcp: number;
    if (version === 4) tcp = decodeIpv4(dv, ip, end, view, counters);
    else if (version === 6) tcp = decodeIpv6(dv, ip, end, view, counters);
    else {
      counters.nonIp++;
      return false;
    }
    if (tcp < 0 || !decodeTcp(dv, tcp, end, view, counters)) return false;
    // Only when it changed, once a chunk (see CapturedPacket.setBuffer).
    if (view.bytes !== bytes) view.bytes = bytes;
    view.tsSec = pkt.tsSec;
    view.tsNsec = pkt.tsNsec;
    counters.tcpPackets++;
    return true;
  }

  private countUnsupported(linktype: number): void {
    const seen = this.counters.unsupportedLinktypes.get(linktype);
    this.counters.unsupportedLinktypes.set(linktype, (seen ?? 0) + 1);
    if (seen === undefined) this.onUnsupportedLinktype?.(linktype);
  }
}
