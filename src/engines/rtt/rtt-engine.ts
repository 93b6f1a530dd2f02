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
 * is the first transmission seen here: its own ACK times it unambiguously.) Without timestamps
 * there is no sample. With them, the ACK's TSecr names the transmission it answers: the sample
 * runs from the covered transmission that carried that TSval (kind `ts`), even when it is an
 * earlier copy than the latest (the retransmission was spurious: Eifel), except from a host
 * that is closing, whose TIME_WAIT socket echoes the TSval it kept from the first copy. When no
 * covered transmission carried it, from the first segment that did, if it is no older than the
 * latest covered transmission; otherwise none. So a value with an RTO inside it is never reported.
 *
 * Holes: an ACK that covers segments the receiver had reported in SACK blocks jumped a hole;
 * it was sent when the hole filled, not when S arrived, so timing it from S would include the
 * wait for the hole. When its TSecr names exactly one covered transmission that was never
 * SACKed (the one that filled the hole), the sample runs from it (kind `ts`); otherwise it is
 * timed from S as tshark and tcptrace do, and told apart as kind `hole`.
 *
 * A negative interval (capture timestamps that went backwards) is counted, never a sample.
 */
import type { PacketView } from '../../decode/packet-view.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN } from '../../decode/packet-view.js';
import type { Flow, FlowTable } from '../../flow/flow-table.js';
import { seqAdd, seqGe, seqGt, seqLe, seqLt } from '../../flow/seq.js';
import { AckMatch, DEFAULT_MAX_SEGMENTS, DROPPED_OVER_BUDGET, DROPPED_PER_FLOW, Outstanding, SegmentBudget } from './outstanding.js';
import { NOT_YET_SET } from '../../time.js';

export const KIND_DATA = 0;
export const KIND_SYN = 1;
export const KIND_TS = 2;
export const KIND_HOLE = 3;
export const KIND_NAMES = ['data', 'syn', 'ts', 'hole'] as const;
export type SampleKind = typeof KIND_DATA | typeof KIND_SYN | typeof KIND_TS | typeof KIND_HOLE;
export type KindName = (typeof KIND_NAMES)[number];

/**
 * The data one endpoint sends, and what is known of its acknowledgement by the other. It *is*
 * the ring of its segments in flight (a subclass rather than a member: a million connections
 * make every object per half count, bench/run.ts bytes per flow).
 */
export class HalfConnection extends Outstanding {
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
  /** started, acked, synSeen, finSeen and usesSack, one bit each: one field instead of five. */
  private bits = 0;
  /** Packets from this endpoint (any kind). */
  packets = 0;
  /** Sequence-consuming segments, and how many of them were retransmissions. */
  dataSegments = 0;
  retransmittedSegments = 0;
  /** Left for the consumer of samples (stats) to cache its grouping of this half. */
  sinkSlot: unknown = undefined;
  /** In half A, half B (see RttConnection); in half B, undefined. */
  private readonly other: HalfConnection | undefined;

  /** `other`: half B, when this is half A of a new connection (newRttConnection). */
  constructor(other?: HalfConnection) {
    super();
    this.other = other;
  }

  /** Of a connection (its half A): the data endpoint A sends (acknowledged by B), this half itself. */
  get a(): HalfConnection {
    return this;
  }
  /** Of a connection (its half A): the data endpoint B sends (acknowledged by A). */
  get b(): HalfConnection {
    return this.other!;
  }

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
  /** The sender uses SACK (SACK-permitted on its SYN, or SACK blocks sent), so it reports duplicates (D-SACK). */
  get usesSack(): boolean {
    return (this.bits & USES_SACK) !== 0;
  }
  set usesSack(on: boolean) {
    this.bits = on ? this.bits | USES_SACK : this.bits & ~USES_SACK;
  }
  /** The sender has sent a FIN: it is closing. */
  get finSeen(): boolean {
    return (this.bits & FIN_SEEN) !== 0;
  }
  set finSeen(on: boolean) {
    this.bits = on ? this.bits | FIN_SEEN : this.bits & ~FIN_SEEN;
  }
}

const STARTED = 1;
const ACKED = 2;
const SYN_SEEN = 4;
const FIN_SEEN = 8;
const USES_SACK = 16;

/**
 * A connection: its half A, which holds half B. `a` and `b` give the two halves (the data A sends,
 * acknowledged by B, and the data B sends); they mean something on half A only. Half A stands for
 * the connection instead of a third object holding the two: 24 bytes and one heap object less
 * per flow (bench/run.ts, bytes per flow). One class for both halves, not a subclass for half A:
 * code that takes either half then sees one map (a subclass cost ~1.5% of analyze()'s CPU).
 */
export type RttConnection = HalfConnection;

export function newRttConnection(): RttConnection {
  return new HalfConnection(new HalfConnection());
}

/**
 * One RTT sample, in nanoseconds. The engine fills one instance (its owner's: see the engine's
 * constructor) for every sample, valid during the sink call only: whoever keeps a sample copies it.
 */
export class RttSample {
  /** Capture time of the acknowledging packet, ns from the start of the run. */
  ackNs = NOT_YET_SET;
  rttNs = NOT_YET_SET;
  kind: SampleKind = KIND_DATA;
  flow!: Flow<RttConnection>;
  /** True when endpoint A sent the ACK (so B sent the data). */
  ackedByA = false;
  /** Frame references (capture/frame-ref.ts) of the segment the sample runs from, and of the ACK. */
  segFrame = NOT_YET_SET;
  ackFrame = NOT_YET_SET;

  /** Takes `other`'s figures. */
  copy(other: RttSample): void {
    this.ackNs = other.ackNs;
    this.rttNs = other.rttNs;
    this.kind = other.kind;
    this.flow = other.flow;
    this.ackedByA = other.ackedByA;
    this.segFrame = other.segFrame;
    this.ackFrame = other.ackFrame;
  }
}

export interface RttSink {
  onSample(sample: RttSample): void;
}

/**
 * How soon hosts react: a packet that echoes (TSecr) the newest TSval its peer sent, timed from
 * the first sighting of that TSval. For the vantage inference (flow/vantage.ts); reactions that
 * are also RTT samples are not reported twice.
 */
export interface ReactionSink {
  onReaction(flow: Flow<RttConnection>, byA: boolean, delayNs: number): void;
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
  /** ACKs captured before the segment they answer (timestamps went backwards): no sample. */
  negativeIntervals = 0;
}

export class RttEngine {
  readonly counters = new RttCounters();
  private readonly table: FlowTable<RttConnection>;
  private readonly sink: RttSink;
  private readonly sample: RttSample;
  private readonly match = new AckMatch();
  /** Where reactions go while the vantage is being inferred; undefined costs nothing per packet. */
  reactions: ReactionSink | undefined = undefined;
  /** The current packet's frame reference (capture/frame-ref.ts), set by whoever feeds packets in. */
  frameRef = 0;
  /** The frame reference of the copy echoedSentNs last found. */
  private echoedFrame = 0;

  /** Segments in flight over all connections (see SegmentBudget). */
  readonly budget: SegmentBudget;

  /**
   * `sample`: the object each sample is written into and handed to `sink` (the collector passes
   * its own, so that one object carries a sample from here to the per-sample outputs).
   */
  constructor(table: FlowTable<RttConnection>, sink: RttSink, maxSegments = DEFAULT_MAX_SEGMENTS, sample = new RttSample()) {
    this.table = table;
    this.sink = sink;
    this.sample = sample;
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
    if ((view.sackPermitted || view.sackBlocks > 0) && !out.usesSack) out.usesSack = true;
    const sampled = (flags & TCP_ACK) !== 0 && back.started && this.onAck(back, view, nowNs, flow, fromA, out);
    const segLen = view.payloadLen + ((flags & TCP_SYN) !== 0 ? 1 : 0) + ((flags & TCP_FIN) !== 0 ? 1 : 0);
    if (segLen > 0 && (flags & TCP_RST) === 0) this.onSegment(out, view, segLen, nowNs);
    if (this.reactions !== undefined && view.hasTimestamp) this.timeEcho(flow, fromA, out, back, view, nowNs, sampled);
    if ((flags & TCP_FIN) !== 0) out.finSeen = true;
    if ((flags & (TCP_FIN | TCP_RST)) !== 0) table.markClosed(flow);
    return flow;
  }

  /** Times the sender's echo of its peer's newest TSval, and notes the sender's own TSval. */
  private timeEcho(flow: Flow<RttConnection>, fromA: boolean, out: HalfConnection, back: HalfConnection, view: PacketView, nowNs: number, sampled: boolean): void {
    if (view.tsEcr !== 0) {
      const delayNs = back.echoDelayNs(view.tsEcr, nowNs);
      // An echo that is also an RTT sample reaches the inference as that sample.
      if (delayNs >= 0 && !sampled) this.reactions!.onReaction(flow, fromA, delayNs);
    }
    out.seeLatestTsVal(view.tsVal, nowNs);
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
    if (view.hasTimestamp) half.seeTsVal(tsVal, nowNs, this.frameRef);
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
    const first = segs.firstEndingAfter(seq);
    let overlapped = false;
    for (let i = first; i < segs.count && seqLt(segs.start(i), end); i++) {
      segs.markRetransmitted(i, nowNs, tsVal, this.frameRef);
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

  /** Pairs the ACK in `view` with `half`'s data; true when it gave a sample. */
  private onAck(half: HalfConnection, view: PacketView, nowNs: number, flow: Flow<RttConnection>, ackedByA: boolean, acker: HalfConnection): boolean {
    const ack = view.ack;
    const segs: Outstanding = half;
    // SACK blocks come mostly on duplicate ACKs: read them before those are dropped.
    for (let b = 0; b < view.sackBlocks; b++) {
      const right = view.sack[2 * b + 1]!;
      if (seqGt(right, ack)) segs.markSacked(view.sack[2 * b]!, right);
    }
    if (half.acked && seqLe(ack, half.una)) return false; // duplicate or old: one sample per ack number
    half.una = ack | 0;
    half.acked = true;
    if (seqGt(ack, half.maxEnd)) {
      this.counters.ackedUnseenData++;
      segs.clear();
      segs.shrinkIfEmpty(this.budget);
      return false;
    }
    // S is the segment the ACK ends at. If the latest transmission the ACK covers came after
    // S was first sent (S was retransmitted, or an earlier hole was filled late), the ACK may
    // answer that one instead.
    const match = this.match;
    // TSecr 0 is not an echo (RFC 7323), except on a SYN, which acknowledges nothing.
    const tsEcr = view.hasTimestamp && view.tsEcr !== 0 ? view.tsEcr : -1;
    segs.acknowledge(ack, match, tsEcr);
    if (segs.count === 0) segs.shrinkIfEmpty(this.budget);
    if (match.sentNs < 0) {
      this.counters.noSegmentMatch++;
      return false;
    }
    let sentNs: number;
    let segFrame: number;
    let kind: SampleKind;
    if (match.holeJumped && match.echoCount === 1 && tsEcr !== match.endTsVal) {
      // The echo names the one copy never SACKed: the one that filled the hole.
      sentNs = match.echoSentNs;
      segFrame = match.echoSentFrame;
      kind = KIND_TS;
    } else if (match.retransmitted || match.latestSentNs > match.sentNs) {
      sentNs = this.echoedSentNs(half, view, match, tsEcr, acker);
      segFrame = this.echoedFrame;
      if (sentNs < 0) {
        this.counters.karnSkipped++;
        return false;
      }
      kind = KIND_TS;
    } else if (match.holeJumped) {
      sentNs = match.sentNs;
      segFrame = match.sentFrame;
      kind = KIND_HOLE;
    } else {
      sentNs = match.sentNs;
      segFrame = match.sentFrame;
      kind = match.syn ? KIND_SYN : KIND_DATA;
    }
    const rttNs = nowNs - sentNs;
    if (rttNs < 0) {
      this.counters.negativeIntervals++;
      return false;
    }
    const sample = this.sample;
    sample.rttNs = rttNs;
    sample.kind = kind;
    sample.segFrame = segFrame;
    sample.ackFrame = this.frameRef;
    sample.ackNs = nowNs;
    sample.flow = flow;
    sample.ackedByA = ackedByA;
    this.counters.samples++;
    this.sink.onSample(sample);
    return true;
  }

  /**
   * For an ambiguous ACK: when the transmission it answers was captured, as its TSecr tells,
   * or -1 when the echo cannot say. The echo names the segment that last updated the
   * receiver's TS.Recent, the first to arrive at its left edge since it last acknowledged: that
   * copy arrived before the ACK left, but need not be what the ACK answers (RFC 7323 echoes the
   * earliest unacknowledged segment of a delayed ACK). The copy's frame goes to echoedFrame.
   */
  private echoedSentNs(half: HalfConnection, view: PacketView, match: AckMatch, tsEcr: number, acker: HalfConnection): number {
    if (tsEcr < 0) return -1;
    if (match.echoCount > 0) {
      if (match.echoFirstCopy) {
        // Eifel (RFC 3522): the echo proves the first copy of a segment sent again arrived, so
        // the retransmission was spurious and the ACK answers first copies: time it from S's.
        // Not when the retransmission had arrived too (the ACK reports it as a duplicate,
        // D-SACK, or could not say so: no SACK), not for a SYN (the answer may be a peer's
        // timer-driven resend of one lost answer, a second late), and not from a closing host
        // (a TIME_WAIT socket echoes the TSval it kept from the first copy).
        // Nor after a hole: the ACK answers whichever first copy filled it, which the echo does not single out.
        const eifel = !match.syn && !match.holeJumped && acker.usesSack && !acker.finSeen && !reportsDuplicate(view);
        this.echoedFrame = match.sentFrame;
        return eifel ? match.sentNs : -1;
      }
      // The latest copies covered (the earliest of those that carried it, so that a tie within
      // one timestamp tick can only overestimate); an older segment's echo is a delayed ACK's,
      // which says nothing of what the ACK answers.
      this.echoedFrame = match.echoSentFrame;
      return seqGe(tsEcr, match.latestTsVal) ? match.echoSentNs : -1;
    }
    // A copy the ring no longer tells apart: newer than every covered copy, or, when the ACK
    // covers S alone, one of S's copies between its first and its latest.
    if (seqGe(tsEcr, match.latestTsVal) || (match.segments === 1 && seqGe(tsEcr, match.endFirstTsVal) && seqLe(tsEcr, match.endTsVal))) {
      const at = half.findTsVal(tsEcr);
      if (at < 0) return -1;
      this.echoedFrame = half.tsSeenFrame(at);
      return half.tsSeenNs(at);
    }
    return -1;
  }
}

/** The ACK carries a D-SACK (RFC 2883): its first SACK block reports data received twice. */
function reportsDuplicate(view: PacketView): boolean {
  if (view.sackBlocks === 0) return false;
  const left = view.sack[0]!;
  const right = view.sack[1]!;
  if (seqLe(right, view.ack)) return true;
  return view.sackBlocks > 1 && seqGe(left, view.sack[2]!) && seqLe(right, view.sack[3]!);
}
