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
import { RttConnection, RttEngine, type RttCounters, type SampleKind } from './engines/rtt/rtt-engine.js';
import { FlowTable, type FlowCounters } from './flow/flow-table.js';
import type { Vantage } from './flow/vantage.js';
import { SampleCollector, type Group, type GroupBy, type HalfRoute, type SampleFilters, type SampleListener } from './stats/collector.js';
import type { HistogramUnit, RttStats } from './stats/rtt-stats.js';
import { relativeNs, type EpochTime, type TimeBase } from './time.js';

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
  /** Every sample that is kept, as it is found. */
  onSample?: (ackNs: number, rttNs: number, kind: SampleKind, route: HalfRoute, base: TimeBase) => void;
  /** Stops reading (between chunks) when aborted; the result covers what was read. */
  signal?: AbortSignal;
  /** Notes meant for a person (an unsupported link type, an inferred vantage), once each. */
  onNote?: (message: string) => void;
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
}

/** The statistics at one moment: the end of the run, or the end of an --interval. */
export interface AnalysisReport {
  base: TimeBase;
  /** Capture time (ns from base) where this report's span starts and ends. */
  startNs: number;
  endNs: number;
  summary: RttStats;
  groups: Group[];
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

function resolveTime(spec: TimeSpec | undefined, base: TimeBase, fallback: number): number {
  if (spec === undefined) return fallback;
  return 'offsetNs' in spec ? spec.offsetNs : relativeNs(base, spec.epoch.sec, spec.epoch.nsec);
}

export async function analyze(paths: readonly string[], options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  const note = options.onNote ?? (() => {});
  const decoder = new PacketDecoder();
  decoder.onUnsupportedLinktype = (linktype) =>
    note(`link type ${linktypeName(linktype)} (${linktype}) is not supported: its packets are counted and skipped`);
  const base: TimeBase = { baseSec: 0 };
  const collector = new SampleCollector({
    by: options.by ?? DEFAULTS.by,
    vantage: options.vantage,
    includeLocal: options.includeLocal ?? false,
    filters: { laddr: [], raddr: [], lport: new Set(), rport: new Set(), ...options.filters },
    histogramUnit: options.histogramUnit ?? 'usecs',
    pendingLimit: DEFAULTS.pendingLimit,
    timeSeries: options.timeSeries ?? false,
  });
  let oneWayFlows = 0;
  const table = new FlowTable<RttConnection>({
    idleTtlNs: options.idleTtlNs ?? DEFAULTS.idleTtlNs,
    expTtlNs: options.expTtlNs ?? DEFAULTS.expTtlNs,
    maxFlows: options.maxFlows ?? DEFAULTS.maxFlows,
    createState: (flow) => {
      collector.observeFlow(flow);
      return new RttConnection();
    },
    onExpire: (flow) => {
      if (flow.state.a.packets === 0 || flow.state.b.packets === 0) oneWayFlows++;
      collector.flowEnded(flow);
    },
  });
  let fromNs = -Infinity;
  let toNs = Infinity;
  const engine = new RttEngine(table, {
    onSample: (sample) => {
      if (sample.ackNs >= fromNs && sample.ackNs < toNs) collector.add(sample);
    },
  });
  const onSample = options.onSample;
  if (onSample) {
    const listener: SampleListener = (ackNs, rttNs, kind, route) => onSample(ackNs, rttNs, kind, route, base);
    collector.onSample = listener;
  }

  const intervalNs = options.intervalNs ?? 0;
  let started = false;
  let firstNs = 0;
  let lastNs = 0;
  let intervalStartNs = 0;
  const report = (startNs: number, endNs: number): AnalysisReport => ({
    base,
    startNs,
    endNs,
    summary: collector.summary,
    groups: [...collector.groups.values()],
  });
  /** Reports the interval ending at endNs; `last` keeps its statistics for the result. */
  const closeInterval = (endNs: number, last: boolean): void => {
    if (!collector.decided) {
      collector.decide();
      announceVantage();
    }
    if (collector.summary.count > 0) options.onInterval?.(report(intervalStartNs, endNs));
    if (!last) collector.resetStats();
  };
  let vantageAnnounced = false;
  const announceVantage = (): void => {
    if (vantageAnnounced) return;
    vantageAnnounced = true;
    const n = collector.vantage?.note;
    if (n !== undefined) note(n);
  };

  const onPacket = (pkt: CapturedPacket, input: CaptureInput): void => {
    input.packets++;
    if (!decoder.decode(pkt)) return;
    input.tcpPackets++;
    if (!started) {
      started = true;
      base.baseSec = pkt.tsSec;
      fromNs = resolveTime(options.from, base, -Infinity);
      toNs = resolveTime(options.to, base, Infinity);
      firstNs = lastNs = intervalStartNs = collector.originNs = pkt.tsNsec;
    }
    const nowNs = relativeNs(base, pkt.tsSec, pkt.tsNsec);
    if (lastNs < nowNs) lastNs = nowNs;
    if (intervalNs > 0) {
      while (nowNs >= intervalStartNs + intervalNs) {
        closeInterval(intervalStartNs + intervalNs, false);
        intervalStartNs += intervalNs;
        // Skip whole empty intervals at once instead of closing each of them.
        if (nowNs >= intervalStartNs + intervalNs) intervalStartNs += Math.floor((nowNs - intervalStartNs) / intervalNs) * intervalNs;
      }
    }
    table.expire(nowNs);
    engine.onPacket(decoder.view, nowNs);
  };

  const inputs = await openInputs(paths);
  await readPackets(inputs, onPacket, options.signal);
  table.flush(lastNs);
  collector.decide();
  announceVantage();
  if (intervalNs > 0) closeInterval(lastNs, true);
  return {
    ...report(intervalNs > 0 ? intervalStartNs : firstNs, lastNs),
    inputs: inputs.map(summarizeInput),
    decode: decoder.counters.toJSON(),
    flows: table.counters,
    oneWayFlows,
    rtt: engine.counters,
    vantage: collector.vantage,
    localAcked: collector.localAcked,
    filtered: collector.filtered,
  };
}
