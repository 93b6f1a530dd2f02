/**
 * The command line's live mode: starts the capture (`--live IFACE`, options validated by
 * live-options.ts), adds the StatsD gauges to each interval, says what the capture is doing, and
 * lists what can be captured (`--list-interfaces`). main.ts prints the reports as it does offline.
 */
import { Analysis, DEFAULTS, type AnalysisResult, type AnalyzeOptions } from '../analyze.js';
import { listInterfaces, type CaptureInterface } from '../capture/interfaces.js';
import { chooseBackend, type CaptureBackend } from '../capture/live-capture.js';
import { RttscanError } from '../errors.js';
import { errorText } from './error-text.js';
import { endpointText } from '../flow/address.js';
import { analyzeLive, type LiveStart } from '../live.js';
import { PrometheusEndpoint } from '../export/prometheus.js';
import { RttMetrics } from '../export/rtt-metrics.js';
import { StatsdAggregator, StatsdClient } from '../render/statsd.js';
import type { ConfigFile } from './config-file.js';
import { DEFAULT_RESOLVE_INTERVAL_NS, HostWhitelist } from './host-whitelist.js';
import type { LiveCli } from './live-options.js';
import { ProcessAttributor } from '../process/attributor.js';
import { UNKNOWN_PROCESS, type Sample } from '../stats/collector.js';

function startNote(start: LiveStart, durationNs: number | undefined): string {
  const local = start.vantage ? `local: ${start.vantage.localLabels.join(', ')}` : 'no address on the interface: the local host is inferred as for a file';
  const until = durationNs === undefined ? 'Ctrl-C stops' : `stopping after ${durationNs / 1e9}s`;
  return `capturing on ${start.ifaces.join(', ')} with ${start.backend} (filter '${start.filter}', snaplen ${start.snaplen}); ${local}; ${until}`;
}

/** Chains `extra` after whatever `options[key]` already does. */
function also<K extends 'onSample' | 'onInterval' | 'onFlowEnd'>(options: AnalyzeOptions, key: K, extra: NonNullable<AnalyzeOptions[K]>): void {
  const first = options[key] as ((...args: unknown[]) => void) | undefined;
  const then = extra as (...args: unknown[]) => void;
  options[key] = ((...args: unknown[]) => {
    first?.(...args);
    then(...args);
  }) as AnalyzeOptions[K];
}

/**
 * Runs the live analysis with main.ts's outputs in `analyzeOptions`, plus the exports: StatsD
 * every interval, the Prometheus endpoint. `note` (undefined with --quiet) tells a person what
 * is happening.
 */
export async function runLive(cli: LiveCli, analyzeOptions: AnalyzeOptions, note: ((message: string) => void) | undefined): Promise<AnalysisResult> {
  // Set once the captures run: which interface the packet being analysed came from.
  let analysis: Analysis | undefined;
  let snapshot: LiveStart['snapshot'] | undefined;
  const ifaces = cli.live.ifaces;
  let statsd: StatsdClient | undefined;
  let prometheus: PrometheusEndpoint | undefined;
  const config = cli.config;
  // What a reload may change: the StatsD tags (of the file's instances, and its `tag` unless
  // --tag was given) and the whitelist. The rest takes a restart, and the note says so.
  let ifaceTags = config?.file.ifaceTags ?? new Map<string, string[]>();
  const globalTags = [...(cli.statsd?.tags ?? [])];
  let whitelist: HostWhitelist | undefined;
  const resolveEveryNs = (file: ConfigFile | undefined): number => file?.resolveIntervalNs ?? DEFAULT_RESOLVE_INTERVAL_NS;
  if (config !== undefined && !config.givenOnCommandLine('raddr')) {
    whitelist = new HostWhitelist(config.file.hosts, config.file.ips, (m) => note?.(m));
    if (!whitelist.empty) {
      const { cidrs } = await whitelist.resolve();
      analyzeOptions.filters = { ...analyzeOptions.filters, raddr: cidrs };
      whitelist.every(resolveEveryNs(config.file), (next) => analysis?.setFilters({ raddr: next }));
    }
  }
  if (config !== undefined) {
    let current = config.file;
    cli.reload = async () => {
      let next: ConfigFile;
      try {
        next = await config.reread();
      } catch (err) {
        note?.(`SIGHUP: ${errorText(err)}; the settings stay as they were`);
        return undefined;
      }
      ifaceTags = next.ifaceTags;
      if (!config.givenOnCommandLine('tag') && cli.statsd !== undefined) globalTags.splice(0, globalTags.length, ...((next.values.get('tag') as string[] | undefined) ?? []));
      if (whitelist !== undefined) {
        whitelist.update(next.hosts, next.ips);
        const { cidrs, changed } = await whitelist.resolve();
        if (changed) analysis?.setFilters({ raddr: whitelist.empty ? [] : cidrs });
        whitelist.every(resolveEveryNs(next), (cidrs) => analysis?.setFilters({ raddr: cidrs }));
      }
      const reloadable = new Set(['tag', 'logLevel']);
      const changed = [...new Set([...current.values.keys(), ...next.values.keys()])].filter(
        (k) => !reloadable.has(k) && !config.givenOnCommandLine(k) && JSON.stringify(current.values.get(k)) !== JSON.stringify(next.values.get(k)),
      );
      if (changed.length > 0) note?.(`SIGHUP: ${next.path}: ${changed.map(optionName).join(', ')} changed; restart rttscan to apply (tags, hosts, ips and log-level apply now)`);
      current = next;
      return next;
    };
  }
  const processes = analyzeOptions.by === 'process' ? (analyzeOptions.processes = new ProcessAttributor()) : undefined;
  // A sample's process (--by process): the local one of its group, as labels and tags name it.
  const processTags = (sample: Sample): string[] => {
    const p = sample.group.process;
    if (p === undefined) return [];
    if (p === null) return ['process:unknown'];
    return [`process:${p.command}`, ...(p.containerId ? [`container_id:${p.containerId}`] : []), ...(p.podUid ? [`pod_uid:${p.podUid}`] : [])];
  };
  try {
    if (cli.statsd !== undefined) {
      const { host, port } = cli.statsd;
      let warned = false;
      const client = (statsd = await StatsdClient.open(host, port, (err) => {
        if (warned) return;
        warned = true;
        note?.(`--statsd ${endpointText(host, port)}: ${err.message} (later errors are not shown)`);
      }));
      const metrics = new StatsdAggregator({
        type: cli.statsd.type,
        inputTags: (i) => [`iface:${ifaces[i]}`, ...(ifaceTags.get(ifaces[i]!) ?? [])],
        onEarly: (lines) => client.send(lines),
      });
      also(analyzeOptions, 'onSample', (sample) => metrics.add(sample, analysis?.inputIndex ?? 0, processes ? processTags(sample) : []));
      also(analyzeOptions, 'onFlowEnd', (flow) => metrics.flowEnded(flow));
      also(analyzeOptions, 'onInterval', () => client.send(metrics.flush(globalTags)));
    }
    if (cli.prometheus !== undefined) {
      const { host, port, cap } = cli.prometheus;
      const metrics = new RttMetrics({
        cap,
        idleNs: analyzeOptions.idleTtlNs ?? DEFAULTS.idleTtlNs,
        ...(processes ? { processOf: (sample: Sample) => sample.group.process?.command ?? UNKNOWN_PROCESS } : {}),
      });
      also(analyzeOptions, 'onSample', (sample) => metrics.onSample(sample));
      const tcprt = analyzeOptions.tcprt;
      if (tcprt !== undefined) {
        const onRecord = tcprt.onRecord;
        analyzeOptions.tcprt = {
          ...tcprt,
          onRecord: (record, base) => {
            onRecord?.(record, base);
            metrics.onTcprtRecord(record, analysis?.lastNs ?? 0);
          },
        };
      }
      const before = { inputs: [], counters: new Analysis({}).counterSnapshot() }; // a scrape before the capture starts
      prometheus = await PrometheusEndpoint.listen(
        host,
        port,
        {
          metrics,
          snapshot: () => snapshot?.() ?? before,
        },
        (err) => note?.(`--prometheus: ${err.message}`),
      );
      note?.(`Prometheus metrics at ${prometheus.url}`);
    }
    return await analyzeLive({
      ...analyzeOptions,
      ...cli.live,
      onStart: (start) => {
        analysis = start.analysis;
        snapshot = start.snapshot;
        note?.(startNote(start, cli.live.durationNs));
      },
    });
  } finally {
    whitelist?.stop();
    processes?.stop();
    await statsd?.close();
    await prometheus?.close();
  }
}

/** `statsdType` as the person wrote it: `statsd-type`. */
function optionName(attribute: string): string {
  return attribute.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function renderInterfaces(interfaces: readonly CaptureInterface[]): string {
  const width = Math.max(...interfaces.map((i) => i.name.length));
  return interfaces
    .map((i) => {
      const about = [i.addresses.join(', '), i.description ? `(${i.description})` : ''].filter((t) => t !== '').join('  ');
      return `${i.name.padEnd(width)}  ${about}`.trimEnd() + '\n';
    })
    .join('');
}

/** `--list-interfaces`: what libpcap (or tcpdump) can capture on. */
export async function interfaceList(backend: string | undefined): Promise<string> {
  // chooseBackend says what to install when neither is there.
  const interfaces = await listInterfaces(await chooseBackend(backend as CaptureBackend | undefined));
  if (interfaces.length === 0) throw new RttscanError('input', 'libpcap finds no interface to capture on');
  return renderInterfaces(interfaces);
}
