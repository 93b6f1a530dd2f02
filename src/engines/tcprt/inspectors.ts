/**
 * The http and https modes' reading of a local-mode connection: what each task's request and
 * response carried, for the V7 extended record types.
 *   http   R.C  the request asked `Expect: 100-continue` and the response is `100 Continue`
 *   https  R.H  a TLS handshake phase: the request opens with a ClientHello, or carries
 *               handshake records and no application data (TLS 1.2's second flight)
 *          R.Z  a ClientHello followed by application data before any reply (TLS 1.3 0-RTT)
 *          R.A  an alert record either way: TLS 1.2 shows alerts by their record type;
 *               TLS 1.3 encrypts them as application data, so there an alert is judged by
 *               its size, the one thing left to see (TLS13_ALERT_RECORD_LENGTH): a 19-byte
 *               record after the handshake (samples/tls13-alert-v4: every alert tshark
 *               decrypts with the keys is one, and no other record is)
 * Each direction's segment is scanned before the state machine sees it, then merged into the
 * task it belongs to (the state machine may have just started a new one).
 */
import {
  expectsContinue,
  HttpHead,
  HttpTextScanner,
  isContinueResponse,
  TLS_ALERT,
  TLS_APPLICATION_DATA,
  TLS_CHANGE_CIPHER_SPEC,
  TLS_HANDSHAKE,
  tlsTypeBit,
  TlsScanner,
  type StreamScanner,
} from './payload.js';

export interface Inspector {
  readonly request: StreamScanner;
  readonly response: StreamScanner;
  /** A task starts: its request and response are read afresh. */
  taskStarted(): void;
  /** The last segment fed to `request` (or `response`) belongs to the current task. */
  requestSegmentDone(): void;
  responseSegmentDone(): void;
  /** Extended-type letters for the current task (in the order C H Z A). */
  letters(): string;
}

export class HttpInspector implements Inspector {
  readonly request = new HttpTextScanner(4096);
  readonly response = new HttpTextScanner(16);
  private requestHead = new HttpHead();
  private responseHead = new HttpHead(16);

  taskStarted(): void {
    this.requestHead = new HttpHead();
    this.responseHead = new HttpHead(16);
  }

  requestSegmentDone(): void {
    this.requestHead.add(this.request.segText);
  }

  responseSegmentDone(): void {
    this.responseHead.add(this.response.segText);
  }

  letters(): string {
    return expectsContinue(this.requestHead.text) && isContinueResponse(this.responseHead.text) ? 'C' : '';
  }
}

const CCS_BIT = tlsTypeBit(TLS_CHANGE_CIPHER_SPEC);
const HANDSHAKE_BIT = tlsTypeBit(TLS_HANDSHAKE);
const APPDATA_BIT = tlsTypeBit(TLS_APPLICATION_DATA);
const ALERT_BIT = tlsTypeBit(TLS_ALERT);

export class TlsInspector implements Inspector {
  readonly request = new TlsScanner();
  readonly response = new TlsScanner();
  private requestTypes = 0;
  private responseTypes = 0;
  private clientHello = false;
  /**
   * The server answered a ClientHello with application data: TLS 1.3. The client's next
   * application-data record is its Finished, not a request.
   */
  private awaitingClientFinished = false;
  private clientFinishedSeen = false;
  /** The connection is TLS 1.3 (a ClientHello was answered with application data). */
  private tls13 = false;
  /** The task carried a record the size of a TLS 1.3 encrypted alert, either way. */
  private alertSized = false;

  taskStarted(): void {
    this.requestTypes = this.responseTypes = 0;
    this.clientHello = false;
    this.alertSized = false;
  }

  requestSegmentDone(): void {
    if (this.requestTypes === 0 && this.request.segClientHello) this.clientHello = true;
    this.requestTypes |= this.request.segTypes;
    if (this.tls13 && this.request.segAlertSized > 0) this.alertSized = true;
  }

  responseSegmentDone(): void {
    this.responseTypes |= this.response.segTypes;
    if (this.tls13Handshake) {
      this.tls13 = true;
      if (!this.clientFinishedSeen) this.awaitingClientFinished = true;
    }
    if (this.tls13 && this.response.segAlertSized > 0) this.alertSized = true;
  }

  /** The current task is a ClientHello answered with application data (TLS 1.3's flight). */
  get tls13Handshake(): boolean {
    return this.clientHello && (this.responseTypes & APPDATA_BIT) !== 0;
  }

  /**
   * Whether the request segment just scanned holds nothing but the end of a TLS 1.3 handshake
   * (the client's ChangeCipherSpec and Finished): then it starts no task. Called once per
   * segment, before requestSegmentDone.
   */
  clientFinishedOnly(): boolean {
    if (!this.awaitingClientFinished) return false;
    const seg = this.request;
    if (seg.segAppRecords === 0 && seg.segTypes === CCS_BIT && !seg.lost) return true; // the ChangeCipherSpec alone
    this.awaitingClientFinished = false;
    this.clientFinishedSeen = true;
    return !seg.lost && (seg.segTypes & ~(CCS_BIT | APPDATA_BIT)) === 0 && seg.segAppRecords === 1;
  }

  letters(): string {
    const req = this.requestTypes;
    let letters = '';
    if (this.clientHello || ((req & HANDSHAKE_BIT) !== 0 && (req & APPDATA_BIT) === 0)) letters += 'H';
    if (this.clientHello && (req & APPDATA_BIT) !== 0) letters += 'Z';
    if (((req | this.responseTypes) & ALERT_BIT) !== 0 || this.alertSized) letters += 'A';
    return letters;
  }
}
