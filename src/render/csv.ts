/**
 * `--csv`: one row per sample. ts is the capture time of the acknowledging packet as
 * seconds.nanoseconds; rtt_us has three decimals, so nanosecond captures keep every digit.
 */
import { stringify, type Stringifier } from 'csv-stringify';
import { KIND_NAMES, type SampleKind } from '../engines/rtt/rtt-engine.js';
import type { SampleEndpoints } from '../stats/collector.js';
import { formatEpoch, type TimeBase } from '../time.js';

export const CSV_COLUMNS = ['ts', 'src', 'sport', 'dst', 'dport', 'rtt_us', 'kind'];

export function createCsvWriter(out: NodeJS.WritableStream): Stringifier {
  const csv = stringify({ header: true, columns: CSV_COLUMNS });
  csv.pipe(out);
  return csv;
}

export function csvRow(base: TimeBase, ackNs: number, rttNs: number, kind: SampleKind, endpoints: SampleEndpoints): string[] {
  return [formatEpoch(base, ackNs), endpoints.src, String(endpoints.sport), endpoints.dst, String(endpoints.dport), (rttNs / 1000).toFixed(3), KIND_NAMES[kind]];
}
