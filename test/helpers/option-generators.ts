/**
 * The option combinations the property test (test/e2e/option-combinations.test.ts) draws from:
 * one entry per option family. To cover a new option, add an entry: an arbitrary of what the
 * user types, and what it asks for (an output and its target, or a rule the run must follow).
 */
import fc from 'fast-check';

export type Format = 'csv' | 'jsonl' | 'pping' | 'json' | 'html' | 'text';

/** An output a drawn option asks for. `file` is a name inside the run's temporary directory. */
export interface DrawnOutput {
  option: string;
  format: Format;
  machine: boolean;
  target: 'stdout' | { file: string };
}

/** What one drawn option contributes to a command line. */
export interface Drawn {
  args: string[];
  output?: DrawnOutput;
  /** Option families with rules of their own (see the test's model). */
  interval?: boolean;
  timestamp?: boolean;
  each?: boolean;
  failIf?: boolean;
  /** Per-sample output (--each refuses some of them). */
  perSample?: boolean;
  /** The page (--html): one capture point, no --interval, no --each. */
  page?: boolean;
  /** Inputs analysed as one capture point whatever they are. */
  join?: boolean;
}

const none = fc.constant<Drawn[]>([]);

function machineOutput(option: string, format: Format, perSample: boolean): fc.Arbitrary<Drawn[]> {
  return fc.oneof(
    none,
    fc.constant<Drawn[]>([{ args: [option, '-'], output: { option, format, machine: true, target: 'stdout' }, perSample }]),
    fc.constant<Drawn[]>([{ args: [option, `OUT/out.${format}`], output: { option, format, machine: true, target: { file: `out.${format}` } }, perSample }]),
  );
}

function humanOutput(option: string, perSample = false): fc.Arbitrary<Drawn[]> {
  return fc.oneof(none, fc.constant<Drawn[]>([{ args: [option], output: { option, format: 'text', machine: false, target: 'stdout' }, perSample }]));
}

function flag(...choices: string[][]): fc.Arbitrary<Drawn[]> {
  return fc.oneof(none, ...choices.map((args) => fc.constant<Drawn[]>([{ args }])));
}

/** Two inputs that overlap in time: separate capture points unless --join. */
export const APART_INPUTS = ['samples/http-v4/client.pcap', 'samples/http-v4/server.pcap'];

/** The inputs: sample captures, alone, as two capture points, or as rotated-looking pairs. */
export const INPUTS = fc.constantFrom(
  ['samples/http-v4/server.pcap'],
  ['samples/mixed-loss/client.pcap'],
  ['samples/http-v6-pcapng/client.pcapng'],
  ['samples/http-v4/client.pcap.gz'],
  APART_INPUTS,
  ['samples/tls12-v4/server.pcap', 'samples/tls13-v4/server.pcap'],
);

/** Every option family, in one place. */
export const OPTION_GENERATORS: Record<string, fc.Arbitrary<Drawn[]>> = {
  table: humanOutput('--table'),
  histogram: humanOutput('--histogram'),
  chart: humanOutput('--chart'),
  samples: humanOutput('--samples', true),
  csv: machineOutput('--csv', 'csv', true),
  jsonl: machineOutput('--jsonl', 'jsonl', true),
  pping: machineOutput('--pping', 'pping', true),
  json: machineOutput('--json', 'json', false),
  html: fc.oneof(none, fc.constant<Drawn[]>([{ args: ['--html', 'OUT/out.html'], output: { option: '--html', format: 'html', machine: false, target: { file: 'out.html' } }, page: true }])),
  by: flag(['--by', 'flow'], ['--by', 'rport'], ['-b'], ['-B']),
  ms: flag(['--ms']),
  filters: flag(['--lport', '8080'], ['-P', '8080'], ['--raddr', '10.99.0.0/24'], ['-4'], ['-6']),
  bpf: flag(['--filter', 'tcp port 8080'], ['--filter', 'not tcp[tcpflags] & tcp-syn != 0']),
  window: flag(['--from', '+200ms'], ['--to', '+1s'], ['--from', '+100ms', '--to', '+900ms']),
  interval: fc.oneof(none, fc.constant<Drawn[]>([{ args: ['--interval', '300ms'], interval: true }]), fc.constant<Drawn[]>([{ args: ['-i', '0.5'], interval: true }])),
  timestamp: fc.oneof(none, fc.constant<Drawn[]>([{ args: ['-T'], timestamp: true }])),
  vantage: flag(['--include-local'], ['--local', '10.99.0.2']),
  join: fc.oneof(none, fc.constant<Drawn[]>([{ args: ['--join'], join: true }])),
  each: fc.oneof(none, fc.constant<Drawn[]>([{ args: ['--each'], each: true }])),
  failIf: fc.oneof(none, fc.constant<Drawn[]>([{ args: ['--fail-if', 'p99>30ms'], failIf: true }])),
};

/** One command line: inputs first, then the drawn options in a shuffled order. */
export const COMMAND_LINES = fc
  .tuple(INPUTS, fc.record(OPTION_GENERATORS), fc.nat())
  .map(([inputs, families, seed]) => {
    const drawn = Object.values(families).flat();
    // A deterministic shuffle: options may come in any order.
    const order = drawn.map((d, i) => ({ d, key: (i * 7919 + seed) % 104729 })).sort((a, b) => a.key - b.key).map((x) => x.d);
    return { inputs, drawn: order };
  });
