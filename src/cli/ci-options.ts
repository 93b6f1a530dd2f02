/**
 * The options for CI regression checks and per-file reports, shared by `rttscan` and
 * `rttscan merge`, and what they turn into: parsed conditions, a loaded baseline, and the
 * reporting of violations (stderr, exit 3) and of a baseline's deltas (stdout).
 */
import type * as Commander from 'commander';
import { requireCjs } from '../util/cjs.js';
import type { CheckedStats, checkConditions } from '../ci/check.js';
import type { FailCondition } from '../ci/fail-if.js';
import { usageError } from '../errors.js';
import type { renderDeltas } from '../render/deltas.js';
import type { GroupBy } from '../stats/collector.js';
import { printable } from '../util/printable.js';

const { Option } = requireCjs('commander') as typeof Commander;
type Option = Commander.Option;

/** Exit code when a --fail-if condition holds. */
export const EXIT_FAIL_IF = 3;

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function failIfOption(): Option {
  return new Option(
    '--fail-if <conditions>',
    "exit 3 when a condition holds, e.g. 'p99>30ms,samples<100,retrans>1%'; with --baseline also changes: 'p99>+10%' (repeatable)",
  ).argParser(collect);
}

export function baselineOption(): Option {
  return new Option('--baseline <file>', 'an earlier --json to compare with: prints a table of changes; --fail-if can test them');
}

export function eachOption(what: string): Option {
  return new Option('--each', `one report per ${what} instead of one for all of them together`);
}

/** --each makes one report per file: per-sample and per-interval streams cannot say which file. */
export function checkEachOptions(options: {
  each?: boolean;
  csv?: string | true;
  jsonl?: string | true;
  pping?: string | true;
  html?: string;
  interval?: string;
  tcprt?: string | true;
  tcprtJsonl?: string | true;
  live: readonly string[];
}): void {
  if (!options.each) return;
  if (options.csv !== undefined) throw usageError('--each cannot be combined with --csv: the rows would not say which file they came from');
  if (options.jsonl !== undefined) throw usageError('--each cannot be combined with --jsonl: the lines would not say which file they came from');
  if (options.pping !== undefined) throw usageError('--each cannot be combined with --pping: the lines would not say which file they came from');
  if (options.html !== undefined) throw usageError('--each cannot be combined with --html: the page covers one run; run rttscan once per file');
  if (options.interval !== undefined) throw usageError('--each cannot be combined with --interval: run rttscan once per file');
  if (options.tcprtJsonl !== undefined) throw usageError('--each cannot be combined with --tcprt-jsonl: the records would not say which file they came from');
  if (options.tcprt !== undefined) throw usageError('--each cannot be combined with --tcprt: the records would not say which file they came from');
  if (options.live.length > 0) throw usageError('--each reads capture files; --live has none');
}

/**
 * What --fail-if and --baseline ask for, checked before any capture is read. The checks' and the
 * baseline's modules load only when one is asked for (a plain run does not pay for them).
 */
export class CiChecks {
  /** Whether any condition was violated so far (the run then exits 3). */
  violated = false;

  private constructor(
    readonly conditions: readonly FailCondition[],
    readonly baseline: CheckedStats | undefined,
    private readonly evaluate: typeof checkConditions | undefined,
    private readonly deltasOf: typeof renderDeltas | undefined,
  ) {}

  /** `by` is the grouping of the run to be checked: a baseline must group the same way. */
  static async fromOptions(failIf: readonly string[] | undefined, baselinePath: string | undefined, by: GroupBy): Promise<CiChecks> {
    let conditions: FailCondition[] = [];
    if (failIf !== undefined && failIf.length > 0) {
      const { parseFailIf } = await import('../ci/fail-if.js');
      conditions = failIf.flatMap(parseFailIf);
    }
    let baseline: CheckedStats | undefined;
    if (baselinePath !== undefined) {
      const [{ readSummaryFile }, { mergeSummaries }] = await Promise.all([import('../merge/summary-document.js'), import('../merge/merge-summaries.js')]);
      const docs = await readSummaryFile(baselinePath);
      if (docs.length > 1) {
        throw usageError(`--baseline ${printable(baselinePath)}: holds ${docs.length} summaries; give one (rttscan merge ${printable(baselinePath)} --json base.json makes one)`);
      }
      baseline = mergeSummaries(docs).report;
      if (baseline.by !== by) {
        throw usageError(`--baseline ${printable(baselinePath)}: grouped by ${baseline.by}, this run by ${by}: use the same --by`);
      }
    }
    const relative = conditions.find((c) => c.reference !== 'absolute');
    if (relative !== undefined && baseline === undefined) {
      throw usageError(`--fail-if ${relative.text}: a change needs a baseline to compare with: add --baseline FILE`);
    }
    const evaluate = conditions.length > 0 ? (await import('../ci/check.js')).checkConditions : undefined;
    const deltas = baseline !== undefined ? (await import('../render/deltas.js')).renderDeltas : undefined;
    return new CiChecks(conditions, baseline, evaluate, deltas);
  }

  get active(): boolean {
    return this.conditions.length > 0 || this.baseline !== undefined;
  }

  /** The deltas table for this run, or '' without a baseline. */
  deltas(run: CheckedStats): string {
    return this.baseline === undefined || this.deltasOf === undefined ? '' : this.deltasOf(this.baseline, run);
  }

  /**
   * Checks the conditions on `run`; violations go to `fail` (always printed), figures that could
   * not be checked to `note`. `context` (a file, an interval) ends each line.
   */
  check(run: CheckedStats, context: string, fail: (line: string) => void, note: (line: string) => void): void {
    if (this.evaluate === undefined) return;
    const outcome = this.evaluate(this.conditions, run, this.baseline);
    for (const line of outcome.violations) fail(`--fail-if ${line}${context}`);
    for (const line of outcome.unchecked) note(`--fail-if ${line}${context}`);
    if (outcome.violations.length > 0) this.violated = true;
  }
}
