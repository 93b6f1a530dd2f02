/**
 * The command line's `--html FILE`: a self-contained report page, written when the run ends. It
 * takes each sample as the other per-sample outputs do (a sink that never holds the reading
 * back), the TCP-RT records and the run's notes; main.ts and merge-command.ts call only what is
 * here.
 */
import type { AnalysisResult } from '../analyze.js';
import type { TaskRecord } from '../engines/tcprt/records.js';
import type { MergedSummary } from '../merge/merge-summaries.js';
import type { SummaryDocument } from '../merge/summary-document.js';
import { mergePageModel, runPageModel } from '../render/html/build-model.js';
import { renderPage } from '../render/html/page.js';
import { SampleStore } from '../render/html/sample-store.js';
import type { PerSampleSink } from '../render/sample-sink.js';
import type { Sample } from '../stats/collector.js';
import type { HistogramUnit } from '../stats/rtt-stats.js';
import { FileTarget } from './targets.js';
import { noteText } from './notes.js';

/** Writes a page file; a write error is one line naming it (cli/targets.ts). */
async function writePage(path: string, html: string): Promise<void> {
  const file = await FileTarget.open(path);
  file.write(html);
  await file.close();
}

export class PageOutput implements PerSampleSink {
  private readonly store = new SampleStore();
  private readonly notes: string[] = [];
  /** The page keeps samples in memory (decimated: render/html/sample-store.ts); it never waits. */
  readonly pending = undefined;

  constructor(
    private readonly path: string,
    /** The command line, shown in the page's header. */
    private readonly command: readonly string[],
  ) {}

  add(sample: Sample): void {
    this.store.add(sample);
  }

  flush(): void {}

  onRecord(record: TaskRecord): void {
    this.store.addTask(record);
  }

  /** A note the run wrote (or would have, without -q): the page lists them. */
  note(message: string): void {
    this.notes.push(message);
  }

  /** The run is over: writes the page. */
  async write(result: AnalysisResult, unit: HistogramUnit): Promise<void> {
    await writePage(
      this.path,
      renderPage(
        runPageModel(result, this.store, {
          unit,
          notes: this.notes,
          command: this.command,
          ...(result.vantage?.note !== undefined ? { vantageNote: noteText(result.vantage.note) } : {}),
        }),
      ),
    );
  }
}

/** `rttscan merge ... --html FILE`: the page of merged summaries (no samples: one span per summary). */
export async function writeMergePage(path: string, merged: MergedSummary, docs: readonly SummaryDocument[], notes: readonly string[], command: readonly string[]): Promise<void> {
  await writePage(path, renderPage(mergePageModel(merged, docs, { unit: merged.histogramUnit, notes, command })));
}
