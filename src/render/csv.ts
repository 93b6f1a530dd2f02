/**
 * `--csv`: one row per sample. ts is the capture time of the acknowledging packet as
 * seconds.nanoseconds; rtt_us has three decimals, so nanosecond captures keep every digit.
 * seg_frame and ack_frame are the frame numbers of the data segment and of the ACK in their
 * input, as tshark numbers frames (`tshark -r FILE -Y frame.number==N` shows the packet); with
 * several inputs, seg_input and ack_input name the file each frame is in.
 *
 * csv-stringify decides the quoting: it writes the header, and any row with a field that holds a
 * delimiter, a quote or a line break. Only an input's name can (digits, addresses and a kind
 * word cannot), so rows are joined here directly: csv-stringify costs about 3.4 µs a row however
 * it is called (one record at a time through its stream API, or 1,000-row batches through its
 * sync API: 2.4 s for 700,000 rows, where the whole analysis of their 2 M packets takes 0.9 s),
 * and the rows are byte for byte what it writes (test/unit/sample-formats.test.ts checks every
 * sample).
 */
import type * as CsvStringify from 'csv-stringify/sync';
import { requireCjs } from '../util/cjs.js';
import { frameNumber, inputOfFrame } from '../capture/frame-ref.js';
import { KIND_NAMES, type HalfConnection } from '../engines/rtt/rtt-engine.js';
import type { Sample } from '../stats/collector.js';
import { formatEpoch } from '../time.js';
import { EpochText, usWithNanos } from './sample-text.js';

const { stringify } = requireCjs('csv-stringify/sync') as typeof CsvStringify;

export const CSV_COLUMNS = ['ts', 'src', 'sport', 'dst', 'dport', 'rtt_us', 'kind', 'seg_frame', 'ack_frame'];
/** Added when a run reads several inputs: which one each frame number counts in. */
export const CSV_INPUT_COLUMNS = ['seg_input', 'ack_input'];

/** The columns: with `inputColumns` (several inputs), seg_input and ack_input too. */
export function csvColumns(inputColumns: boolean): string[] {
  return inputColumns ? [...CSV_COLUMNS, ...CSV_INPUT_COLUMNS] : CSV_COLUMNS;
}

/** The header line, as csv-stringify writes it. */
export function csvHeader(inputColumns: boolean): string {
  return stringify([csvColumns(inputColumns)]);
}

/** A field csv-stringify would quote. */
export const NEEDS_QUOTING = /[",\r\n]/;

/**
 * The inputs frame numbers count in (the files of the run, or the interfaces captured on), as
 * the rows name them; `undefined` when the rows have no input columns.
 */
export type CsvInputs = readonly string[] | undefined;

/** A row's fields, as csv-stringify takes them (the reference for the writers below). */
export function csvRow(sample: Sample, inputs: CsvInputs): string[] {
  const { base, ackNs, rttNs, kind } = sample;
  const row = [
    formatEpoch(base, ackNs),
    sample.src,
    String(sample.sport),
    sample.dst,
    String(sample.dport),
    (rttNs / 1000).toFixed(3),
    KIND_NAMES[kind],
    String(frameNumber(sample.segFrame)),
    String(frameNumber(sample.ackFrame)),
  ];
  if (inputs !== undefined) row.push(inputs[inputOfFrame(sample.segFrame)] ?? '', inputs[inputOfFrame(sample.ackFrame)] ?? '');
  return row;
}

/** `,name` for each input, quoted as csv-stringify would quote it. */
export function inputFields(inputs: readonly string[]): string[] {
  return inputs.map((name) => `,${stringify([[name]]).slice(0, -1)}`);
}

/** One row per sample as CSV text; the endpoints part is made once per half-connection. */
export class CsvRows {
  private readonly middle = new WeakMap<HalfConnection, string>();
  private readonly epoch = new EpochText();
  private inputs: CsvInputs;
  private inputText: string[] = [];

  constructor(inputs: CsvInputs) {
    this.useInputs(inputs);
  }

  /** The inputs of the next run's frame numbers (a capture point, a file of --each). */
  useInputs(inputs: CsvInputs): void {
    this.inputs = inputs;
    this.inputText = inputs === undefined ? [] : inputFields(inputs);
  }

  line(sample: Sample): string {
    const { base, ackNs, rttNs, kind } = sample;
    const half = sample.half;
    let middle = this.middle.get(half);
    if (middle === undefined) {
      const fields = [sample.src, String(sample.sport), sample.dst, String(sample.dport)];
      if (fields.some((f) => NEEDS_QUOTING.test(f))) return stringify([csvRow(sample, this.inputs)]);
      middle = fields.join(',');
      this.middle.set(half, middle);
    }
    const frames = `${frameNumber(sample.segFrame)},${frameNumber(sample.ackFrame)}`;
    const inputs = this.inputs === undefined ? '' : `${this.inputText[inputOfFrame(sample.segFrame)] ?? ','}${this.inputText[inputOfFrame(sample.ackFrame)] ?? ','}`;
    return `${this.epoch.format(base, ackNs)},${middle},${usWithNanos(rttNs)},${KIND_NAMES[kind]},${frames}${inputs}\n`;
  }
}
