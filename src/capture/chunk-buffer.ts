/**
 * The bytes a reader is working through: the current chunk plus whatever of the previous chunk
 * was left unconsumed because a record straddled the boundary.
 *
 * A chunk that starts on a record boundary is used in place. Otherwise the remainder is joined
 * with only the head of the new chunk (JOIN_HEAD bytes, more if a record needs it) in one of two
 * buffers kept for that, alternately; once the cursor has passed the remainder, `ensure` moves
 * it onto the new chunk itself. So each byte is copied at most once more than the read itself
 * (bench/measure.ts `decode`: copying every whole chunk into the join buffer cost about a fifth
 * of readers+decoders' wall time, the copy standing between one read and the next), and joining
 * allocates nothing once the join buffers are big enough. The previous packet's view is given
 * up at each `append` and `ensure`, so reuse is safe.
 *
 * `offset` of byte i is `base + i`, the absolute position in the (decompressed) input, which is
 * what error messages name.
 */
export const JOIN_HEAD = 4096;

export class ChunkBuffer {
  bytes: Uint8Array = new Uint8Array(0);
  view: DataView = new DataView(this.bytes.buffer);
  pos = 0;
  /** Absolute input offset of bytes[0]. */
  base = 0;
  /** Bytes still to be discarded from future chunks (a skipped block longer than what we hold). */
  private pendingSkip = 0;
  /** The newest chunk while `bytes` is a join of the old remainder and its first `taken` bytes. */
  private pending: Uint8Array | undefined;
  private taken = 0;
  /** How many bytes at the start of the join came from the previous chunk. */
  private remainderLen = 0;
  /** The two join buffers; `bytes` views at most one of them at a time. */
  private readonly joins: [Uint8Array, Uint8Array] = [new Uint8Array(0), new Uint8Array(0)];

  /** Bytes from the cursor to the end of everything appended. */
  get available(): number {
    return this.bytes.length - this.pos + (this.pending === undefined ? 0 : this.pending.length - this.taken);
  }

  /** Absolute input offset of the cursor. */
  get offset(): number {
    return this.base + this.pos;
  }

  append(input: Uint8Array): void {
    // Streams hand out Buffers; keep one type on the hot path (the decoders index these bytes).
    const chunk = input.constructor === Uint8Array ? input : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    this.takeAllPending();
    if (this.pendingSkip > 0) {
      const n = Math.min(this.pendingSkip, chunk.length);
      this.pendingSkip -= n;
      this.base += this.bytes.length + n;
      this.setBytes(chunk.subarray(n), 0);
      return;
    }
    if (this.pos === this.bytes.length) {
      this.base += this.bytes.length;
      this.setBytes(chunk, 0);
      return;
    }
    // Everything in `bytes` counts as the old remainder; join() cuts it at the cursor.
    this.remainderLen = this.bytes.length;
    this.pending = chunk;
    this.taken = 0;
    this.join(Math.min(JOIN_HEAD, chunk.length));
  }

  /**
   * True when `n` bytes are available at the cursor in `bytes`, after moving onto the pending
   * chunk or joining more of it as needed; false means wait for the next chunk.
   */
  ensure(n: number): boolean {
    if (this.bytes.length - this.pos >= n) return true;
    if (this.pending === undefined) return false;
    if (this.pos >= this.remainderLen) this.moveOntoPending();
    // A record longer than the joined head: join as much of the chunk as it needs.
    else this.join(Math.min(this.pending.length, Math.max(2 * this.taken, this.pos + n - this.remainderLen)));
    return this.bytes.length - this.pos >= n;
  }

  /** Past the old remainder: what is left is all in the pending chunk, read in place. */
  private moveOntoPending(): void {
    const chunk = this.pending!;
    const at = this.pos - this.remainderLen;
    this.pending = undefined;
    this.base += this.remainderLen;
    this.setBytes(chunk, at);
  }

  /** Advance past n bytes, even beyond what is buffered (the rest is dropped as it arrives). */
  skip(n: number): void {
    if (this.bytes.length - this.pos < n) this.takeAllPending();
    const here = Math.min(n, this.bytes.length - this.pos);
    this.pos += here;
    this.pendingSkip += n - here;
  }

  /** True while a skip is still waiting for bytes that have not arrived. */
  get skipping(): boolean {
    return this.pendingSkip > 0;
  }

  /** Makes `bytes` hold everything appended (moving onto the pending chunk when possible). */
  private takeAllPending(): void {
    if (this.pending === undefined) return;
    if (this.pos >= this.remainderLen) this.moveOntoPending();
    else this.join(this.pending.length);
  }

  /**
   * Rebuilds `bytes` as the unread part of the old remainder followed by the pending chunk's
   * first `take` bytes, in the join buffer `bytes` is not using.
   */
  private join(take: number): void {
    const chunk = this.pending!;
    const start = Math.min(this.pos, this.remainderLen);
    const rest = this.remainderLen - start;
    const need = rest + take;
    const which = this.joins[0].buffer === this.bytes.buffer ? 1 : 0;
    let target = this.joins[which];
    if (target.length < need) {
      target = new Uint8Array(Math.max(need, 2 * target.length));
      this.joins[which] = target;
    }
    target.set(this.bytes.subarray(start, this.remainderLen), 0);
    target.set(chunk.subarray(0, take), rest);
    this.base += start;
    this.remainderLen = rest;
    this.taken = take;
    const pos = this.pos - start;
    if (take === chunk.length) this.pending = undefined;
    this.setBytes(target.subarray(0, need), pos);
  }

  private setBytes(bytes: Uint8Array, pos: number): void {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = pos;
  }
}
