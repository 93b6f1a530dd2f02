/**
 * `--csv`: one row per sample. ts is the capture time of the acknowledging packet as
 * seconds.nanoseconds; rtt_us has three decimals, so nanosecond captures keep every digit.
 *
 * csv-stringify decides the quoting: it writes the header, and any row with a field that holds a
 * delimiter, a quote or a line break. No field rttscan writes can (digits, addresses, a kind
 * word), so rows are joined here directly: csv-stringify costs about 3.4 µs a row however it is
 * called (one record at a time through its stream API, or 1,000-row batches through its sync API:
 * 2.4 s for 700,000 rows, where the whole analysis of their 2 M packets takes 0.9 s), and the
 * rows are byte for byte what it writes (test/unit/sample-formats.test.ts checks every sample).
 */
import { stringify } from 'csv-stringify/sync';
import { KIND_NAMES, type HalfConnection, type SampleKind } from '../engines/rtt/rtt-engine.js';
import type { SampleEndpoints } from '../stats/collector.js';
import { formatEpoch, type TimeBase } from '../time.js';
import { EpochText, usWithNanos } from './sample-text.js';

export const CSV_COLUMNS = ['ts', 'src', 'sport', 'dst', 'dport', 'rtt_us', 'kind'];

export const CSV_HEADER = stringify([CSV_COLUMNS]);

/** A field csv-stringify would quote. */
export const NEEDS_QUOTING = /[",\r\n]/;

export function csvRow(base: TimeBase, ackNs: number, rttNs: number, kind: SampleKind, endpoints: SampleEndpoints): string[] {
  return [formatEpoch(base, ackNs), endpoints.src, String(endpoints.sport), endpoints.dst, String(endpoints.dport), (rttNs / 1000).toFixed(3), KIND_NAMES[kind]];
}

/** One row per sample as CSV text; the endpoints part is made once per half-connection. */
export class CsvRows {
  private readonly middle = new WeakMap<HalfConnection, string>();
  private readonly epoch = new EpochText();

  line(base: TimeBase, ackNs: number, rttNs: number, kind: SampleKind, endpoints: SampleEndpoints): string {
    const half = endpoints.half;
    let middle = this.middle.get(half);
    if (middle === undefined) {
      const fields = [endpoints.src, String(endpoints.sport), endpoints.dst, String(endpoints.dport)];
      if (fields.some((f) => NEEDS_QUOTING.test(f))) return stringify([csvRow(base, ackNs, rttNs, kind, endpoints)]);
      middle = fields.join(',');
      this.middle.set(half, middle);
    }
    return `${this.epoch.format(base, ackNs)},${middle},${usWithNanos(rttNs)},${KIND_NAMES[kind]}\n`;
  }
}
