/**
 * The optional libpcap binding, npm `pcap` (node_pcap): loaded with import() only in live mode,
 * so offline use never needs it. Typed here with just what rttscan uses.
 *
 * Why `pcap` and not `cap`: `cap` hands out packet bytes without the capture timestamp (RTTs
 * would be timed by when JavaScript got to each packet, not by the kernel), always opens the
 * interface promiscuous with a fixed snaplen, and has no pcap_stats (kernel drops). `pcap`
 * gives the pcap_pkthdr (kernel time in µs, caplen, wire length), snaplen, promiscuous on or
 * off, immediate mode and pcap_stats.
 */

export interface PcapDevice {
  name: string;
  description?: string;
  addresses: Array<{ addr?: string; netmask?: string }>;
  flags?: string;
}

export interface PcapStats {
  ps_recv: number;
  ps_drop: number;
  ps_ifdrop: number;
}

/** A live session: `buf` holds the current packet, `header` its pcap record header. */
export interface PcapSession {
  /** 'LINKTYPE_ETHERNET', 'LINKTYPE_LINUX_SLL', ... or 'Unknown linktype N' (N a DLT_ value). */
  link_type: string;
  buf: Buffer;
  /** tv_sec, tv_usec, caplen, len: four u32 in host byte order, as in a pcap record header. */
  header: Buffer;
  on(event: 'packet', listener: () => void): void;
  stats(): PcapStats;
  close(): void;
}

export interface PcapSessionOptions {
  filter: string;
  buffer_size: number;
  snap_length: number;
  /** 0 asks for libpcap's immediate mode: each packet as soon as it is captured. */
  buffer_timeout: number;
  promiscuous: boolean;
}

export interface PcapBinding {
  createSession(device: string, options: PcapSessionOptions): PcapSession;
  findalldevs(): PcapDevice[];
  lib_version: string;
  /** Called with libpcap's non-fatal complaints (e.g. an interface without an IPv4 address). */
  warningHandler: (message: string) => void;
}

export type LoadedLibpcap = { binding: PcapBinding } | { error: string };

let loaded: Promise<LoadedLibpcap> | undefined;

/** The binding, or why it is not available (not installed, or its native part did not build). */
export function loadLibpcap(): Promise<LoadedLibpcap> {
  loaded ??= (async () => {
    // A specifier in a variable: TypeScript must not require the optional package's types.
    const specifier = 'pcap';
    try {
      const mod = (await import(specifier)) as { default?: PcapBinding } & PcapBinding;
      return { binding: mod.default ?? mod };
    } catch (err) {
      return { error: (err as Error).message.split('\n')[0]! };
    }
  })();
  return loaded;
}

/** libpcap's DLT_ values whose LINKTYPE_ value (what a pcap file header carries) differs. */
const DLT_TO_LINKTYPE: Record<number, number> = { 12: 101, 14: 101 };

/** The pcap-file link type of a session, from the binding's name for it. */
export function sessionLinktype(name: string): number | undefined {
  const known: Record<string, number> = {
    LINKTYPE_NULL: 0,
    LINKTYPE_ETHERNET: 1,
    LINKTYPE_RAW: 101,
    LINKTYPE_LINUX_SLL: 113,
    LINKTYPE_IEEE802_11_RADIO: 127,
  };
  if (name in known) return known[name];
  const m = /^Unknown linktype (\d+)$/.exec(name);
  if (!m) return undefined;
  const dlt = Number(m[1]);
  return DLT_TO_LINKTYPE[dlt] ?? dlt;
}
