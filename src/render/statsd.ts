/**
 * `--statsd HOST:PORT`: DogStatsD gauges every interval, per pair of hosts, with go-metro's
 * names and units (milliseconds), so that dashboards built on go-metro keep working:
 *
 *   system.net.tcp.rtt          the last RTT sample of the interval (go-metro: the last one)
 *   system.net.tcp.rtt.avg      srtt, RFC 6298's smoothed RTT (go-metro: srtt)
 *   system.net.tcp.rtt.jitter   mean |rtt - previous rtt| (go-metro's definition)
 *   system.net.tcp.rtt.min, .p50, .p99, and .samples (how many samples the figures come from)
 *
 * tagged `src:` (the host that sent the data), `dst:` (the host whose ACKs were timed), `iface:`
 * and every `--tag`. Statistics start afresh each interval.
 *
 * A few lines of node:dgram rather than a client library (hot-shots): rttscan sends gauges once
 * per interval, which needs no buffering timer, sampling or telemetry, and hot-shots would pull
 * in an optional native dependency (unix-dgram, built with node-gyp) for Unix sockets we do not
 * use. Lines are packed into datagrams of at most 1432 bytes, DogStatsD's default for UDP.
 */
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { RttscanError } from '../errors.js';
import type { SampleEndpoints } from '../stats/collector.js';
import { RttStats } from '../stats/rtt-stats.js';

export const STATSD_PREFIX = 'system.net.tcp.rtt';
/** The largest datagram sent: DogStatsD's default buffer for UDP, below a 1500-byte MTU. */
export const MAX_DATAGRAM_BYTES = 1432;

interface HostPair {
  src: string;
  dst: string;
  stats: RttStats;
  lastUs: number;
}

/** Milliseconds with up to six decimals (nanosecond precision), never in exponent form. */
export function formatMs(us: number): string {
  return String(Number((us / 1000).toFixed(6)));
}

/** Per-interval RTT statistics per (sender, acknowledger) pair of hosts. */
export class StatsdAggregator {
  private pairs = new Map<string, HostPair>();
  /** The pair of each half-connection, so addresses are formatted once per half and interval. */
  private byHalf = new WeakMap<object, HostPair>();

  add(rttNs: number, endpoints: SampleEndpoints): void {
    const half = endpoints.half;
    let pair = this.byHalf.get(half);
    if (pair === undefined) {
      const src = endpoints.src;
      const dst = endpoints.dst;
      const key = `${src} ${dst}`;
      pair = this.pairs.get(key);
      if (pair === undefined) {
        pair = { src, dst, stats: new RttStats(), lastUs: 0 };
        this.pairs.set(key, pair);
      }
      this.byHalf.set(half, pair);
    }
    const rttUs = rttNs / 1000;
    pair.stats.add(rttUs);
    pair.lastUs = rttUs;
  }

  /** The interval's gauges, one DogStatsD line each; then starts the next interval afresh. */
  flush(tags: readonly string[]): string[] {
    const lines: string[] = [];
    const pairs = [...this.pairs.values()].sort((a, b) => (a.src + ' ' + a.dst < b.src + ' ' + b.dst ? -1 : 1));
    for (const { src, dst, stats, lastUs } of pairs) {
      const tagText = [`src:${src}`, `dst:${dst}`, ...tags].join(',');
      const gauge = (name: string, value: string): number => lines.push(`${STATSD_PREFIX}${name}:${value}|g|#${tagText}`);
      gauge('', formatMs(lastUs));
      gauge('.avg', formatMs(stats.srttUs));
      gauge('.jitter', formatMs(stats.jitter));
      gauge('.min', formatMs(stats.minUs));
      gauge('.p50', formatMs(stats.quantile(0.5)));
      gauge('.p99', formatMs(stats.quantile(0.99)));
      gauge('.samples', String(stats.count));
    }
    this.pairs = new Map();
    this.byHalf = new WeakMap();
    return lines;
  }
}

/** Lines joined by newlines into datagrams no longer than `maxBytes` (a longer line goes alone). */
export function packDatagrams(lines: readonly string[], maxBytes = MAX_DATAGRAM_BYTES): string[] {
  const datagrams: string[] = [];
  let current = '';
  for (const line of lines) {
    if (current !== '' && Buffer.byteLength(current) + 1 + Buffer.byteLength(line) > maxBytes) {
      datagrams.push(current);
      current = '';
    }
    current = current === '' ? line : `${current}\n${line}`;
  }
  if (current !== '') datagrams.push(current);
  return datagrams;
}

/** `host:port`, `[v6]:port`; undefined when it is not one. */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text);
  if (!m || Number(m[3]) < 1 || Number(m[3]) > 65535) return undefined;
  return { host: (m[1] ?? m[2])!, port: Number(m[3]) };
}

/** A DogStatsD tag as given with --tag: `key:value` or `key`, without separators or spaces. */
export function isValidTag(tag: string): boolean {
  return /^[^\s,|#:][^\s,|#]*$/.test(tag);
}

/** Sends lines over UDP; send errors go to `onError` (a metrics agent that is down is not fatal). */
export class StatsdClient {
  private pending = 0;
  private drained: (() => void) | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly address: string,
    private readonly port: number,
    private readonly onError: (err: Error) => void,
  ) {}

  static async open(host: string, port: number, onError: (err: Error) => void): Promise<StatsdClient> {
    let resolved: { address: string; family: number };
    try {
      resolved = await lookup(host);
    } catch (err) {
      throw new RttscanError('usage', `--statsd ${host}:${port}: cannot resolve ${host} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
    const socket = createSocket(resolved.family === 6 ? 'udp6' : 'udp4');
    socket.on('error', onError);
    return new StatsdClient(socket, resolved.address, port, onError);
  }

  send(lines: readonly string[]): void {
    for (const datagram of packDatagrams(lines)) {
      this.pending++;
      this.socket.send(datagram, this.port, this.address, (err) => {
        if (err) this.onError(err);
        if (--this.pending === 0) this.drained?.();
      });
    }
  }

  /** Closes the socket once every datagram handed to `send` is out. */
  async close(): Promise<void> {
    if (this.pending > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    await new Promise<void>((resolve) => this.socket.close(resolve));
  }
}
