/**
 * One watched connection split into tasks (a request and its response), from its packets at
 * the capture point. The kernel module reads socket state (snd_nxt, snd_una, rcv_nxt,
 * total_retrans, min_rtt, mss_cache); here each is derived from the captured segments:
 *   snd_nxt  one past the highest sequence number the local end sent
 *   snd_una  the highest ack number from the peer
 *   rcv_nxt  one past the peer's bytes that arrived in order (holes are kept until filled)
 *   retrans  local segments that started below snd_nxt (keep-alive probes excepted)
 *   min_rtt  the smallest RTT sample of the local end's data (from the RTT engine)
 *   mss      the smaller SYN MSS less 12 bytes when TCP timestamps are on, as mss_cache is;
 *            without a SYN, the largest segment seen
 *
 * The parts: the send and receive trackers (trackers.ts, receive-queue.ts) hold that socket
 * state; a task machine over them (local-tasks.ts when the local end is the server, peer-tasks.ts
 * when it is the client) splits the connection into tasks and emits the records, whose figures
 * records.ts lays out in the kernel's order. This file turns packets into tracker updates and
 * machine events, and decides when the connection closed.
 *
 * Byte counts are payload bytes (a SYN or FIN consumes a sequence number but carries no
 * data), except `unacked_bytes`, which is sequence space as in the kernel: an unacknowledged
 * FIN counts one.
 */
import type { PacketView } from '../../decode/packet-view.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../../decode/packet-view.js';
import { seqGt, seqLt } from '../../flow/seq.js';
import type { PortRule } from './config.js';
import { HttpInspector, TlsInspector } from './inspectors.js';
import { LocalTaskMachine } from './local-tasks.js';
import { PeerTaskMachine } from './peer-tasks.js';
import type { TaskEndpoints } from './records.js';
import type { TaskEmitter, TaskMachine } from './task-machine.js';
import { ReceiveTracker, SendTracker } from './trackers.js';

export type { TaskEmitter } from './task-machine.js';

export class TaskConnection {
  readonly rule: PortRule;
  /** The local end is the flow's endpoint A. */
  readonly localIsA: boolean;
  readonly endpoints: TaskEndpoints;
  /** The port the rule matched (local or remote, by the rule's side). */
  readonly port: number;
  private readonly snd = new SendTracker();
  private readonly rcv = new ReceiveTracker();
  private readonly tasks: TaskMachine;
  /** http/https (local mode): reads the payloads for the extended record types. */
  private readonly inspector: HttpInspector | TlsInspector | undefined;
  private rstSeen = false;

  constructor(rule: PortRule, localIsA: boolean, endpoints: TaskEndpoints, firstFrameBytes: readonly number[]) {
    this.rule = rule;
    this.localIsA = localIsA;
    this.endpoints = endpoints;
    const peerMode = rule.side === 'peer';
    this.port = peerMode ? endpoints.peerPort : endpoints.localPort;
    const labels = { endpoints, side: rule.side, port: this.port };
    if (peerMode) {
      this.tasks = new PeerTaskMachine(this.snd, this.rcv, labels);
    } else {
      if (rule.mode === 'http') this.inspector = new HttpInspector();
      else if (rule.mode === 'https') this.inspector = new TlsInspector();
      this.tasks = new LocalTaskMachine(this.snd, this.rcv, labels, rule, rule.firstFrame ? firstFrameBytes : [], this.inspector);
    }
  }

  /** Tasks started so far. */
  get taskNo(): number {
    return this.tasks.taskNo;
  }

  /** The close was handled (records emitted); later packets are ignored. */
  get done(): boolean {
    return this.tasks.closed;
  }

  /** Payload bytes were cut by the snaplen where this connection needed them. */
  get payloadCut(): boolean {
    return this.inspector !== undefined && (this.inspector.request.snaplenCut || this.inspector.response.snaplenCut);
  }

  /** The close was seen: an RST, or both FINs (the last one need not be acknowledged). */
  get closeSeen(): boolean {
    return this.rstSeen || (this.snd.finSeen && this.rcv.finSeen);
  }

  /** An RTT sample of the local end's data, acknowledged by the peer. */
  onRttSample(rttNs: number): void {
    this.snd.onRttSample(rttNs);
  }

  onPacket(view: PacketView, nowNs: number, fromLocal: boolean, emit: TaskEmitter): void {
    if (this.tasks.closed) return;
    if (fromLocal) this.fromLocal(view, nowNs, emit);
    else this.fromPeer(view, nowNs, emit);
    if ((view.flags & TCP_RST) !== 0) {
      this.rstSeen = true;
      this.close(nowNs, emit);
    } else if (this.snd.finSeen && this.rcv.finSeen && seqGt(this.snd.una, this.snd.finSeq)) {
      // Both ends closed and the local FIN is acknowledged: the kernel releases the socket.
      this.close(nowNs, emit);
    }
  }

  /**
   * The connection closed at `nowNs` (an RST, both FINs, or the end of the capture for a
   * connection whose close was seen or that --tcprt-flush closes).
   */
  close(nowNs: number, emit: TaskEmitter): void {
    this.tasks.close(nowNs, emit);
  }

  private fromLocal(view: PacketView, nowNs: number, emit: TaskEmitter): void {
    const { snd, rcv, tasks } = this;
    const flags = view.flags;
    if ((flags & TCP_SYN) !== 0) {
      if (view.mss > 0) snd.synMss = view.mss;
      snd.start((view.seq + 1) >>> 0);
      tasks.sendStarted(snd.nxt, true);
      this.inspector?.response.start(snd.nxt);
      return;
    }
    if ((flags & TCP_RST) !== 0) return;
    if ((flags & TCP_ACK) !== 0 && rcv.started && seqGt(view.ack, rcv.nxt)) {
      // The local end's ACK is its rcv_nxt: it holds bytes the capture did not show in order
      // (a segment the capture missed). Follow it, or rcv_nxt would wait for them forever.
      rcv.queue.advance(view.ack);
    }
    if (view.hasTimestamp) snd.timestamps = true;
    const len = view.payloadLen;
    const fin = (flags & TCP_FIN) !== 0 ? 1 : 0;
    if (len + fin === 0) return;
    const seq = view.seq;
    const dataEnd = snd.segment(seq, len, fin);
    if (!snd.started) {
      // The first the capture shows of the local end (no SYN): a task may have started already.
      snd.start(seq);
      tasks.sendStarted(seq, false);
    }
    // A keep-alive probe: at most one byte just below what the peer acknowledged.
    if (len <= 1 && fin === 0 && ((snd.una - 1) >>> 0) === seq) return;
    const oldNxt = snd.nxt;
    const end = (dataEnd + fin) >>> 0;
    if (seqGt(end, snd.nxt)) snd.nxt = end;
    const inspector = this.inspector;
    inspector?.response.segment(seq, len, view.bytes, view.payloadOffset, view.capturedPayloadLen);
    // New data; or, on the server, a first FIN: closing is its answer, and a task whose
    // response is only a FIN gets no record at the close (as in the kernel).
    if ((len > 0 && seqGt(dataEnd, oldNxt)) || (tasks.finAnswers && fin !== 0 && seqGt(end, oldNxt))) tasks.sent(nowNs, oldNxt, emit);
    inspector?.responseSegmentDone();
    if (seqLt(seq, oldNxt)) snd.retransSegs++;
    tasks.segmentSent();
  }

  private fromPeer(view: PacketView, nowNs: number, emit: TaskEmitter): void {
    const { snd, rcv, tasks } = this;
    const flags = view.flags;
    if ((flags & TCP_ACK) !== 0 && snd.started && snd.acked(view.ack)) tasks.acked(view.ack, nowNs);
    if ((flags & TCP_SYN) !== 0) {
      if (view.mss > 0) rcv.synMss = view.mss;
      rcv.start((view.seq + 1) >>> 0);
      tasks.receiveStarted(rcv.nxt);
      this.inspector?.request.start(rcv.nxt);
      return;
    }
    if ((flags & TCP_RST) !== 0) return;
    const len = view.payloadLen;
    const fin = (flags & TCP_FIN) !== 0 ? 1 : 0;
    if (len + fin === 0) return;
    const seq = view.seq;
    const dataEnd = rcv.segment(seq, len, fin);
    if (!rcv.started) {
      rcv.start(seq);
      tasks.receiveStarted(seq);
    }
    const end = (dataEnd + fin) >>> 0;
    if (!seqGt(end, rcv.nxt)) return; // nothing new: a retransmission the capture saw twice
    const inspector = this.inspector;
    inspector?.request.segment(seq, len, view.bytes, view.payloadOffset, view.capturedPayloadLen);
    if (seqGt(seq, rcv.nxt)) {
      // Beyond a hole: the kernel would queue it out of order.
      rcv.queue.hold(seq, end);
      tasks.outOfOrder();
      return;
    }
    const oldRcv = rcv.nxt;
    const filledHole = rcv.queue.hasHoles;
    rcv.queue.advance(end);
    if (len > 0 && seqGt(dataEnd, oldRcv)) tasks.received(nowNs, oldRcv, filledHole, emit);
    inspector?.requestSegmentDone();
  }
}
