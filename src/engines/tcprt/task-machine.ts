/**
 * A connection's tasks, the kernel's state machine over the connection's send and receive
 * trackers (trackers.ts). TaskConnection feeds both from packets and tells the machine what
 * happened (bytes sent, bytes received in order, an ACK, the close); the machine decides when a
 * task starts and ends and emits its records. The local end is the server in LocalTaskMachine
 * (local-tasks.ts: R, W, N) and the client in PeerTaskMachine (peer-tasks.ts: P); both end a
 * connection with one E.
 */
import { seqGt } from '../../flow/seq.js';
import type { PortSide } from './config.js';
import { kernelFields, type RecordType, type TaskEndpoints, type TaskFigures, type TaskRecord } from './records.js';
import { connectionMss, type ReceiveTracker, type SendTracker } from './trackers.js';

export const NONE = 0;
export const REQUEST = 1;
export const RESPONSE = 2;

export type TaskEmitter = (record: TaskRecord) => void;

/** Whole µs of a span of ns (kernel timespec differences truncate). */
export function us(ns: number): number {
  return ns > 0 ? Math.floor(ns / 1000) : 0;
}

/** What a connection's records say of where they come from. */
export interface TaskLabels {
  readonly endpoints: TaskEndpoints;
  readonly side: PortSide;
  /** The port the rule matched (local or remote, by the rule's side). */
  readonly port: number;
}

export abstract class TaskMachine {
  protected stage = NONE;
  taskNo = 0;
  protected startNs = 0;
  protected endNs = 0;
  /** snd_nxt when the task started: where its response (R) or request (P) begins. */
  protected startSeq = 0;
  /** The connection's retransmissions before the task started. */
  protected retransBefore = 0;
  /** snd_una when the task's end last moved (an ACK of more than one byte moves it). */
  protected lastUpdateSeq = 0;
  protected reorder = 0;
  /** The close was handled (records emitted). */
  closed = false;
  /** A FIN alone counts as the local end's answer (a server closing): `sent` hears of it. */
  abstract readonly finAnswers: boolean;

  constructor(
    protected readonly snd: SendTracker,
    protected readonly rcv: ReceiveTracker,
    private readonly labels: TaskLabels,
  ) {}

  /** The send tracker (re)started at `seq`: by a SYN, or by the first segment the capture shows. */
  sendStarted(seq: number, bySyn: boolean): void {
    this.lastUpdateSeq = seq;
    // Without a SYN a task may have started already: its response starts here.
    if (!bySyn) this.startSeq = seq;
  }

  /** The receive tracker (re)started at `seq`. */
  receiveStarted(_seq: number): void {}

  /** The peer acknowledged new bytes, up to `ack` (the kernel's pkts_acked). */
  acked(ack: number, nowNs: number): void {
    if (this.taskNo === 0) return;
    // More than one byte: the ACK of a lone FIN does not end a task.
    if (seqGt(ack, (this.lastUpdateSeq + 1) >>> 0)) {
      this.endNs = nowNs;
      this.lastUpdateSeq = ack;
    }
  }

  /** New bytes went out from the local end, starting at `fromSeq` (or, with finAnswers, its FIN). */
  abstract sent(nowNs: number, fromSeq: number, emit: TaskEmitter): void;

  /** New data bytes arrived in order from the peer, starting at `fromSeq`. */
  abstract received(nowNs: number, fromSeq: number, filledHole: boolean, emit: TaskEmitter): void;

  /** Peer bytes arrived beyond a hole. */
  abstract outOfOrder(): void;

  /** A segment from the local end was handled (snd_nxt may have moved). */
  segmentSent(): void {}

  /**
   * The connection closed at `nowNs` (an RST, both FINs, or the end of the capture for a
   * connection whose close was seen or that --tcprt-flush closes): the open task's record, then E.
   */
  close(nowNs: number, emit: TaskEmitter): void {
    if (this.closed) return;
    this.closed = true;
    if (this.taskNo === 0) return;
    this.closeTask(nowNs, emit);
    this.emitTask('E', nowNs, emit);
  }

  protected abstract closeTask(nowNs: number, emit: TaskEmitter): void;

  protected startTask(nowNs: number, startSeq: number): void {
    this.taskNo++;
    this.stage = REQUEST;
    this.startNs = this.endNs = nowNs;
    this.startSeq = startSeq;
    this.retransBefore = this.snd.retransSegs;
    this.lastUpdateSeq = this.snd.una;
    this.reorder = 0;
  }

  /** The figures of the task's `type` record (not E) at `nowNs`, into `f`. */
  protected abstract taskFigures(type: RecordType, nowNs: number, f: TaskFigures): void;

  /** What the record of `type` adds beyond its fields (first byte, extended type). */
  protected decorate(_record: TaskRecord, _nowNs: number): void {}

  /** Records of `type` are version 7. */
  protected v7(_type: RecordType): boolean {
    return false;
  }

  protected emitTask(type: RecordType, nowNs: number, emit: TaskEmitter): void {
    const snd = this.snd;
    const figures: TaskFigures = {
      taskNo: this.taskNo,
      sentBytes: 0,
      totalUs: 0,
      minRttUs: snd.minRttNs < 0 ? 0 : us(snd.minRttNs),
      retransSegs: snd.retransSegs - this.retransBefore,
      serverUs: 0,
      uploadUs: 0,
      downloadUs: 0,
      recvBytes: 0,
      unackedBytes: 0,
      reorder: this.reorder,
      mss: connectionMss(snd, this.rcv),
      srttUs: 0,
      cwndSegs: 0,
    };
    if (type === 'E') {
      figures.sentBytes = snd.payloadBetween(snd.connStart, snd.nxt);
      figures.unackedBytes = snd.unackedBytes;
      figures.recvBytes = this.rcv.payloadBetween(this.rcv.connStart, this.rcv.nxt);
      figures.retransSegs = snd.retransSegs;
    } else {
      this.taskFigures(type, nowNs, figures);
    }
    const v7 = this.v7(type);
    const labels = this.labels;
    const record: TaskRecord = {
      type,
      version: v7 ? 7 : 6,
      ext: '',
      startNs: this.startNs,
      endpoints: labels.endpoints,
      side: labels.side,
      port: labels.port,
      figures,
      fields: kernelFields(type, figures, v7),
    };
    this.decorate(record, nowNs);
    emit(record);
  }
}
