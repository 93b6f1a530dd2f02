/**
 * The library's entry point: read the inputs, decode every packet, pair data with ACKs, and
 * return the statistics. It never prints and never exits; the CLI decides what to show.
 *
 *   capture/ (readers) → decode/ (PacketView) → flow/ + engines/rtt (samples) → stats/
 */
import type { CapturedPacket } from './capture/captured-packet.js';
import type { CaptureInput } from './capture/input.js';
import { openInputs, readPackets } from './capture/packet-source.js';
import { PacketDecoder } from './decode/decoder.js';
import { linktypeName } from './decode/link.js';
import { RttConnection, RttEngine, type RttCounters, type RttSample, type SampleKind } from './engines/rtt/rtt-engine.js';
import type { TcprtConfig } from './engines/tcprt/config.js';
import type { PortSummary } from './engines/tcprt/port-stats.js';
import { TcprtEngine, type TcprtSink, type TcprtSummary } from './engines/tcprt/tcprt-engine.js';
import { FlowTable, type FlowCounters } from './flow/flow-table.js';
import type { Vantage } from './flow/vantage.js';
import { SampleCollector, type Group, type GroupBy, type SampleEndpoints, type SampleFilters, type SampleListener } from './stats/collector.js';
import type { HistogramUnit, RttStats } from './stats/rtt-stats.js';
import { relativeNs, type EpochTime, type TimeBase } from './time.js';
import { frameRef } from './capture/frame-ref.js';

/** A capture time given by the user: absolute, or an offset from the first packet. */
export type TimeSpec = { epoch: EpochTime } | { offsetNs: number };

export interface AnalyzeOptions {
  by?: GroupBy;
  /** The local hosts; when absent they are inferred from the flows (see flow/vantage.ts). */
  vantage?: Vantage;
  includeLocal?: boolean;
  filters?: Partial<SampleFilters>;
  from?: TimeSpec;
  to?: TimeSpec;
  histogramUnit?: HistogramUnit;
  /** Keep each group's RTT over capture time (what --chart draws). */
  timeSeries?: boolean;
  idleTtlNs?: number;
  expTtlNs?: number;
  maxFlows?: number;
  /** Report every this many ns of capture time, through onInterval. */
  intervalNs?: number;
  /** With intervalNs, the result's statistics are those of the last interval. */
  onInterval?: (report: AnalysisReport) => void;
  /** Report intervals that have no samples too (live mode: one report per interval of wall time). */
  emptyIntervals?: boolean;
  /** Every sample that is kept, as it is found. */
  onSample?: (ackNs: number, rttNs: number, kind: SampleKind, endpoints: SampleEndpoints, base: TimeBase) => void;
  /** Stops reading (between chunks) when aborted; the result covers what was read. */
  signal?: AbortSignal;
  /** Notes meant for a person (an unsupported link type, an inferred vantage), once each. */
  onNote?: (message: string) => void;
  /**
   * TCP-RT task records and per-port stats (engines/tcprt); when absent, none of it runs.
   * `holdLimit`: records held while the vantage is inferred before the decision is forced.
   */
  tcprt?: TcprtConfig & Omit<TcprtSink, 'onNote'> & { holdLimit?: number };
  /** Once the inputs are open: live views of how far each has been read (for a progress bar). */
  onInputsOpen?: (inputs: readonly InputProgress[]) => void;
}

/** How far one input has been read; the numbers grow as the run goes. */
export interface InputProgress {
  readonly path: string;
  readonly bytesRead: number;
  readonly packets: number;
}

export const DEFAULTS = {
  by: 'all' as GroupBy,
  idleTtlNs: 300e9,
  expTtlNs: 60e9,
  maxFlows: 1_000_000,
  /** Samples held while the vantage is inferred (about 30 MB); see stats/collector.ts. */
  pendingLimit: 1_000_000,
};

export interface InputSummary {
  path: string;
  format: string;
  /** tcpdump's names of the link types in the input, comma-separated. */
  linktype: string;
  packets: number;
  tcp_packets: number;
  warnings: string[];
  /** A live capture's interface, backend and kernel counters (see live.ts). */
  live?: LiveInputSummary;
}

export interface LiveInputSummary {
  backend: string;
  filter: string;
  snaplen: number;
  /** As libpcap reports them; null when the capture process could not say. */
  kernel_received: number | null;
  kernel_dropped: number | null;
  interface_dropped: number | null;
}

/** Per-input packet counts, kept by whatever feeds packets in (a file, a live capture). */
export interface InputCounters {
  /** Every record so far: the current packet's frame number (from 1, as tshark counts). */
  packets: number;
  tcpPackets: number;
  /** The input's place among the run's inputs, from 0 (frame references, capture/frame-ref.ts). */
  readonly index: number;
}

/** The statistics at one moment: the end of the run, or the end of an --interval. */
export interface AnalysisReport {
  base: TimeBase;
  /** Capture time (ns from base) where this report's span starts and ends. */
  startNs: number;
  endNs: number;
  /** What the groups' keys are. */
  by: GroupBy;
  summary: RttStats;
  groups: Group[];
  /** With TCP-RT: its per-port counters over this report's span. */
  tcprtPorts?: PortSummary[];
}

export interface AnalysisResult extends AnalysisReport {
  inputs: InputSummary[];
  /** Decode counters as plain data, in a fixed key order. */
  decode: ReturnType<PacketDecoder['counters']['toJSON']>;
  flows: FlowCounters;
  /** Flows seen in one direction only (no samples possible). */
  oneWayFlows: number;
  rtt: RttCounters;
  vantage: Vantage | undefined;
  localAcked: number;
  filtered: number;
  /** With `tcprt`: record counts and the run's per-port stats. */
  tcprt?: TcprtSummary;
}

function summarizeInput(input: CaptureInput): InputSummary {
  return {
    path: input.path,
    format: input.reader.format,
    linktype: input.reader.linktypes.map(linktypeName).join(','),
    packets: input.packets,
    tcp_packets: input.tcpPackets,
    warnings: [...input.warnings],
  };
}

/** A time as ns from `base`; an offset counts from the first packet, `firstNs`. */
function resolveTime(spec: TimeSpec | undefined, base: TimeBase, firstNs: number, fallback: number): number {
  if (spec === undefined) return fallback;
  return 'offsetNs' in spec ? firstNs + spec.offsetNs : relativeNs(base, spec.epoch.sec, spec.epoch.nsec);
}

/**
 * One run: the pipeline's stages wired together, and the clock of the run. A class rather than
 * closures: per-packet times live in object fields, which V8 updates in place, where a closure
 * variable holding a double would allocate a number on every packet. `analyze` drives it from
 * files; live.ts drives it from a live capture and a wall clock.
 */
export class Analysis {
  readonly base: TimeBase = { baseSec: 0 };
  readonly decoder = new PacketDecoder();
  readonly collector: SampleCollector;
  readonly table: FlowTable<RttConnection>;
  readonly engine: RttEngine;
  readonly tcprt: TcprtEngine | undefined;
  tcprtSummary: TcprtSummary | undefined;
  oneWayFlows = 0;
  private started = false;
  /** Capture times (ns from base): first and latest packet, the current interval's start. */
  firstNs = 0;
  lastNs = 0;
  intervalStartNs = 0;
  /** --from/--to, resolved once the first packet fixes the base. */
  private fromNs = -Infinity;
  private toNs = Infinity;
  private readonly intervalNs: number;
  private readonly emptyIntervals: boolean;
  private vantageAnnounced = false;
  private readonly options: AnalyzeOptions;
  private readonly note: (message: string) => void;

  constructor(options: AnalyzeOptions) {
    this.options = options;
    const note = (this.note = options.onNote ?? (() => {}));
    this.decoder.onUnsupportedLinktype = (linktype) =>
      note(`link type ${linktypeName(linktype)} (${linktype}) is not supported: its packets are counted and skipped`);
    const collector = (this.collector = new SampleCollector({
      by: options.by ?? DEFAULTS.by,
      vantage: options.vantage,
      includeLocal: options.includeLocal ?? false,
      filters: { laddr: [], raddr: [], lport: new Set(), rport: new Set(), ...options.filters },
      histogramUnit: options.histogramUnit ?? 'usecs',
      pendingLimit: DEFAULTS.pendingLimit,
      timeSeries: options.timeSeries ?? false,
    }));
    this.table = new FlowTable<RttConnection>({
      idleTtlNs: options.idleTtlNs ?? DEFAULTS.idleTtlNs,
      expTtlNs: options.expTtlNs ?? DEFAULTS.expTtlNs,
      maxFlows: options.maxFlows ?? DEFAULTS.maxFlows,
      createState: (flow) => {
        collector.observeFlow(flow);
        return new RttConnection();
      },
      onExpire: (flow) => {
        if (flow.state.a.packets === 0 || flow.state.b.packets === 0) this.oneWayFlows++;
        collector.flowEnded(flow);
        this.tcprt?.flowEnded(flow);
      },
    });
    const keep = (sample: RttSample): void => {
      if (sample.ackNs >= this.fromNs && sample.ackNs < this.toNs) collector.add(sample);
    };
    // TCP-RT picks the capture host's sockets by the vantage: given, or once the collector has
    // inferred it (until then TCP-RT holds its records; when its hold fills it asks for the decision).
    const tcprt = (this.tcprt =
      options.tcprt &&
      new TcprtEngine(options.tcprt, this.table, this.base, { ...options.tcprt, onNote: note }, {
        given: options.vantage,
        decide: () => collector.decide(),
        ...(options.tcprt.holdLimit !== undefined ? { holdLimit: options.tcprt.holdLimit } : {}),
      }));
    if (tcprt) collector.onDecided = () => tcprt.vantageDecided(collector.vantage!);
    // Without TCP-RT the sink is the collector alone: nothing is paid for the option.
    this.engine = new RttEngine(this.table, {
      onSample: tcprt
        ? (sample) => {
            tcprt.onRttSample(sample);
            keep(sample);
          }
        : keep,
    });
    const onSample = options.onSample;
    if (onSample) {
      const listener: SampleListener = (ackNs, rttNs, kind, endpoints) => onSample(ackNs, rttNs, kind, endpoints, this.base);
      collector.onSample = listener;
    }
    this.intervalNs = options.intervalNs ?? 0;
    this.emptyIntervals = options.emptyIntervals ?? false;
  }

  onPacket(pkt: CapturedPacket, input: InputCounters): void {
    input.packets++;
    if (!this.decoder.decode(pkt)) return;
    this.engine.frameRef = frameRef(input.index, input.packets);
    input.tcpPackets++;
    if (!this.started) this.start(pkt.tsSec, pkt.tsNsec);
    const nowNs = relativeNs(this.base, pkt.tsSec, pkt.tsNsec);
    if (this.lastNs < nowNs) this.lastNs = nowNs;
    this.advance(nowNs);
    const flow = this.engine.onPacket(this.decoder.view, nowNs);
    if (this.tcprt !== undefined) this.tcprt.onPacket(this.decoder.view, nowNs, flow);
  }

  /**
   * Moves the run's clock to `nowNs` (ns from base): reports the intervals that ended and frees
   * the flows whose TTL ran out. Every packet does this with its capture time; a live run also
   * does it on a timer with the wall time, so that reports and expiry go on without packets.
   */
  advance(nowNs: number): void {
    const intervalNs = this.intervalNs;
    if (intervalNs > 0 && nowNs >= this.intervalStartNs + intervalNs) {
      while (nowNs >= this.intervalStartNs + intervalNs) {
        this.closeInterval(this.intervalStartNs + intervalNs, false);
        this.intervalStartNs += intervalNs;
        // Skip whole empty intervals at once instead of closing each of them.
        if (nowNs >= this.intervalStartNs + intervalNs) {
          this.intervalStartNs += Math.floor((nowNs - this.intervalStartNs) / intervalNs) * intervalNs;
        }
      }
      // The next interval's --chart counts capture time from its own start.
      this.collector.originNs = this.intervalStartNs;
    }
    this.table.expire(nowNs);
  }

  /** The input is exhausted (or the run interrupted): settle everything still open. */
  finish(): void {
    this.table.flush(this.lastNs);
    this.collector.decide();
    this.announceVantage();
    this.tcprt?.finish();
    if (this.intervalNs > 0) this.closeInterval(this.lastNs, true);
    else this.tcprt?.takeWindow();
    this.tcprtSummary = this.tcprt?.summary();
  }

  report(startNs: number, endNs: number): AnalysisReport {
    const by = this.options.by ?? DEFAULTS.by;
    return { base: this.base, startNs, endNs, by, summary: this.collector.summary, groups: [...this.collector.groups.values()] };
  }

  /** Fixes the run's time base: at the first packet, or (live) when the capture starts. */
  start(tsSec: number, tsNsec: number): void {
    this.started = true;
    this.base.baseSec = tsSec;
    this.fromNs = resolveTime(this.options.from, this.base, tsNsec, -Infinity);
    this.toNs = resolveTime(this.options.to, this.base, tsNsec, Infinity);
    this.firstNs = this.lastNs = this.intervalStartNs = this.collector.originNs = tsNsec;
  }

  /** Reports the interval ending at endNs; `last` keeps its statistics for the result. */
  private closeInterval(endNs: number, last: boolean): void {
    if (!this.collector.decided) {
      this.collector.decide();
      this.announceVantage();
    }
    const tcprtPorts = this.tcprt?.takeWindow();
    const active = this.collector.summary.count > 0 || (tcprtPorts?.some((p) => p.counters.tasks > 0) ?? false);
    if (active || this.emptyIntervals) {
      const report = this.report(this.intervalStartNs, endNs);
      this.options.onInterval?.(tcprtPorts === undefined ? report : { ...report, tcprtPorts });
    }
    if (!last) this.collector.resetStats();
  }

  private announceVantage(): void {
    if (this.vantageAnnounced) return;
    this.vantageAnnounced = true;
    const n = this.collector.vantage?.note;
    if (n !== undefined) this.note(n);
  }

  /** The result of a finished run. */
  result(inputs: InputSummary[]): AnalysisResult {
    const { collector, table, engine } = this;
    return {
      ...this.report(this.intervalNs > 0 ? this.intervalStartNs : this.firstNs, this.lastNs),
      inputs,
      decode: this.decoder.counters.toJSON(),
      flows: table.counters,
      oneWayFlows: this.oneWayFlows,
      rtt: engine.counters,
      vantage: collector.vantage,
      localAcked: collector.localAcked,
      filtered: collector.filtered,
      ...(this.tcprtSummary !== undefined ? { tcprt: this.tcprtSummary, tcprtPorts: this.tcprtSummary.ports } : {}),
    };
  }
}

export async function analyze(paths: readonly string[], options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  const run = new Analysis(options);
  const inputs = await openInputs(paths);
  options.onInputsOpen?.(inputs);
  await readPackets(inputs, (pkt, input) => run.onPacket(pkt, input), options.signal);
  run.finish();
  return run.result(inputs.map(summarizeInput));
}
