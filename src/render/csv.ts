/**
 * `--csv`: one row per sample. ts is the capture time of the acknowledging packet as
 * seconds.nanoseconds; rtt_us has three decimals, so nanosecond captures keep every digit.
 */
import { stringify, type Stringifier } from 'csv-stringify';
import { KIND_NAMES, type SampleKind } from '../engines/rtt/rtt-engine.js';
import type { SampleEndpoints } from '../stats/collector.js';
import { formatEpoch, type TimeBase } from '../time.js';

export const CSV_COLUMNS = ['ts', 'src', 'sport', 'dst', 'dport', 'rtt_us', 'kind'];

/** The header line, as the writer below prints it. */
export const CSV_HEADER = `${CSV_COLUMNS.join(',')}\n`;

export function createCsvWriter(out: NodeJS.WritableStream, header = true): Stringifier {
  const csv = stringify({ header, columns: CSV_COLUMNS });
  csv.pipe(out);
  return csv;
}

export function csvRow(base: TimeBase, ackNs: number, rttNs: number, kind: SampleKind, endpoints: SampleEndpoints): string[] {
  return [formatEpoch(base, ackNs), endpoints.src, String(endpoints.sport), endpoints.dst, String(endpoints.dport), (rttNs / 1000).toFixed(3), KIND_NAMES[kind]];
}
