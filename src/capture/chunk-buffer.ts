/**
 * The bytes a reader is working through: the current chunk plus whatever of the previous chunk
 * was left unconsumed because a record straddled the boundary. A chunk that starts on a record
 * boundary is used in place; otherwise the remainder and the chunk are joined into one of two
 * buffers kept for that, alternately, so joining allocates nothing once they are big enough
 * (bench/run.ts: fresh buffers per chunk cost 18% of readers+decoders in allocation and page
 * faults). The previous packet's view is given up at each `append`, so reuse is safe.
 *
 * `offset` of byte i is `base + i`, the absolute position in the (decompressed) input, which is
 * what error messages name.
 */
export class ChunkBuffer {
  bytes: Uint8Array = new Uint8Array(0);
  view: DataView = new DataView(this.bytes.buffer);
  pos = 0;
  /** Absolute input offset of bytes[0]. */
  base = 0;
  /** Bytes still to be discarded from future chunks (a skipped block longer than what we hold). */
  private pendingSkip = 0;
  /** The two join buffers; `bytes` views at most one of them at a time. */
  private readonly joins: [Uint8Array, Uint8Array] = [new Uint8Array(0), new Uint8Array(0)];

  get available(): number {
    return this.bytes.length - this.pos;
  }

  /** Absolute input offset of the cursor. */
  get offset(): number {
    return this.base + this.pos;
  }

  append(input: Uint8Array): void {
    // Streams hand out Buffers; keep one type on the hot path (the decoders index these bytes).
    const chunk = input.constructor === Uint8Array ? input : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    if (this.pendingSkip > 0) {
      const n = Math.min(this.pendingSkip, chunk.length);
      this.pendingSkip -= n;
      this.base += this.bytes.length + n;
      this.setBytes(chunk.subarray(n));
      return;
    }
    const rest = this.available;
    if (rest === 0) {
      this.base += this.bytes.length;
      this.setBytes(chunk);
      return;
    }
    const need = rest + chunk.length;
    const which = this.joins[0].buffer === this.bytes.buffer ? 1 : 0;
    let target = this.joins[which];
    if (target.length < need) {
      target = new Uint8Array(Math.max(need, 2 * target.length));
      this.joins[which] = target;
    }
    target.set(this.bytes.subarray(this.pos), 0);
    target.set(chunk, rest);
    this.base += this.pos;
    this.setBytes(target.subarray(0, need));
  }

  /** Advance past n bytes, even beyond what is buffered (the rest is dropped as it arrives). */
  skip(n: number): void {
    const here = Math.min(n, this.available);
    this.pos += here;
    this.pendingSkip += n - here;
  }

  /** True while a skip is still waiting for bytes that have not arrived. */
  get skipping(): boolean {
    return this.pendingSkip > 0;
  }

  private setBytes(bytes: Uint8Array): void {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = 0;
  }
}
