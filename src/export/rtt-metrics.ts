/**
 * What the Prometheus endpoint exposes, kept as the run goes: RTT histograms (all samples, per
 * acknowledging host, per service port, per process with --by process) and TCP-RT server and
 * total times per watched port, each labelled family capped (capped-series.ts). The run's own
 * counters (packets, kernel drops, flows) are read from the analysis at scrape time instead.
 *
 * Per sample, the labelled series of a half-connection are looked up once and cached on it;
 * no string is made per sample.
 */
import type { HalfConnection } from '../engines/rtt/rtt-engine.js';
import type { RecordType, TaskRecord } from '../engines/tcprt/records.js';
import type { Sample } from '../stats/collector.js';
import { CappedSeries, type SeriesEntry } from './capped-series.js';
import { LogHistogram } from './log-histogram.js';

export interface RttMetricsOptions {
  /** Most label values per family (default 100). */
  cap: number;
  /** How long a series must have been idle before its slot can go to a new label value. */
  idleNs: number;
  /** The process label of a sample's local end (--by process), if there is one. */
  processOf?: (sample: Sample) => string;
}

/** A TCP-RT port's series: times of R and P tasks, and records by type. */
export class TcprtPortSeries {
  readonly serverTime = new LogHistogram();
  readonly totalTime = new LogHistogram();
  readonly records: Record<RecordType, number> = { R: 0, P: 0, W: 0, N: 0, E: 0 };
}

/**
 * The port a connection was opened to: endpoint B's when A (the first packet's sender) sent a
 * SYN, as a client does; the lower of the two when the handshake was not seen.
 */
export function servicePort(sample: Sample): number {
  const flow = sample.flow;
  return flow.state.a.synSeen ? flow.portB : Math.min(flow.portA, flow.portB);
}

interface CachedSeries {
  host: SeriesEntry<LogHistogram>;
  port: SeriesEntry<LogHistogram>;
  process: SeriesEntry<LogHistogram> | undefined;
  generation: number;
}

export class RttMetrics {
  readonly all = new LogHistogram();
  readonly byHost: CappedSeries<LogHistogram>;
  readonly byPort: CappedSeries<LogHistogram>;
  readonly byProcess: CappedSeries<LogHistogram> | undefined;
  /** Keyed `side port` (`local 8080`, `peer 443`). */
  readonly tcprtPorts: CappedSeries<TcprtPortSeries>;
  private cache = new WeakMap<HalfConnection, CachedSeries>();

  constructor(private readonly options: RttMetricsOptions) {
    const histogram = (): LogHistogram => new LogHistogram();
    this.byHost = new CappedSeries(options.cap, options.idleNs, histogram);
    this.byPort = new CappedSeries(options.cap, options.idleNs, histogram);
    this.byProcess = options.processOf ? new CappedSeries(options.cap, options.idleNs, histogram) : undefined;
    this.tcprtPorts = new CappedSeries(options.cap, options.idleNs, () => new TcprtPortSeries());
  }

  /** A kept sample: `ackNs` is its time on the run's clock. */
  onSample(sample: Sample): void {
    const { ackNs, rttNs } = sample;
    const us = rttNs / 1000;
    this.all.observeUs(us);
    const half = sample.half;
    let cached = this.cache.get(half);
    if (cached === undefined || this.stale(cached)) {
      cached = this.lookUp(sample, ackNs);
      this.cache.set(half, cached);
    }
    cached.host.value.observeUs(us);
    cached.host.lastNs = ackNs;
    cached.port.value.observeUs(us);
    cached.port.lastNs = ackNs;
    if (cached.process !== undefined) {
      cached.process.value.observeUs(us);
      cached.process.lastNs = ackNs;
    }
  }

  /** A TCP-RT record; `nowNs` on the run's clock. */
  onTcprtRecord(record: TaskRecord, nowNs: number): void {
    const entry = this.tcprtPorts.get(`${record.side} ${record.port}`, nowNs);
    entry.lastNs = nowNs;
    const series = entry.value;
    series.records[record.type]++;
    if (record.type === 'R' || record.type === 'P') {
      series.serverTime.observeUs(record.figures.serverUs);
      series.totalTime.observeUs(record.figures.totalUs);
    }
  }

  /** Evictions so far in the RTT families: a cached aggregate lookup retries when this moved. */
  private generation(): number {
    return this.byHost.generation + this.byPort.generation + (this.byProcess?.generation ?? 0);
  }

  private stale(cached: CachedSeries): boolean {
    const { host, port, process } = cached;
    if (host.evicted || port.evicted || process?.evicted === true) return true;
    const inOther = host === this.byHost.other || port === this.byPort.other || (process !== undefined && process === this.byProcess!.other);
    return inOther && cached.generation !== this.generation();
  }

  private lookUp(sample: Sample, nowNs: number): CachedSeries {
    const port = String(servicePort(sample));
    return {
      host: this.byHost.get(sample.dst, nowNs),
      port: this.byPort.get(port, nowNs),
      process: this.byProcess?.get(this.options.processOf!(sample), nowNs),
      generation: this.generation(),
    };
  }
}
