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
 * charged the check to the library.
 */
export class FieldSums {
  a = 0;
  b = 0;
  c = 0;
  d = 0;
  e = 0;

  /** One TCP packet; the arguments mirror PacketView's fields. */
  add(
    tsSec: number,
    tsNsec: number,
    src0: number,
    dst0: number,
    srcPort: number,
    dstPort: number,
    seq: number,
    ack: number,
    flags: number,
    payloadLen: number,
    window: number,
    sackBlocks: number,
    hasTimestamp: boolean,
    tsVal: number,
    tsEcr: number,
  ): void {
    this.a = (this.a + seq + tsNsec) | 0;
    this.b = (this.b + ack + ((srcPort << 16) | dstPort)) | 0;
    this.c = (this.c + src0 + (dst0 >>> 1) + tsSec) | 0;
    this.d = (this.d + (((payloadLen << 16) | window) ^ (flags << 3) ^ (sackBlocks << 11))) | 0;
    this.e = hasTimestamp ? (this.e + tsVal + (tsEcr >>> 3)) | 0 : (this.e + 1) | 0;
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
