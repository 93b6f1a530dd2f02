/**
 * Prints a run through its output plan: opens every target before anything is read (so a file
 * target exists in every mode, even for a run with no sample), feeds the per-sample sinks, prints
 * each report (the end of a run, of an --interval, of a capture point, of a merge), and closes
 * everything. One object per run, shared by analysis, --each, --interval, live and merge.
 */
import type { AnalysisReport, AnalyzeOptions } from '../analyze.js';
import type { CsvInputs } from '../render/csv.js';
import type { PerSampleSink } from '../render/sample-sink.js';
import type { SummaryDocumentJson } from '../schema/document.js';
import type { Group } from '../stats/collector.js';
import { busiestFirst } from '../stats/group-order.js';
import { formatClock } from '../time.js';
import type { CiChecks } from './ci-options.js';
import { humanTextOnStdout, planned, REPORTS, type OutputPlan, type PlannedReport, type ReportName, type TargetSpec } from './plan.js';
import { FileTarget, type OutputTarget } from './targets.js';
import { stdoutColumns } from './terminal.js';

/** What a report of one span writes: its text for `report`, its groups sorted busiest first. */
type SpanRenderer = (out: OutputTarget, report: AnalysisReport, groups: Group[], plan: OutputPlan, ci: CiChecks, interval: boolean) => void;

/**
 * The reports printed once per span, each loaded only when the plan names it: a run loads the
 * modules of its own outputs (cli-table3 for --table, the chart's for --chart...), which keeps
 * `rttscan FILE --json` from paying for the others at start-up.
 */
const SPAN_RENDERERS: Partial<Record<ReportName, () => Promise<SpanRenderer>>> = {
  histogram: async () => {
    const { renderHistograms } = await import('../render/histogram.js');
    return (out, report, groups, plan) => out.write(renderHistograms(report.by, groups, plan.histogramUnit));
  },
  table: async () => {
    const [{ renderTable }, { renderTcprtTable }] = await Promise.all([import('../render/table.js'), import('../render/tcprt-table.js')]);
    return (out, report, groups) => {
      out.write(renderTable(groups, stdoutColumns()));
      if (report.tcprtPorts !== undefined) out.write(renderTcprtTable(report.tcprtPorts));
    };
  },
  chart: async () => {
    const { renderChart } = await import('../render/chart.js');
    return (out, report, groups, plan) => out.write(renderChart(groups, report.base, report.startNs, { colors: plan.colors, width: stdoutColumns() }));
  },
  deltas: async () => (out, report, _groups, _plan, ci) => out.write(ci.deltas(report)),
  json: async () => {
    const { renderJsonLine } = await import('../render/json.js');
    return (out, report, groups, plan, _ci, interval) => {
      if (interval) out.write(renderJsonLine({ ...report, groups }, plan.histogramUnit));
    };
  },
};

/** A per-sample output's sink, its module loaded only when the plan names it. */
async function openSampleSink(name: ReportName, target: OutputTarget, csvHeader: string, inputs: CsvInputs): Promise<PerSampleSink> {
  if (name === 'csv') return new (await import('../render/csv-bytes.js')).CsvByteSink(target, csvHeader, inputs);
  const { SampleSink } = await import('../render/sample-sink.js');
  if (name === 'jsonl') return new SampleSink(new (await import('../render/jsonl.js')).JsonLines(inputs), target);
  if (name === 'pping') return new SampleSink(new (await import('../render/pping.js')).PpingLines(), target);
  return new SampleSink(new (await import('../render/samples.js')).SampleLines(), target);
}

export class RunOutputs {
  private readonly files = new Map<string, FileTarget>();
  private readonly sinks: PerSampleSink[] = [];
  private readonly documents: SummaryDocumentJson[] = [];
  /** The span reports' renderers, in the plan's order (loaded by open). */
  private readonly renderers: Array<{ readonly render: SpanRenderer; readonly target: TargetSpec }> = [];
  private streaming: NodeJS.Timeout | undefined;

  private constructor(
    readonly plan: OutputPlan,
    readonly stdout: OutputTarget,
    readonly stderr: OutputTarget,
    /** Per-sample outputs name the input of each frame (the run reads several). */
    private readonly inputColumns: boolean,
  ) {}

  /**
   * Opens (creates or truncates) every file target of the plan. `inputColumns`: the run reads
   * several inputs, so per-sample outputs name the input of each frame (see useInputs).
   */
  static async open(plan: OutputPlan, stdout: OutputTarget, stderr: OutputTarget, inputColumns = false): Promise<RunOutputs> {
    const outputs = new RunOutputs(plan, stdout, stderr, inputColumns);
    const header = planned(plan, 'csv') ? (await import('../render/csv.js')).csvHeader(inputColumns) : '';
    // Until useInputs names them, frames count in unnamed inputs.
    const inputs: CsvInputs = inputColumns ? [] : undefined;
    try {
      for (const r of plan.reports) {
        // A CSV file started anew by a reopen (log rotation) gets the header again.
        if (r.target.kind === 'file' && !REPORTS[r.name].ownWriter) outputs.files.set(r.target.path, await FileTarget.open(r.target.path, r.name === 'csv' ? header : ''));
      }
    } catch (err) {
      await outputs.closeFiles().catch(() => {});
      throw err;
    }
    for (const r of plan.reports) {
      if (REPORTS[r.name].perSample) outputs.sinks.push(await openSampleSink(r.name, outputs.target(r.target), header, inputs));
      const load = SPAN_RENDERERS[r.name];
      if (load) outputs.renderers.push({ render: await load(), target: r.target });
    }
    return outputs;
  }

  /** Another per-sample output, written by its own writer (the --html page). Before sampleHooks(). */
  listen(sink: PerSampleSink): void {
    this.sinks.push(sink);
  }

  /** The inputs the next run's frame numbers count in (its files, or the interfaces captured on). */
  useInputs(names: readonly string[]): void {
    if (!this.inputColumns) return;
    for (const sink of this.sinks) sink.useInputs?.(names);
  }

  target(spec: TargetSpec): OutputTarget {
    if (spec.kind === 'file') return this.files.get(spec.path)!;
    return spec.kind === 'stderr' ? this.stderr : this.stdout;
  }

  /** The library's per-sample callback and backpressure for the plan's sinks (none without sinks). */
  sampleHooks(): Pick<AnalyzeOptions, 'onSample' | 'backpressure'> {
    const sinks = this.sinks;
    if (sinks.length === 0) return {};
    const onSample: AnalyzeOptions['onSample'] =
      sinks.length === 1
        ? (sample) => sinks[0]!.add(sample)
        : (sample) => {
            for (const sink of sinks) sink.add(sample);
          };
    const backpressure = (): Promise<void> | undefined => {
      let waits: Promise<void>[] | undefined;
      for (const sink of sinks) {
        const wait = sink.pending;
        if (wait !== undefined) (waits ??= []).push(wait);
      }
      return waits && Promise.all(waits).then(() => undefined);
    };
    return { onSample, backpressure };
  }

  /** Writes what the sinks hold (before a report is printed, so stdout stays in order). */
  flushSamples(): void {
    for (const sink of this.sinks) sink.flush();
  }

  /** `==> name <==` before each report of --each or of several capture points, as tail does. */
  header(name: string, first: boolean): void {
    if (humanTextOnStdout(this.plan)) this.stdout.write(`${first ? '' : '\n'}==> ${name} <==\n`);
  }

  /**
   * The human reports of one span (a run, an interval, a capture point) and the CI checks on it.
   * `interval`: -T's time line first, and --json as one line.
   */
  report(report: AnalysisReport, ci: CiChecks, context: string, say: (message: string) => void, quietNote: (message: string) => void, interval = false): void {
    this.flushSamples();
    const groups = busiestFirst(report.groups);
    if (interval && this.plan.timestamps) this.stdout.write(`${formatClock(report.base, report.endNs)}\n`);
    for (const { render, target } of this.renderers) render(this.target(target), report, groups, this.plan, ci, interval);
    ci.check(report, context, say, quietNote);
  }

  /** A --json document, written when the run ends (an array of them with --each or several points). */
  addDocument(doc: SummaryDocumentJson): void {
    this.documents.push(doc);
  }

  get json(): PlannedReport | undefined {
    return planned(this.plan, 'json');
  }

  /** Writes the --json documents (one, or an array) and closes every target; throws a write error. */
  async finish(asArray: boolean): Promise<void> {
    clearInterval(this.streaming);
    this.flushSamples();
    const json = this.json;
    if (json !== undefined && this.documents.length > 0) {
      const { stringifyDocument } = await import('../render/json.js');
      this.target(json.target).write(stringifyDocument(asArray ? this.documents : this.documents[0]));
    }
    let failure: unknown;
    for (const close of [() => this.closeFiles(), () => this.stdout.close(), () => this.stderr.close()]) {
      try {
        await close();
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure !== undefined) throw failure;
  }

  /** After an error: closes the files, ignoring further errors (the first one is reported). */
  async abandon(): Promise<void> {
    clearInterval(this.streaming);
    await this.closeFiles().catch(() => {});
  }

  private async closeFiles(): Promise<void> {
    let failure: unknown;
    for (const file of this.files.values()) {
      try {
        await file.close();
      } catch (err) {
        failure ??= err;
      }
    }
    if (failure !== undefined) throw failure;
  }

  /** Reopens the file targets (for a SIGHUP after a log rotation). */
  async reopenFiles(): Promise<void> {
    this.flushSamples();
    for (const file of this.files.values()) await file.reopen();
  }

  /** Writes what the per-sample sinks hold at least every `ms` (live: rows arrive as they happen). */
  streamEvery(ms: number): void {
    if (this.sinks.length === 0) return;
    this.streaming = setInterval(() => this.flushSamples(), ms);
    this.streaming.unref();
  }
}
