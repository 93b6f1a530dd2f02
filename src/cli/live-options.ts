/**
 * The command line's live-mode options, validated: `--live IFACE` and what goes with it, and
 * `--statsd`. Kept apart from live.ts, which starts captures, so that an offline run checks these
 * options without loading the capture modules (main.ts imports live.ts only for --live).
 */
import type { AnalysisResult, AnalyzeOptions } from '../analyze.js';
import type { CaptureBackend } from '../capture/live-capture.js';
import { MAX_SNAPLEN } from '../capture/reader.js';
import { usageError } from '../errors.js';
import type { LiveOptions } from '../live.js';
import type { StatsdType } from '../render/statsd.js';
import { parseHostPort } from '../util/ports.js';
import { parseDurationNs } from '../time.js';
import type { ConfigFile } from './config-file.js';
import type { CliOptions } from './options.js';
import { commaItems } from '../util/lists.js';

/** --interval when --statsd comes without one: go-metro's reporting interval. */
export const STATSD_DEFAULT_INTERVAL = '10s';
/** Below this a packet cannot hold even IPv4 and TCP headers behind Ethernet (tcpdump's old default). */
const MIN_SNAPLEN = 68;

export interface LiveCli {
  live: Omit<LiveOptions, keyof AnalyzeOptions>;
  /** --config's file, with how to read it again (SIGHUP) and which options the command line gave. */
  config: { file: ConfigFile; reread: () => Promise<ConfigFile>; givenOnCommandLine: (attribute: string) => boolean } | undefined;
  /** Set by runLive: what SIGHUP does besides reopening files; resolves with the file read again. */
  reload?: () => Promise<ConfigFile | undefined>;
  statsd: { host: string; port: number; tags: string[]; type: StatsdType } | undefined;
  prometheus: { host: string; port: number; cap: number } | undefined;
}

/** Label values per labelled Prometheus family when --prometheus-cap is not given. */
export const PROMETHEUS_DEFAULT_CAP = 100;

function durationNs(option: string, text: string): number {
  const ns = parseDurationNs(text);
  if (ns === undefined || ns <= 0) throw usageError(`${option}: '${text}' is not a duration (e.g. 10s, 500ms, 2m)`);
  return ns;
}

/**
 * A DogStatsD tag as given with --tag: `key:value` or `key`, without separators or spaces. Here
 * rather than in render/statsd.ts, so that checking options does not load the UDP client.
 */
export function isValidTag(tag: string): boolean {
  return /^[^\s,|#:][^\s,|#]*$/.test(tag);
}

/**
 * The live options, validated, or undefined without --live. Sets --interval to 10s when
 * --statsd comes without one.
 */
export function liveOptionsOf(options: CliOptions, files: readonly string[], analyzeOptions: AnalyzeOptions, config?: LiveCli['config']): LiveCli | undefined {
  if (options.live.length === 0) {
    const liveOnly: Array<[string, boolean]> = [
      ['--snaplen', options.snaplen !== undefined],
      ['--promisc', options.promisc === true],
      ['--duration', options.duration !== undefined],
      ['--backend', options.backend !== undefined],
      ['--statsd', options.statsd !== undefined],
      ['--statsd-type', options.statsdType !== undefined],
      ['--tag', options.tag.length > 0],
      ['--prometheus', options.prometheus !== undefined],
      ['--prometheus-cap', options.prometheusCap !== undefined],
    ];
    const given = liveOnly.find(([, isGiven]) => isGiven);
    if (given) throw usageError(`${given[0]} is for live capture: add --live IFACE`);
    if (analyzeOptions.by === 'process') throw usageError('--by process names the processes that own live connections (from /proc): add --live IFACE');
    if (config !== undefined && (config.file.hosts.length > 0 || config.file.ips.length > 0))
      throw usageError(`${config.file.path}: hosts and ips are a whitelist for live capture: add live (or --live IFACE)`);
    return undefined;
  }
  const ifaces = commaItems(options.live);
  if (files.length > 0) throw usageError(`--live ${ifaces.join(',')} captures from an interface: do not name capture files too ('${files[0]}')`);
  if (ifaces.some((i) => i === '')) throw usageError('--live: name an interface (rttscan --list-interfaces shows them)');
  const twice = ifaces.find((iface, i) => ifaces.indexOf(iface) !== i);
  if (twice !== undefined) throw usageError(`--live ${twice} is given twice: each interface once`);
  let snaplen: number | undefined;
  if (options.snaplen !== undefined) {
    snaplen = Number(options.snaplen);
    if (!/^\d+$/.test(options.snaplen) || snaplen < MIN_SNAPLEN || snaplen > MAX_SNAPLEN) {
      throw usageError(`--snaplen: '${options.snaplen}' is not a whole number of bytes from ${MIN_SNAPLEN} to ${MAX_SNAPLEN}`);
    }
  }
  if (options.filter !== undefined && options.filter.trim() === '') throw usageError("--filter: empty; leave it out to capture 'tcp'");
  let statsd: LiveCli['statsd'];
  if (options.statsd !== undefined) {
    const hostPort = parseHostPort(options.statsd);
    if (!hostPort) throw usageError(`--statsd: '${options.statsd}' is not HOST:PORT (e.g. 127.0.0.1:8125)`);
    for (const tag of options.tag) {
      if (!isValidTag(tag)) throw usageError(`--tag: '${tag}' is not a DogStatsD tag (key:value, without spaces, commas, '|' or '#')`);
    }
    statsd = { ...hostPort, tags: options.tag, type: (options.statsdType ?? 'gauge') as StatsdType };
    analyzeOptions.intervalNs ??= durationNs('--interval', STATSD_DEFAULT_INTERVAL);
  } else if (options.tag.length > 0) {
    throw usageError('--tag tags the --statsd gauges: add --statsd HOST:PORT');
  } else if (options.statsdType !== undefined) {
    throw usageError('--statsd-type is the type of the --statsd metrics: add --statsd HOST:PORT');
  }
  let prometheus: LiveCli['prometheus'];
  if (options.prometheus !== undefined) {
    // HOST may be left out (`:9464`: every address, as exporters listen by default); port 0: any free one.
    const hostPort = parseHostPort(options.prometheus, { anyHost: '0.0.0.0', portZero: true });
    if (!hostPort) throw usageError(`--prometheus: '${options.prometheus}' is not HOST:PORT (e.g. 127.0.0.1:9464)`);
    const capText = options.prometheusCap ?? String(PROMETHEUS_DEFAULT_CAP);
    if (!/^\d+$/.test(capText) || Number(capText) < 1) throw usageError(`--prometheus-cap: '${capText}' is not a positive whole number`);
    prometheus = { ...hostPort, cap: Number(capText) };
  } else if (options.prometheusCap !== undefined) {
    throw usageError('--prometheus-cap caps the --prometheus labels: add --prometheus HOST:PORT');
  }
  return {
    live: {
      ifaces,
      ...(options.filter !== undefined ? { filter: options.filter } : {}),
      ...(snaplen !== undefined ? { snaplen } : {}),
      promisc: options.promisc ?? false,
      ...(options.duration !== undefined ? { durationNs: durationNs('--duration', options.duration) } : {}),
      ...(options.backend !== undefined ? { backend: options.backend as CaptureBackend } : {}),
    },
    statsd,
    prometheus,
    config,
  };
}

/** The kernel's counters of a live run, one line per interface, for stderr; none offline. */
export function liveCounterLines(result: AnalysisResult): string[] {
  const lines = result.inputs.flatMap((input) => {
    const live = input.live;
    if (live === undefined) return [];
    const on = result.inputs.length > 1 ? ` (${input.path})` : '';
    if (live.kernel_received === null) return [`kernel counters${on}: not reported by ${live.backend}`];
    const ifDropped = live.interface_dropped ? `, ${live.interface_dropped} dropped by the interface` : '';
    return [`kernel${on}: ${live.kernel_received} packets received by the filter, ${live.kernel_dropped} dropped${ifDropped}`];
  });
  return lines;
}
