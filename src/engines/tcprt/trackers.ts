/**
 * The two directions of a watched connection as the kernel's socket knows them, derived from
 * the captured segments: what the local end sent and the peer acknowledged (snd_nxt, snd_una,
 * retransmissions, RTT), and what arrived from the peer (rcv_nxt, with its out-of-order queue).
 * The task machines read them; TaskConnection feeds them.
 */
import { seqGe, seqGt, seqLt } from '../../flow/seq.js';
import { ReceiveQueue } from './receive-queue.js';

/** TCP timestamps option as sent on every segment (10 bytes + 2 NOPs): mss_cache leaves it out. */
const TIMESTAMP_OPTION_BYTES = 12;

/** What both directions keep: where the connection's bytes began, the FIN, segment sizes. */
class Direction {
  /** A SYN or a first segment was seen: the sequence numbers below mean something. */
  started = false;
  /** The connection's first byte in this direction. */
  connStart = 0;
  finSeen = false;
  /** The FIN's sequence number (one past the last data byte). */
  finSeq = 0;
  /** MSS option of this direction's SYN, -1 without one. */
  synMss = -1;
  largestSegment = 0;

  /** A segment of `len` payload bytes at `seq` (and a FIN if `fin`): returns one past its data. */
  segment(seq: number, len: number, fin: number): number {
    if (len > this.largestSegment) this.largestSegment = len;
    const dataEnd = (seq + len) >>> 0;
    if (fin !== 0) {
      this.finSeen = true;
      this.finSeq = dataEnd;
    }
    return dataEnd;
  }

  /** Payload bytes in [from, to): sequence space less a FIN inside it. */
  payloadBetween(from: number, to: number): number {
    const span = (to - from) >>> 0;
    return this.finSeen && seqGe(this.finSeq, from) && seqLt(this.finSeq, to) ? span - 1 : span;
  }
}

/** The local end's data and its acknowledgement by the peer. */
export class SendTracker extends Direction {
  /** One past the highest sequence number sent (snd_nxt). */
  nxt = 0;
  /** The highest ack number from the peer (snd_una). */
  una = 0;
  /** Segments that started below snd_nxt (keep-alive probes excepted). */
  retransSegs = 0;
  /** The local end sends TCP timestamps (mss_cache leaves the option out). */
  timestamps = false;
  minRttNs = -1;
  srttNs = -1;

  start(seq: number): void {
    this.started = true;
    this.nxt = this.una = this.connStart = seq;
  }

  /** The peer acknowledged up to `ack`; false if that is nothing new. */
  acked(ack: number): boolean {
    if (!seqGt(ack, this.una)) return false;
    this.una = ack;
    if (seqGt(ack, this.nxt)) this.nxt = ack; // data the capture did not show
    return true;
  }

  /** Sequence space sent and not acknowledged (a FIN counts one). */
  get unackedBytes(): number {
    return (this.nxt - this.una) >>> 0;
  }

  /** An RTT sample of the local end's data, acknowledged by the peer. */
  onRttSample(rttNs: number): void {
    if (this.minRttNs < 0 || rttNs < this.minRttNs) this.minRttNs = rttNs;
    this.srttNs = this.srttNs < 0 ? rttNs : this.srttNs + (rttNs - this.srttNs) / 8;
  }
}

/** The peer's data as it arrived. */
export class ReceiveTracker extends Direction {
  readonly queue = new ReceiveQueue();

  /** One past the peer's bytes that arrived in order (rcv_nxt). */
  get nxt(): number {
    return this.queue.nxt;
  }

  start(seq: number): void {
    this.started = true;
    this.queue.reset(seq);
    this.connStart = seq;
  }
}

/**
 * The connection's MSS as mss_cache has it: the smaller SYN MSS, less the timestamps option
 * when the local end sends it; without a SYN, the largest segment seen.
 */
export function connectionMss(snd: SendTracker, rcv: ReceiveTracker): number {
  const mss = snd.synMss > 0 && rcv.synMss > 0 ? Math.min(snd.synMss, rcv.synMss) : snd.synMss > 0 ? snd.synMss : rcv.synMss;
  if (mss > 0) return snd.timestamps ? mss - TIMESTAMP_OPTION_BYTES : mss;
  return Math.max(snd.largestSegment, rcv.largestSegment);
}
