/**
 * The command line's `--html FILE` (a self-contained report page, written when the run ends)
 * and `--pping [FILE|-]` (one pping -m line per sample, streamed). Both listen to the same
 * per-sample callback as --csv; main.ts and merge-command.ts call only what is here.
 *
 * Why `--pping` and not pping's own `-m`: rttscan's `-m` is bcc tcprtt's (`--ms`, histogram in
 * milliseconds), which people type from muscle memory; the long name says which format it is.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { AnalysisResult } from '../analyze.js';
import type { SampleKind } from '../engines/rtt/rtt-engine.js';
import type { TaskRecord } from '../engines/tcprt/records.js';
import { RttscanError } from '../errors.js';
import type { MergedSummary } from '../merge/merge-summaries.js';
import type { SummaryDocument } from '../merge/summary-document.js';
import { mergePageModel, runPageModel } from '../render/html/build-model.js';
import { renderPage } from '../render/html/page.js';
import { SampleStore } from '../render/html/sample-store.js';
import { PpingLines } from '../render/pping.js';
import type { SampleEndpoints } from '../stats/collector.js';
import type { HistogramUnit } from '../stats/rtt-stats.js';
import type { TimeBase } from '../time.js';
import { checkOutputPath, STDOUT, writeOutput } from './output.js';

export interface PageCliOptions {
  html?: string;
  pping?: string | true;
}

/** Flush buffered pping text at this size. */
const PPING_FLUSH_CHARS = 65536;

export class PageOutputs {
  private readonly store: SampleStore | undefined;
  private readonly notes: string[] = [];
  private readonly pping: PpingLines | undefined;
  private ppingText = '';
  private readonly ppingFile: WriteStream | undefined;
  private failure: Error | undefined;

  private constructor(
    private readonly htmlPath: string | undefined,
    private readonly ppingPath: string | undefined,
    private readonly command: readonly string[],
  ) {
    this.store = htmlPath === undefined ? undefined : new SampleStore();
    this.pping = ppingPath === undefined ? undefined : new PpingLines();
    if (ppingPath !== undefined && ppingPath !== STDOUT) {
      this.ppingFile = createWriteStream(ppingPath).on('error', (err) => {
        this.failure ??= new RttscanError('input', `${ppingPath}: cannot write (${err.message})`);
      });
    }
  }

  /** Checks the options (and that no capture would be overwritten) before anything is read. */
  static async open(options: PageCliOptions & { each?: boolean; interval?: string }, command: readonly string[]): Promise<PageOutputs> {
    if (options.html !== undefined) {
      if (options.each) throw new RttscanError('usage', '--each cannot be combined with --html: the page covers one run; run rttscan once per file');
      if (options.interval !== undefined) throw new RttscanError('usage', '--interval cannot be combined with --html: the page covers the whole run (its statistics are those of --json without --interval)');
      if (options.html === STDOUT) throw new RttscanError('usage', '--html needs a file name: the page is written when the run ends');
    }
    if (options.each && options.pping !== undefined) throw new RttscanError('usage', '--each cannot be combined with --pping: the lines would not say which file they came from');
    const ppingPath = options.pping === true ? STDOUT : options.pping;
    for (const path of [options.html, ppingPath]) await checkOutputPath(path);
    return new PageOutputs(options.html, ppingPath, command);
  }

  /** Whether anything here needs each sample. */
  get wantsSamples(): boolean {
    return this.store !== undefined || this.pping !== undefined;
  }

  /** pping lines go to stdout: other data there would interleave with them. */
  get ppingOnStdout(): boolean {
    return this.ppingPath === STDOUT;
  }

  onSample(ackNs: number, rttNs: number, kind: SampleKind, endpoints: SampleEndpoints, base: TimeBase, print: (text: string) => void): void {
    this.store?.add(ackNs, rttNs, kind, endpoints);
    if (this.pping === undefined) return;
    this.ppingText += this.pping.line(base, ackNs, rttNs, endpoints);
    if (this.ppingText.length >= PPING_FLUSH_CHARS) this.flushPping(print);
  }

  onRecord(record: TaskRecord): void {
    this.store?.addTask(record);
  }

  /** A note the run wrote (or would have, without -q): the page lists them. */
  note(message: string): void {
    if (this.store !== undefined) this.notes.push(message);
  }

  private flushPping(print: (text: string) => void): void {
    if (this.ppingText === '') return;
    if (this.ppingFile !== undefined) this.ppingFile.write(this.ppingText);
    else print(this.ppingText);
    this.ppingText = '';
  }

  /** The run is over: the rest of the pping lines, then the page. */
  async finish(result: AnalysisResult, unit: HistogramUnit, print: (text: string) => void): Promise<void> {
    this.flushPping(print);
    if (this.ppingFile !== undefined) await new Promise<void>((resolve) => this.ppingFile!.end(resolve));
    if (this.failure) throw this.failure;
    if (this.htmlPath !== undefined) {
      await writeOutput(this.htmlPath, renderPage(runPageModel(result, this.store!, { unit, notes: this.notes, command: this.command })));
    }
  }
}

/** `rttscan merge ... --html FILE`: the page of merged summaries (no samples: one span per summary). */
export async function writeMergePage(path: string, merged: MergedSummary, docs: readonly SummaryDocument[], notes: readonly string[], command: readonly string[]): Promise<void> {
  await writeOutput(path, renderPage(mergePageModel(merged, docs, { unit: merged.histogramUnit, notes, command })));
}
