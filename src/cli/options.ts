/**
 * The command line's options: their definitions (commander) and their validation into the
 * library's AnalyzeOptions. Bad values are usage errors naming the option and the value.
 */
import { Command, Option } from 'commander';
import type { AnalyzeOptions, TimeSpec } from '../analyze.js';
import { DEFAULTS } from '../analyze.js';
import { RttscanError } from '../errors.js';
import { parseCidr, type Cidr } from '../flow/address.js';
import { givenVantage } from '../flow/vantage.js';
import type { GroupBy } from '../stats/collector.js';
import { parseDurationNs, parseEpochTime } from '../time.js';
import { VERSION } from '../version.js';
import { baselineOption, eachOption, failIfOption } from './ci-options.js';
import { COMMANDER_OUTPUT } from './commander-output.js';

export interface CliOptions {
  histogram?: boolean;
  ms?: boolean;
  table?: boolean;
  csv?: string | true;
  json?: string | true;
  chart?: boolean;
  samples?: boolean;
  by?: string;
  byLaddr?: boolean;
  byRaddr?: boolean;
  laddr: string[];
  raddr: string[];
  lport: string[];
  rport: string[];
  from?: string;
  to?: string;
  interval?: string;
  timestamp?: boolean;
  local: string[];
  includeLocal?: boolean;
  idleTtl?: string;
  expTtl?: string;
  maxFlows?: string;
  quiet?: boolean;
  verbose?: boolean;
  failIf?: string[];
  baseline?: string;
  each?: boolean;
}

const GROUP_BYS: GroupBy[] = ['all', 'laddr', 'raddr', 'lport', 'rport', 'flow'];

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function buildProgram(): Command {
  return new Command()
    .name('rttscan')
    .description('Passive TCP round-trip times from packet captures (pcap, pcapng, gzip, stdin).')
    .version(VERSION, '-V, --version')
    .argument('[files...]', 'capture files (pcap or pcapng, optionally gzipped); - or none with a pipe reads stdin')
    .option('--histogram', 'log2 histogram of RTTs, laid out like bcc tcprtt')
    .option('-m, --ms', 'histogram in milliseconds instead of microseconds')
    .option('--table', 'one row per group: samples, min, p50, p90, p99, max, srtt, jitter, retrans (the default)')
    .option('--csv [file]', 'one row per sample to FILE or - (stdout)')
    .option('--json [file]', 'the whole summary as JSON to FILE or - (stdout)')
    .option('--chart', 'RTT over capture time, one line per group (the busiest 6)')
    .option('--samples', 'one line per sample, pping style')
    .addOption(new Option('--by <key>', 'group samples by').choices(GROUP_BYS).default('all'))
    .option('-b, --by-laddr', 'same as --by laddr (bcc tcprtt -b)')
    .option('-B, --by-raddr', 'same as --by raddr (bcc tcprtt -B)')
    .option('--laddr <cidr>', 'only local addresses in IP/CIDR (repeatable, or a comma list)', collect, [])
    .option('--raddr <cidr>', 'only remote addresses in IP/CIDR (repeatable, or a comma list)', collect, [])
    .option('--lport <port>', 'only these local ports (repeatable, or a comma list)', collect, [])
    .option('--rport <port>', 'only these remote ports (repeatable, or a comma list)', collect, [])
    .option('--from <time>', 'only samples at or after TIME: epoch seconds[.ns], ISO 8601, or +DURATION from the first packet')
    .option('--to <time>', 'only samples before TIME (same forms as --from)')
    .option('--interval <duration>', 'one report per DURATION of capture time (e.g. 10s, 500ms)')
    .option('-T, --timestamp', 'print the time of each --interval report')
    .option('--local <cidr>', 'the capture host(s): IP/CIDR, repeatable or a comma list (default: inferred)', collect, [])
    .option('--include-local', 'keep samples acknowledged by a local host (they time the local stack)')
    .option('--idle-ttl <duration>', 'forget a flow idle this long in capture time', '300s')
    .option('--exp-ttl <duration>', 'forget a closed (FIN/RST) flow this long after its last packet', '60s')
    .option('--max-flows <n>', 'most flows tracked at once; the least recently active are evicted', String(DEFAULTS.maxFlows))
    .option('-q, --quiet', 'no notes on stderr, only data and errors')
    .option('--verbose', 'print stack traces with errors')
    .addOption(failIfOption())
    .addOption(baselineOption())
    .addOption(eachOption('input file'))
    .addHelpText(
      'after',
      `
Examples:
  rttscan capture.pcap                         summary table of RTTs
  rttscan capture.pcap --histogram             log2 histogram, as bcc tcprtt draws it
  rttscan capture.pcap --histogram -B          one histogram per remote address
  rttscan capture.pcap --histogram --ms -b     per local address, in milliseconds
  rttscan capture.pcap --table --by rport      one row per remote port
  rttscan capture.pcap --csv rtt.csv           every sample, for a spreadsheet or pandas
  rttscan capture.pcap --json                  everything as one JSON object on stdout
  rttscan capture.pcap --samples               one line per sample, like pping
  rttscan capture.pcap --chart                 RTT over capture time
  rttscan capture.pcap --local 10.0.0.5        name the capture host instead of inferring it
  rttscan capture.pcap --include-local         also the capture host's own ACK times
  rttscan capture.pcap --raddr 10.1.0.0/16 --rport 443   only samples from these peers
  rttscan capture.pcap --interval 10s -T --histogram      one histogram per 10 s of capture
  rttscan capture.pcap --from +30s --to 1700000100.5      only ACKs in that window
  rttscan capture.pcap --idle-ttl 60s --exp-ttl 10s --max-flows 200000   bound the flow table
  rttscan capture.pcap --json rtt.json -q      write JSON, print nothing else
  rttscan a.pcapng b.pcap.gz --json out.json   several inputs, merged in time order
  tcpdump -w - -i eth0 | rttscan -             read a capture from stdin
  rttscan golden.pcap --fail-if 'p99>30ms,samples<100'        CI: exit 3 if either holds
  rttscan golden.pcap --by raddr --fail-if 'retrans>1%'       ... checked for every group
  rttscan new.pcap --baseline old.json --fail-if 'p99>+10%'   changes from an earlier --json
  rttscan *.pcap --each --table                one table per file instead of one for all
  rttscan merge a.json b.json                  combine the --json of separate runs (merge --help)`,
    )
    .exitOverride()
    .configureOutput(COMMANDER_OUTPUT);
}

function usage(message: string): RttscanError {
  return new RttscanError('usage', message);
}

function splitList(values: string[]): string[] {
  return values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

function cidrs(option: string, values: string[]): Cidr[] {
  return splitList(values).map((text) => {
    const cidr = parseCidr(text);
    if (!cidr) throw usage(`${option}: '${text}' is not an IP address or CIDR`);
    return cidr;
  });
}

function ports(option: string, values: string[]): Set<number> {
  return new Set(
    splitList(values).map((text) => {
      if (!/^\d+$/.test(text) || Number(text) > 65535) throw usage(`${option}: '${text}' is not a port (0-65535)`);
      return Number(text);
    }),
  );
}

function duration(option: string, text: string): number {
  const ns = parseDurationNs(text);
  if (ns === undefined || ns <= 0) throw usage(`${option}: '${text}' is not a duration (e.g. 10s, 500ms, 2m)`);
  return ns;
}

function timeSpec(option: string, text: string | undefined): TimeSpec | undefined {
  if (text === undefined) return undefined;
  if (text.startsWith('+')) {
    const ns = parseDurationNs(text.slice(1));
    if (ns === undefined) throw usage(`${option}: '${text}' is not +DURATION (e.g. +30s)`);
    return { offsetNs: ns };
  }
  const epoch = parseEpochTime(text);
  if (!epoch) throw usage(`${option}: '${text}' is not a time (epoch seconds, ISO 8601, or +DURATION)`);
  return { epoch };
}

export function groupByOf(options: CliOptions): GroupBy {
  if (options.byLaddr && options.byRaddr) throw usage('-b and -B cannot be combined; use --by');
  if (options.byLaddr) return 'laddr';
  if (options.byRaddr) return 'raddr';
  return options.by as GroupBy;
}

/** Validated library options for these command-line options. */
export function analyzeOptionsOf(options: CliOptions): AnalyzeOptions {
  const local = cidrs('--local', options.local);
  const maxFlows = options.maxFlows ?? '';
  if (!/^\d+$/.test(maxFlows) || Number(maxFlows) < 1) throw usage(`--max-flows: '${maxFlows}' is not a positive whole number`);
  if (options.timestamp && options.interval === undefined) throw usage('-T/--timestamp needs --interval');
  return {
    by: groupByOf(options),
    vantage: local.length > 0 ? givenVantage(local, splitList(options.local)) : undefined,
    includeLocal: options.includeLocal ?? false,
    filters: {
      laddr: cidrs('--laddr', options.laddr),
      raddr: cidrs('--raddr', options.raddr),
      lport: ports('--lport', options.lport),
      rport: ports('--rport', options.rport),
    },
    from: timeSpec('--from', options.from),
    to: timeSpec('--to', options.to),
    histogramUnit: options.ms ? 'msecs' : 'usecs',
    timeSeries: options.chart ?? false,
    idleTtlNs: duration('--idle-ttl', options.idleTtl ?? '300s'),
    expTtlNs: duration('--exp-ttl', options.expTtl ?? '60s'),
    maxFlows: Number(maxFlows),
    ...(options.interval !== undefined ? { intervalNs: duration('--interval', options.interval) } : {}),
  };
}
