/**
 * Live mode: the offline pipeline (decoder, flow table, RTT engine, statistics) fed by a live
 * capture instead of files. Packets carry the kernel's capture time, which is wall time, so
 * the run's clock is wall time too: a timer moves it on between packets, so that --interval
 * reports come out on time on a quiet link and idle flows expire (memory stays flat).
 * It stops on `signal`, after `durationNs`, or when the capture process ends.
 */
import { Analysis, type AnalysisResult, type AnalyzeOptions } from './analyze.js';
import { interfaceAddresses } from './capture/interfaces.js';
import { LiveCapture, type CaptureBackend, type KernelStats } from './capture/live-capture.js';
import { PcapReader } from './capture/pcap-reader.js';
import { linktypeName } from './decode/link.js';
import { parseCidr } from './flow/address.js';
import { givenVantage, type Vantage } from './flow/vantage.js';
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
  iface: string;
  /** BPF, compiled by libpcap (default `tcp`). */
  filter?: string;
  snaplen?: number;
  promisc?: boolean;
  /** Stop by itself after this much wall time. */
  durationNs?: number;
  /** Default: libpcap when its binding loads, else tcpdump. */
  backend?: CaptureBackend;
  /** Called once the capture is running (so a person can be told, or traffic started). */
  onStart?: (start: LiveStart) => void;
}

export interface LiveStart {
  iface: string;
  backend: CaptureBackend;
  filter: string;
  snaplen: number;
  vantage: Vantage | undefined;
}

/** How often, at most, the clock moves on without packets: the expiry's resolution. */
const TICK_MS = 1000;

/** The local side defaults to the interface's own addresses. */
function interfaceVantage(iface: string): Vantage | undefined {
  const addresses = interfaceAddresses(iface);
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

export async function analyzeLive(options: LiveOptions): Promise<AnalysisResult> {
  const filter = options.filter ?? LIVE_DEFAULTS.filter;
  const snaplen = options.snaplen ?? LIVE_DEFAULTS.snaplen;
  const vantage = options.vantage ?? interfaceVantage(options.iface);
  const capture = await LiveCapture.open({ iface: options.iface, filter, snaplen, promisc: options.promisc ?? false, backend: options.backend });

  const run = new Analysis({ ...options, vantage, emptyIntervals: true });
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

  const stop = (): void => capture.stop();
  const stopTimer = options.durationNs === undefined ? undefined : setTimeout(stop, options.durationNs / 1e6);
  options.signal?.addEventListener('abort', stop, { once: true });
  if (options.signal?.aborted) stop();
  options.onStart?.({ iface: options.iface, backend: capture.backend, filter, snaplen, vantage });
  tick();

  const reader = new PcapReader(`--live ${options.iface}`);
  const counters = { packets: 0, tcpPackets: 0, index: 0 };
  let received = 0;
  let stats: KernelStats | undefined;
  try {
    for await (const chunk of capture.stream) {
      received += (chunk as Uint8Array).length;
      reader.push(chunk as Uint8Array);
      const pkt = reader.packet;
      while (reader.next()) {
        // With --duration, what was captured after the stop is not part of the run.
        if (stopNs !== Infinity && relativeNs(run.base, pkt.tsSec, pkt.tsNsec) >= stopNs) continue;
        run.onPacket(pkt, counters);
      }
    }
  } finally {
    clearTimeout(clock);
    clearTimeout(stopTimer);
    options.signal?.removeEventListener('abort', stop);
    capture.stop();
    stats = await capture.finish();
  }
  const endNs = wallNs() + 1;
  if (run.lastNs < endNs) run.lastNs = endNs;
  run.finish();
  const warning = received > 0 ? reader.finish() : undefined;
  return run.result([
    {
      path: options.iface,
      format: 'live',
      linktype: reader.linktypes.map(linktypeName).join(','),
      packets: counters.packets,
      tcp_packets: counters.tcpPackets,
      warnings: warning === undefined ? [] : [warning],
      live: {
        backend: capture.backend,
        filter,
        snaplen,
        kernel_received: stats?.received ?? null,
        kernel_dropped: stats?.dropped ?? null,
        interface_dropped: stats?.interfaceDropped ?? null,
      },
    },
  ]);
}
