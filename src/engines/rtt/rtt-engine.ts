/**
 * The RTT engine: pairs each data segment with the ACK that acknowledges it.
 *
 * A sample is "segment S, sent by host A, acknowledged by host B": the time from the capture
 * of S to the capture of the first ACK from B whose ack number equals S's end (or falls inside
 * S, a partial ACK of a captured TSO super-segment, after which S's start advances). Segments
 * an ACK covers cumulatively give nothing; each ack number gives at most one sample, so
 * duplicate ACKs give none; pure ACKs never start a sample (they consume no sequence space).
 * SYN and SYN/ACK consume one sequence number, and their samples are kind `syn`.
 *
 * Karn's rule: if S was retransmitted, or the ACK also covers a segment (re)transmitted after S
 * was first sent, the ACK may answer a later transmission and the gap may hold a retransmission
 * timeout. (A retransmission that fills a hole, its first copy lost before the capture point,
 * is the first transmission seen here: its own ACK times it unambiguously.) Without timestamps there is no sample. With them, the ACK's TSecr names the
 * transmission it answers: when that TSval is no older than the last retransmission the ACK
 * covers, the sample runs from the first segment that carried it (kind `ts`); otherwise none.
 * So a value with an RTO inside it is never reported.
 */
import type { PacketView } from '../../decode/packet-view.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../../decode/packet-view.js';
import type { Flow, FlowTable } from '../../flow/flow-table.js';
import { seqAdd, seqGe, seqGt, seqLe, seqLt } from '../../flow/seq.js';
import { AckMatch, DEFAULT_MAX_SEGMENTS, DROPPED_OVER_BUDGET, DROPPED_PER_FLOW, Outstanding, SegmentBudget } from './outstanding.js';
import { findTsVal, newTsHistory, seenFrame, seenNs, seeTsVal, type TsHistory } from './ts-history.js';

export const KIND_DATA = 0;
export const KIND_SYN = 1;
export const KIND_TS = 2;
export const KIND_NAMES = ['data', 'syn', 'ts'] as const;
export type SampleKind = typeof KIND_DATA | typeof KIND_SYN | typeof KIND_TS;

/**
 * The data one endpoint sends, and what is known of its acknowledgement by the other. It *is*
 * the ring of its segments in flight (a subclass rather than a member: a million connections
 * make every object per half count, bench/run.ts bytes per flow).
 */
export class HalfConnection extends Outstanding {
  tsHistory: TsHistory | undefined = undefined;
  /*
   * maxEnd, una and isn are sequence numbers held as int32 (`x | 0`), not u32: V8 keeps a
   * 32-bit integer in the object itself but boxes a larger double in a heap number of its own,
   * 16 bytes more per field per connection. The serial helpers take either form; compare for
   * equality only after `| 0`, and give the ring back u32 (`>>> 0`).
   */
  /** One past the highest sequence number sent. */
  maxEnd = 0;
  /** Highest ack number received for this sender's data, once `acked`. */
  una = 0;
  /** The initial sequence number, once `synSeen`. */
  isn = 0;
  /** started, acked and synSeen, one bit each: one field instead of three. */
  private bits = 0;
  /** Packets from this endpoint (any kind). */
  packets = 0;
  /** Sequence-consuming segments, and how many of them were retransmissions. */
  dataSegments = 0;
  retransmittedSegments = 0;
  /** Left for the consumer of samples (stats) to cache its grouping of this half. */
  sinkSlot: unknown = undefined;

  /** Some sequence-consuming segment has been seen from this sender. */
  get started(): boolean {
    return (this.bits & STARTED) !== 0;
  }
  set started(on: boolean) {
    this.bits = on ? this.bits | STARTED : this.bits & ~STARTED;
  }
  /** Some ACK of this sender's data has been seen (`una` holds the highest). */
  get acked(): boolean {
    return (this.bits & ACKED) !== 0;
  }
  set acked(on: boolean) {
    this.bits = on ? this.bits | ACKED : this.bits & ~ACKED;
  }
  /** The sender's SYN was seen (`isn` holds its sequence number). */
  get synSeen(): boolean {
    return (this.bits & SYN_SEEN) !== 0;
  }
  set synSeen(on: boolean) {
    this.bits = on ? this.bits | SYN_SEEN : this.bits & ~SYN_SEEN;
  }
}

const STARTED = 1;
const ACKED = 2;
const SYN_SEEN = 4;

export class RttConnection {
  /** Data sent by endpoint A (acknowledged by B), and by B (acknowledged by A). */
  readonly a = new HalfConnection();
  readonly b = new HalfConnection();
}

/** One RTT sample; a single instance is reused, valid during the sink call only. */
export class RttSample {
  /** Capture time of the acknowledging packet, ns from the start of the run. */
  ackNs = 0;
  rttNs = 0;
  kind: SampleKind = KIND_DATA;
  flow!: Flow<RttConnection>;
  /** True when endpoint A sent the ACK (so B sent the data). */
  ackedByA = false;
  /** Frame references (capture/frame-ref.ts) of the segment the sample runs from, and of the ACK. */
  segFrame = 0;
  ackFrame = 0;
}

export interface RttSink {
  onSample(sample: RttSample): void;
}

export class RttCounters {
  samples = 0;
  /** ACKs left without a sample by Karn's rule (ambiguous, no usable timestamp echo). */
  karnSkipped = 0;
  /** ACKs that advanced past data the capture never showed (capture started mid-flow, loss). */
  ackedUnseenData = 0;
  /** Cumulative ACKs that ended at no captured segment boundary. */
  noSegmentMatch = 0;
  keepalives = 0;
  /** Oldest segments forgotten because MAX_SEGMENTS were in flight in one direction. */
  segmentsDropped = 0;
  /** Oldest segments forgotten because the run's segment budget (--max-segments) was spent. */
  segmentsOverBudget = 0;
}

export class RttEngine {
  readonly counters = new RttCounters();
  private readonly table: FlowTable<RttConnection>;
  private readonly sink: RttSink;
  private readonly sample = new RttSample();
  private readonly match = new AckMatch();
  /** The current packet's frame reference (capture/frame-ref.ts), set by whoever feeds packets in. */
  frameRef = 0;

  /** Segments in flight over all connections (see SegmentBudget). */
  readonly budget: SegmentBudget;

  constructor(table: FlowTable<RttConnection>, sink: RttSink, maxSegments = DEFAULT_MAX_SEGMENTS) {
    this.table = table;
    this.sink = sink;
    this.budget = new SegmentBudget(maxSegments);
  }

  /** A connection left the table: its rings give their slots back. */
  connectionEnded(conn: RttConnection): void {
    conn.a.giveBack(this.budget);
    conn.b.giveBack(this.budget);
  }

  private pushed(outcome: number): void {
    if (outcome === DROPPED_PER_FLOW) this.counters.segmentsDropped++;
    else if (outcome === DROPPED_OVER_BUDGET) this.counters.segmentsOverBudget++;
  }

  /** Pairs what the packet in `view` sends and acknowledges; returns its flow (the table's `fromA` says its direction). */
  onPacket(view: PacketView, nowNs: number): Flow<RttConnection> {
    const table = this.table;
    let flow = table.lookup(view, nowNs);
    let fromA = table.fromA;
    const flags = view.flags;
    if ((flags & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
      // A new SYN on a known 4-tuple with another ISN, or after a close: a new connection.
      const sender = fromA ? flow.state.a : flow.state.b;
      if ((sender.synSeen && sender.isn !== (view.seq | 0)) || (flow.closed && !sender.synSeen)) {
        flow = table.replace(flow, view, nowNs);
        fromA = true;
      }
    }
    const conn = flow.state;
    const out = fromA ? conn.a : conn.b;
    const back = fromA ? conn.b : conn.a;
    out.packets++;
    if ((flags & TCP_ACK) !== 0 && back.started) this.onAck(back, view, nowNs, flow, fromA);
    const segLen = view.payloadLen + ((flags & TCP_SYN) !== 0 ? 1 : 0) + ((flags & TCP_FIN) !== 0 ? 1 : 0);
    if (segLen > 0 && (flags & TCP_RST) === 0) this.onSegment(out, view, segLen, nowNs);
    if ((flags & (TCP_FIN | TCP_RST)) !== 0) table.markClosed(flow);
    return flow;
  }

  private onSegment(half: HalfConnection, view: PacketView, segLen: number, nowNs: number): void {
    const seq = view.seq;
    const end = seqAdd(seq, segLen);
    const isSyn = (view.flags & TCP_SYN) !== 0;
    const tsVal = view.hasTimestamp ? view.tsVal : 0;
    if (isSyn) {
      half.synSeen = true;
      half.isn = seq | 0;
    }
    if (view.hasTimestamp) half.tsHistory = seeTsVal(half.tsHistory ?? newTsHistory(), tsVal, nowNs, this.frameRef);
    if (!half.started || seqGe(seq, half.maxEnd)) {
      half.started = true;
      half.dataSegments++;
      this.pushed(half.push(seq, end, nowNs, tsVal, isSyn, this.frameRef, this.budget));
      half.maxEnd = end | 0;
      return;
    }
    // Starts below the highest byte sent: a retransmission, or a keep-alive probe (one byte or
    // none just below what was acknowledged), which is neither data nor a retransmission.
    if (half.acked && segLen <= 1 && (end | 0) === half.una) {
      this.counters.keepalives++;
      return;
    }
    half.dataSegments++;
    half.retransmittedSegments++;
    const segs: Outstanding = half;
    const first = this.firstEndingAfter(segs, seq);
    let overlapped = false;
    for (let i = first; i < segs.count && seqLt(segs.start(i), end); i++) {
      segs.markRetransmitted(i, nowNs, tsVal);
      overlapped = true;
    }
    if (seqGt(end, half.maxEnd)) {
      // It also carries new bytes: their ACK can only answer this packet.
      this.pushed(segs.push(half.maxEnd >>> 0, end, nowNs, tsVal, false, this.frameRef, this.budget));
      half.maxEnd = end | 0;
    } else if (!overlapped && (!half.acked || seqGe(seq, half.una))) {
      // It fills a hole: the first copy of these bytes to pass the capture point (the earlier
      // one was lost upstream), so it is timed like a first transmission, in sequence order.
      this.pushed(segs.push(seq, end, nowNs, tsVal, isSyn, this.frameRef, this.budget));
      segs.moveLastTo(first);
    }
  }

  /** Index of the first outstanding segment that ends after `seq` (they are in order). */
  private firstEndingAfter(segs: Outstanding, seq: number): number {
    let lo = 0;
    let hi = segs.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (seqLe(segs.end(mid), seq)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private onAck(half: HalfConnection, view: PacketView, nowNs: number, flow: Flow<RttConnection>, ackedByA: boolean): void {
    const ack = view.ack;
    if (half.acked && seqLe(ack, half.una)) return; // duplicate or old: one sample per ack number
    half.una = ack | 0;
    half.acked = true;
    const segs: Outstanding = half;
    if (seqGt(ack, half.maxEnd)) {
      this.counters.ackedUnseenData++;
      segs.clear();
      segs.shrinkIfEmpty(this.budget);
      return;
    }
    // S is the segment the ACK ends at. If the latest transmission the ACK covers came after
    // S was first sent (S was retransmitted, or an earlier hole was filled late), the ACK may
    // answer that one instead.
    const match = this.match;
    segs.acknowledge(ack, match);
    if (segs.count === 0) segs.shrinkIfEmpty(this.budget);
    if (match.sentNs < 0) {
      this.counters.noSegmentMatch++;
      return;
    }
    const sample = this.sample;
    if (!match.retransmitted && match.latestSentNs <= match.sentNs) {
      sample.rttNs = nowNs - match.sentNs;
      sample.kind = match.syn ? KIND_SYN : KIND_DATA;
      sample.segFrame = match.sentFrame;
    } else {
      const at = this.echoedEntry(half, view, match.latestTsVal);
      if (at < 0) {
        this.counters.karnSkipped++;
        return;
      }
      sample.rttNs = nowNs - seenNs(half.tsHistory!, at);
      sample.kind = KIND_TS;
      sample.segFrame = seenFrame(half.tsHistory!, at);
    }
    sample.ackFrame = this.frameRef;
    sample.ackNs = nowNs;
    sample.flow = flow;
    sample.ackedByA = ackedByA;
    this.counters.samples++;
    this.sink.onSample(sample);
  }

  /**
   * For an ambiguous ACK: the TS history entry of the first segment carrying the echoed TSval,
   * provided that TSval is no older than the latest transmission the ACK covers; else -1.
   */
  private echoedEntry(half: HalfConnection, view: PacketView, latestTsVal: number): number {
    // TSecr 0 is not an echo (RFC 7323), except on a SYN, which acknowledges nothing.
    if (!view.hasTimestamp || view.tsEcr === 0 || half.tsHistory === undefined) return -1;
    if (seqLt(view.tsEcr, latestTsVal)) return -1;
    return findTsVal(half.tsHistory, view.tsEcr);
  }
}
