/**
 * Local mode, the local end is the server (the kernel's state machine):
 *   request bytes in NONE        start a task (start = end = first = last receive = now)
 *   more request bytes           last receive = now
 *   first response byte          server = now − last receive, upload = last − first receive,
 *   (or the server's FIN)        recv_bytes = request bytes; stage RESPONSE
 *   an ACK moving snd_una > 1    end = now
 *   request bytes in RESPONSE    (end = now if > 1 byte unacked) R for the task; start the next
 *   close                        REQUEST: N; RESPONSE: nothing if only a FIN was sent, else R
 *                                if all is acked (a FIN may be unacked), else W
 * In http/https mode or with first-frame times, R records are V7 with extended types.
 */
import { seqGt, seqLe } from '../../flow/seq.js';
import type { PortRule } from './config.js';
import { TlsInspector, type HttpInspector } from './inspectors.js';
import type { RecordType, TaskFigures, TaskRecord } from './records.js';
import { NONE, REQUEST, RESPONSE, TaskMachine, us, type TaskEmitter, type TaskLabels } from './task-machine.js';
import type { ReceiveTracker, SendTracker } from './trackers.js';

export class LocalTaskMachine extends TaskMachine {
  readonly finAnswers = true;
  private readonly v7Records: boolean;
  private firstRcvNs = 0;
  private lastRcvNs = 0;
  /** rcv_nxt where the task's request began. */
  private requestStart = 0;
  private serverNs = 0;
  private uploadNs = 0;
  private uploadBytes = 0;
  private maxInflight = 0;
  /** R.F: [response bytes the ACK acknowledged, µs from the task's start] per threshold reached. */
  private firstFrame: Array<[number, number]> = [];
  /** http/https: when the connection's first task started (its ClientHello, in https), for H. */
  private clientHelloNs = -1;

  constructor(
    snd: SendTracker,
    rcv: ReceiveTracker,
    labels: TaskLabels,
    rule: PortRule,
    /** R.F thresholds (empty: no first-frame times). */
    private readonly firstFrameBytes: readonly number[],
    private readonly inspector: HttpInspector | TlsInspector | undefined,
  ) {
    super(snd, rcv, labels);
    this.v7Records = rule.mode !== 'default' || firstFrameBytes.length > 0;
  }

  override receiveStarted(seq: number): void {
    this.requestStart = seq;
  }

  override acked(ack: number, nowNs: number): void {
    super.acked(ack, nowNs);
    if (this.taskNo === 0) return;
    // R.F: an ACK that reaches the next threshold records what it acknowledged of the response
    // and when. One threshold per ACK: the guide's `F 6 7240 214 63698 311 98436 358` under its
    // default thresholds 100, 2000, 20000 has a first ACK of 7240 bytes that passed 2000 too,
    // yet 2000 is answered by the next ACK.
    const thresholds = this.firstFrameBytes;
    const next = this.firstFrame.length;
    if (this.stage === RESPONSE && next < thresholds.length) {
      const ackedBytes = this.snd.payloadBetween(this.startSeq, ack);
      if (ackedBytes >= thresholds[next]!) this.firstFrame.push([ackedBytes, us(nowNs - this.startNs)]);
    }
  }

  sent(nowNs: number): void {
    if (this.stage !== REQUEST) return;
    this.stage = RESPONSE;
    this.serverNs = nowNs - this.lastRcvNs;
    this.uploadNs = this.lastRcvNs - this.firstRcvNs;
    this.uploadBytes = this.rcv.payloadBetween(this.requestStart, this.rcv.nxt);
    this.requestStart = this.rcv.nxt;
  }

  received(nowNs: number, fromSeq: number, filledHole: boolean, emit: TaskEmitter): void {
    const inspector = this.inspector;
    if (inspector instanceof TlsInspector && inspector.clientFinishedOnly()) {
      this.handshakeEnded(nowNs, emit);
      return;
    }
    if (this.stage === RESPONSE) {
      // This packet also acknowledges what is still in flight.
      if (seqGt(this.snd.nxt, (this.snd.una + 1) >>> 0)) this.endNs = nowNs;
      this.emitTask('R', nowNs, emit);
      this.stage = NONE;
    }
    if (this.stage === NONE) {
      this.startTask(nowNs, this.snd.nxt);
      this.requestStart = fromSeq;
      this.firstRcvNs = this.lastRcvNs = nowNs;
      if (inspector !== undefined && this.taskNo === 1) this.clientHelloNs = nowNs;
    } else {
      this.lastRcvNs = nowNs;
    }
    if (filledHole) this.reorder = 1;
  }

  /**
   * TLS 1.3: the client's Finished arrived alone. It ends the handshake task (R.H) and starts
   * none: the next request does.
   */
  private handshakeEnded(nowNs: number, emit: TaskEmitter): void {
    if (this.stage !== RESPONSE) return;
    if (seqGt(this.snd.nxt, (this.snd.una + 1) >>> 0)) this.endNs = nowNs;
    this.emitTask('R', nowNs, emit);
    this.stage = NONE;
  }

  outOfOrder(): void {
    if (this.stage === REQUEST) this.reorder = 1;
  }

  override segmentSent(): void {
    if (this.stage !== RESPONSE) return;
    const inflight = this.snd.unackedBytes;
    if (inflight > this.maxInflight) this.maxInflight = inflight;
  }

  protected closeTask(nowNs: number, emit: TaskEmitter): void {
    const snd = this.snd;
    if (this.stage === REQUEST) {
      this.emitTask('N', nowNs, emit);
    } else if (this.stage === RESPONSE && snd.payloadBetween(this.startSeq, snd.nxt) > 0) {
      if (seqLe(snd.nxt, (snd.una + 1) >>> 0)) {
        if (seqGt(snd.una, (this.lastUpdateSeq + 1) >>> 0)) this.endNs = nowNs;
        this.emitTask('R', nowNs, emit);
      } else {
        this.emitTask('W', nowNs, emit);
      }
    }
  }

  protected override startTask(nowNs: number, startSeq: number): void {
    super.startTask(nowNs, startSeq);
    this.serverNs = this.uploadNs = this.uploadBytes = 0;
    this.maxInflight = 0;
    this.firstFrame = [];
    this.inspector?.taskStarted();
  }

  protected taskFigures(type: RecordType, nowNs: number, f: TaskFigures): void {
    const snd = this.snd;
    if (type === 'N') {
      f.totalUs = us(nowNs - this.startNs);
      f.recvBytes = this.rcv.payloadBetween(this.requestStart, this.rcv.nxt);
      return;
    }
    // R and W
    f.sentBytes = snd.payloadBetween(this.startSeq, snd.nxt);
    f.serverUs = us(this.serverNs);
    f.uploadUs = us(this.uploadNs);
    if (type === 'W') {
      f.totalUs = us(nowNs - this.startNs);
      f.unackedBytes = snd.unackedBytes;
      return;
    }
    f.totalUs = us(this.endNs - this.startNs);
    f.recvBytes = this.uploadBytes;
    if (this.v7Records) {
      f.srttUs = snd.srttNs < 0 ? 0 : us(snd.srttNs);
      f.cwndSegs = f.mss > 0 ? Math.ceil(this.maxInflight / f.mss) : 0;
    }
  }

  protected override v7(type: RecordType): boolean {
    return type === 'R' && this.v7Records;
  }

  /** R: the server's time to first byte, and a V7 R's extended type letters and trailing fields. */
  protected override decorate(record: TaskRecord, nowNs: number): void {
    if (record.type !== 'R') return;
    record.firstByteUs = us(this.uploadNs + this.serverNs);
    if (!this.v7Records) return;
    const inspector = this.inspector;
    if (inspector !== undefined) {
      record.ext = inspector.letters();
      // TLS 1.3: the handshake ends when the client's Finished arrives, which is what ends
      // this task now (unknown when the connection closes instead).
      if (inspector instanceof TlsInspector && inspector.tls13Handshake && !this.closed && this.clientHelloNs >= 0) {
        record.handshakeUs = us(nowNs - this.clientHelloNs);
      }
    }
    if (this.firstFrameBytes.length > 0) {
      record.ext += 'F';
      record.firstFrame = this.firstFrame;
    }
  }
}
