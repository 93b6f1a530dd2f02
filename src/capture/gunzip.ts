/**
 * gzip input, member by member (RFC 1952): a header, a raw deflate stream, a CRC-32 and length.
 * Node's gunzip reads concatenated members itself, but bytes after the last member that are
 * not another member make it fail, and the data of the write that met them is lost with it:
 * a capture followed by a few stray bytes lost all its packets. Here each member's header and
 * trailer are read by hand and its deflate stream inflated raw, so what follows the last member
 * is known for what it is: zeros (padding, as gzip allows) pass silently, anything else is a
 * warning naming its offset, and every packet before it is read.
 *
 * Backpressure is kept: a compressed piece is written only once the previous one has been
 * taken in, which happens only as fast as the reader pulls the output.
 */
import type { TransformOptions } from 'node:stream';
import { createInflateRaw, crc32, type ZlibOptions } from 'node:zlib';
import { CaptureError } from '../errors.js';

/**
 * Inflated bytes per output chunk, and how far inflation may run ahead of the reader. zlib
 * inflates in libuv's thread pool: with its default 16 KiB chunks and one chunk of read-ahead,
 * every 16 KiB made a round trip through the event loop and inflation waited for the analysis,
 * so the two ran one after the other (bench/run.ts gzip rows: 2.56 s for the bench capture
 * gzipped against 1.0 s plain and 1.2 s for `gzip -dc` alone). With 1 MiB chunks, 4 MiB ahead,
 * they overlap.
 */
export const INFLATE_CHUNK = 1 << 20;
export const INFLATE_AHEAD = 4 << 20;

const FTEXT_FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const METHOD_DEFLATE = 8;

/** Compressed bytes not yet consumed, pulled from the source as needed. */
class CompressedBytes {
  private chunks: Uint8Array[] = [];
  private available = 0;
  /** Offset in the compressed input of the first byte still held. */
  offset = 0;
  private done = false;

  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  /** Pulls until at least `n` bytes are held; false if the input ends first. */
  async need(n: number): Promise<boolean> {
    while (this.available < n && !this.done) {
      const r = await this.source.next();
      if (r.done) this.done = true;
      else if (r.value.length > 0) {
        this.chunks.push(r.value);
        this.available += r.value.length;
      }
    }
    return this.available >= n;
  }

  /** Byte `i` from the front (held: call need first). */
  peek(i: number): number {
    for (const chunk of this.chunks) {
      if (i < chunk.length) return chunk[i]!;
      i -= chunk.length;
    }
    throw new RangeError('peek past the bytes held');
  }

  skip(n: number): void {
    this.offset += n;
    this.available -= n;
    while (n > 0) {
      const first = this.chunks[0]!;
      if (n < first.length) {
        this.chunks[0] = first.subarray(n);
        return;
      }
      n -= first.length;
      this.chunks.shift();
    }
  }

  /** The next held bytes (pulling one chunk when none are held), or undefined at the end. */
  async piece(): Promise<Uint8Array | undefined> {
    if (!(await this.need(1))) return undefined;
    const first = this.chunks.shift()!;
    this.available -= first.length;
    this.offset += first.length;
    return first;
  }

  /** Gives back the last `n` bytes of `piece` (what the inflater did not consume). */
  unread(piece: Uint8Array, n: number): void {
    if (n === 0) return;
    this.chunks.unshift(piece.subarray(piece.length - n));
    this.available += n;
    this.offset -= n;
  }

  /** Skips up to a zero byte and past it; false if the input ends first. */
  async skipString(): Promise<boolean> {
    for (;;) {
      if (!(await this.need(1))) return false;
      const zero = this.peek(0) === 0;
      this.skip(1);
      if (zero) return true;
    }
  }

  /** Reads the rest of the input: how many bytes, and whether all were zero. */
  async drain(): Promise<{ bytes: number; zeros: boolean }> {
    let bytes = 0;
    let zeros = true;
    for (let piece = await this.piece(); piece !== undefined; piece = await this.piece()) {
      bytes += piece.length;
      if (zeros && piece.some((b) => b !== 0)) zeros = false;
    }
    return { bytes, zeros };
  }
}

/** Why a member's header could not be read, or undefined when it was read (and skipped). */
async function readHeader(input: CompressedBytes): Promise<'truncated' | 'not gzip' | 'method' | undefined> {
  if (!(await input.need(10))) return (await input.need(2)) && !(input.peek(0) === 0x1f && input.peek(1) === 0x8b) ? 'not gzip' : 'truncated';
  if (input.peek(0) !== 0x1f || input.peek(1) !== 0x8b) return 'not gzip';
  if (input.peek(2) !== METHOD_DEFLATE) return 'method';
  const flags = input.peek(3);
  input.skip(10);
  if (flags & FEXTRA) {
    if (!(await input.need(2))) return 'truncated';
    const xlen = input.peek(0) | (input.peek(1) << 8);
    if (!(await input.need(2 + xlen))) return 'truncated';
    input.skip(2 + xlen);
  }
  if (flags & FNAME && !(await input.skipString())) return 'truncated';
  if (flags & FCOMMENT && !(await input.skipString())) return 'truncated';
  if (flags & FTEXT_FHCRC) {
    if (!(await input.need(2))) return 'truncated';
    input.skip(2);
  }
  return undefined;
}

/**
 * The decompressed bytes of every gzip member in `source` (compressed chunks the caller may not
 * reuse). Warnings (a stream cut short, bytes after the last member) go to `warnings`; corrupt
 * data throws a CaptureError whose offset counts decompressed bytes.
 */
export async function* gunzipMembers(source: AsyncIterator<Uint8Array>, file: string, warnings: string[]): AsyncGenerator<Uint8Array> {
  const input = new CompressedBytes(source);
  let produced = 0;
  const corrupt = (what: string): CaptureError => new CaptureError({ file, offset: produced }, `corrupt gzip data (${what}); the offset counts decompressed bytes`);
  const truncated = (): void => void warnings.push(`${file}: gzip stream truncated after ${produced} decompressed bytes`);
  for (let member = 0; ; member++) {
    const memberAt = input.offset;
    if (member > 0 && !(await input.need(1))) return;
    const fault = await readHeader(input);
    if (fault !== undefined && member > 0) {
      const rest = await input.drain();
      if (!rest.zeros) warnings.push(`${file}: ${rest.bytes} bytes at compressed offset 0x${memberAt.toString(16)}, after the gzip data, are not gzip: ignored`);
      return;
    }
    if (fault === 'truncated') return truncated();
    if (fault !== undefined) throw corrupt(fault === 'method' ? 'unknown compression method' : 'incorrect header check');
    // The deflate stream: one piece in at a time, its output out as the reader pulls it.
    // zlib streams take a Transform's options too (Node's typings omit them).
    const inflater = createInflateRaw({ chunkSize: INFLATE_CHUNK, readableHighWaterMark: INFLATE_AHEAD } as ZlibOptions & TransformOptions);
    let memberCrc = 0;
    let memberSize = 0;
    let fed = 0;
    let sourceEnded = false;
    const feeding = (async (): Promise<void> => {
      for (;;) {
        const piece = await input.piece();
        if (piece === undefined) {
          sourceEnded = true;
          inflater.end();
          return;
        }
        fed += piece.length;
        const ok = await new Promise<boolean>((resolve) => inflater.write(piece, (err) => resolve(err == null)));
        // The stream ended inside this piece (or before it): the rest belongs to what follows.
        const unconsumed = fed - inflater.bytesWritten;
        if (!ok || unconsumed > 0 || inflater.writableEnded || inflater.destroyed) {
          if (ok) input.unread(piece, Math.min(unconsumed, piece.length));
          if (!inflater.writableEnded) inflater.end();
          return;
        }
      }
    })();
    // The feeder may fail with nobody waiting for it: the reader stopped pulling (an interrupted
    // run closes the input while the feeder waits for input), or the stream failed (a write in
    // flight may never be called back, so the feeder is let go unawaited). Neither may end the
    // process; an awaited failure still comes through.
    feeding.catch(() => undefined);
    try {
      for await (const out of inflater) {
        const bytes = out as Uint8Array;
        produced += bytes.length;
        memberSize += bytes.length;
        memberCrc = crc32(bytes, memberCrc);
        yield bytes;
      }
      await feeding;
    } catch (err) {
      inflater.destroy();
      const code = (err as NodeJS.ErrnoException).code;
      // A deflate stream cut short is like a truncated capture: keep what was decompressed.
      if (code === 'Z_BUF_ERROR' || sourceEnded) return truncated();
      throw corrupt((err as Error).message);
    }
    if (sourceEnded && inflater.bytesWritten >= fed) {
      // The input ended with the deflate stream unfinished (inflateRaw ends without complaint).
      return truncated();
    }
    if (!(await input.need(8))) return truncated();
    const crc = (input.peek(0) | (input.peek(1) << 8) | (input.peek(2) << 16) | (input.peek(3) << 24)) >>> 0;
    const size = (input.peek(4) | (input.peek(5) << 8) | (input.peek(6) << 16) | (input.peek(7) << 24)) >>> 0;
    input.skip(8);
    if (crc !== memberCrc >>> 0) throw corrupt(`CRC-32 of member ${member + 1} is 0x${(memberCrc >>> 0).toString(16)}, its trailer says 0x${crc.toString(16)}`);
    if (size !== memberSize % 2 ** 32) throw corrupt(`member ${member + 1} holds ${memberSize} bytes, its trailer says ${size}`);
  }
}
