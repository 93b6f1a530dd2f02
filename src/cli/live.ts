/**
 * The command line's live mode: `--live IFACE` and the options that go with it, `--list-interfaces`,
 * and `--statsd`. main.ts prints the reports as it does offline; this file validates the options,
 * adds the StatsD gauges to each interval and says what the capture is doing.
 */
import type { AnalysisResult, AnalyzeOptions } from '../analyze.js';
import { listInterfaces, type CaptureInterface } from '../capture/interfaces.js';
import { chooseBackend, type CaptureBackend } from '../capture/live-capture.js';
import { MAX_SNAPLEN } from '../capture/reader.js';
import { RttscanError } from '../errors.js';
import { analyzeLive, type LiveOptions, type LiveStart } from '../live.js';
import { isValidTag, parseHostPort, StatsdAggregator, StatsdClient } from '../render/statsd.js';
import { parseDurationNs } from '../time.js';
import type { CliOptions } from './options.js';

/** --interval when --statsd comes without one: go-metro's reporting interval. */
export const STATSD_DEFAULT_INTERVAL = '10s';
/** Below this a packet cannot hold even IPv4 and TCP headers behind Ethernet (tcpdump's old default). */
const MIN_SNAPLEN = 68;

export interface LiveCli {
  live: Omit<LiveOptions, keyof AnalyzeOptions>;
  statsd: { host: string; port: number; tags: string[] } | undefined;
}

function usage(message: string): RttscanError {
  return new RttscanError('usage', message);
}

function durationNs(option: string, text: string): number {
  const ns = parseDurationNs(text);
  if (ns === undefined || ns <= 0) throw usage(`${option}: '${text}' is not a duration (e.g. 10s, 500ms, 2m)`);
  return ns;
}

/**
 * The live options, validated, or undefined without --live. Sets --interval to 10s when
 * --statsd comes without one.
 */
export function liveOptionsOf(options: CliOptions, files: readonly string[], analyzeOptions: AnalyzeOptions): LiveCli | undefined {
  if (options.live === undefined) {
    const liveOnly: Array<[string, boolean]> = [
      ['--filter', options.filter !== undefined],
      ['--snaplen', options.snaplen !== undefined],
      ['--promisc', options.promisc === true],
      ['--duration', options.duration !== undefined],
      ['--backend', options.backend !== undefined],
      ['--statsd', options.statsd !== undefined],
      ['--tag', options.tag.length > 0],
    ];
    const given = liveOnly.find(([, isGiven]) => isGiven);
    if (given) throw usage(`${given[0]} is for live capture: add --live IFACE`);
    return undefined;
  }
  if (files.length > 0) throw usage(`--live ${options.live} captures from an interface: do not name capture files too ('${files[0]}')`);
  if (options.live === '') throw usage('--live: name an interface (rttscan --list-interfaces shows them)');
  let snaplen: number | undefined;
  if (options.snaplen !== undefined) {
    snaplen = Number(options.snaplen);
    if (!/^\d+$/.test(options.snaplen) || snaplen < MIN_SNAPLEN || snaplen > MAX_SNAPLEN) {
      throw usage(`--snaplen: '${options.snaplen}' is not a whole number of bytes from ${MIN_SNAPLEN} to ${MAX_SNAPLEN}`);
    }
  }
  if (options.filter !== undefined && options.filter.trim() === '') throw usage("--filter: empty; leave it out to capture 'tcp'");
  let statsd: LiveCli['statsd'];
  if (options.statsd !== undefined) {
    const hostPort = parseHostPort(options.statsd);
    if (!hostPort) throw usage(`--statsd: '${options.statsd}' is not HOST:PORT (e.g. 127.0.0.1:8125)`);
    for (const tag of options.tag) {
      if (!isValidTag(tag)) throw usage(`--tag: '${tag}' is not a DogStatsD tag (key:value, without spaces, commas, '|' or '#')`);
    }
    statsd = { ...hostPort, tags: options.tag };
    analyzeOptions.intervalNs ??= durationNs('--interval', STATSD_DEFAULT_INTERVAL);
  } else if (options.tag.length > 0) {
    throw usage('--tag tags the --statsd gauges: add --statsd HOST:PORT');
  }
  return {
    live: {
      iface: options.live,
      ...(options.filter !== undefined ? { filter: options.filter } : {}),
      ...(snaplen !== undefined ? { snaplen } : {}),
      promisc: options.promisc ?? false,
      ...(options.duration !== undefined ? { durationNs: durationNs('--duration', options.duration) } : {}),
      ...(options.backend !== undefined ? { backend: options.backend as CaptureBackend } : {}),
    },
    statsd,
  };
}

function startNote(start: LiveStart, durationNs: number | undefined): string {
  const local = start.vantage ? `local: ${start.vantage.localLabels.join(', ')}` : 'no address on the interface: the local host is inferred as for a file';
  const until = durationNs === undefined ? 'Ctrl-C stops' : `stopping after ${durationNs / 1e9}s`;
  return `capturing on ${start.iface} with ${start.backend} (filter '${start.filter}', snaplen ${start.snaplen}); ${local}; ${until}`;
}

/**
 * Runs the live analysis with main.ts's outputs in `analyzeOptions`, plus the StatsD gauges.
 * `note` (undefined with --quiet) tells a person what is happening.
 */
export async function runLive(cli: LiveCli, analyzeOptions: AnalyzeOptions, note: ((message: string) => void) | undefined): Promise<AnalysisResult> {
  let statsd: StatsdClient | undefined;
  if (cli.statsd !== undefined) {
    const { host, port } = cli.statsd;
    let warned = false;
    const client = (statsd = await StatsdClient.open(host, port, (err) => {
      if (warned) return;
      warned = true;
      note?.(`--statsd ${host}:${port}: ${err.message} (later errors are not shown)`);
    }));
    const tags = [`iface:${cli.live.iface}`, ...cli.statsd.tags];
    const gauges = new StatsdAggregator();
    const onSample = analyzeOptions.onSample;
    analyzeOptions.onSample = (ackNs, rttNs, kind, endpoints, base) => {
      gauges.add(rttNs, endpoints);
      onSample?.(ackNs, rttNs, kind, endpoints, base);
    };
    const onInterval = analyzeOptions.onInterval;
    analyzeOptions.onInterval = (report) => {
      onInterval?.(report);
      client.send(gauges.flush(tags));
    };
  }
  try {
    return await analyzeLive({ ...analyzeOptions, ...cli.live, onStart: (start) => note?.(startNote(start, cli.live.durationNs)) });
  } finally {
    await statsd?.close();
  }
}

/** The kernel's counters of a live run, for stderr; undefined offline. */
export function liveCounterLine(result: AnalysisResult): string | undefined {
  const live = result.inputs[0]?.live;
  if (live === undefined) return undefined;
  if (live.kernel_received === null) return `kernel counters: not reported by ${live.backend}`;
  const ifDropped = live.interface_dropped ? `, ${live.interface_dropped} dropped by the interface` : '';
  return `kernel: ${live.kernel_received} packets received by the filter, ${live.kernel_dropped} dropped${ifDropped}`;
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
