/**
 * `--prometheus HOST:PORT`: a scrape endpoint at /metrics, in the Prometheus text format or in
 * OpenMetrics, whichever the scraper's Accept header prefers (Prometheus itself asks for
 * OpenMetrics first; curl gets text). prom-client writes both formats and adds the process's
 * own metrics (RSS, CPU, event loop); the RTT and TCP-RT histograms are rttscan's own storage
 * (log-histogram.ts says why) handed to prom-client's registry at scrape time.
 *
 * One registry per format: prom-client renames counters for OpenMetrics in place (it strips
 * `_total` from the metric object's name), so a registry shared by both would lose `_total`
 * in the text format after the first OpenMetrics scrape.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import client from 'prom-client';
import type { CounterSnapshot, InputSummary } from '../analyze.js';
import { usageError } from '../errors.js';
import type { CappedSeries } from './capped-series.js';
import { BUCKET_BOUNDS_US, FINITE_BUCKETS, type LogHistogram } from './log-histogram.js';
import type { RttMetrics, TcprtPortSeries } from './rtt-metrics.js';
import { errnoReason } from '../util/errno.js';
import { endpointText } from '../flow/address.js';

export const OPENMETRICS_TYPE = 'application/openmetrics-text';

/** What the endpoint reads at each scrape besides the histograms. */
export interface MetricsSource {
  metrics: RttMetrics;
  /** Each interface's packets and kernel counters, and the run's counters, as they stand. */
  snapshot(): { inputs: InputSummary[]; counters: CounterSnapshot };
}

type Labels = Record<string, string | number>;
interface MetricValue {
  labels: Labels;
  value: number;
  metricName?: string;
}

const LE_BOUNDS = BUCKET_BOUNDS_US.map((us) => String(Number((us / 1e6).toPrecision(6))));

/** Bucket, sum and count lines of one histogram, in prom-client's shape. */
function histogramValues(name: string, histogram: LogHistogram, labels: Labels, out: MetricValue[]): void {
  let cumulative = 0;
  for (let k = 0; k < FINITE_BUCKETS; k++) {
    cumulative += histogram.counts[k]!;
    out.push({ labels: { ...labels, le: LE_BOUNDS[k]! }, value: cumulative, metricName: `${name}_bucket` });
  }
  out.push({ labels: { ...labels, le: '+Inf' }, value: histogram.count, metricName: `${name}_bucket` });
  out.push({ labels, value: histogram.sumUs / 1e6, metricName: `${name}_sum` });
  out.push({ labels, value: histogram.count, metricName: `${name}_count` });
}

/**
 * A histogram family whose values prom-client's registry asks for at scrape time (the
 * registry takes any object that answers get() the way its own metrics do).
 */
function histogramFamily(name: string, help: string, series: () => Array<{ labels: Labels; histogram: LogHistogram }>): object {
  return {
    name,
    help,
    type: 'histogram',
    aggregator: 'sum',
    get: async () => {
      const values: MetricValue[] = [];
      for (const s of series()) histogramValues(name, s.histogram, s.labels, values);
      return { name, help, type: 'histogram', values, aggregator: 'sum' };
    },
    reset: () => {},
  };
}

function capped<T>(family: CappedSeries<T>, label: string, pick: (value: T) => LogHistogram): Array<{ labels: Labels; histogram: LogHistogram }> {
  const out = [...family.entries.values()].map((e) => ({ labels: { [label]: e.label }, histogram: pick(e.value) }));
  if (family.overflows > 0 || family.other.value !== undefined) {
    const other = pick(family.other.value);
    if (other.count > 0) out.push({ labels: { [label]: family.other.label }, histogram: other });
  }
  return out;
}

function tcprtSeries(family: CappedSeries<TcprtPortSeries>, pick: (s: TcprtPortSeries) => LogHistogram): Array<{ labels: Labels; histogram: LogHistogram }> {
  const labelsOf = (label: string): Labels => {
    const [side, port] = label.split(' ');
    return side === undefined || port === undefined ? { side: label, port: label } : { side: side!, port: port! };
  };
  const out = [...family.entries.values()].map((e) => ({ labels: labelsOf(e.label), histogram: pick(e.value) }));
  const other = pick(family.other.value);
  if (other.count > 0) out.push({ labels: { side: 'other', port: 'other' }, histogram: other });
  return out;
}

/** A counter or gauge whose values are read from the source at scrape time. */
function readAtScrape(registry: AnyRegistry, kind: 'counter' | 'gauge', name: string, help: string, labelNames: string[], read: () => Array<[Labels, number]>): void {
  const Metric = kind === 'counter' ? client.Counter : client.Gauge;
  new Metric({
    name,
    help,
    labelNames,
    registers: [registry],
    collect(this: client.Counter | client.Gauge) {
      this.reset();
      for (const [labels, value] of read()) {
        if (this instanceof client.Gauge) this.set(labels, value);
        else (this as client.Counter).inc(labels, value);
      }
    },
  });
}

type AnyRegistry = client.Registry<client.RegistryContentType>;

function buildRegistry(contentType: client.RegistryContentType, source: MetricsSource): AnyRegistry {
  const registry = new client.Registry<client.RegistryContentType>();
  registry.setContentType(contentType);
  client.collectDefaultMetrics({ register: registry });
  // prom-client's gauges of active handles end in `_total`, which promtool's lint refuses.
  for (const metric of registry.getMetricsAsArray()) {
    const { name, type } = metric as unknown as { name: string; type: string };
    if (type !== 'counter' && name.endsWith('_total')) registry.removeSingleMetric(name);
  }
  const m = source.metrics;
  // One snapshot per scrape, shared by every counter of that scrape.
  let snap: ReturnType<MetricsSource['snapshot']> | undefined;
  let snapAt = -1;
  const now = (): ReturnType<MetricsSource['snapshot']> => {
    const t = Date.now();
    if (snap === undefined || t - snapAt > 100) {
      snap = source.snapshot();
      snapAt = t;
    }
    return snap;
  };
  const perInput = (pick: (input: InputSummary) => number | null | undefined): Array<[Labels, number]> =>
    now()
      .inputs.filter((input) => typeof pick(input) === 'number')
      .map((input) => [{ interface: input.path }, pick(input) as number]);
  readAtScrape(registry, 'counter', 'rttscan_packets_total', 'Packets analysed, per interface', ['interface'], () => perInput((i) => i.packets));
  readAtScrape(registry, 'counter', 'rttscan_tcp_packets_total', 'TCP packets analysed, per interface', ['interface'], () => perInput((i) => i.tcp_packets));
  readAtScrape(registry, 'counter', 'rttscan_kernel_received_packets_total', 'Packets the kernel passed to the capture filter (libpcap ps_recv)', ['interface'], () =>
    perInput((i) => i.live?.kernel_received),
  );
  readAtScrape(registry, 'counter', 'rttscan_kernel_dropped_packets_total', 'Packets the kernel dropped for lack of buffer space (libpcap ps_drop)', ['interface'], () =>
    perInput((i) => i.live?.kernel_dropped),
  );
  readAtScrape(registry, 'counter', 'rttscan_interface_dropped_packets_total', 'Packets the interface dropped (libpcap ps_ifdrop)', ['interface'], () =>
    perInput((i) => i.live?.interface_dropped),
  );
  readAtScrape(registry, 'gauge', 'rttscan_flows_active', 'TCP flows tracked now', [], () => [[{}, now().counters.flows.active]]);
  readAtScrape(registry, 'counter', 'rttscan_flows_created_total', 'TCP flows seen', [], () => [[{}, now().counters.flows.created]]);
  readAtScrape(registry, 'counter', 'rttscan_flows_expired_total', 'TCP flows forgotten after --idle-ttl (idle) or --exp-ttl after FIN/RST (closed)', ['reason'], () => [
    [{ reason: 'idle' }, now().counters.flows.expiredIdle],
    [{ reason: 'closed' }, now().counters.flows.expiredClosed],
  ]);
  readAtScrape(registry, 'counter', 'rttscan_flows_evicted_total', 'TCP flows evicted at --max-flows', [], () => [[{}, now().counters.flows.evicted]]);
  readAtScrape(registry, 'counter', 'rttscan_rtt_samples_total', 'RTT samples kept (in rttscan_rtt_seconds)', [], () => [[{}, m.all.count]]);
  readAtScrape(registry, 'counter', 'rttscan_rtt_samples_left_out_total', 'RTT samples left out: acknowledged by a local host, or by the address/port filters', ['reason'], () => [
    [{ reason: 'local' }, now().counters.rtt.localAcked],
    [{ reason: 'filter' }, now().counters.rtt.filtered],
  ]);
  readAtScrape(registry, 'counter', 'rttscan_rtt_karn_skipped_total', "ACKs that gave no sample by Karn's rule", [], () => [[{}, now().counters.rtt.karnSkipped]]);
  const families: Array<[string, CappedSeries<unknown>]> = [
    ['host', m.byHost as CappedSeries<unknown>],
    ['port', m.byPort as CappedSeries<unknown>],
    ['tcprt_port', m.tcprtPorts as CappedSeries<unknown>],
    ...(m.byProcess ? [['process', m.byProcess as CappedSeries<unknown>] as [string, CappedSeries<unknown>]] : []),
  ];
  readAtScrape(registry, 'counter', 'rttscan_series_evicted_total', 'Labelled series evicted (idle) to make room under --prometheus-cap', ['family'], () =>
    families.map(([family, f]) => [{ family }, f.evictions]),
  );
  readAtScrape(registry, 'counter', 'rttscan_series_overflow_total', "New label values that went to the 'other' series because every slot was in use", ['family'], () =>
    families.map(([family, f]) => [{ family }, f.overflows]),
  );
  readAtScrape(registry, 'counter', 'rttscan_tcprt_records_total', 'TCP-RT records, per watched port and record type', ['side', 'port', 'type'], () =>
    [...m.tcprtPorts.entries.values(), m.tcprtPorts.other].flatMap((e) => {
      const [side = 'other', port = 'other'] = e === m.tcprtPorts.other ? [] : e.label.split(' ');
      return (Object.entries(e.value.records) as Array<[string, number]>)
        .filter(([, n]) => n > 0 || e !== m.tcprtPorts.other)
        .map(([type, n]) => [{ side, port, type }, n] as [Labels, number]);
    }),
  );
  const register = (family: object): void => registry.registerMetric(family as client.Metric);
  register(histogramFamily('rttscan_rtt_seconds', 'RTT samples: data segment to the ACK that answers it, seen at the capture point', () => [{ labels: {}, histogram: m.all }]));
  register(
    histogramFamily('rttscan_rtt_by_host_seconds', 'RTT samples per acknowledging host (capped, see rttscan_series_evicted_total)', () => capped(m.byHost, 'host', (h) => h)),
  );
  register(histogramFamily('rttscan_rtt_by_port_seconds', "RTT samples per service port (the SYN's destination port; capped)", () => capped(m.byPort, 'port', (h) => h)));
  if (m.byProcess) {
    const byProcess = m.byProcess;
    register(histogramFamily('rttscan_rtt_by_process_seconds', 'RTT samples per local process (--by process; capped)', () => capped(byProcess, 'process', (h) => h)));
  }
  register(histogramFamily('rttscan_tcprt_server_seconds', 'TCP-RT server time of R and P tasks, per watched port', () => tcprtSeries(m.tcprtPorts, (s) => s.serverTime)));
  register(histogramFamily('rttscan_tcprt_total_seconds', 'TCP-RT total time of R and P tasks, per watched port', () => tcprtSeries(m.tcprtPorts, (s) => s.totalTime)));
  return registry;
}

/**
 * The format to answer with: OpenMetrics when the Accept header ranks it above the text format
 * (by q-value, then by order), the text format otherwise.
 */
export function negotiateFormat(accept: string | undefined): 'openmetrics' | 'text' {
  if (accept === undefined) return 'text';
  let best: { format: 'openmetrics' | 'text'; q: number } | undefined;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';').map((p) => p.trim());
    const qParam = params.find((p) => /^q=/i.test(p));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!(q > 0)) continue;
    const format = type.toLowerCase() === OPENMETRICS_TYPE ? 'openmetrics' : ['text/plain', 'text/*', '*/*'].includes(type.toLowerCase()) ? 'text' : undefined;
    if (format !== undefined && (best === undefined || q > best.q)) best = { format, q };
  }
  return best?.format ?? 'text';
}

export class PrometheusEndpoint {
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** Listens on host:port (port 0: any free port; `url` says which). */
  static async listen(host: string, port: number, source: MetricsSource, onError: (err: Error) => void): Promise<PrometheusEndpoint> {
    const registries = {
      text: buildRegistry(client.Registry.PROMETHEUS_CONTENT_TYPE, source),
      openmetrics: buildRegistry(client.Registry.OPENMETRICS_CONTENT_TYPE, source),
    };
    const server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      if (path !== '/metrics') {
        res
          .writeHead(path === '/' ? 200 : 404, { 'Content-Type': 'text/plain; charset=utf-8' })
          .end(path === '/' ? 'rttscan: metrics at /metrics\n' : 'not found: metrics are at /metrics\n');
        return;
      }
      const registry = registries[negotiateFormat(req.headers.accept)];
      registry.metrics().then(
        (body) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(req.method === 'HEAD' ? undefined : body),
        (err: Error) => {
          onError(err);
          res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${err.message}\n`);
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(usageError((name) => `${name('prometheus')} ${endpointText(host, port)}: cannot listen (${errnoReason(err) ?? err.code ?? err.message})`, 'prometheus')),
      );
      server.listen(port, host, () => resolve());
    });
    server.on('error', onError);
    const address = server.address() as AddressInfo;
    return new PrometheusEndpoint(server, `http://${endpointText(address.address, address.port)}/metrics`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
