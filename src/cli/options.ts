/**
 * The command line's options: their definitions (commander) and their validation into the
 * library's AnalyzeOptions. Bad values are usage errors naming the option and the value.
 */
import type * as Commander from 'commander';
import { requireCjs } from '../util/cjs.js';
import type { AnalyzeOptions, TimeSpec } from '../analyze.js';
import { DEFAULTS } from '../defaults.js';
import { usageError } from '../errors.js';
import { parseCidr, type Cidr } from '../flow/address.js';
import { givenVantage } from '../flow/vantage.js';
import { KIND_NAMES, type SampleKind } from '../engines/rtt/rtt-engine.js';
import type { GroupBy } from '../stats/collector.js';
import { parseDurationNs, parseEpochTime } from '../time.js';
import { parsePortList } from '../util/ports.js';
import { VERSION } from '../version.js';
import type { TcprtCliOptions } from './tcprt.js';
import { baselineOption, eachOption, failIfOption } from './ci-options.js';
import { COMMANDER_OUTPUT } from './commander-output.js';
import { listItems } from '../util/lists.js';

const commander = requireCjs('commander') as typeof Commander;
const { Command, InvalidArgumentError, Option } = commander;
/** What commander throws for --help, --version and its usage errors (main.ts maps it to an exit code). */
export const CommanderError = commander.CommanderError;
type Command = Commander.Command;
type Option = Commander.Option;

/** The first argument that makes rttscan merge summaries (cli/merge-command.ts); a capture file of that name is `./merge`. */
export const MERGE_COMMAND = 'merge';

export interface CliOptions extends TcprtCliOptions {
  histogram?: boolean;
  extension?: boolean;
  jsonl?: string | true;
  pping?: string | true;
  html?: string;
  read: string[];
  join?: boolean;
  ipv4?: boolean;
  ipv6?: boolean;
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
  kind: string[];
  idleTtl?: string;
  expTtl?: string;
  maxFlows?: string;
  maxSegments?: string;
  quiet?: boolean;
  verbose?: boolean;
  config?: string;
  logFile?: string;
  logLevel?: string;
  // Live mode (see cli/live.ts)
  live: string[];
  listInterfaces?: boolean;
  filter?: string;
  snaplen?: string;
  promisc?: boolean;
  duration?: string;
  backend?: string;
  statsd?: string;
  statsdType?: string;
  tag: string[];
  prometheus?: string;
  prometheusCap?: string;
  failIf?: string[];
  baseline?: string;
  each?: boolean;
}

const GROUP_BYS: GroupBy[] = ['all', 'laddr', 'raddr', 'lport', 'rport', 'flow', 'process'];

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Options that may be given several times; commander's `[]` default would print as "(default: [])". */
export const LIST_OPTIONS = ['laddr', 'raddr', 'lport', 'rport', 'local', 'tag', 'lports', 'pports', 'lportsRange', 'pportsRange', 'read', 'live', 'kind'] as const;

/** Lists that were not given become empty: see LIST_OPTIONS. */
export function withListDefaults<T extends object>(options: T): T {
  const filled = options as Record<string, unknown>;
  for (const key of LIST_OPTIONS) filled[key] ??= [];
  return options;
}

function list(flags: string, description: string): Option {
  return new Option(flags, description).argParser(collect);
}

/**
 * An option that takes one value, given twice, is a usage error rather than the last one
 * silently winning (`--interval 1s --interval 10s`); repeatable options collect their values.
 */
export function refuseRepeatedOptions(program: Command): Command {
  // Repeatable options are the ones whose parser collects values into a list.
  const collects = (parse: Option['parseArg']): boolean => {
    try {
      return Array.isArray(parse?.('', []));
    } catch {
      return false; // a parser of choices refuses ''
    }
  };
  for (const option of program.options) {
    if ((!option.required && !option.optional) || collects(option.parseArg)) continue;
    const parse = option.parseArg;
    let given: string | undefined;
    option.parseArg = <T>(value: string, previous: T): T => {
      if (given !== undefined) throw new InvalidArgumentError(`given twice ('${given}', then '${value}'): give it once`);
      given = value;
      return parse ? parse(value, previous) : (value as T);
    };
  }
  return program;
}

export function buildProgram(): Command {
  return refuseRepeatedOptions(
    new Command()
      .name('rttscan')
      .description('Passive TCP round-trip times from packet captures (pcap, pcapng, gzip, stdin) or a live interface.')
      .usage('[options] [files...] [-r FILE [BPF filter]]\n       rttscan merge [options] <summaries...>   (merge --help)')
      .argument('[files...]', 'capture files (pcap or pcapng, optionally gzipped); - or none with a pipe reads stdin. After -r: a BPF filter, as tcpdump takes it')
      .optionsGroup('Outputs (any combination; the table when none is asked for):')
      .option('--table', 'one row per group: samples, min, p50, p90, p99, max, srtt, jitter, retrans (the default)')
      .option('--histogram', 'log2 histogram of RTTs, laid out like bcc tcprtt')
      .option('-m, --ms', 'histogram in milliseconds instead of microseconds')
      .option('-e, --extension', 'bcc tcprtt -e: the [AVG n] in each histogram header (rttscan always prints it)')
      .option('--chart', 'RTT over capture time: p50 and p99 per column, one panel per group (the busiest 4), as wide as the terminal')
      .option('--samples', 'one line per sample, pping style')
      .option('--csv [file]', 'one row per sample to FILE or - (stdout)')
      .option('--jsonl [file]', 'one JSON object per sample, one per line, to FILE or - (stdout)')
      .option('--pping [file]', "one line per sample in pping's machine-readable format (pping -m), for ppviz: to FILE or - (stdout)")
      .option('--json [file]', 'the whole summary as JSON to FILE or - (stdout); with --interval one line per interval')
      .option('--html <file>', 'a self-contained HTML report (samples over time, distributions, tables) to FILE; opens offline')
      .option('-q, --quiet', 'no notes on stderr, only data and errors')
      .optionsGroup('Inputs and capture host:')
      .addOption(list('-r, --read <file>', 'read this capture file, as tcpdump -r (repeatable); further arguments are a BPF filter'))
      .option('--filter <bpf>', "only packets matching this BPF filter, as tcpdump's (live: compiled by libpcap; default tcp)")
      .option('--join', 'analyse inputs that overlap in time as one capture point (several interfaces of one host)')
      .addOption(list('--local <cidr>', 'the capture host(s): IP/CIDR, repeatable or a comma list, or none for a capture taken mid-path (default: inferred)'))
      .option('--include-local', 'keep samples acknowledged by a local host (they time the local stack)')
      .option('--idle-ttl <duration>', 'forget a flow idle this long in capture time', '300s')
      .option('--exp-ttl <duration>', 'forget a closed (FIN/RST) flow this long after its last packet', '60s')
      .option('--max-flows <n>', 'most flows tracked at once; the least recently active are evicted', String(DEFAULTS.maxFlows))
      .option('--max-segments <n>', 'most unacknowledged segments held over all flows (64 bytes each); past it a flow forgets its oldest, counted', String(DEFAULTS.maxSegments))
      .optionsGroup('Grouping and filters:')
      .addOption(new Option('--by <key>', 'group samples by').choices(GROUP_BYS).default('all'))
      .option('-b, --by-laddr', 'same as --by laddr (bcc tcprtt -b)')
      .option('-B, --by-raddr', 'same as --by raddr (bcc tcprtt -B)')
      .addOption(list('-a, --laddr <cidr>', 'only local addresses in IP/CIDR (repeatable, or a comma list)'))
      .addOption(list('-A, --raddr <cidr>', 'only remote addresses in IP/CIDR (repeatable, or a comma list)'))
      .addOption(list('-p, --lport <port>', 'only these local ports (repeatable, or a comma list)'))
      .addOption(list('-P, --rport <port>', 'only these remote ports (repeatable, or a comma list)'))
      .option('-4, --ipv4', 'only IPv4 connections')
      .option('-6, --ipv6', 'only IPv6 connections')
      .addOption(list('--kind <kinds>', `only samples of these kinds: ${KIND_NAMES.join(', ')} (repeatable, or a comma list)`))
      .optionsGroup('Time:')
      .option('--from <time>', 'only samples at or after TIME: epoch seconds[.ns], ISO 8601, or +DURATION from the first packet')
      .option('--to <time>', 'only samples before TIME (same forms as --from)')
      .option('-i, --interval <duration>', 'one report per DURATION of capture time, of wall time with --live (e.g. 10s, 500ms; bare numbers are seconds)')
      .option('-T, --timestamp', 'print the time of each --interval report before it (human reports only)')
      // TCP-RT (engines/tcprt, cli/tcprt.ts)
      .optionsGroup('TCP-RT (per-request records, as Alibaba tcp_rt writes them):')
      .option('--tcprt [dir]', 'TCP-RT task records (R W N P E), and per-port stats lines with --stats-interval: to stdout, or DIR/rt-network-log and DIR/rt-network-stats')
      .option('--tcprt-jsonl [file]', 'TCP-RT records as JSON lines, one object per record with named fields (and per stats line), to FILE or stdout; also --tcprt FILE.jsonl')
      .addOption(list('--lports <ports>', "TCP-RT local mode: the capture host's sockets on these local (server) ports: comma list, up to 6"))
      .addOption(list('--pports <ports>', "TCP-RT peer mode: the capture host's sockets connected to these remote (server) ports: comma list, up to 6"))
      .addOption(list('--lports-range <lo,hi>', 'TCP-RT local mode on a range of local ports: lo,hi as the kernel takes it, or lo-hi (up to 3: repeatable, or pairs in one list)'))
      .addOption(list('--pports-range <lo,hi>', 'TCP-RT peer mode on a range of remote ports: lo,hi or lo-hi (up to 3: repeatable, or pairs in one list)'))
      .option('--tcprt-mode <mode>', 'TCP-RT parsing: default, http (V7 R lines, R.C) or https (V7, R.H R.A R.Z)')
      .option('--first-frame <bytes>', 'TCP-RT R.F: when the peer had acknowledged these many response bytes (up to 4; a 0 ends the list, as in tcprt.yaml: 100,2000,20000,0)')
      .option('--stats-interval <duration>', 'TCP-RT stats lines every DURATION of capture time; off by default as in the kernel (--json and --table give per-port figures anyway)')
      .option('--tcprt-config <file>', 'TCP-RT settings from a tcprt.yaml file (global, per-port, init); flags override it')
      .option('--tcprt-flush', 'TCP-RT: report connections still open at the end as if closed at their last packet')
      .optionsGroup('Live capture:')
      .addOption(list('--live <iface>', 'capture on IFACE (libpcap; root or CAP_NET_RAW) until Ctrl-C, SIGTERM or --duration; repeatable: several interfaces, one analysis'))
      .option('--list-interfaces', 'list the interfaces --live can capture on, with their addresses')
      .option('--snaplen <bytes>', 'live: bytes kept of each packet; headers are all rttscan reads (default: 256)')
      .option('--promisc', 'live: put the interface in promiscuous mode')
      .option('-d, --duration <duration>', 'live: stop after DURATION of wall time (e.g. 60s; bare numbers are seconds)')
      .addOption(new Option('--backend <name>', 'live: capture with the libpcap binding or with tcpdump (default: libpcap if installed)').choices(['libpcap', 'tcpdump']))
      .option('--statsd <host:port>', 'live: send DogStatsD gauges (go-metro names) every --interval (default 10s)')
      .addOption(
        new Option('--statsd-type <type>', "live: gauge (go-metro's gauges, the default) or distribution (every sample as a DogStatsD distribution)").choices([
          'gauge',
          'distribution',
        ]),
      )
      .addOption(list('--tag <key:value>', 'live: a DogStatsD tag added to every gauge (repeatable)'))
      .option('--prometheus <host:port>', 'live: serve Prometheus metrics (text or OpenMetrics) at http://HOST:PORT/metrics (port 0: any free port)')
      .option('--prometheus-cap <n>', 'live: most label values per labelled Prometheus family; the rest are aggregated as other (default 100)')
      .option('--config <file>', "options from a YAML file (long option names as keys, or go-metro's go-metro.yaml); flags override it; live: SIGHUP reads it again")
      .option('--log-file <file>', 'notes, warnings and errors to FILE (timestamped, appended; reopened on SIGHUP) instead of stderr')
      .addOption(new Option('--log-level <level>', 'which notes: info (all, the default), warning, or error (as -q)').choices(['info', 'warning', 'error']))
      .optionsGroup('CI:')
      .addOption(failIfOption())
      .addOption(baselineOption())
      .addOption(eachOption('input file'))
      .optionsGroup('Other:')
      .option('--verbose', 'print stack traces with errors')
      .version(VERSION, '-V, --version')
      .helpOption('-h, --help', 'display help for command')
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
  rttscan capture.pcap --jsonl rtt.jsonl       every sample as one JSON object per line
  rttscan capture.pcap --json                  everything as one JSON object on stdout
  rttscan capture.pcap --samples               one line per sample, like pping
  rttscan capture.pcap --chart                 RTT over capture time: p50 and p99 per column
  rttscan capture.pcap --html report.html      every sample on a zoomable chart, in one offline page
  rttscan capture.pcap --pping rtt.txt         pping -m lines, for ppviz and pping scripts
  rttscan capture.pcap --local 10.0.0.5        name the capture host instead of inferring it
  rttscan capture.pcap --include-local         also the capture host's own ACK times
  rttscan capture.pcap --local none            a capture taken mid-path: both halves, no local host
  rttscan capture.pcap --kind data,ts          no handshakes, as Inspektor Gadget's tcprtt
  rttscan capture.pcap --raddr 10.1.0.0/16 --rport 443   only samples from these peers
  rttscan capture.pcap --interval 10s -T --histogram      one histogram per 10 s of capture
  rttscan capture.pcap --from +30s --to 1700000100.5      only ACKs in that window
  rttscan capture.pcap --idle-ttl 60s --exp-ttl 10s --max-flows 200000   bound the flow table
  rttscan capture.pcap --max-flows 100000 --max-segments 1000000      bound memory for a flood
  rttscan capture.pcap --json rtt.json -q      write JSON, print nothing else
  rttscan a.pcapng b.pcap.gz --json out.json   several inputs: rotated slices join, overlapping ones apart
  rttscan eth0.pcap eth1.pcap --join           overlapping captures of one host as one capture point
  rttscan -r capture.pcap tcp port 443         tcpdump's way: -r FILE, then a BPF filter
  rttscan capture.pcap --filter 'net 10.0.0.0/8'   the same filter as an option
  rttscan capture.pcap -i 5 -T -e -p 443 -B --histogram   bcc tcprtt's flags, every 5 s of capture
  rttscan capture.pcap -6 -A 2001:db8::/32     only IPv6 connections to these remote hosts
  tcpdump -w - -i eth0 | rttscan -             read a capture from stdin
  rttscan server.pcap --tcprt --lports 8080    TCP-RT records of the server on port 8080
  rttscan client.pcap --tcprt out --pports 443 --stats-interval 60s   P records in out/rt-network-log, stats lines in out/rt-network-stats
  rttscan server.pcap --tcprt --lports-range 8000,8099 --pports-range 3306,3307   port ranges (lo,hi as the kernel takes them)
  rttscan server.pcap --tcprt --lports 80 --tcprt-mode http --first-frame 100,2000,20000,0   V7 lines, R.C, R.F
  rttscan server.pcap --tcprt --lports 443 --tcprt-mode https   TLS handshakes as R.H, alerts as R.A
  rttscan server.pcap --tcprt --tcprt-config tcprt.yaml --stats-interval 10s   settings from a file
  rttscan server.pcap --tcprt --lports 8080 --tcprt-flush   also connections still open at the end
  rttscan server.pcap --tcprt-jsonl rt.jsonl --lports 8080   one JSON object per record, for log shippers
  rttscan server.pcap --tcprt out --lports 8080   records to out/, the table with TCP-RT per port on stdout
  rttscan --list-interfaces                    what --live can capture on
  rttscan --live eth0 --interval 10s -T --histogram    like bcc tcprtt, from packets (root)
  rttscan --live eth0 --filter 'tcp port 443' --snaplen 128 --promisc   narrower capture
  rttscan --live eth0 --duration 60s --json    one minute, then one JSON summary
  rttscan --live eth0 --backend tcpdump        capture through tcpdump instead of the binding
  rttscan --live eth0 --statsd 127.0.0.1:8125 --tag env:prod -q   go-metro's gauges, every 10 s
  rttscan --live eth0 --statsd 127.0.0.1:8125 --statsd-type distribution   every sample as a distribution
  rttscan --live eth0 --prometheus 127.0.0.1:9464 -q      scrape http://127.0.0.1:9464/metrics
  rttscan --live eth0 --prometheus :9464 --prometheus-cap 20   at most 20 hosts, 20 ports, 20 processes
  rttscan --live lo --live eth0 --interval 10s --json      two interfaces, one analysis
  rttscan --live eth0 --by process --table     one row per local process (pid, command; from /proc)
  rttscan --config rttscan.yaml                live options from a file (flags override; SIGHUP reloads)
  rttscan --config go-metro.yaml               go-metro's own config file, as it is
  rttscan --live eth0 --log-file /var/log/rttscan.log --log-level warning   notes to a file
  rttscan golden.pcap --fail-if 'p99>30ms,samples<100'        CI: exit 3 if either holds
  rttscan golden.pcap --by raddr --fail-if 'retrans>1%'       ... checked for every group
  rttscan new.pcap --baseline old.json --fail-if 'p99>+10%'   changes from an earlier --json
  rttscan *.pcap --each --table                one table per file instead of one for all
  rttscan merge a.json b.json                  combine the --json of separate runs (merge --help)`,
      )
      .exitOverride()
      .configureOutput(COMMANDER_OUTPUT),
  );
}

function cidrs(option: string, values: string[]): Cidr[] {
  return listItems(values).map((text) => {
    const cidr = parseCidr(text);
    if (!cidr) throw usageError(`${option}: '${text}' is not an IP address or CIDR`);
    return cidr;
  });
}

function ports(option: string, values: string[]): Set<number> {
  return new Set(parsePortList(values, option));
}

function duration(option: string, text: string): number {
  const ns = parseDurationNs(text);
  if (ns === undefined || ns <= 0) throw usageError(`${option}: '${text}' is not a duration (e.g. 10s, 500ms, 2m)`);
  return ns;
}

function timeSpec(option: string, text: string | undefined): TimeSpec | undefined {
  if (text === undefined) return undefined;
  if (text.startsWith('+')) {
    const ns = parseDurationNs(text.slice(1));
    if (ns === undefined) throw usageError(`${option}: '${text}' is not +DURATION (e.g. +30s)`);
    return { offsetNs: ns };
  }
  const epoch = parseEpochTime(text);
  if (!epoch) throw usageError(`${option}: '${text}' is not a time (epoch seconds, ISO 8601, or +DURATION)`);
  return { epoch };
}

function ipVersionOf(options: CliOptions): 4 | 6 | undefined {
  if (options.ipv4 && options.ipv6) throw usageError('-4 and -6 cannot be combined: leave both out for both families');
  return options.ipv4 ? 4 : options.ipv6 ? 6 : undefined;
}

/**
 * The capture files and the BPF filter: files as arguments, or tcpdump's way, `-r FILE` with the
 * filter expression as the remaining arguments (`rttscan -r f.pcap tcp port 443`).
 */
export function inputsOf(args: readonly string[], options: CliOptions): { files: string[]; filter: string | undefined } {
  if (options.read.length === 0) return { files: [...args], filter: options.filter };
  if (args.length === 0) return { files: [...options.read], filter: options.filter };
  if (options.filter !== undefined) throw usageError(`a filter is given twice: --filter '${options.filter}' and after -r, '${args.join(' ')}'`);
  return { files: [...options.read], filter: args.join(' ') };
}

export function groupByOf(options: CliOptions): GroupBy {
  if (options.byLaddr && options.byRaddr) throw usageError('-b and -B cannot be combined; use --by');
  if (options.byLaddr) return 'laddr';
  if (options.byRaddr) return 'raddr';
  return options.by as GroupBy;
}

/** `--local`: given addresses, `none` (mid-path), or nothing given (inferred). */
function localOf(values: string[]): AnalyzeOptions['vantage'] {
  const labels = listItems(values);
  if (labels.length === 0) return undefined;
  if (labels.includes('none')) {
    if (labels.length > 1) throw usageError(`--local: 'none' (a capture taken mid-path) cannot be combined with addresses`);
    return givenVantage([], []);
  }
  return givenVantage(cidrs('--local', values), labels);
}

function kindsOf(values: string[]): SampleKind[] | undefined {
  const names = listItems(values);
  if (names.length === 0) return undefined;
  return names.map((name) => {
    const kind = (KIND_NAMES as readonly string[]).indexOf(name);
    if (kind < 0) throw usageError(`--kind: '${name}' is not a sample kind (${KIND_NAMES.join(', ')})`);
    return kind as SampleKind;
  });
}

/** Validated library options for these command-line options. */
export function analyzeOptionsOf(options: CliOptions): AnalyzeOptions {
  const vantage = localOf(options.local);
  const kinds = kindsOf(options.kind);
  const maxFlows = options.maxFlows ?? '';
  if (!/^\d+$/.test(maxFlows) || Number(maxFlows) < 1) throw usageError(`--max-flows: '${maxFlows}' is not a positive whole number`);
  const maxSegments = options.maxSegments ?? String(DEFAULTS.maxSegments);
  if (!/^\d+$/.test(maxSegments)) throw usageError(`--max-segments: '${maxSegments}' is not a whole number`);
  return {
    by: groupByOf(options),
    vantage,
    includeLocal: options.includeLocal ?? false,
    ...(kinds !== undefined ? { kinds } : {}),
    filters: {
      ipVersion: ipVersionOf(options),
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
    maxSegments: Number(maxSegments),
    ...(options.interval !== undefined ? { intervalNs: duration('--interval', options.interval) } : {}),
  };
}
