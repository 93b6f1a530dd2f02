/**
 * `--statsd HOST:PORT`: DogStatsD metrics every interval, per pair of hosts, with go-metro's
 * names and units (milliseconds), so that dashboards built on go-metro keep working:
 *
 *   system.net.tcp.rtt          the last RTT sample of the interval (go-metro: the last one)
 *   system.net.tcp.rtt.avg      srtt, RFC 6298's smoothed RTT (go-metro: srtt)
 *   system.net.tcp.rtt.jitter   mean |rtt - previous rtt| (go-metro's definition)
 *   system.net.tcp.rtt.min, .p50, .p99, and .samples (how many samples the figures come from)
 *
 * tagged `src:` (the host that sent the data), `dst:` (the host whose ACKs were timed), the
 * interface's tags (`iface:`), `process:` with --by process, and every `--tag`. Statistics
 * start afresh each interval. A pair with no sample in an interval is reported as go-metro
 * reports a flow (processors/tcp/report.go: every flow with samples, every interval, until the
 * flow expires): while one of its connections is still tracked, `rtt`, `.avg` and `.jitter`
 * repeat their last values and `.samples` is 0; once none is, the pair is forgotten.
 *
 * With `--statsd-type distribution`, `system.net.tcp.rtt` is a DogStatsD distribution of every
 * sample instead (several values per line, `name:v1:v2|d`, DogStatsD protocol 1.1), so that
 * percentiles aggregate across hosts on the server; `.avg` and `.jitter` stay gauges, and the
 * other gauges are left to the distribution.
 *
 * A few lines of node:dgram rather than a client library (hot-shots): rttscan sends once per
 * interval, which needs no buffering timer, sampling or telemetry, and hot-shots would pull
 * in an optional native dependency (unix-dgram, built with node-gyp) for Unix sockets we do not
 * use. Lines are packed into datagrams of at most 1432 bytes, DogStatsD's default for UDP.
 */
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import type { HalfConnection, RttConnection } from '../engines/rtt/rtt-engine.js';
import { usageError } from '../errors.js';
import type { Flow } from '../flow/flow-table.js';
import type { Sample } from '../stats/collector.js';
import { RttStats } from '../stats/rtt-stats.js';
import { endpointText } from '../flow/address.js';

export const STATSD_PREFIX = 'system.net.tcp.rtt';
/** The largest datagram sent: DogStatsD's default buffer for UDP, below a 1500-byte MTU. */
export const MAX_DATAGRAM_BYTES = 1432;
export const STATSD_TYPES = ['gauge', 'distribution'] as const;
export type StatsdType = (typeof STATSD_TYPES)[number];
/** Distribution values a pair holds before they are sent without waiting for the interval. */
const MAX_PENDING_VALUES = 1000;

interface HostPair {
  /** The tags that name the pair: src, dst, the interface's and the process's. */
  tagText: string;
  stats: RttStats;
  lastUs: number;
  /** The figures of the pair's last interval with samples, repeated while it is quiet. */
  reported: { lastUs: number; srttUs: number; jitterUs: number } | undefined;
  /** Its connections still tracked (what keeps a quiet pair reported). */
  flows: Set<Flow<RttConnection>>;
  /** Distribution values (µs) not sent yet. */
  values: number[];
}

export interface StatsdAggregatorOptions {
  type?: StatsdType;
  /** The tags of the input (interface) a sample came from, after src and dst. */
  inputTags?: (inputIndex: number) => readonly string[];
  /** Distribution lines sent before the interval ends, so that a busy pair holds few values. */
  onEarly?: (lines: string[]) => void;
}

/** Milliseconds with up to six decimals (nanosecond precision), never in exponent form. */
export function formatMs(us: number): string {
  return String(Number((us / 1000).toFixed(6)));
}

/** Per-interval RTT statistics per (sender, acknowledger) pair of hosts. */
export class StatsdAggregator {
  private readonly pairs = new Map<string, HostPair>();
  /** The pair of each half-connection, so addresses are formatted once per half. */
  private readonly byHalf = new WeakMap<HalfConnection, HostPair>();
  private readonly type: StatsdType;
  private tags: readonly string[] = [];

  constructor(private readonly options: StatsdAggregatorOptions = {}) {
    this.type = options.type ?? 'gauge';
  }

  /** A sample from input `inputIndex`; `processTags` (e.g. `process:nginx`) go after dst. */
  add(sample: Sample, inputIndex = 0, processTags: readonly string[] = []): void {
    const { rttNs } = sample;
    const half = sample.half;
    let pair = this.byHalf.get(half);
    if (pair === undefined) {
      const tags = [`src:${sample.src}`, `dst:${sample.dst}`, ...processTags, ...(this.options.inputTags?.(inputIndex) ?? [])];
      const key = tags.join(',');
      pair = this.pairs.get(key);
      if (pair === undefined) {
        pair = { tagText: key, stats: new RttStats(), lastUs: 0, reported: undefined, flows: new Set(), values: [] };
        this.pairs.set(key, pair);
      }
      pair.flows.add(sample.flow);
      this.byHalf.set(half, pair);
    }
    const rttUs = rttNs / 1000;
    pair.stats.add(rttNs);
    pair.lastUs = rttUs;
    if (this.type === 'distribution') {
      pair.values.push(rttUs);
      if (pair.values.length >= MAX_PENDING_VALUES && this.options.onEarly) {
        const lines: string[] = [];
        this.distributionLines(pair, this.tags, lines);
        this.options.onEarly(lines);
      }
    }
  }

  /** A connection is no longer tracked: its pairs stop being reported once they have no other. */
  flowEnded(flow: Flow<RttConnection>): void {
    for (const half of [flow.state.a, flow.state.b]) this.byHalf.get(half)?.flows.delete(flow);
  }

  /** The interval's lines; then starts the next interval afresh. `tags` go last on every line. */
  flush(tags: readonly string[]): string[] {
    this.tags = tags;
    const lines: string[] = [];
    const extra = tags.length > 0 ? `,${tags.join(',')}` : '';
    const pairs = [...this.pairs.values()].sort((a, b) => (a.tagText < b.tagText ? -1 : a.tagText > b.tagText ? 1 : 0));
    for (const pair of pairs) {
      const { stats } = pair;
      const tagText = `${pair.tagText}${extra}`;
      const gauge = (name: string, value: string): number => lines.push(`${STATSD_PREFIX}${name}:${value}|g|#${tagText}`);
      if (stats.count > 0) {
        pair.reported = { lastUs: pair.lastUs, srttUs: stats.srttUs, jitterUs: stats.jitter };
        if (this.type === 'distribution') {
          this.distributionLines(pair, tags, lines);
          gauge('.avg', formatMs(stats.srttUs));
          gauge('.jitter', formatMs(stats.jitter));
        } else {
          gauge('', formatMs(pair.lastUs));
          gauge('.avg', formatMs(stats.srttUs));
          gauge('.jitter', formatMs(stats.jitter));
          gauge('.min', formatMs(stats.minUs));
          gauge('.p50', formatMs(stats.quantile(0.5)));
          gauge('.p99', formatMs(stats.quantile(0.99)));
          gauge('.samples', String(stats.count));
        }
        pair.stats = new RttStats();
      } else if (pair.flows.size > 0 && pair.reported !== undefined) {
        const r = pair.reported;
        if (this.type === 'gauge') gauge('', formatMs(r.lastUs));
        gauge('.avg', formatMs(r.srttUs));
        gauge('.jitter', formatMs(r.jitterUs));
        if (this.type === 'gauge') gauge('.samples', '0');
      } else {
        this.pairs.delete(pair.tagText);
      }
    }
    return lines;
  }

  /** The pair's pending distribution values as lines of at most MAX_DATAGRAM_BYTES; then none pending. */
  private distributionLines(pair: HostPair, tags: readonly string[], lines: string[]): void {
    const suffix = `|d|#${pair.tagText}${tags.length > 0 ? `,${tags.join(',')}` : ''}`;
    let line = '';
    for (const us of pair.values) {
      const value = formatMs(us);
      if (line !== '' && line.length + 1 + value.length + suffix.length > MAX_DATAGRAM_BYTES) {
        lines.push(line + suffix);
        line = '';
      }
      line = line === '' ? `${STATSD_PREFIX}:${value}` : `${line}:${value}`;
    }
    if (line !== '') lines.push(line + suffix);
    pair.values = [];
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
      const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw usageError((name) => `${name('statsd')} ${endpointText(host, port)}: cannot resolve ${host} (${why})`, 'statsd');
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
