/**
 * The command line's live mode: starts the capture (`--live IFACE`, options validated by
 * live-options.ts), adds the StatsD gauges to each interval, says what the capture is doing, and
 * lists what can be captured (`--list-interfaces`). main.ts prints the reports as it does offline.
 */
import type { AnalysisResult, AnalyzeOptions } from '../analyze.js';
import { listInterfaces, type CaptureInterface } from '../capture/interfaces.js';
import { chooseBackend, type CaptureBackend } from '../capture/live-capture.js';
import { RttscanError } from '../errors.js';
import { analyzeLive, type LiveStart } from '../live.js';
import { StatsdAggregator, StatsdClient } from '../render/statsd.js';
import type { LiveCli } from './live-options.js';

function startNote(start: LiveStart, durationNs: number | undefined): string {
  const local = start.vantage ? `local: ${start.vantage.localLabels.join(', ')}` : 'no address on the interface: the local host is inferred as for a file';
  const until = durationNs === undefined ? 'Ctrl-C stops' : `stopping after ${durationNs / 1e9}s`;
  return `capturing on ${start.ifaces.join(', ')} with ${start.backend} (filter '${start.filter}', snaplen ${start.snaplen}); ${local}; ${until}`;
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
    const tags = [`iface:${cli.live.ifaces[0]}`, ...cli.statsd.tags];
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
