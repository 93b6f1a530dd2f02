/**
 * The bytes a reader is working through: the current chunk plus whatever of the previous chunk
 * was left unconsumed because a record straddled the boundary. Only that remainder is copied;
 * a chunk that starts on a record boundary is used in place.
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

  get available(): number {
    return this.bytes.length - this.pos;
  }

  /** Absolute input offset of the cursor. */
  get offset(): number {
    return this.base + this.pos;
  }

  append(chunk: Uint8Array): void {
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
    const joined = new Uint8Array(rest + chunk.length);
    joined.set(this.bytes.subarray(this.pos), 0);
    joined.set(chunk, rest);
    this.base += this.pos;
    this.setBytes(joined);
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
