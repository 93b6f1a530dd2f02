/**
 * A digest of the decoded TCP fields, computed the same way by the generator (from what it wrote)
 * and by the timed loop (from what PacketDecoder produced). Equal digests mean the TCP packets
 * came back with the same times, addresses, ports, seq/ack, flags, lengths, windows, SACK block
 * counts and timestamp options; a packet count alone would not notice a mis-decoded field.
 *
 * It is five wrapping 32-bit sums, each over a few fields spread differently, so one wrong field
 * changes its sum. Sums ignore packet order, but the reader cannot reorder a file anyway. They
 * cost the timed loop next to nothing: a hash that mixed every packet through multiplies made
 * readers+decoders ~25% slower (its 16 number arguments were boxed per call), which would have
 * charged the check to the library; so did these sums, when they took 15 arguments and V8
 * stopped inlining the call.
 */
/** The fields a digest covers, named as PacketView names them (the timed loop passes its view). */
export interface DigestFields {
  tsSec: number;
  tsNsec: number;
  /** Word 0 of each address (IPv4). */
  src: ArrayLike<number>;
  dst: ArrayLike<number>;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  flags: number;
  payloadLen: number;
  window: number;
  sackBlocks: number;
  hasTimestamp: boolean;
  tsVal: number;
  tsEcr: number;
}

export class FieldSums {
  a = 0;
  b = 0;
  c = 0;
  d = 0;
  e = 0;

  /**
   * One TCP packet. Takes the fields as one object, not as arguments: whether or not V8 inlines
   * the call, nothing is boxed per packet.
   */
  add(f: DigestFields): void {
    this.a = (this.a + f.seq + f.tsNsec) | 0;
    this.b = (this.b + f.ack + ((f.srcPort << 16) | f.dstPort)) | 0;
    this.c = (this.c + f.src[0]! + (f.dst[0]! >>> 1) + f.tsSec) | 0;
    this.d = (this.d + (((f.payloadLen << 16) | f.window) ^ (f.flags << 3) ^ (f.sackBlocks << 11))) | 0;
    this.e = f.hasTimestamp ? (this.e + f.tsVal + (f.tsEcr >>> 3)) | 0 : (this.e + 1) | 0;
  }

  /** The five sums folded into one number. */
  digest(): number {
    let h = 0x811c9dc5;
    for (const x of [this.a, this.b, this.c, this.d, this.e]) {
      const m = Math.imul(h ^ x, 0x9e3779b1);
      h = m ^ (m >>> 15);
    }
    return h;
  }
}
