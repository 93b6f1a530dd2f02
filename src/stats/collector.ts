/**
 * Where RTT samples go after the engine: vantage (which host is local), time window, kinds,
 * filters, grouping, and the statistics of each group and of the whole run. Per-sample
 * outputs (CSV, sample lines, chart) subscribe through `onSample`.
 *
 * Without --local the vantage is inferred from how fast each host answers (flow/vantage.ts):
 * every sample and every reaction the engine reports counts, before the time window, kinds
 * and filters select anything, so that they never change whose RTT it is. Until it is decided,
 * samples wait in a compact buffer and the flows that ended in a list, both bounded: the
 * decision is forced when either fills (the flow list at --max-flows), at the first --interval
 * boundary, or at the end of input; then they are replayed in order.
 */
import { cidrContains, endpointText, formatAddress, type Cidr } from '../flow/address.js';
import type { Flow } from '../flow/flow-table.js';
import { isLocal, VantageInference, type HostEvidence, type Vantage } from '../flow/vantage.js';
import { RttSample, type HalfConnection, type ReactionSink, type RttConnection, type SampleKind } from '../engines/rtt/rtt-engine.js';
import type { TimeBase } from '../time.js';
import { RttStats, type HistogramUnit } from './rtt-stats.js';
import { TimeSeries } from './time-series.js';
import type { ProcessInfo } from '../process/attributor.js';

/** The half of `flow` whose data was acknowledged: B's when A acknowledged, and A's otherwise. */
function senderHalf(flow: Flow<RttConnection>, ackedByA: boolean): HalfConnection {
  return ackedByA ? flow.state.b : flow.state.a;
}

export type GroupBy = 'all' | 'laddr' | 'raddr' | 'lport' | 'rport' | 'flow' | 'process';

/** Which process holds an endpoint's socket (live, --by process): see process/attributor.ts. */
export type ProcessLookup = (flow: Flow<RttConnection>, endpointA: boolean) => ProcessInfo | undefined;

/** The group of samples whose local process is not known (not on this host, or gone too soon). */
export const UNKNOWN_PROCESS = 'unknown';

export interface SampleFilters {
  /** Only connections of this IP version (bcc's -4/-6). */
  ipVersion?: 4 | 6;
  laddr: Cidr[];
  raddr: Cidr[];
  lport: Set<number>;
  rport: Set<number>;
}

export interface CollectorOptions {
  by: GroupBy;
  /** Given local hosts; undefined to infer them. */
  vantage: Vantage | undefined;
  includeLocal: boolean;
  filters: SampleFilters;
  /** Sample kinds kept, one bit per SampleKind (see kindMask). */
  kinds: number;
  histogramUnit: HistogramUnit;
  /** Samples held while the vantage is undecided; the decision is forced at this many. */
  pendingLimit: number;
  /** Flows that ended while the vantage is undecided; the decision is forced at this many. */
  pendingFlowLimit: number;
  /** Keep each group's RTT over time (for --chart). */
  timeSeries: boolean;
  /** The run's time base, which per-sample outputs read from each sample. */
  base: TimeBase;
  /** Calls `fn` on every flow still in the table (their halves cache inference records until the decision). */
  forEachActiveFlow: (fn: (flow: Flow<RttConnection>) => void) => void;
  /** With --by process: the process of an endpoint. */
  processOf?: ProcessLookup;
}

/** Every sample kind. */
export const ALL_KINDS = 0xff;

/** The kinds bit mask of a list of SampleKind values. */
export function kindMask(kinds: readonly SampleKind[]): number {
  let mask = 0;
  for (const kind of kinds) mask |= 1 << kind;
  return mask;
}

export class Group {
  constructor(
    readonly key: string,
    readonly stats: RttStats,
    /** RTT over capture time, kept only for --chart. */
    readonly series: TimeSeries | undefined,
    /** --by process: the process the key names (null: unknown). */
    readonly process?: ProcessInfo | null,
  ) {}
}

/**
 * A sample as per-sample outputs see it: the engine's figures in nanoseconds (RttSample: ACK
 * time, RTT, kind, frames), where it came from (the half-connection: data from `src`,
 * acknowledged by `dst`), the group it went to, and the run's time base. One instance per run,
 * the collector's: the RTT engine writes each sample into it and it goes on to the listener as
 * it is. Reused for every sample, so valid during the listener call only (gopacket's zero-copy
 * contract); addresses are formatted only when asked for, so that analysis alone makes no strings.
 */
export class Sample extends RttSample {
  /** The group the sample went to (with --by process, it names the local process). */
  group!: Group;
  /** The run's time base: `ackNs` counts from it. */
  readonly base: TimeBase;

  constructor(base: TimeBase) {
    super();
    this.base = base;
  }

  /** The sender's half: the same object for every sample of this half-connection. */
  get half(): HalfConnection {
    return senderHalf(this.flow, this.ackedByA);
  }
  get src(): string {
    return formatAddress(this.flow.ipVersion, this.flow.addrs, this.ackedByA ? 4 : 0);
  }
  get dst(): string {
    return formatAddress(this.flow.ipVersion, this.flow.addrs, this.ackedByA ? 0 : 4);
  }
  get sport(): number {
    return this.ackedByA ? this.flow.portB : this.flow.portA;
  }
  get dport(): number {
    return this.ackedByA ? this.flow.portA : this.flow.portB;
  }
}

/** Why the samples of a half-connection are left out: a local host acknowledged, or a filter. */
type Exclusion = 'local' | 'filter';

export type SampleListener = (sample: Sample) => void;

/** Samples replayed between two looks at a slow output (decideInSlices): about a chunk's worth. */
const REPLAY_SLICE = 8192;

/** Samples per chunk of the pending buffer: chunks are never copied, only added. */
const PENDING_CHUNK = 65536;
const PENDING_DOUBLES = 4;
/**
 * The first chunk starts this small and doubles up to PENDING_CHUNK (copying at most one chunk's
 * worth in all): a run of a few samples does not set aside 2.6 MB for them.
 */
const FIRST_PENDING_CHUNK = 1024;

/** Samples waiting for the vantage decision, in fixed-size chunks (no copying as it grows). */
class PendingSamples {
  /** Per sample, PENDING_DOUBLES values: ack time and RTT (ns), segment and ACK frame references. */
  private readonly times: Float64Array[] = [];
  /** Per sample: its kind, plus KIND_BY_A if endpoint A acknowledged. */
  private readonly kinds: Uint8Array[] = [];
  private readonly flowChunks: Array<Flow<RttConnection>[]> = [];
  length = 0;

  push(sample: RttSample): void {
    const at = this.length % PENDING_CHUNK;
    if (at === 0) {
      const size = this.times.length === 0 ? FIRST_PENDING_CHUNK : PENDING_CHUNK;
      this.times.push(new Float64Array(PENDING_DOUBLES * size));
      this.kinds.push(new Uint8Array(size));
      this.flowChunks.push(new Array<Flow<RttConnection>>(size));
    } else if (at === this.kinds[this.kinds.length - 1]!.length) {
      this.growFirstChunk();
    }
    const last = this.times.length - 1;
    const times = this.times[last]!;
    const v = PENDING_DOUBLES * at;
    times[v] = sample.ackNs;
    times[v + 1] = sample.rttNs;
    times[v + 2] = sample.segFrame;
    times[v + 3] = sample.ackFrame;
    this.kinds[last]![at] = sample.kind + (sample.ackedByA ? KIND_BY_A : 0);
    this.flowChunks[last]![at] = sample.flow;
    this.length++;
  }

  /** Doubles the first chunk, the one chunk that can be full before PENDING_CHUNK samples. */
  private growFirstChunk(): void {
    const size = Math.min(PENDING_CHUNK, 2 * this.kinds[0]!.length);
    const times = new Float64Array(PENDING_DOUBLES * size);
    times.set(this.times[0]!);
    this.times[0] = times;
    const kinds = new Uint8Array(size);
    kinds.set(this.kinds[0]!);
    this.kinds[0] = kinds;
    this.flowChunks[0]!.length = size;
  }

  /** Writes sample `i` (in order of arrival) into `into`. */
  read(i: number, into: RttSample): void {
    const chunk = Math.floor(i / PENDING_CHUNK);
    const at = i % PENDING_CHUNK;
    const times = this.times[chunk]!;
    const kind = this.kinds[chunk]![at]!;
    const v = PENDING_DOUBLES * at;
    into.flow = this.flowChunks[chunk]![at]!;
    into.ackedByA = kind >= KIND_BY_A;
    into.kind = (kind & (KIND_BY_A - 1)) as SampleKind;
    into.ackNs = times[v]!;
    into.rttNs = times[v + 1]!;
    into.segFrame = times[v + 2]!;
    into.ackFrame = times[v + 3]!;
  }
}

/** Above every SampleKind: the flag of a pending sample that endpoint A acknowledged. */
const KIND_BY_A = 128;

/** A half's slot held its answerer's inference record until the decision; from then on it caches a group. */
function forgetInference(flow: Flow<RttConnection>): void {
  flow.state.a.sinkSlot = undefined;
  flow.state.b.sinkSlot = undefined;
}

/** The inference record of the host that answers `half`'s packets, cached on the half until the decision. */
function answererOf(half: HalfConnection): HostEvidence {
  return half.sinkSlot as HostEvidence;
}

export class SampleCollector implements ReactionSink {
  readonly summary: RttStats;
  readonly groups = new Map<string, Group>();
  /** Samples dropped because a local host acknowledged them (see --include-local). */
  localAcked = 0;
  /** Samples dropped by --laddr/--raddr/--lport/--rport and --kind. */
  filtered = 0;
  /** Samples kept over the whole run (the statistics restart each --interval; this does not). */
  kept = 0;
  vantage: Vantage | undefined;
  onSample: SampleListener | undefined;
  /** Called once the vantage is decided (given: never): TCP-RT waits for it, the engine stops timing answers. */
  onDecided: (() => void) | undefined;
  /** Capture time where each group's time series starts: the first packet, or the --interval's start. */
  originNs = 0;
  /** Samples whose ACK is outside [fromNs, toNs) count for the vantage and nothing else. */
  fromNs = -Infinity;
  toNs = Infinity;
  /** The run's one sample object: the engine writes into it, pending samples are replayed into it. */
  readonly sample: Sample;
  private readonly options: CollectorOptions;
  private inference: VantageInference | undefined;
  private pending: PendingSamples | undefined;
  private pendingFlows: Flow<RttConnection>[] = [];
  /** Scratch for a flow's address words (Flow.addrsInto), used within one call. */
  private readonly words = [0, 0, 0, 0, 0, 0, 0, 0];

  constructor(options: CollectorOptions) {
    this.options = options;
    this.sample = new Sample(options.base);
    this.summary = new RttStats(options.histogramUnit);
    this.vantage = options.vantage;
    if (this.vantage === undefined) {
      this.inference = new VantageInference();
      this.pending = new PendingSamples();
    }
  }

  get decided(): boolean {
    return this.vantage !== undefined;
  }

  /** Whether reactions are wanted (the vantage is still being inferred). */
  get inferring(): boolean {
    return this.inference !== undefined;
  }

  /** Every new flow (its state made, not yet stored in it): each half caches the record of the host that answers it. */
  observeFlow(flow: Flow<RttConnection>, state: RttConnection): void {
    const inference = this.inference;
    if (inference === undefined) return;
    const version = flow.ipVersion;
    const addrs = flow.addrsInto(this.words);
    state.a.sinkSlot = inference.host(version, addrs, 4);
    state.b.sinkSlot = inference.host(version, addrs, 0);
  }

  /** A host's echo of its peer's TSval (engines/rtt): counts as an answer. */
  onReaction(flow: Flow<RttConnection>, byA: boolean, delayNs: number): void {
    if (this.inference !== undefined) answererOf(senderHalf(flow, byA)).answer(delayNs);
  }

  /**
   * A sample from the engine (in `this.sample` unless replayed from elsewhere). When it waits for
   * the vantage it is copied, before a full buffer forces the decision and the replay reuses
   * `this.sample`.
   */
  add(sample: RttSample): void {
    let ackerLocal = false;
    if (this.inference !== undefined) {
      const flow = sample.flow;
      const acker = answererOf(senderHalf(flow, sample.ackedByA));
      acker.answer(sample.rttNs);
      answererOf(senderHalf(flow, !sample.ackedByA)).acked++;
      ackerLocal = acker.surelyLocal;
    }
    if (sample.ackNs < this.fromNs || sample.ackNs >= this.toNs) return;
    // Acknowledged by a host already local for good: left out now rather than held (where it
    // goes depends on nothing else, unless --include-local keeps it).
    if (ackerLocal && !this.options.includeLocal) {
      this.localAcked++;
      return;
    }
    if (this.pending === undefined) {
      this.route(sample);
      return;
    }
    this.pending.push(sample);
    if (this.pending.length >= this.options.pendingLimit) this.decide();
  }

  /** A flow left the table: count its data and retransmitted segments in its groups. */
  flowEnded(flow: Flow<RttConnection>): void {
    if (!this.decided) {
      this.pendingFlows.push(flow);
      if (this.pendingFlows.length >= this.options.pendingFlowLimit) this.decide();
      return;
    }
    this.countSegments(flow, false);
    this.countSegments(flow, true);
  }

  /**
   * decide(), but the waiting samples are replayed `slice` at a time, awaiting `pause` (a slow
   * per-sample output) between slices: at the end of a capture whose vantage was left open, all
   * of its samples wait, and replaying them at once would queue every output row in memory.
   */
  async decideInSlices(pause: () => Promise<void> | undefined, slice = REPLAY_SLICE): Promise<void> {
    const p = this.fixVantage();
    if (p === undefined) return;
    for (let start = 0; start < p.length; start += slice) {
      this.replay(p, start, Math.min(p.length, start + slice));
      const wait = pause();
      if (wait !== undefined) await wait;
    }
    this.settleDecision();
  }

  /** Fixes the vantage (inferring it if needed) and replays what waited for it. */
  decide(): void {
    const p = this.fixVantage();
    if (p === undefined) return;
    this.replay(p, 0, p.length);
    this.settleDecision();
  }

  /** Routes the waiting samples from `start` up to (not including) `end`, in order, through `this.sample`. */
  private replay(p: PendingSamples, start: number, end: number): void {
    const sample = this.sample;
    for (let i = start; i < end; i++) {
      p.read(i, sample);
      this.route(sample);
    }
  }

  /** Infers the vantage; returns the samples that waited for it (undefined if already decided). */
  private fixVantage(): PendingSamples | undefined {
    if (this.vantage !== undefined) return undefined;
    this.vantage = this.inference!.decide();
    this.inference = undefined;
    // The halves cached inference records; from now on they cache groups.
    this.options.forEachActiveFlow(forgetInference);
    for (const flow of this.pendingFlows) forgetInference(flow);
    const p = this.pending!;
    this.pending = undefined;
    return p;
  }

  /** After the replay: the flows that ended while undecided, then whoever waits for the decision. */
  private settleDecision(): void {
    const flows = this.pendingFlows;
    this.pendingFlows = [];
    for (const flow of flows) this.flowEnded(flow);
    this.onDecided?.();
  }

  /**
   * New address/port filters from now on (a reloaded config, a re-resolved whitelist). Each
   * half-connection's cached decision must then be forgotten: see Analysis.setFilters.
   */
  setFilters(filters: Partial<SampleFilters>): void {
    this.options.filters = { ...this.options.filters, ...filters };
  }

  /** Clears the statistics and time series (not the groups' identities), for the next --interval. */
  resetStats(): void {
    this.summary.reset();
    for (const group of this.groups.values()) {
      group.stats.reset();
      group.series?.reset();
    }
  }

  /** Adds the segment counts of the data that one side of `flow` sent (acknowledged by the other). */
  private countSegments(flow: Flow<RttConnection>, ackedByA: boolean): void {
    const half = senderHalf(flow, ackedByA);
    if (half.dataSegments === 0) return;
    const group = this.groupOf(flow, ackedByA);
    if (typeof group === 'string') return;
    for (const stats of group.stats === this.summary ? [this.summary] : [group.stats, this.summary]) {
      stats.dataSegments += half.dataSegments;
      stats.retransmittedSegments += half.retransmittedSegments;
    }
  }

  private route(from: RttSample): void {
    const group = this.groupOf(from.flow, from.ackedByA);
    if (typeof group === 'string') {
      if (group === 'local') this.localAcked++;
      else this.filtered++;
      return;
    }
    if ((this.options.kinds & (1 << from.kind)) === 0) {
      this.filtered++;
      return;
    }
    this.kept++;
    const rttNs = from.rttNs;
    group.stats.add(rttNs);
    if (group.stats !== this.summary) this.summary.add(rttNs);
    group.series?.add(from.ackNs - this.originNs, rttNs / 1000);
    if (this.onSample !== undefined) {
      const sample = this.sample;
      if (from !== sample) sample.copy(from);
      sample.group = group;
      this.onSample(sample);
    }
  }

  /** The group of a half-connection's samples, or why they are left out; cached on the half. */
  private groupOf(flow: Flow<RttConnection>, ackedByA: boolean): Group | Exclusion {
    const half = senderHalf(flow, ackedByA);
    const cached = half.sinkSlot as Group | Exclusion | undefined;
    if (cached !== undefined) return cached;
    const group = this.resolve(flow, ackedByA);
    half.sinkSlot = group;
    return group;
  }

  private resolve(flow: Flow<RttConnection>, ackedByA: boolean): Group | Exclusion {
    const vantage = this.vantage!;
    const version = flow.ipVersion;
    const addrs = flow.addrsInto(this.words);
    const ackerAt = ackedByA ? 0 : 4;
    const senderAt = ackedByA ? 4 : 0;
    const ackerLocal = isLocal(vantage, version, addrs, ackerAt);
    if (ackerLocal && !this.options.includeLocal) return 'local';
    // The local side is the local endpoint when there is one; otherwise (mid-path) the sender,
    // so that the remote side is the host whose acknowledgements are being timed.
    const localIsAcker = ackerLocal && !isLocal(vantage, version, addrs, senderAt);
    const lAt = localIsAcker ? ackerAt : senderAt;
    const rAt = localIsAcker ? senderAt : ackerAt;
    const lport = lAt === 0 ? flow.portA : flow.portB;
    const rport = rAt === 0 ? flow.portA : flow.portB;
    const f = this.options.filters;
    if (
      (f.ipVersion !== undefined && version !== f.ipVersion) ||
      (f.laddr.length > 0 && !f.laddr.some((c) => cidrContains(c, version, addrs, lAt))) ||
      (f.raddr.length > 0 && !f.raddr.some((c) => cidrContains(c, version, addrs, rAt))) ||
      (f.lport.size > 0 && !f.lport.has(lport)) ||
      (f.rport.size > 0 && !f.rport.has(rport))
    ) {
      return 'filter';
    }
    const process = this.options.by === 'process' ? (this.options.processOf?.(flow, lAt === 0) ?? null) : undefined;
    const key =
      process !== undefined
        ? (process?.label ?? UNKNOWN_PROCESS)
        : groupKey(
            this.options.by,
            () => formatAddress(version, addrs, lAt),
            lport,
            () => formatAddress(version, addrs, rAt),
            rport,
          );
    let group = this.groups.get(key);
    if (group === undefined) {
      // With --by all the one group is the summary itself, so each sample is counted once.
      const stats = this.options.by === 'all' ? this.summary : new RttStats(this.options.histogramUnit);
      group = new Group(key, stats, this.options.timeSeries ? new TimeSeries() : undefined, process);
      this.groups.set(key, group);
    }
    return group;
  }
}

/** The group a half-connection falls in; addresses are formatted only when the key needs them. */
export function groupKey(by: GroupBy, laddr: () => string, lport: number, raddr: () => string, rport: number): string {
  switch (by) {
    case 'all':
      return 'all';
    case 'laddr':
      return laddr();
    case 'raddr':
      return raddr();
    case 'lport':
      return String(lport);
    case 'rport':
      return String(rport);
    case 'flow':
      return `${endpointText(laddr(), lport)} ${endpointText(raddr(), rport)}`;
    case 'process':
      return UNKNOWN_PROCESS; // resolved by the collector, which knows the processes
  }
}
