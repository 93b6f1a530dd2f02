/**
 * The decoded facts of one TCP packet. A single instance is reused for every packet (the
 * decoders overwrite it in place), so nothing is allocated per packet; whoever keeps a value
 * past the next packet copies it.
 */
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

/** Most SACK blocks a TCP option can carry (40 bytes of options: 2 + 4 × 8). */
export const MAX_SACK_BLOCKS = 4;

export class PacketView {
  tsSec = 0;
  tsNsec = 0;
  /** 4 or 6. */
  ipVersion = 4;
  /**
   * Addresses as four big-endian u32 words each; IPv4 uses word 0 only (the others are 0), so
   * a flow key can always hash four words plus the version.
   */
  readonly src = new Uint32Array(4);
  readonly dst = new Uint32Array(4);
  srcPort = 0;
  dstPort = 0;
  seq = 0;
  ack = 0;
  /** The 8 classic flag bits (FIN..CWR); NS is dropped. */
  flags = 0;
  window = 0;
  /** TCP payload length from the IP header: true even when the snaplen cut the bytes. */
  payloadLen = 0;
  /** Where the captured payload starts in `bytes`, and how much of it was captured. */
  bytes: Uint8Array = new Uint8Array(0);
  payloadOffset = 0;
  capturedPayloadLen = 0;
  /** Options; -1 when absent. */
  mss = -1;
  windowScale = -1;
  sackPermitted = false;
  sackBlocks = 0;
  /** Left/right edges of each SACK block, pairs in order. */
  readonly sack = new Uint32Array(2 * MAX_SACK_BLOCKS);
  hasTimestamp = false;
  tsVal = 0;
  tsEcr = 0;
}
