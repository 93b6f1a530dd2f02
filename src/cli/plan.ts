/**
 * The output plan: which reports a run writes and where each goes, decided once from the options
 * and frozen, then shared by every mode (analysis, --each, --interval, live, merge). Every
 * conflict is refused here, before anything is read: stdout holds at most one stream when a
 * machine-readable one is among them (a second is refused, naming both options), two reports
 * never share a file, and an option that would mean nothing in this mode is a usage error.
 *
 * A new report is one entry in REPORTS (and a renderer); a new kind of target one TargetSpec.
 */
import { usageError } from '../errors.js';
import type { HistogramUnit } from '../stats/rtt-stats.js';

export const STDOUT = '-';

export type ReportName = 'table' | 'histogram' | 'chart' | 'samples' | 'csv' | 'jsonl' | 'pping' | 'json' | 'html' | 'tcprt' | 'tcprtJsonl' | 'deltas';

export interface ReportKind {
  /** The option that asks for it, as messages name it. */
  readonly option: string;
  /** Read by programs (CSV, JSON, records): at most one such stream may hold stdout. */
  readonly machine: boolean;
  /** Written sample by sample as the run goes (a sink with backpressure), not once per report. */
  readonly perSample: boolean;
  /** Takes FILE or - (stdout, the default); the others write to stdout. */
  readonly takesFile: boolean;
  /** Written by its own writer (TCP-RT: cli/tcprt.ts; the page: cli/page-outputs.ts), which opens its files itself. */
  readonly ownWriter?: boolean;
}

export const REPORTS: Readonly<Record<ReportName, ReportKind>> = Object.freeze({
  table: { option: '--table', machine: false, perSample: false, takesFile: false },
  histogram: { option: '--histogram', machine: false, perSample: false, takesFile: false },
  chart: { option: '--chart', machine: false, perSample: false, takesFile: false },
  samples: { option: '--samples', machine: false, perSample: true, takesFile: false },
  csv: { option: '--csv', machine: true, perSample: true, takesFile: true },
  jsonl: { option: '--jsonl', machine: true, perSample: true, takesFile: true },
  pping: { option: '--pping', machine: true, perSample: true, takesFile: true },
  json: { option: '--json', machine: true, perSample: false, takesFile: true },
  html: { option: '--html', machine: false, perSample: false, takesFile: true, ownWriter: true },
  tcprt: { option: '--tcprt', machine: true, perSample: false, takesFile: false, ownWriter: true },
  tcprtJsonl: { option: '--tcprt-jsonl', machine: true, perSample: false, takesFile: true, ownWriter: true },
  deltas: { option: '--baseline', machine: false, perSample: false, takesFile: false },
});

/** Where a report goes. A directory is --tcprt's (two files the kernel's names). */
export type TargetSpec = { readonly kind: 'stdout' } | { readonly kind: 'stderr' } | { readonly kind: 'file'; readonly path: string } | { readonly kind: 'dir'; readonly path: string };

export interface PlannedReport {
  readonly name: ReportName;
  readonly target: TargetSpec;
}

export interface OutputPlan {
  readonly reports: readonly PlannedReport[];
  /** -T: each interval's human reports on stdout start with the time the interval ends. */
  readonly timestamps: boolean;
  readonly histogramUnit: HistogramUnit;
  /** ANSI colours in the chart (a colour terminal, see terminal.ts). */
  readonly colors: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
}

/** The report options as commander gives them (`true` for an optional FILE left out). */
export interface ReportOptions {
  table?: boolean;
  histogram?: boolean;
  chart?: boolean;
  samples?: boolean;
  csv?: string | true;
  jsonl?: string | true;
  pping?: string | true;
  json?: string | true;
  html?: string;
  /** TCP-RT text: `-` or a directory; JSON lines: `-` or a file (cli/tcprt.ts tcprtTargetsOf). */
  tcprt?: string | true;
  tcprtJsonl?: string | true;
  baseline?: string;
  timestamp?: boolean;
  interval?: string;
  ms?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

function targetOf(name: ReportName, value: string | true): TargetSpec {
  if (name === 'tcprt') return value === true || value === STDOUT ? { kind: 'stdout' } : { kind: 'dir', path: value };
  if (!REPORTS[name].takesFile || value === true || value === STDOUT) return { kind: 'stdout' };
  return { kind: 'file', path: value };
}

/** How a message names a planned report: `--csv -`, `--json out.json`, `--histogram`. */
export function describe(report: PlannedReport): string {
  const { option, takesFile } = REPORTS[report.name];
  if (report.name === 'tcprt') return report.target.kind === 'dir' ? `${option} ${report.target.path}` : option;
  if (!takesFile) return option;
  return report.target.kind === 'file' ? `${option} ${report.target.path}` : `${option} -`;
}

const ASKED: ReadonlyArray<ReportName> = ['histogram', 'table', 'chart', 'samples', 'csv', 'jsonl', 'pping', 'json', 'html', 'tcprt', 'tcprtJsonl'];

/**
 * The plan for these options, or a usage error. `colors` is decided by the terminal (terminal.ts);
 * `available` lists the reports this command has (merge has no per-sample ones).
 */
export function outputPlanOf(options: ReportOptions, colors: boolean, available: readonly ReportName[] = ASKED): OutputPlan {
  const reports: PlannedReport[] = [];
  for (const name of ASKED) {
    const value = options[name as keyof ReportOptions] as string | boolean | undefined;
    if (value === undefined || value === false || !available.includes(name)) continue;
    const target = targetOf(name, value);
    if (name === 'html' && target.kind === 'stdout') throw usageError('--html needs a file name: the page is written when the run ends');
    if (name === 'html' && options.interval !== undefined) throw usageError('--interval cannot be combined with --html: the page covers the whole run (its statistics are those of --json without --interval)');
    reports.push({ name, target });
  }
  const onStdout = reports.filter((r) => r.target.kind === 'stdout');
  const machine = onStdout.find((r) => REPORTS[r.name].machine);
  if (machine !== undefined && onStdout.length > 1) {
    const other = onStdout.find((r) => r !== machine)!;
    const [first, second] = reports.indexOf(other) < reports.indexOf(machine) ? [other, machine] : [machine, other];
    const fix = REPORTS[second.name].takesFile ? `give ${REPORTS[second.name].option} a file` : REPORTS[first.name].takesFile ? `give ${REPORTS[first.name].option} a file` : 'run rttscan once for each';
    throw usageError(`${describe(first)} and ${describe(second)} both write to stdout, and ${describe(machine)} must be the only stream there to stay parseable: ${fix}`);
  }
  const files = new Map<string, PlannedReport>();
  for (const r of reports) {
    if (r.target.kind !== 'file') continue;
    const same = files.get(r.target.path);
    if (same) throw usageError(`${describe(same)} and ${describe(r)} would write the same file`);
    files.set(r.target.path, r);
  }
  if (options.baseline !== undefined) {
    // The table of changes is for people: to stderr when a machine stream holds stdout.
    reports.push({ name: 'deltas', target: machine ? { kind: 'stderr' } : { kind: 'stdout' } });
  } else if (reports.every((r) => (r.name === 'tcprt' || r.name === 'tcprtJsonl') && r.target.kind !== 'stdout')) {
    // Nothing asked for stdout but TCP-RT files: the table (with TCP-RT per port) goes there.
    reports.push({ name: 'table', target: { kind: 'stdout' } });
  }
  if (options.timestamp) {
    if (options.interval === undefined) throw usageError('-T/--timestamp needs --interval');
    const human = reports.some((r) => !REPORTS[r.name].machine && !REPORTS[r.name].perSample && r.target.kind === 'stdout');
    if (!human) throw usageError('-T stamps the reports people read (--table, --histogram, --chart); machine streams carry their own times (start and end in each --json line, ts in each row)');
  }
  return Object.freeze({
    reports: Object.freeze(reports.map((r) => Object.freeze({ ...r }))),
    timestamps: options.timestamp === true,
    histogramUnit: options.ms ? 'msecs' : 'usecs',
    colors,
    quiet: options.quiet === true,
    verbose: options.verbose === true,
  });
}

/** The planned report of this name, if the plan has it. */
export function planned(plan: OutputPlan, name: ReportName): PlannedReport | undefined {
  return plan.reports.find((r) => r.name === name);
}

/** Whether some report prints text for people on stdout (the --each headers go with it). */
export function humanTextOnStdout(plan: OutputPlan): boolean {
  return plan.reports.some((r) => !REPORTS[r.name].machine && r.target.kind === 'stdout');
}
