/**
 * The library's entry point: read the inputs, decode every packet, pair data with ACKs, and
 * return the statistics. It never prints and never exits; the CLI decides what to show.
 *
 *   capture/ (readers) → decode/ (PacketView) → flow/ + engines/rtt (samples) → stats/
 */
import type { CapturedPacket } from './capture/captured-packet.js';
import type { CaptureInput } from './capture/input.js';
import { openInputs, readPackets } from './capture/packet-source.js';
import { WORKER_MIN_GZIP_BYTES } from './capture/worker-chunks.js';
import { PacketDecoder } from './decode/decoder.js';
import { linktypeName } from './decode/link.js';
import { DEFAULTS } from './defaults.js';
import { newRttConnection, type RttConnection, RttEngine, RttSample, type RttCounters, type SampleKind } from './engines/rtt/rtt-engine.js';
import type { TcprtConfig } from './engines/tcprt/config.js';
import type { PortSummary } from './engines/tcprt/port-stats.js';
import type { TcprtEngine, TcprtNote, TcprtSink, TcprtSummary } from './engines/tcprt/tcprt-engine.js';
import { FlowTable, type Flow, type FlowCounters } from './flow/flow-table.js';
import type { Vantage, VantageNote } from './flow/vantage.js';
import { ALL_KINDS, kindMask, SampleCollector, type Group, type GroupBy, type Sample, type SampleFilters } from './stats/collector.js';
import type { HistogramUnit, RttStats } from './stats/rtt-stats.js';
import { NOT_YET_SET, relativeNs, type EpochTime, type TimeBase } from './time.js';
import { frameRef } from './capture/frame-ref.js';
import type { ProcessAttributor } from './process/attributor.js';

/** Samples held while their flow's processes are looked up (beyond this, they go unattributed). */
const HELD_LIMIT = 100_000;

/** A sample held until its flow's processes are known; the engine's sample is reused, so copied. */
interface HeldSample {
  ackNs: number;
  rttNs: number;
  kind: SampleKind;
  flow: Flow<RttConnection>;
  ackedByA: boolean;
  inputIndex: number;
  segFrame: number;
  ackFrame: number;
}

/** A capture time given by the user: absolute, or an offset from the first packet. */
/**
 * Something a person may want to know of a run, as data: `code` says what, the other fields
 * the particulars (times in ns). Each is given once per run (per input with `each`).
 */
export type AnalysisNote =
  /** Packets of a link type rttscan cannot decode: counted and skipped. */
  | { code: 'unsupported-link-type'; linktype: number; name: string }
  /** The time window (`from`, `to`) ends before it starts: no sample can fall in it. */
  | { code: 'empty-time-window' }
  /** Capture time stepped back by `stepNs` at packet `packet` (1-based) of its input. */
  | { code: 'time-backwards'; stepNs: number; packet: number }
  /** How the vantage was inferred (flow/vantage.ts). */
  | VantageNote
  | TcprtNote;

export type TimeSpec = { epoch: EpochTime } | { offsetNs: number };

export interface AnalyzeOptions {
  by?: GroupBy;
  /** The local hosts; when absent they are inferred from the flows (see flow/vantage.ts). */
  vantage?: Vantage;
  includeLocal?: boolean;
  filters?: Partial<SampleFilters>;
  /** Sample kinds to keep (default: all). Like the filters, they never change the vantage. */
  kinds?: readonly SampleKind[];
  from?: TimeSpec;
  to?: TimeSpec;
  histogramUnit?: HistogramUnit;
  /** Keep each group's RTT over capture time (what --chart draws). */
  timeSeries?: boolean;
  idleTtlNs?: number;
  expTtlNs?: number;
  maxFlows?: number;
  /** Unacknowledged segments held over all flows (engines/rtt/outstanding.ts SegmentBudget). */
  maxSegments?: number;
  /** Report every this many ns of capture time, through onInterval. */
  intervalNs?: number;
  /** With intervalNs, the result's statistics are those of the last interval. */
  onInterval?: (report: AnalysisReport) => void;
  /** Report intervals that have no samples too (live mode: one report per interval of wall time). */
  emptyIntervals?: boolean;
  /**
   * Every sample that is kept, as it is found. One object reused for every sample (valid during
   * the call only: copy what you keep); its times are ns, `ackNs` counted from `sample.base`.
   */
  onSample?: (sample: Sample) => void;
  /** Live --by process: which process owns each end of a connection (process/attributor.ts). */
  processes?: ProcessAttributor;
  /** A connection left the flow table (expired, evicted, or the end of input). */
  onFlowEnd?: (flow: Flow<RttConnection>) => void;
  /** A new connection entered the flow table (called before `flow.state` is set). */
  onFlowStart?: (flow: Flow<RttConnection>) => void;
  /** Stops reading (between chunks) when aborted; the result covers what was read. */
  signal?: AbortSignal;
  /**
   * Asked before each chunk is read: a promise holds the reading back until it settles (an
   * output that is slower than the analysis: see render/sample-sink.ts). A rejection ends the run.
   */
  backpressure?: () => Promise<void> | undefined;
  /**
   * Notes meant for a person (an unsupported link type, an inferred vantage, time going
   * backwards...), once each, as data: `note.code` says what, its fields the particulars.
   * The CLI words them (cli/notes.ts); a library user picks the codes it cares about.
   */
  onNote?: (note: AnalysisNote) => void;
  /**
   * Only packets it accepts are analysed, as if the capture held no others (`--filter` on files:
   * capture/bpf.ts). The inputs' packet counts still count every packet read.
   */
  packetFilter?: { matches(pkt: CapturedPacket): boolean };
  /**
   * TCP-RT task records and per-port stats (engines/tcprt); when absent, none of it runs.
   * `holdLimit`: records held while the vantage is inferred before the decision is forced.
   */
  tcprt?: TcprtConfig & Omit<TcprtSink, 'onNote'> & { holdLimit?: number };
  /**
   * A gzip file at least this large (compressed) is inflated on a worker thread, the rest of the
   * work staying on this one (capture/worker-chunks.ts). 0: every gzip file; Infinity: none; by
   * default WORKER_MIN_GZIP_BYTES. The results are the same either way.
   */
  workerMinBytes?: number;
  /** Once the inputs are open: live views of how far each has been read (for a progress bar). */
  onInputsOpen?: (inputs: readonly InputProgress[]) => void;
  /**
   * The inputs as they stand (packets so far; live: the kernel's counters so far). With it, each
   * --interval report carries `inputs` and `counters` for that interval alone.
   */
  inputsNow?: () => InputSummary[];
}

/** How far one input has been read; the numbers grow as the run goes. */
export interface InputProgress {
  readonly path: string;
  readonly bytesRead: number;
  readonly packets: number;
}

export { DEFAULTS };

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
  /** An --interval report's own counts (with `inputsNow`): what happened in this interval. */
  interval?: IntervalCounts;
  /** With TCP-RT: its per-port counters over this report's span. */
  tcprtPorts?: PortSummary[];
}

/** The run's counters at one moment, as plain numbers. */
export interface CounterSnapshot {
  decode: ReturnType<PacketDecoder['counters']['toJSON']>;
  flows: FlowCounters & { active: number; oneWay: number };
  rtt: RttCounters & { localAcked: number; filtered: number };
}

/** What one interval added: each input's packets (and kernel counts), and every counter. */
export interface IntervalCounts {
  inputs: InputSummary[];
  counters: CounterSnapshot;
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
  /** Samples kept over the whole run: with intervalNs, all intervals' (`summary` is the last one's). */
  keptSamples: number;
  /** With `tcprt`: record counts and the run's per-port stats. */
  tcprt?: TcprtSummary;
}

/** What a summary reads of an input. */
type InputState = Pick<CaptureInput, 'path' | 'format' | 'linktypes' | 'packets' | 'tcpPackets' | 'warnings' | 'bytesRead'>;

function summarizeInput(input: InputState): InputSummary {
  return {
    path: input.path,
    format: input.format,
    linktype: input.linktypes.map(linktypeName).join(','),
    packets: input.packets,
    tcp_packets: input.tcpPackets,
    warnings: [...input.warnings],
  };
}

/** A time window's edge in ns from base: `+DURATION` counts from the first packet's exact time. */
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
  /** Which input the packet being analysed came from (live: which interface). */
  inputIndex = 0;
  private started = false;
  /** Samples waiting for their flow's processes (--by process). */
  private held: HeldSample[] = [];
  /** Inputs and counters at the start of the current interval (with `inputsNow`). */
  private intervalBaseline: IntervalCounts | undefined;
  /**
   * Capture times (ns from base): first and latest packet, the current interval's start. 0 until
   * the first packet, set in the constructor after a double (NOT_YET_SET: see time.ts).
   */
  firstNs = NOT_YET_SET;
  lastNs = NOT_YET_SET;
  intervalStartNs = NOT_YET_SET;
  private readonly intervalNs: number;
  private readonly emptyIntervals: boolean;
  private vantageAnnounced = false;
  /** The first step back in capture time was noted (it is noted once). */
  private backwardsNoted = false;
  private readonly options: AnalyzeOptions;
  private readonly note: (note: AnalysisNote) => void;
  private readonly packetFilter: AnalyzeOptions['packetFilter'];

  /** An analysis of `options`; the TCP-RT engine's modules load only for a run that asks for it (start-up). */
  static async create(options: AnalyzeOptions): Promise<Analysis> {
    return new Analysis(options, options.tcprt && (await import('./engines/tcprt/tcprt-engine.js')).TcprtEngine);
  }

  /** `tcprtEngine`: the engine's class, given (by create) when `options.tcprt` asks for TCP-RT. */
  constructor(options: AnalyzeOptions, tcprtEngine?: typeof TcprtEngine) {
    if (options.tcprt && !tcprtEngine) throw new Error('Analysis: TCP-RT asked for without its engine (use Analysis.create)');
    this.firstNs = this.lastNs = this.intervalStartNs = 0;
    this.options = options;
    this.packetFilter = options.packetFilter;
    const note = (this.note = options.onNote ?? (() => {}));
    this.decoder.onUnsupportedLinktype = (linktype) => note({ code: 'unsupported-link-type', linktype, name: linktypeName(linktype) });
    const maxFlows = options.maxFlows ?? DEFAULTS.maxFlows;
    const { onFlowStart, onFlowEnd, processes } = options;
    const collector = (this.collector = new SampleCollector({
      by: options.by ?? DEFAULTS.by,
      vantage: options.vantage,
      includeLocal: options.includeLocal ?? false,
      filters: { laddr: [], raddr: [], lport: new Set(), rport: new Set(), ...options.filters },
      kinds: options.kinds === undefined ? ALL_KINDS : kindMask(options.kinds),
      histogramUnit: options.histogramUnit ?? 'usecs',
      base: this.base,
      pendingLimit: DEFAULTS.pendingLimit,
      // Ended flows wait for the decision beside the table's: memory stays bounded by --max-flows.
      pendingFlowLimit: maxFlows,
      timeSeries: options.timeSeries ?? false,
      forEachActiveFlow: (fn) => this.table.forEach(fn),
      ...(processes ? { processOf: (flow, endpointA) => processes.processOf(flow, endpointA) } : {}),
    }));
    this.table = new FlowTable<RttConnection>({
      idleTtlNs: options.idleTtlNs ?? DEFAULTS.idleTtlNs,
      expTtlNs: options.expTtlNs ?? DEFAULTS.expTtlNs,
      maxFlows,
      createState: (flow) => {
        const state = newRttConnection();
        collector.observeFlow(flow, state);
        onFlowStart?.(flow); // its addresses and ports are set; its state is not yet
        processes?.flowStarted(flow);
        return state;
      },
      onExpire: (flow) => {
        if (flow.state.a.packets === 0 || flow.state.b.packets === 0) this.oneWayFlows++;
        collector.flowEnded(flow);
        this.tcprt?.flowEnded(flow);
        processes?.flowEnded(flow);
        onFlowEnd?.(flow);
        this.engine.connectionEnded(flow.state);
      },
    });
    // The time window is the collector's: samples outside it still count for the vantage.
    const keep = (sample: RttSample): void => {
      if (processes?.isPending(sample.flow) && this.held.length < HELD_LIMIT) {
        const { ackNs, rttNs, kind, flow, ackedByA, segFrame, ackFrame } = sample;
        this.held.push({ ackNs, rttNs, kind, flow, ackedByA, inputIndex: this.inputIndex, segFrame, ackFrame });
        return;
      }
      collector.add(sample);
    };
    // TCP-RT picks the capture host's sockets by the vantage: given, or once the collector has
    // inferred it (until then TCP-RT holds its records; when its hold fills it asks for the decision).
    const tcprt = (this.tcprt =
      options.tcprt &&
      tcprtEngine &&
      new tcprtEngine(
        options.tcprt,
        this.table,
        this.base,
        { ...options.tcprt, onNote: note },
        {
          given: options.vantage,
          decide: () => collector.decide(),
          ...(options.tcprt.holdLimit !== undefined ? { holdLimit: options.tcprt.holdLimit } : {}),
        },
      ));
    if (processes) processes.onSettled = () => this.releaseHeld();
    // Without TCP-RT the sink is the collector alone: nothing is paid for the option.
    this.engine = new RttEngine(
      this.table,
      {
        onSample: tcprt
          ? (sample) => {
              tcprt.onRttSample(sample);
              keep(sample);
            }
          : keep,
      },
      options.maxSegments ?? DEFAULTS.maxSegments,
      // The engine writes each sample into the collector's object, which goes on to onSample.
      collector.sample,
    );
    // While the vantage is inferred, the engine reports how fast hosts answer; then it stops.
    if (collector.inferring) this.engine.reactions = collector;
    collector.onDecided = () => {
      this.engine.reactions = undefined;
      tcprt?.vantageDecided(collector.vantage!);
    };
    collector.onSample = options.onSample;
    this.intervalNs = options.intervalNs ?? 0;
    this.emptyIntervals = options.emptyIntervals ?? false;
  }

  onPacket(pkt: CapturedPacket, input: InputCounters): void {
    input.packets++;
    if (this.packetFilter !== undefined && !this.packetFilter.matches(pkt)) return;
    if (!this.decoder.decode(pkt)) return;
    const view = this.decoder.view;
    this.engine.frameRef = frameRef(this.inputIndex, input.packets);
    input.tcpPackets++;
    if (!this.started) this.start(view.tsSec, view.tsNsec);
    const nowNs = relativeNs(this.base, view.tsSec, view.tsNsec);
    if (this.lastNs < nowNs) this.lastNs = nowNs;
    else if (nowNs < this.lastNs && !this.backwardsNoted) this.noteBackwards(this.lastNs - nowNs, input.packets);
    this.advance(nowNs);
    const flow = this.engine.onPacket(view, nowNs);
    if (this.tcprt !== undefined) this.tcprt.onPacket(view, nowNs, flow);
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

  /** Routes the held samples whose flows' processes are now known (all of them with `all`), in order. */
  private releaseHeld(all = false): void {
    if (this.held.length === 0) return;
    const processes = this.options.processes;
    const waiting: HeldSample[] = [];
    const sample = new RttSample();
    const inputIndex = this.inputIndex;
    for (const h of this.held) {
      if (!all && processes?.isPending(h.flow)) {
        waiting.push(h);
        continue;
      }
      sample.ackNs = h.ackNs;
      sample.rttNs = h.rttNs;
      sample.kind = h.kind;
      sample.flow = h.flow;
      sample.ackedByA = h.ackedByA;
      sample.segFrame = h.segFrame;
      sample.ackFrame = h.ackFrame;
      this.inputIndex = h.inputIndex;
      this.collector.add(sample);
    }
    this.inputIndex = inputIndex;
    this.held = waiting;
  }

  /**
   * The input is exhausted (or the run interrupted): settles everything still open. With
   * `backpressure` (a per-sample output that may be slow), samples that waited for the vantage
   * decision are handed out in slices, with the output drained between them.
   */
  async finish(backpressure?: () => Promise<void> | undefined): Promise<void> {
    if (this.options.processes) {
      this.options.processes.resolveNow();
      this.options.processes.stop();
      this.releaseHeld(true);
    }
    this.table.flush(this.lastNs);
    if (backpressure === undefined) this.collector.decide();
    else await this.collector.decideInSlices(backpressure);
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

  /**
   * Replaces address/port filters mid-run (a reloaded config, a re-resolved whitelist): later
   * samples are kept or left out by the new ones; samples already counted stay counted.
   */
  setFilters(filters: Partial<SampleFilters>): void {
    this.collector.setFilters(filters);
    // Until the vantage is decided the slots hold the inference's records, not groups.
    if (!this.collector.decided) return;
    this.table.forEach((flow) => {
      flow.state.a.sinkSlot = undefined;
      flow.state.b.sinkSlot = undefined;
    });
  }

  /** Fixes the run's time base: at the first packet, or (live) when the capture starts. */
  start(tsSec: number, tsNsec: number): void {
    this.started = true;
    this.base.baseSec = tsSec;
    this.firstNs = this.lastNs = this.intervalStartNs = this.collector.originNs = tsNsec;
    const fromNs = (this.collector.fromNs = resolveTime(this.options.from, this.base, this.firstNs, -Infinity));
    const toNs = (this.collector.toNs = resolveTime(this.options.to, this.base, this.firstNs, Infinity));
    if (toNs <= fromNs) this.note({ code: 'empty-time-window' });
  }

  /** Capture time stepped back (a clock step, captures joined out of order): said once. */
  private noteBackwards(stepNs: number, packet: number): void {
    this.backwardsNoted = true;
    this.note({ code: 'time-backwards', stepNs, packet });
  }

  /** Reports the interval ending at endNs; `last` keeps its statistics for the result. */
  private closeInterval(endNs: number, last: boolean): void {
    if (!this.collector.decided) {
      this.collector.decide();
      this.announceVantage();
    }
    const counts = this.intervalCounts();
    const tcprtPorts = this.tcprt?.takeWindow();
    const active = this.collector.summary.count > 0 || (tcprtPorts?.some((p) => p.counters.tasks > 0) ?? false);
    if (active || this.emptyIntervals) {
      const report = this.report(this.intervalStartNs, endNs);
      if (counts !== undefined) report.interval = counts;
      this.options.onInterval?.(tcprtPorts === undefined ? report : { ...report, tcprtPorts });
    }
    if (!last) this.collector.resetStats();
  }

  /** The run's counters now, copied. */
  counterSnapshot(): CounterSnapshot {
    const c = this.engine.counters;
    return {
      decode: this.decoder.counters.toJSON(),
      flows: { ...this.table.counters, active: this.table.size, oneWay: this.oneWayFlows },
      rtt: { ...c, localAcked: this.collector.localAcked, filtered: this.collector.filtered },
    };
  }

  /** What happened since the last interval closed; undefined without `inputsNow`. */
  private intervalCounts(): IntervalCounts | undefined {
    const inputsNow = this.options.inputsNow;
    if (inputsNow === undefined) return undefined;
    const now: IntervalCounts = { inputs: inputsNow(), counters: this.counterSnapshot() };
    const before = this.intervalBaseline;
    this.intervalBaseline = now;
    if (before === undefined) return now;
    const inputs = now.inputs.map((input, i) => numbersSince(input, before.inputs[i]));
    const counters = numbersSince(now.counters, before.counters);
    // Levels, not counts: the flows tracked now, and the run's peak so far.
    counters.flows.active = now.counters.flows.active;
    counters.flows.peakActive = now.counters.flows.peakActive;
    return { inputs, counters };
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
      keptSamples: collector.kept,
      ...(this.tcprtSummary !== undefined ? { tcprt: this.tcprtSummary, tcprtPorts: this.tcprtSummary.ports } : {}),
    };
  }
}

/**
 * `now` with every number (at any depth) less its counterpart in `before`; other values as in
 * `now`. A null or missing counterpart counts as 0.
 */
export function numbersSince<T>(now: T, before: T | undefined): T {
  if (typeof now === 'number') return (now - (typeof before === 'number' ? before : 0)) as T;
  if (now === null || typeof now !== 'object' || Array.isArray(now)) return now;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(now)) out[key] = numbersSince(value, (before as Record<string, unknown> | undefined)?.[key]);
  return out as T;
}

export async function analyze(paths: readonly string[], options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  let inputs: InputState[] = [];
  const run = await Analysis.create(options.intervalNs !== undefined ? { ...options, inputsNow: () => inputs.map(summarizeInput) } : options);
  // Undefined when the signal aborted while an input waited to open (a FIFO without a writer).
  const opened = await openInputs(paths, options.signal, options.workerMinBytes ?? WORKER_MIN_GZIP_BYTES);
  if (opened !== undefined) {
    inputs = opened;
    options.onInputsOpen?.(opened);
    await readPackets(
      opened,
      (pkt, input) => {
        run.inputIndex = input.index; // frame references count per input
        run.onPacket(pkt, input);
      },
      options.signal,
      options.backpressure,
    );
  }
  await run.finish(options.backpressure);
  return run.result(inputs.map(summarizeInput));
}
