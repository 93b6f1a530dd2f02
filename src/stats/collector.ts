/**
 * Where RTT samples go after the engine: vantage (which host is local), filters, grouping,
 * and the statistics of each group and of the whole run. Per-sample outputs (CSV, sample
 * lines, chart) subscribe through `onSample`.
 *
 * Without --local the vantage is inferred from the flows seen; until it is decided, samples
 * wait in a compact buffer (bounded: the decision is forced when it fills, at the first
 * --interval boundary, or at the end of input) and are then replayed in order.
 */
import { cidrContains, formatAddress, type Cidr } from '../flow/address.js';
import type { Flow } from '../flow/flow-table.js';
import { isLocal, VantageInference, type Vantage } from '../flow/vantage.js';
import type { HalfConnection, RttConnection, RttSample, SampleKind } from '../engines/rtt/rtt-engine.js';
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
  histogramUnit: HistogramUnit;
  /** Samples held while the vantage is undecided; the decision is forced at this many. */
  pendingLimit: number;
  /** Keep each group's RTT over time (for --chart). */
  timeSeries: boolean;
  /** With --by process: the process of an endpoint. */
  processOf?: ProcessLookup;
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
 * Where a sample came from, for per-sample outputs: the half-connection (data from `src`,
 * acknowledged by `dst`) and the frames of the segment and of the ACK. One instance, reset for
 * each sample and valid during the listener call; addresses are formatted only when asked
 * for, so that analysis alone makes no strings.
 */
export class SampleEndpoints {
  flow!: Flow<RttConnection>;
  ackedByA = false;
  /** Frame references (capture/frame-ref.ts) of the data segment and of the ACK. */
  segFrame = 0;
  ackFrame = 0;
  /** The group the sample went to (with --by process, it names the local process). */
  group!: Group;

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

export type SampleListener = (ackNs: number, rttNs: number, kind: SampleKind, endpoints: SampleEndpoints) => void;

/** Samples per chunk of the pending buffer: chunks are never copied, only added. */
const PENDING_CHUNK = 65536;
const PENDING_STRIDE = 6;

/** Samples waiting for the vantage decision, in fixed-size chunks (no copying as it grows). */
class PendingSamples {
  /** Per sample (PENDING_STRIDE values): ack time, RTT (ns), kind, 1 if endpoint A acknowledged, segment and ACK frames. */
  private readonly values: Float64Array[] = [];
  private readonly flowChunks: Array<Flow<RttConnection>[]> = [];
  length = 0;

  push(sample: RttSample): void {
    const at = this.length % PENDING_CHUNK;
    if (at === 0) {
      this.values.push(new Float64Array(PENDING_STRIDE * PENDING_CHUNK));
      this.flowChunks.push(new Array<Flow<RttConnection>>(PENDING_CHUNK));
    }
    const values = this.values[this.values.length - 1]!;
    const v = PENDING_STRIDE * at;
    values[v] = sample.ackNs;
    values[v + 1] = sample.rttNs;
    values[v + 2] = sample.kind;
    values[v + 3] = sample.ackedByA ? 1 : 0;
    values[v + 4] = sample.segFrame;
    values[v + 5] = sample.ackFrame;
    this.flowChunks[this.flowChunks.length - 1]![at] = sample.flow;
    this.length++;
  }

  /** Calls `fn` for each sample in order. */
  forEach(fn: (flow: Flow<RttConnection>, ackedByA: boolean, ackNs: number, rttNs: number, kind: SampleKind, segFrame: number, ackFrame: number) => void): void {
    for (let i = 0; i < this.length; i++) {
      const values = this.values[Math.floor(i / PENDING_CHUNK)]!;
      const at = PENDING_STRIDE * (i % PENDING_CHUNK);
      const flow = this.flowChunks[Math.floor(i / PENDING_CHUNK)]![i % PENDING_CHUNK]!;
      fn(flow, values[at + 3] === 1, values[at]!, values[at + 1]!, values[at + 2] as SampleKind, values[at + 4]!, values[at + 5]!);
    }
  }

  /** The quickest RTT among samples that `address` acknowledged. */
  fastestAckNs(address: string): number | undefined {
    let fastest: number | undefined;
    this.forEach((flow, ackedByA, _ackNs, rttNs) => {
      if (fastest !== undefined && rttNs >= fastest) return;
      if (formatAddress(flow.ipVersion, flow.addrs, ackedByA ? 0 : 4) === address) fastest = rttNs;
    });
    return fastest;
  }
}

export class SampleCollector {
  readonly summary: RttStats;
  readonly groups = new Map<string, Group>();
  /** Samples dropped because a local host acknowledged them (see --include-local). */
  localAcked = 0;
  /** Samples dropped by --laddr/--raddr/--lport/--rport. */
  filtered = 0;
  vantage: Vantage | undefined;
  onSample: SampleListener | undefined;
  /** Called once the vantage is decided (given: never). TCP-RT waits for it. */
  onDecided: (() => void) | undefined;
  private readonly endpoints = new SampleEndpoints();
  /** Capture time where each group's time series starts: the first packet, or the --interval's start. */
  originNs = 0;
  private readonly options: CollectorOptions;
  private inference: VantageInference | undefined;
  private pending: PendingSamples | undefined;
  private pendingFlows: Flow<RttConnection>[] = [];

  constructor(options: CollectorOptions) {
    this.options = options;
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

  /** Every new flow, so the vantage can be inferred. */
  observeFlow(flow: Flow<RttConnection>): void {
    if (this.inference === undefined) return;
    this.inference.observeFlow(flow.ipVersion, flow.addrs);
    // Candidates only ever shrink: once none is left, mid-path is final and nothing need wait.
    if (this.inference.settled) this.decide();
  }

  add(sample: RttSample): void {
    if (this.pending === undefined) {
      this.route(sample.flow, sample.ackedByA, sample.ackNs, sample.rttNs, sample.kind, sample.segFrame, sample.ackFrame);
      return;
    }
    this.pending.push(sample);
    if (this.pending.length >= this.options.pendingLimit) this.decide();
  }

  /** A flow left the table: count its data and retransmitted segments in its groups. */
  flowEnded(flow: Flow<RttConnection>): void {
    if (!this.decided) {
      this.pendingFlows.push(flow);
      return;
    }
    this.countSegments(flow, false);
    this.countSegments(flow, true);
  }

  /** Fixes the vantage (inferring it if needed) and replays what waited for it. */
  decide(): void {
    if (this.vantage !== undefined) return;
    const p = this.pending!;
    this.vantage = this.inference!.decide((address) => p.fastestAckNs(address));
    this.pending = undefined;
    this.inference = undefined;
    p.forEach((flow, ackedByA, ackNs, rttNs, kind, segFrame, ackFrame) => this.route(flow, ackedByA, ackNs, rttNs, kind, segFrame, ackFrame));
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

  private route(flow: Flow<RttConnection>, ackedByA: boolean, ackNs: number, rttNs: number, kind: SampleKind, segFrame: number, ackFrame: number): void {
    const group = this.groupOf(flow, ackedByA);
    if (typeof group === 'string') {
      if (group === 'local') this.localAcked++;
      else this.filtered++;
      return;
    }
    const rttUs = rttNs / 1000;
    group.stats.add(rttUs);
    if (group.stats !== this.summary) this.summary.add(rttUs);
    group.series?.add(ackNs - this.originNs, rttUs);
    if (this.onSample !== undefined) {
      const endpoints = this.endpoints;
      endpoints.flow = flow;
      endpoints.ackedByA = ackedByA;
      endpoints.segFrame = segFrame;
      endpoints.ackFrame = ackFrame;
      endpoints.group = group;
      this.onSample(ackNs, rttNs, kind, endpoints);
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
    const addrs = flow.addrs;
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
      (f.laddr.length > 0 && !f.laddr.some((c) => cidrContains(c, version, addrs, lAt))) ||
      (f.raddr.length > 0 && !f.raddr.some((c) => cidrContains(c, version, addrs, rAt))) ||
      (f.lport.size > 0 && !f.lport.has(lport)) ||
      (f.rport.size > 0 && !f.rport.has(rport))
    ) {
      return 'filter';
    }
    const process = this.options.by === 'process' ? (this.options.processOf?.(flow, lAt === 0) ?? null) : undefined;
    const key = process !== undefined ? (process?.label ?? UNKNOWN_PROCESS) : groupKey(this.options.by, version, () => formatAddress(version, addrs, lAt), lport, () => formatAddress(version, addrs, rAt), rport);
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

function endpoint(version: number, addr: string, port: number): string {
  return version === 6 ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** The group a half-connection falls in; addresses are formatted only when the key needs them. */
export function groupKey(by: GroupBy, version: number, laddr: () => string, lport: number, raddr: () => string, rport: number): string {
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
      return `${endpoint(version, laddr(), lport)} ${endpoint(version, raddr(), rport)}`;
    case 'process':
      return UNKNOWN_PROCESS; // resolved by the collector, which knows the processes
  }
}
