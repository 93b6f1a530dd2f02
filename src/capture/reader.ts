import type { CapturedPacket } from './captured-packet.js';

export type CaptureFormat = 'pcap' | 'pcapng';

/**
 * A push-fed capture reader: `push` hands it the next chunk of bytes, `next` fills `packet` with
 * the following record or returns false when it needs more bytes. Malformed bytes throw a
 * CaptureError; a record cut short by the end of the input is reported by `finish` as a warning.
 */
export interface CaptureReader {
  readonly format: CaptureFormat;
  /** The current packet, overwritten by every successful `next`. */
  readonly packet: CapturedPacket;
  push(chunk: Uint8Array): void;
  next(): boolean;
  /** Call once the input is exhausted; returns a warning if bytes were left over. */
  finish(): string | undefined;
  /** Link types of the interfaces seen so far, in order of first appearance. */
  readonly linktypes: readonly number[];
  /** Oddities read past (whole messages naming the file), in the order met. */
  readonly warnings: string[];
}

/** Records longer than this are corrupt whatever the snaplen claims (libpcap's own bound). */
export const MAX_SNAPLEN = 262144;

/**
 * No record or block that has to be held in memory may be longer than this, whatever a header
 * claims: a corrupt length must fail fast instead of buffering the rest of the file.
 */
export const MAX_RECORD_LEN = 16 * 1024 * 1024;
