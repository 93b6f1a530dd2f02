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
 * Local mode (the local end is the server), the kernel's state machine:
 *   request bytes in NONE        start a task (start = end = first = last receive = now)
 *   more request bytes           last receive = now
 *   first response byte          server = now − last receive, upload = last − first receive,
 *   (or the server's FIN)        recv_bytes = request bytes; stage RESPONSE
 *   an ACK moving snd_una > 1    end = now
 *   request bytes in RESPONSE    (end = now if > 1 byte unacked) R for the task; start the next
 *   close                        REQUEST: N; RESPONSE: nothing if only a FIN was sent, else R
 *                                if all is acked (a FIN may be unacked), else W
 * Peer mode (the local end is the client):
 *   request bytes in NONE        start a task; in RESPONSE: P for the task, then start the next
 *   first response byte          sent = request bytes, end = now; stage RESPONSE
 *   more response bytes          end = now
 *   close                        RESPONSE: P
 * Then one E per connection that had a task.
 *
 * Byte counts are payload bytes (a SYN or FIN consumes a sequence number but carries no
 * data), except `unacked_bytes`, which is sequence space as in the kernel: an unacknowledged
 * FIN counts one.
 */
import type { PacketView } from '../../decode/packet-view.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../../decode/packet-view.js';
import { seqGe, seqGt, seqLe, seqLt } from '../../flow/seq.js';
import type { PortRule } from './config.js';
import { HttpInspector, TlsInspector } from './inspectors.js';
import type { RecordType, TaskEndpoints, TaskRecord } from './records.js';

const NONE = 0;
const REQUEST = 1;
const RESPONSE = 2;

/** TCP timestamps option as sent on every segment (10 bytes + 2 NOPs): mss_cache leaves it out. */
const TIMESTAMP_OPTION_BYTES = 12;
/** Out-of-order ranges kept per connection; beyond this the two closest are merged. */
const MAX_HOLES = 32;

export type TaskEmitter = (record: TaskRecord) => void;

/** Whole µs of a span of ns (kernel timespec differences truncate). */
function us(ns: number): number {
  return ns > 0 ? Math.floor(ns / 1000) : 0;
}

export class TaskConnection {
  readonly rule: PortRule;
  /** The local end is the flow's endpoint A. */
  readonly localIsA: boolean;
  readonly endpoints: TaskEndpoints;
  /** The port the rule matched (local or remote, by the rule's side). */
  readonly port: number;
  private readonly peerMode: boolean;
  private readonly v7: boolean;
  private readonly firstFrameBytes: readonly number[];
  private readonly inspector: HttpInspector | TlsInspector | undefined;

  // The local end's data and its acknowledgement by the peer.
  private sndStarted = false;
  private sndNxt = 0;
  private sndUna = 0;
  private conSndStart = 0;
  private localFinSeen = false;
  private localFinSeq = 0;
  private retrans = 0;
  private localSynMss = -1;
  private localTimestamps = false;
  private largestSegment = 0;

  // The peer's data as it arrived.
  private rcvStarted = false;
  private rcvNxt = 0;
  private conRcvStart = 0;
  private peerFinSeen = false;
  private peerFinSeq = 0;
  private peerSynMss = -1;
  /** Out-of-order ranges beyond rcvNxt: start, end pairs in sequence order. */
  private readonly holes: number[] = [];

  private minRttNs = -1;
  private srttNs = -1;

  // The current task.
  private stage = NONE;
  taskNo = 0;
  private startNs = 0;
  private endNs = 0;
  private firstRcvNs = 0;
  private lastRcvNs = 0;
  private startSeq = 0;
  private startRcvNxt = 0;
  private lastRetrans = 0;
  private lastUpdateSeq = 0;
  private serverNs = 0;
  private uploadNs = 0;
  private uploadBytes = 0;
  private reorder = 0;
  private maxInflight = 0;
  /** R.F: [response bytes the ACK acknowledged, µs from the task's start] per threshold reached. */
  private firstFrame: Array<[number, number]> = [];
  // Peer mode: when the request's last byte went out, the response's first byte arrived.
  private lastSentNs = 0;
  private firstRespNs = 0;
  private respStartRcv = 0;
  private requestBytes = 0;
  // http/https: when the connection's first task started (its ClientHello, in https), for H.
  private clientHelloNs = -1;

  private rstSeen = false;
  /** The close was handled (records emitted); later packets are ignored. */
  done = false;

  constructor(rule: PortRule, localIsA: boolean, endpoints: TaskEndpoints, firstFrameBytes: readonly number[]) {
    this.rule = rule;
    this.localIsA = localIsA;
    this.endpoints = endpoints;
    this.peerMode = rule.side === 'peer';
    this.port = this.peerMode ? endpoints.peerPort : endpoints.localPort;
    this.firstFrameBytes = rule.firstFrame && !this.peerMode ? firstFrameBytes : [];
    this.v7 = !this.peerMode && (rule.mode !== 'default' || this.firstFrameBytes.length > 0);
    if (!this.peerMode && rule.mode === 'http') this.inspector = new HttpInspector();
    else if (!this.peerMode && rule.mode === 'https') this.inspector = new TlsInspector();
  }

  /** Payload bytes were cut by the snaplen where this connection needed them. */
  get payloadCut(): boolean {
    return this.inspector !== undefined && (this.inspector.request.snaplenCut || this.inspector.response.snaplenCut);
  }

  /** The close was seen: an RST, or both FINs (the last one need not be acknowledged). */
  get closeSeen(): boolean {
    return this.rstSeen || (this.localFinSeen && this.peerFinSeen);
  }

  /** An RTT sample of the local end's data, acknowledged by the peer. */
  onRttSample(rttNs: number): void {
    if (this.minRttNs < 0 || rttNs < this.minRttNs) this.minRttNs = rttNs;
    this.srttNs = this.srttNs < 0 ? rttNs : this.srttNs + (rttNs - this.srttNs) / 8;
  }

  onPacket(view: PacketView, nowNs: number, fromLocal: boolean, emit: TaskEmitter): void {
    if (this.done) return;
    if (fromLocal) this.fromLocal(view, nowNs, emit);
    else this.fromPeer(view, nowNs, emit);
    if ((view.flags & TCP_RST) !== 0) {
      this.rstSeen = true;
      this.close(nowNs, emit);
    } else if (this.localFinSeen && this.peerFinSeen && seqGt(this.sndUna, this.localFinSeq)) {
      // Both ends closed and the local FIN is acknowledged: the kernel releases the socket.
      this.close(nowNs, emit);
    }
  }

  private fromLocal(view: PacketView, nowNs: number, emit: TaskEmitter): void {
    const flags = view.flags;
    if ((flags & TCP_SYN) !== 0) {
      if (view.mss > 0) this.localSynMss = view.mss;
      this.sndStarted = true;
      this.sndNxt = this.sndUna = this.conSndStart = this.lastUpdateSeq = (view.seq + 1) >>> 0;
      this.inspector?.response.start(this.sndNxt);
      return;
    }
    if ((flags & TCP_RST) !== 0) return;
    if ((flags & TCP_ACK) !== 0 && this.rcvStarted && seqGt(view.ack, this.rcvNxt)) {
      // The local end's ACK is its rcv_nxt: it holds bytes the capture did not show in order
      // (a segment the capture missed). Follow it, or rcv_nxt would wait for them forever.
      this.rcvNxt = view.ack;
      this.absorbHoles();
    }
    if (view.hasTimestamp) this.localTimestamps = true;
    const len = view.payloadLen;
    const fin = (flags & TCP_FIN) !== 0 ? 1 : 0;
    if (len + fin === 0) return;
    if (len > this.largestSegment) this.largestSegment = len;
    const seq = view.seq;
    if (!this.sndStarted) {
      // The first the capture shows of the local end (no SYN): a task may have started already.
      this.sndStarted = true;
      this.sndNxt = this.sndUna = this.conSndStart = this.lastUpdateSeq = this.startSeq = seq;
    }
    // A keep-alive probe: at most one byte just below what the peer acknowledged.
    if (len <= 1 && fin === 0 && ((this.sndUna - 1) >>> 0) === seq) return;
    const oldNxt = this.sndNxt;
    const dataEnd = (seq + len) >>> 0;
    if (fin !== 0) {
      this.localFinSeen = true;
      this.localFinSeq = dataEnd;
    }
    const end = (dataEnd + fin) >>> 0;
    if (seqGt(end, this.sndNxt)) this.sndNxt = end;
    const inspector = this.inspector;
    inspector?.response.segment(seq, len, view.bytes, view.payloadOffset, view.capturedPayloadLen);
    // New data; or, on the server, a first FIN: closing is its answer, and a task whose
    // response is only a FIN gets no record at the close (as in the kernel).
    if ((len > 0 && seqGt(dataEnd, oldNxt)) || (!this.peerMode && fin !== 0 && seqGt(end, oldNxt))) this.sent(nowNs, oldNxt, emit);
    inspector?.responseSegmentDone();
    if (seqLt(seq, oldNxt)) this.retrans++;
    if (this.stage === RESPONSE) {
      const inflight = (this.sndNxt - this.sndUna) >>> 0;
      if (inflight > this.maxInflight) this.maxInflight = inflight;
    }
  }

  private fromPeer(view: PacketView, nowNs: number, emit: TaskEmitter): void {
    const flags = view.flags;
    if ((flags & TCP_ACK) !== 0 && this.sndStarted) this.acked(view.ack, nowNs);
    if ((flags & TCP_SYN) !== 0) {
      if (view.mss > 0) this.peerSynMss = view.mss;
      this.rcvStarted = true;
      this.rcvNxt = this.conRcvStart = this.startRcvNxt = (view.seq + 1) >>> 0;
      this.holes.length = 0;
      this.inspector?.request.start(this.rcvNxt);
      return;
    }
    if ((flags & TCP_RST) !== 0) return;
    const len = view.payloadLen;
    const fin = (flags & TCP_FIN) !== 0 ? 1 : 0;
    if (len + fin === 0) return;
    if (len > this.largestSegment) this.largestSegment = len;
    const seq = view.seq;
    if (!this.rcvStarted) {
      this.rcvStarted = true;
      this.rcvNxt = this.conRcvStart = this.startRcvNxt = seq;
    }
    const dataEnd = (seq + len) >>> 0;
    if (fin !== 0) {
      this.peerFinSeen = true;
      this.peerFinSeq = dataEnd;
    }
    const end = (dataEnd + fin) >>> 0;
    if (!seqGt(end, this.rcvNxt)) return; // nothing new: a retransmission the capture saw twice
    const inspector = this.inspector;
    inspector?.request.segment(seq, len, view.bytes, view.payloadOffset, view.capturedPayloadLen);
    if (seqGt(seq, this.rcvNxt)) {
      // Beyond a hole: the kernel would queue it out of order.
      this.addHole(seq, end);
      if (this.stage === (this.peerMode ? RESPONSE : REQUEST)) this.reorder = 1;
      return;
    }
    const oldRcv = this.rcvNxt;
    const filledHole = this.holes.length > 0;
    this.rcvNxt = end;
    this.absorbHoles();
    if (len > 0 && seqGt(dataEnd, oldRcv)) {
      if (inspector instanceof TlsInspector && inspector.clientFinishedOnly()) this.handshakeEnded(nowNs, emit);
      else this.received(nowNs, oldRcv, filledHole, emit);
    }
    inspector?.requestSegmentDone();
  }

  /**
   * TLS 1.3: the client's Finished arrived alone. It ends the handshake task (R.H) and starts
   * none: the next request does.
   */
  private handshakeEnded(nowNs: number, emit: TaskEmitter): void {
    if (this.stage !== RESPONSE) return;
    if (seqGt(this.sndNxt, (this.sndUna + 1) >>> 0)) this.endNs = nowNs;
    this.emitTask('R', nowNs, emit);
    this.stage = NONE;
  }

  /** The peer acknowledged up to `ack` (the kernel's pkts_acked). */
  private acked(ack: number, nowNs: number): void {
    if (!seqGt(ack, this.sndUna)) return;
    this.sndUna = ack;
    if (seqGt(ack, this.sndNxt)) this.sndNxt = ack; // data the capture did not show
    if (this.taskNo === 0) return;
    // More than one byte: the ACK of a lone FIN does not end a task.
    if (seqGt(ack, (this.lastUpdateSeq + 1) >>> 0)) {
      this.endNs = nowNs;
      this.lastUpdateSeq = ack;
    }
    // R.F: an ACK that reaches the next threshold records what it acknowledged of the response
    // and when. One threshold per ACK: the guide's `F 6 7240 214 63698 311 98436 358` under its
    // default thresholds 100, 2000, 20000 has a first ACK of 7240 bytes that passed 2000 too,
    // yet 2000 is answered by the next ACK.
    const thresholds = this.firstFrameBytes;
    const next = this.firstFrame.length;
    if (this.stage === RESPONSE && next < thresholds.length) {
      const ackedBytes = this.sentBetween(this.startSeq, ack);
      if (ackedBytes >= thresholds[next]!) this.firstFrame.push([ackedBytes, us(nowNs - this.startNs)]);
    }
  }

  /** New data bytes went out from the local end (starting at `fromSeq`). */
  private sent(nowNs: number, fromSeq: number, emit: TaskEmitter): void {
    if (this.peerMode) {
      if (this.stage === REQUEST) {
        this.lastSentNs = nowNs;
        return;
      }
      if (this.stage === RESPONSE) this.emitTask('P', nowNs, emit);
      this.startTask(nowNs, fromSeq);
      this.lastSentNs = nowNs;
      return;
    }
    if (this.stage !== REQUEST) return;
    this.stage = RESPONSE;
    this.serverNs = nowNs - this.lastRcvNs;
    this.uploadNs = this.lastRcvNs - this.firstRcvNs;
    this.uploadBytes = this.receivedBetween(this.startRcvNxt, this.rcvNxt);
    this.startRcvNxt = this.rcvNxt;
  }

  /** New data bytes arrived in order from the peer (starting at `fromSeq`). */
  private received(nowNs: number, fromSeq: number, filledHole: boolean, emit: TaskEmitter): void {
    if (this.peerMode) {
      if (this.stage === REQUEST) {
        this.stage = RESPONSE;
        this.requestBytes = this.sentBetween(this.startSeq, this.sndNxt);
        this.firstRespNs = nowNs;
        this.respStartRcv = fromSeq;
      }
      if (this.stage === RESPONSE) {
        this.endNs = nowNs;
        if (filledHole) this.reorder = 1;
      }
      return;
    }
    if (this.stage === RESPONSE) {
      // This packet also acknowledges what is still in flight.
      if (seqGt(this.sndNxt, (this.sndUna + 1) >>> 0)) this.endNs = nowNs;
      this.emitTask('R', nowNs, emit);
      this.stage = NONE;
    }
    if (this.stage === NONE) {
      this.startTask(nowNs, this.sndNxt);
      this.startRcvNxt = fromSeq;
      this.firstRcvNs = this.lastRcvNs = nowNs;
      if (this.inspector !== undefined && this.taskNo === 1) this.clientHelloNs = nowNs;
    } else {
      this.lastRcvNs = nowNs;
    }
    if (filledHole) this.reorder = 1;
  }

  private startTask(nowNs: number, startSeq: number): void {
    this.taskNo++;
    this.stage = REQUEST;
    this.startNs = this.endNs = nowNs;
    this.startSeq = startSeq;
    this.lastRetrans = this.retrans;
    this.lastUpdateSeq = this.sndUna;
    this.serverNs = this.uploadNs = this.uploadBytes = 0;
    this.reorder = 0;
    this.maxInflight = 0;
    this.firstFrame = [];
    this.inspector?.taskStarted();
  }

  /**
   * The connection closed at `nowNs` (an RST, both FINs, or the end of the capture for a
   * connection whose close was seen or that --tcprt-flush closes).
   */
  close(nowNs: number, emit: TaskEmitter): void {
    if (this.done) return;
    this.done = true;
    if (this.taskNo === 0) return;
    if (this.peerMode) {
      if (this.stage === RESPONSE) this.emitTask('P', nowNs, emit);
    } else if (this.stage === REQUEST) {
      this.emitTask('N', nowNs, emit);
    } else if (this.stage === RESPONSE && this.sentBetween(this.startSeq, this.sndNxt) > 0) {
      if (seqLe(this.sndNxt, (this.sndUna + 1) >>> 0)) {
        if (seqGt(this.sndUna, (this.lastUpdateSeq + 1) >>> 0)) this.endNs = nowNs;
        this.emitTask('R', nowNs, emit);
      } else {
        this.emitTask('W', nowNs, emit);
      }
    }
    this.emitTask('E', nowNs, emit);
  }

  /** Payload bytes the local end sent in [from, to): sequence space less a FIN inside it. */
  private sentBetween(from: number, to: number): number {
    const span = (to - from) >>> 0;
    return this.localFinSeen && seqGe(this.localFinSeq, from) && seqLt(this.localFinSeq, to) ? span - 1 : span;
  }

  private receivedBetween(from: number, to: number): number {
    const span = (to - from) >>> 0;
    return this.peerFinSeen && seqGe(this.peerFinSeq, from) && seqLt(this.peerFinSeq, to) ? span - 1 : span;
  }

  private mss(): number {
    const mss =
      this.localSynMss > 0 && this.peerSynMss > 0 ? Math.min(this.localSynMss, this.peerSynMss) : this.localSynMss > 0 ? this.localSynMss : this.peerSynMss;
    if (mss > 0) return this.localTimestamps ? mss - TIMESTAMP_OPTION_BYTES : mss;
    return this.largestSegment;
  }

  private emitTask(type: RecordType, nowNs: number, emit: TaskEmitter): void {
    const minRttUs = this.minRttNs < 0 ? 0 : us(this.minRttNs);
    const mss = this.mss();
    const retrans = this.retrans - this.lastRetrans;
    let fields: number[];
    switch (type) {
      case 'R':
        fields = [
          this.sentBetween(this.startSeq, this.sndNxt),
          us(this.endNs - this.startNs),
          minRttUs,
          retrans,
          this.taskNo,
          us(this.serverNs),
          us(this.uploadNs),
          this.uploadBytes,
          this.reorder,
          mss,
        ];
        if (this.v7) fields.push(this.srttNs < 0 ? 0 : us(this.srttNs), mss > 0 ? Math.ceil(this.maxInflight / mss) : 0);
        break;
      case 'P':
        fields = [
          this.requestBytes,
          us(this.endNs - this.startNs),
          minRttUs,
          retrans,
          this.taskNo,
          us(this.firstRespNs - this.lastSentNs),
          us(this.endNs - this.firstRespNs),
          this.receivedBetween(this.respStartRcv, this.rcvNxt),
          this.reorder,
          mss,
        ];
        break;
      case 'W':
        fields = [
          this.sentBetween(this.startSeq, this.sndNxt),
          us(nowNs - this.startNs),
          minRttUs,
          retrans,
          this.taskNo,
          us(this.serverNs),
          us(this.uploadNs),
          (this.sndNxt - this.sndUna) >>> 0,
          this.reorder,
          mss,
        ];
        break;
      case 'N':
        fields = [this.taskNo, us(nowNs - this.startNs), this.receivedBetween(this.startRcvNxt, this.rcvNxt), this.reorder, mss];
        break;
      case 'E':
        fields = [
          this.taskNo,
          this.sentBetween(this.conSndStart, this.sndNxt),
          (this.sndNxt - this.sndUna) >>> 0,
          this.receivedBetween(this.conRcvStart, this.rcvNxt),
          this.retrans,
          minRttUs,
        ];
        break;
    }
    const record: TaskRecord = {
      type,
      version: type === 'R' && this.v7 ? 7 : 6,
      ext: '',
      startNs: this.startNs,
      endpoints: this.endpoints,
      side: this.rule.side,
      port: this.port,
      fields,
    };
    if (type === 'R') record.firstByteUs = us(this.uploadNs + this.serverNs);
    else if (type === 'P') record.firstByteUs = us(this.firstRespNs - this.startNs);
    if (type === 'R' && this.v7) this.extend(record, nowNs);
    emit(record);
  }

  /** A V7 R record's extended type letters and their trailing fields. */
  private extend(record: TaskRecord, nowNs: number): void {
    const inspector = this.inspector;
    if (inspector !== undefined) {
      record.ext = inspector.letters();
      // TLS 1.3: the handshake ends when the client's Finished arrives, which is what ends
      // this task now (unknown when the connection closes instead).
      if (inspector instanceof TlsInspector && inspector.tls13Handshake && !this.done && this.clientHelloNs >= 0) {
        record.handshakeUs = us(nowNs - this.clientHelloNs);
      }
    }
    if (this.firstFrameBytes.length > 0) {
      record.ext += 'F';
      record.firstFrame = this.firstFrame;
    }
  }

  private addHole(start: number, end: number): void {
    const holes = this.holes;
    let i = 0;
    while (i < holes.length && seqLt(holes[i]!, start)) i += 2;
    holes.splice(i, 0, start, end);
    // Merge neighbours that touch or overlap.
    for (let j = 0; j + 2 < holes.length; ) {
      if (seqGe(holes[j + 1]!, holes[j + 2]!)) {
        if (seqGt(holes[j + 3]!, holes[j + 1]!)) holes[j + 1] = holes[j + 3]!;
        holes.splice(j + 2, 2);
      } else {
        j += 2;
      }
    }
    if (holes.length > 2 * MAX_HOLES) {
      // Too many: merge the two ranges with the smallest gap between them (as if it arrived).
      let best = 0;
      for (let j = 2; j + 2 < holes.length; j += 2) {
        if (((holes[j + 2]! - holes[j + 1]!) >>> 0) < ((holes[best + 2]! - holes[best + 1]!) >>> 0)) best = j;
      }
      holes[best + 1] = holes[best + 3]!;
      holes.splice(best + 2, 2);
    }
  }

  /** rcvNxt moved: out-of-order ranges it reached are now in order. */
  private absorbHoles(): void {
    const holes = this.holes;
    while (holes.length > 0 && seqLe(holes[0]!, this.rcvNxt)) {
      if (seqGt(holes[1]!, this.rcvNxt)) this.rcvNxt = holes[1]!;
      holes.splice(0, 2);
    }
  }
}
