/**
 * Live mode: the offline pipeline (decoder, flow table, RTT engine, statistics) fed by live
 * captures instead of files: one capture per interface, all into one analysis. Packets carry
 * the kernel's capture time, which is wall time, so the run's clock is wall time too: a timer
 * moves it on between packets, so that --interval reports come out on time on a quiet link and
 * idle flows expire (memory stays flat). It stops on `signal`, after `durationNs`, or when
 * every capture process has ended; one capture failing stops them all.
 */
import { Analysis, type AnalysisResult, type AnalyzeOptions, type CounterSnapshot, type InputSummary } from './analyze.js';
import { interfaceAddresses } from './capture/interfaces.js';
import { LiveCapture, type CaptureBackend, type KernelStats } from './capture/live-capture.js';
import { PcapReader } from './capture/pcap-reader.js';
import { linktypeName } from './decode/link.js';
import { parseCidr } from './flow/address.js';
import { givenVantage, type Vantage } from './flow/vantage.js';
import { CaptureError, RttscanError } from './errors.js';
import { relativeNs } from './time.js';

export const LIVE_DEFAULTS = {
  filter: 'tcp',
  /**
   * Enough for the headers rttscan reads: Ethernet with two VLAN tags (22), IPv6 (40) with
   * some extension headers, and TCP with a full 40 bytes of options (60).
   */
  snaplen: 256,
};

export interface LiveOptions extends AnalyzeOptions {
  /** One or more interfaces, analysed as one capture. */
  ifaces: readonly string[];
  /** BPF, compiled by libpcap (default `tcp`). */
  filter?: string;
  snaplen?: number;
  promisc?: boolean;
  /** Stop by itself after this much wall time. */
  durationNs?: number;
  /** Default: libpcap when its binding loads, else tcpdump. */
  backend?: CaptureBackend;
  /** Called once every capture is running (so a person can be told, or traffic started). */
  onStart?: (start: LiveStart) => void;
}

export interface LiveStart {
  ifaces: readonly string[];
  backend: CaptureBackend;
  filter: string;
  snaplen: number;
  vantage: Vantage | undefined;
  /** The run as it stands: each interface's packets and kernel counters, and the counters. */
  snapshot(): LiveSnapshot;
  /** The run itself, for those who watch its flows (process attribution). */
  analysis: Analysis;
}

export interface LiveSnapshot {
  inputs: InputSummary[];
  counters: CounterSnapshot;
}

/** How often, at most, the clock moves on without packets: the expiry's resolution. */
const TICK_MS = 1000;

/** The local side defaults to the interfaces' own addresses. */
function interfaceVantage(ifaces: readonly string[]): Vantage | undefined {
  const addresses = [...new Set(ifaces.flatMap(interfaceAddresses))];
  if (addresses.length === 0) return undefined;
  return givenVantage(
    addresses.map((a) => parseCidr(a)!),
    addresses,
  );
}

function wallNow(): { sec: number; nsec: number } {
  const ms = Date.now();
  const sec = Math.floor(ms / 1000);
  return { sec, nsec: (ms - sec * 1000) * 1e6 };
}

/** One interface: its capture process, the reader of its pcap stream, and its counts. */
class LiveInput {
  readonly reader: PcapReader;
  readonly counters = { packets: 0, tcpPackets: 0 };
  bytesReceived = 0;
  stats: KernelStats | undefined;

  constructor(
    readonly iface: string,
    readonly capture: LiveCapture,
    private readonly filter: string,
    private readonly snaplen: number,
  ) {
    this.reader = new PcapReader(iface);
  }

  summary(stats: KernelStats | undefined, warnings: string[] = []): InputSummary {
    return {
      path: this.iface,
      format: 'live',
      linktype: this.reader.linktypes.map(linktypeName).join(','),
      packets: this.counters.packets,
      tcp_packets: this.counters.tcpPackets,
      warnings,
      live: {
        backend: this.capture.backend,
        filter: this.filter,
        snaplen: this.snaplen,
        kernel_received: stats?.received ?? null,
        kernel_dropped: stats?.dropped ?? null,
        interface_dropped: stats?.interfaceDropped ?? null,
      },
    };
  }
}

/** Bad bytes in an interface's pcap stream (the reader is named by its interface), named as the option that gave it. */
function streamError(err: CaptureError): RttscanError {
  return new RttscanError('capture', (name) => `${name('ifaces')} ${err.message}`, 'ifaces');
}

/** Opens one capture per interface; if one cannot open, those already open are stopped. */
async function openCaptures(options: LiveOptions, filter: string, snaplen: number): Promise<LiveInput[]> {
  const inputs: LiveInput[] = [];
  try {
    for (const iface of options.ifaces) {
      const capture = await LiveCapture.open({ iface, filter, snaplen, promisc: options.promisc ?? false, backend: options.backend });
      inputs.push(new LiveInput(iface, capture, filter, snaplen));
    }
  } catch (err) {
    for (const input of inputs) input.capture.stop();
    await Promise.all(inputs.map((input) => input.capture.finish().catch(() => undefined)));
    throw err;
  }
  return inputs;
}

export async function analyzeLive(options: LiveOptions): Promise<AnalysisResult> {
  const filter = options.filter ?? LIVE_DEFAULTS.filter;
  const snaplen = options.snaplen ?? LIVE_DEFAULTS.snaplen;
  const vantage = options.vantage ?? interfaceVantage(options.ifaces);
  const inputs = await openCaptures(options, filter, snaplen);
  const inputsNow = (): InputSummary[] => inputs.map((input) => input.summary(input.capture.statsSoFar()));

  const run = await Analysis.create({ ...options, vantage, emptyIntervals: true, inputsNow });
  const start = wallNow();
  run.start(start.sec, start.nsec);
  const stopNs = options.durationNs === undefined ? Infinity : run.firstNs + options.durationNs;
  // Wall time in the run's terms, never past the stop: the last interval is closed by finish().
  const wallNs = (): number => {
    const now = wallNow();
    return Math.min(relativeNs(run.base, now.sec, now.nsec), stopNs - 1);
  };
  const intervalNs = options.intervalNs ?? 0;
  let clock: NodeJS.Timeout | undefined;
  const tick = (): void => {
    const nowNs = wallNs();
    run.advance(nowNs);
    const untilBoundaryMs = intervalNs > 0 ? Math.ceil((run.intervalStartNs + intervalNs - nowNs) / 1e6) : TICK_MS;
    clock = setTimeout(tick, Math.max(1, Math.min(TICK_MS, untilBoundaryMs)));
  };

  const stop = (): void => {
    for (const input of inputs) input.capture.stop();
  };
  const stopTimer = options.durationNs === undefined ? undefined : setTimeout(stop, options.durationNs / 1e6);
  options.signal?.addEventListener('abort', stop, { once: true });
  if (options.signal?.aborted) stop();
  options.onStart?.({
    ifaces: options.ifaces,
    backend: inputs[0]!.capture.backend,
    filter,
    snaplen,
    vantage,
    analysis: run,
    snapshot: () => ({ inputs: inputsNow(), counters: run.counterSnapshot() }),
  });
  tick();

  const pump = async (input: LiveInput, index: number): Promise<void> => {
    const reader = input.reader;
    const pkt = reader.packet;
    for await (const chunk of input.capture.stream) {
      // A slow output holds the capture back: the pipe from the capture process fills, and the
      // kernel drops (and counts) what it cannot hold, instead of rttscan's memory growing.
      const wait = options.backpressure?.();
      if (wait !== undefined) await wait;
      input.bytesReceived += (chunk as Uint8Array).length;
      reader.push(chunk as Uint8Array);
      run.inputIndex = index;
      while (reader.next()) {
        // With --duration, what was captured after the stop is not part of the run.
        if (stopNs !== Infinity && relativeNs(run.base, pkt.tsSec, pkt.tsNsec) >= stopNs) continue;
        run.onPacket(pkt, input.counters);
      }
    }
  };
  let failure: unknown;
  try {
    // One capture failing (its interface went away) ends the run: stop the others.
    await Promise.all(
      inputs.map((input, i) =>
        pump(input, i).catch((err: unknown) => {
          failure ??= err instanceof CaptureError ? streamError(err) : err;
          stop();
        }),
      ),
    );
  } finally {
    clearTimeout(clock);
    clearTimeout(stopTimer);
    options.signal?.removeEventListener('abort', stop);
    stop();
    const finished = await Promise.allSettled(inputs.map((input) => input.capture.finish()));
    finished.forEach((f, i) => {
      if (f.status === 'fulfilled') inputs[i]!.stats = f.value;
      else failure ??= f.reason;
    });
  }
  if (failure !== undefined) throw failure;
  const endNs = wallNs() + 1;
  if (run.lastNs < endNs) run.lastNs = endNs;
  await run.finish(options.backpressure);
  return run.result(
    inputs.map((input) => {
      const warning = input.bytesReceived > 0 ? input.reader.finish() : undefined;
      return input.summary(input.stats, warning === undefined ? [] : [warning]);
    }),
  );
}
