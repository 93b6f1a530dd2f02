/**
 * `rttscan merge a.json b.json ...`: the `--json` summaries of separate runs (per file, per
 * host, per day) combined into what one run over all their captures would give, printed as a
 * table, histograms or JSON (itself mergeable again). `--fail-if` and `--baseline` work on the
 * merged result as on a run. `main.ts` sends here when the first argument is `merge`.
 */
import type * as Commander from 'commander';
import { requireCjs } from '../util/cjs.js';
import { RttscanError, usageError } from '../errors.js';
import { documentReport, mergeSummaries, type MergedSummary } from '../merge/merge-summaries.js';
import { readSummaryFile, type SummaryDocument } from '../merge/summary-document.js';
import type { SummaryDocumentJson } from '../schema/document.js';
import { documentJson } from '../render/json.js';
import { busiestFirst } from '../stats/group-order.js';
import { baselineOption, CiChecks, EXIT_FAIL_IF, eachOption, failIfOption } from './ci-options.js';
import { COMMANDER_OUTPUT } from './commander-output.js';
import { checkOutputPath } from './output.js';
import { outputPlanOf } from './plan.js';
import { RunOutputs } from './report-output.js';
import type { OutputTarget } from './targets.js';

const { Command } = requireCjs('commander') as typeof Commander;
type Command = Commander.Command;

export interface MergeOptions {
  table?: boolean;
  histogram?: boolean;
  json?: string | true;
  html?: string;
  each?: boolean;
  failIf?: string[];
  baseline?: string;
  quiet?: boolean;
  verbose?: boolean;
}

export function buildMergeProgram(): Command {
  return new Command()
    .name('rttscan merge')
    .description(
      'Combine the --json summaries of separate runs into what one run over all their captures would give: samples, min, max, mean, retransmissions and histograms exact, percentiles from the merged sketches, groups merged by key.',
    )
    .argument('<summaries...>', 'rttscan --json documents (or --each arrays of them); - reads one from stdin')
    .option('--table', 'one row per group (the default)')
    .option('--histogram', 'log2 histogram per group, laid out like bcc tcprtt')
    .option('--json [file]', 'the merged summary as JSON to FILE or - (stdout); it can be merged again')
    .option('--html <file>', 'a self-contained HTML report of the merged summaries (tables, distributions, p50/p99 per summary) to FILE')
    .addOption(eachOption('summary'))
    .addOption(failIfOption())
    .addOption(baselineOption())
    .option('-q, --quiet', 'no notes on stderr, only data and errors')
    .option('--verbose', 'print stack traces with errors')
    .addHelpText(
      'after',
      `
Examples:
  rttscan merge day1.json day2.json            one table over both days
  rttscan merge hosts/*.json --json all.json   a merged summary, mergeable again
  rttscan merge parts/*.json --histogram       bcc-style histogram of everything
  rttscan merge parts/*.json --html all.html   one offline report page of everything
  rttscan merge all.json --each                one table per summary in an --each array
  rttscan merge parts/*.json --fail-if 'p99>30ms'             CI check on the merged result
  rttscan merge today/*.json --baseline last-week.json        what changed

Fan out and reduce:
  ls *.pcap | xargs -P 8 -I{} rttscan {} --json {}.json -q
  rttscan merge *.pcap.json`,
    )
    .exitOverride()
    .configureOutput(COMMANDER_OUTPUT);
}

function jsonOf(merged: MergedSummary): SummaryDocumentJson {
  return documentJson(merged.head, { ...merged.report, groups: busiestFirst(merged.report.groups) }, merged.histogramUnit);
}

export async function runMerge(
  paths: readonly string[],
  options: MergeOptions,
  stdio: { stdout: OutputTarget; stderr: OutputTarget },
  command: readonly string[],
): Promise<number> {
  const note = (message: string): void => void stdio.stderr.write(`rttscan: ${message}\n`);
  const plan = outputPlanOf(options, false, ['table', 'histogram', 'json', 'html']);
  if (options.html !== undefined && options.each) throw usageError('--each cannot be combined with --html: the page covers one merge');
  for (const r of plan.reports) if (r.target.kind === 'file') await checkOutputPath(r.target.path);
  if (paths.filter((p) => p === '-').length > 1) throw usageError('stdin (-) can be read only once');
  const docs: SummaryDocument[] = [];
  for (const path of paths) for (const doc of await readSummaryFile(path)) docs.push(doc);
  // Notes go on stderr (unless -q) and into the --html page.
  const notes: string[] = [];
  const quietNote = (message: string): void => {
    notes.push(message);
    if (!options.quiet) note(message);
  };
  // --each: each document on its own; otherwise one merge of all.
  const reports = options.each ? docs.map((doc) => ({ name: doc.name, merged: documentReport(doc) })) : [{ name: '', merged: mergeSummaries(docs) }];
  if (!options.each && reports[0]!.merged.overlapping.length > 0) {
    quietNote(
      `${reports[0]!.merged.overlapping.join(', ')} overlap${reports[0]!.merged.overlapping.length === 1 ? 's' : ''} an earlier summary in capture time: srtt and jitter follow sample order, so they are approximate; the rest is exact`,
    );
  }
  const by = reports[0]!.merged.report.by;
  if (options.baseline !== undefined && reports.some((r) => r.merged.report.by !== by))
    throw new RttscanError('input', 'the summaries are grouped differently (--by): --each shows them, but one --baseline cannot apply to all');
  const ci = await CiChecks.fromOptions(options.failIf, options.baseline, by);
  // The summaries' own histogram unit, whatever --ms says (merge has no --ms).
  const outputs = await RunOutputs.open({ ...plan, histogramUnit: reports[0]!.merged.histogramUnit }, stdio.stdout, stdio.stderr);
  try {
    for (const [i, { name, merged }] of reports.entries()) {
      if (options.each) outputs.header(name, i === 0);
      outputs.report(merged.report, ci, options.each ? ` (in ${name})` : '', note, quietNote);
      outputs.addDocument(jsonOf(merged));
    }
    await outputs.finish(options.each === true);
  } catch (err) {
    await outputs.abandon();
    throw err;
  }
  if (options.html !== undefined) await (await import('./page-outputs.js')).writeMergePage(options.html, reports[0]!.merged, docs, notes, command);
  if (!options.quiet && !options.each) {
    const summary = reports[0]!.merged.report.summary;
    note(`merged ${docs.length} summaries of ${reports[0]!.merged.head.inputs.length} inputs: ${summary.count} samples`);
  }
  return ci.violated ? EXIT_FAIL_IF : 0;
}
