/**
 * A per-sample output (--csv, --jsonl, --samples) as a sink with backpressure: lines gather in
 * a string and go out in pieces of SINK_FLUSH_CHARS; when the stream behind says it is full,
 * `pending` holds a promise that the reading of the capture awaits before its next chunk
 * (AnalyzeOptions.backpressure). So however slow the reader of the output, what waits in memory
 * is one chunk's worth of samples, never the whole run.
 */
import type { Sample } from '../stats/collector.js';
import type { CsvInputs } from './csv.js';

/** Where a sink writes: write() says false when full; drained() waits until it is not. */
export interface SinkStream {
  write(text: string | Uint8Array): boolean;
  drained(): Promise<void>;
}

/** A per-sample output: takes each sample, writes when it has gathered enough, says when to wait. */
export interface PerSampleSink {
  add(sample: Sample): void;
  /** Writes what has gathered. */
  flush(): void;
  /** A promise to await before reading on, when the stream is full; undefined otherwise. */
  readonly pending: Promise<void> | undefined;
  /** The inputs the next run's frame numbers count in, for outputs that name them. */
  useInputs?(inputs: CsvInputs): void;
}

export interface SampleFormat {
  line(sample: Sample): string;
  useInputs?(inputs: CsvInputs): void;
}

/** Characters gathered before a write: big enough that per-write costs vanish (bench/run.ts). */
export const SINK_FLUSH_CHARS = 64 * 1024;

export class SampleSink implements PerSampleSink {
  private text = '';
  private full = false;

  constructor(
    private readonly format: SampleFormat,
    private readonly out: SinkStream,
    /** Written before the first line (a CSV header). */
    header = '',
  ) {
    this.text = header;
  }

  add(sample: Sample): void {
    this.text += this.format.line(sample);
    if (this.text.length >= SINK_FLUSH_CHARS) this.flush();
  }

  useInputs(inputs: CsvInputs): void {
    this.format.useInputs?.(inputs);
  }

  /** Writes what has gathered. */
  flush(): void {
    if (this.text === '') return;
    const text = this.text;
    this.text = '';
    if (!this.out.write(text)) this.full = true;
  }

  /** A promise to await before reading on, when the stream is full; undefined otherwise. */
  get pending(): Promise<void> | undefined {
    if (!this.full) return undefined;
    this.full = false;
    return this.out.drained();
  }
}
