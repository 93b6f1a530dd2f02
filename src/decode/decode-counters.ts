/** Why packets were not decoded into a TCP PacketView, one counter per reason. */
export class DecodeCounters {
  packets = 0;
  tcpPackets = 0;
  /** Link layer carried something other than IPv4/IPv6 (ARP, LLDP, ...). */
  nonIp = 0;
  /** IP carried something other than TCP (UDP, ICMP, ...). */
  nonTcp = 0;
  ipv4Fragments = 0;
  ipv6Fragments = 0;
  /** Capture ended before the link, IP or TCP header did (snaplen too small). */
  truncatedHeaders = 0;
  malformedIpv4 = 0;
  malformedIpv6 = 0;
  malformedTcp = 0;
  /** TCP options that ran past the header; the packet is kept, the rest of its options not. */
  badTcpOptions = 0;
  /** Packets on link types rttscan does not decode, by link type number. */
  readonly unsupportedLinktypes = new Map<number, number>();

  /** Plain object in a fixed key order, for JSON. */
  toJSON(): Record<string, number | Record<string, number>> {
    const unsupported: Record<string, number> = {};
    for (const [linktype, count] of [...this.unsupportedLinktypes].sort((a, b) => a[0] - b[0])) {
      unsupported[String(linktype)] = count;
    }
    return {
      packets: this.packets,
      tcp_packets: this.tcpPackets,
      non_ip: this.nonIp,
      non_tcp: this.nonTcp,
      ipv4_fragments: this.ipv4Fragments,
      ipv6_fragments: this.ipv6Fragments,
      truncated_headers: this.truncatedHeaders,
      malformed_ipv4: this.malformedIpv4,
      malformed_ipv6: this.malformedIpv6,
      malformed_tcp: this.malformedTcp,
      bad_tcp_options: this.badTcpOptions,
      unsupported_linktypes: unsupported,
    };
  }
}
