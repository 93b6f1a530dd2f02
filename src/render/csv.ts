/**
 * `--csv`: one row per sample. ts is the capture time of the acknowledging packet as
 * seconds.nanoseconds; rtt_us has three decimals, so nanosecond captures keep every digit.
 * seg_frame and ack_frame are the frame numbers of the data segment and of the ACK in their
 * input, as tshark numbers frames (`tshark -r FILE -Y frame.number==N` shows the packet); with
 * several inputs, seg_input and ack_input name the file each frame is in.
 */
import { stringify, type Stringifier } from 'csv-stringify';
import { frameNumber, inputOfFrame } from '../capture/frame-ref.js';
import { KIND_NAMES, type SampleKind } from '../engines/rtt/rtt-engine.js';
import type { SampleEndpoints } from '../stats/collector.js';
import { formatEpoch, type TimeBase } from '../time.js';

export const CSV_COLUMNS = ['ts', 'src', 'sport', 'dst', 'dport', 'rtt_us', 'kind', 'seg_frame', 'ack_frame'];
/** Added when a run reads several inputs: which one each frame number counts in. */
export const CSV_INPUT_COLUMNS = ['seg_input', 'ack_input'];

/** The columns for a run over `inputs` (their paths, or live interfaces, as given). */
export function csvColumns(inputs: readonly string[]): string[] {
  return inputs.length > 1 ? [...CSV_COLUMNS, ...CSV_INPUT_COLUMNS] : CSV_COLUMNS;
}

/** The header line, as the writer below prints it. */
export function csvHeader(inputs: readonly string[]): string {
  return `${csvColumns(inputs).join(',')}\n`;
}

/** The CSV writer for a run over `inputs`; without `header` when the file writes its own (a reopened one). */
export function createCsvWriter(out: NodeJS.WritableStream, inputs: readonly string[], header = true): Stringifier {
  const csv = stringify({ header, columns: csvColumns(inputs) });
  csv.pipe(out);
  return csv;
}

export function csvRow(base: TimeBase, ackNs: number, rttNs: number, kind: SampleKind, endpoints: SampleEndpoints, inputs: readonly string[]): string[] {
  const row = [
    formatEpoch(base, ackNs),
    endpoints.src,
    String(endpoints.sport),
    endpoints.dst,
    String(endpoints.dport),
    (rttNs / 1000).toFixed(3),
    KIND_NAMES[kind],
    String(frameNumber(endpoints.segFrame)),
    String(frameNumber(endpoints.ackFrame)),
  ];
  if (inputs.length > 1) row.push(inputs[inputOfFrame(endpoints.segFrame)] ?? '', inputs[inputOfFrame(endpoints.ackFrame)] ?? '');
  return row;
}
