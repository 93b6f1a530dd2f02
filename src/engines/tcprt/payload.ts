/**
 * What the http and https modes read from payloads, one direction of a connection at a time.
 * The packet view is valid only until the next packet, so nothing here keeps a reference to
 * its bytes: the TLS scanner keeps at most a 5-byte record header, the HTTP scanner copies at
 * most the first 4 KB of a request's head and 16 bytes of a response's.
 *
 * Both follow the byte stream in sequence order. A gap (an out-of-order segment, bytes the
 * capture never showed, a payload the snaplen cut) loses the stream: from then on the
 * direction reports nothing, rather than guess where the next record starts.
 */
import { seqGt } from '../../flow/seq.js';

/** Follows one direction's bytes in order, handing each new captured range to `onBytes`. */
export abstract class StreamScanner {
  /** Sequence number of the next byte expected, once `synced`. */
  private next = 0;
  private synced = false;
  /** A gap or a cut payload was met: nothing more is reported for this direction. */
  lost = false;
  /** The loss came from the capture's snaplen (the bytes were on the wire, not in the file). */
  snaplenCut = false;

  /** The stream's first byte is `seq` (after a SYN, or the first data seen). */
  start(seq: number): void {
    this.next = seq;
    this.synced = true;
  }

  /**
   * A segment of `len` payload bytes at `seq`, of which `captured` are in `bytes` from
   * `offset`. Only bytes past the last ones seen are scanned.
   */
  segment(seq: number, len: number, bytes: Uint8Array, offset: number, captured: number): void {
    if (this.lost || len === 0) return;
    if (!this.synced) {
      this.lost = true;
      return;
    }
    const end = (seq + len) >>> 0;
    if (!seqGt(end, this.next)) return; // nothing new
    if (seqGt(seq, this.next)) {
      this.lost = true; // a hole before this segment
      return;
    }
    const skip = (this.next - seq) >>> 0;
    if (captured < len) {
      this.lost = true;
      this.snaplenCut = true;
      return;
    }
    this.next = end;
    this.onBytes(bytes, offset + skip, len - skip);
  }

  protected abstract onBytes(bytes: Uint8Array, at: number, len: number): void;
}

export const TLS_CHANGE_CIPHER_SPEC = 20;
export const TLS_ALERT = 21;
export const TLS_HANDSHAKE = 22;
export const TLS_APPLICATION_DATA = 23;
const HANDSHAKE_CLIENT_HELLO = 1;
/**
 * The record length of a TLS 1.3 alert: 2 bytes (level, description) + 1 (the inner content
 * type) + a 16-byte AEAD tag, unpadded. Every TLS 1.3 cipher suite has a 16-byte tag but
 * TLS_AES_128_CCM_8_SHA256 (8), which OpenSSL and browsers leave off. A 2-byte message of
 * application data has the same length; a padded alert does not.
 */
export const TLS13_ALERT_RECORD_LENGTH = 2 + 1 + 16;

/** Bit of a content type in `TlsScanner.types`. */
export function tlsTypeBit(contentType: number): number {
  return 1 << (contentType - TLS_CHANGE_CIPHER_SPEC);
}

/**
 * The TLS record layer of one direction: the content types of the records that start in each
 * segment, and whether one of them is a ClientHello. Record headers (type, version, length)
 * are in the clear in every TLS version; in TLS 1.3 everything after the ServerHello
 * (including alerts and session tickets) travels as application_data.
 */
export class TlsScanner extends StreamScanner {
  /** Content types of the records that started in the last segment, one bit each (tlsTypeBit). */
  segTypes = 0;
  /** Application-data records that started in the last segment. */
  segAppRecords = 0;
  /** ... of which as long as a TLS 1.3 encrypted alert (TLS13_ALERT_RECORD_LENGTH). */
  segAlertSized = 0;
  /** A handshake record that started in the last segment opens with a ClientHello. */
  segClientHello = false;
  /** Not a TLS record stream (a header with an unknown type or version). */
  notTls = false;
  private readonly header = new Uint8Array(5);
  private headerFill = 0;
  /** Body bytes left in the current record. */
  private bodyLeft = 0;
  /** The next body byte is the first of a handshake record (its message type). */
  private wantHandshakeType = false;

  override segment(seq: number, len: number, bytes: Uint8Array, offset: number, captured: number): void {
    this.segTypes = 0;
    this.segAppRecords = 0;
    this.segAlertSized = 0;
    this.segClientHello = false;
    super.segment(seq, len, bytes, offset, captured);
  }

  protected onBytes(bytes: Uint8Array, at: number, len: number): void {
    const end = at + len;
    while (at < end && !this.notTls) {
      if (this.bodyLeft > 0) {
        if (this.wantHandshakeType) {
          if (bytes[at] === HANDSHAKE_CLIENT_HELLO) this.segClientHello = true;
          this.wantHandshakeType = false;
        }
        const n = Math.min(this.bodyLeft, end - at);
        this.bodyLeft -= n;
        at += n;
        continue;
      }
      this.header[this.headerFill++] = bytes[at++]!;
      if (this.headerFill < 5) continue;
      this.headerFill = 0;
      const type = this.header[0]!;
      // Record versions are 3.x (SSL 3.0 .. TLS 1.3's legacy 3.3); lengths at most 2^14 + 2048.
      const length = (this.header[3]! << 8) | this.header[4]!;
      if (type < TLS_CHANGE_CIPHER_SPEC || type > TLS_APPLICATION_DATA || this.header[1] !== 3 || length > 18432) {
        this.notTls = true;
        this.lost = true;
        return;
      }
      this.segTypes |= tlsTypeBit(type);
      if (type === TLS_APPLICATION_DATA) {
        this.segAppRecords++;
        if (length === TLS13_ALERT_RECORD_LENGTH) this.segAlertSized++;
      }
      this.wantHandshakeType = type === TLS_HANDSHAKE && length > 0;
      this.bodyLeft = length;
    }
  }
}

const HEAD_LIMIT = 4096;
const CRLFCRLF = '\r\n\r\n';

/** The bytes of each segment as latin1 text, at most `limit` (what an HTTP head needs). */
export class HttpTextScanner extends StreamScanner {
  /** The last segment's new bytes (at most `limit`), as latin1. */
  segText = '';
  constructor(private readonly limit: number) {
    super();
  }

  override segment(seq: number, len: number, bytes: Uint8Array, offset: number, captured: number): void {
    this.segText = '';
    super.segment(seq, len, bytes, offset, captured);
  }

  protected onBytes(bytes: Uint8Array, at: number, len: number): void {
    this.segText = Buffer.from(bytes.buffer, bytes.byteOffset + at, Math.min(len, this.limit)).toString('latin1');
  }
}

/** The start of an HTTP/1.x message, from the segments that carried it: up to 4 KB of head. */
export class HttpHead {
  text = '';
  constructor(private readonly limit = HEAD_LIMIT) {}

  add(segText: string): void {
    if (this.text.length < this.limit && !this.text.includes(CRLFCRLF)) this.text += segText.slice(0, this.limit - this.text.length);
  }
}

/** An HTTP/1.x request head that asks for `Expect: 100-continue`. */
export function expectsContinue(requestHead: string): boolean {
  const end = requestHead.indexOf(CRLFCRLF);
  const headers = end < 0 ? requestHead : requestHead.slice(0, end);
  return /\r\nexpect[ \t]*:[ \t]*100-continue[ \t]*(\r\n|$)/i.test(headers);
}

/** An HTTP/1.x response head whose status is 100 Continue. */
export function isContinueResponse(responseHead: string): boolean {
  return /^HTTP\/1\.[01] 100[ \r]/.test(responseHead);
}
