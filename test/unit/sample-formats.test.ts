/**
 * The CSV rows rttscan joins itself are byte for byte what csv-stringify writes for the same
 * fields, for every sample of every sample capture, and for any field values of the columns'
 * kinds; a field that would need quoting goes through csv-stringify.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'csv-stringify/sync';
import { analyze } from '../../src/analyze.js';
import { CsvRows, csvRow, CSV_HEADER } from '../../src/render/csv.js';
import { sampleCaptures } from '../helpers/paths.js';
import { SampleEndpoints } from '../../src/stats/collector.js';

test('CSV rows equal csv-stringify, every sample of every sample capture', async () => {
  assert.equal(CSV_HEADER, 'ts,src,sport,dst,dport,rtt_us,kind\n');
  let rows = 0;
  for (const file of sampleCaptures()) {
    const ours = new CsvRows();
    await analyze([file], {
      includeLocal: true,
      onSample: (ackNs, rttNs, kind, endpoints, base) => {
        assert.equal(ours.line(base, ackNs, rttNs, kind, endpoints), stringify([csvRow(base, ackNs, rttNs, kind, endpoints)]));
        rows++;
      },
    });
  }
  assert.ok(rows > 1000, `${rows} rows`);
});

test('a field that needs quoting is quoted by csv-stringify', () => {
  fc.assert(
    fc.property(fc.string(), fc.string(), fc.nat(65535), fc.nat(1e12), (src, dst, port, rttNs) => {
      const half = {};
      const endpoints = Object.assign(Object.create(SampleEndpoints.prototype) as SampleEndpoints, {});
      Object.defineProperties(endpoints, {
        half: { value: half },
        src: { value: src },
        dst: { value: dst },
        sport: { value: port },
        dport: { value: port },
      });
      const base = { baseSec: 1_700_000_000 };
      const line = new CsvRows().line(base, 5, rttNs, 0, endpoints);
      assert.equal(line, stringify([csvRow(base, 5, rttNs, 0, endpoints)]));
    }),
  );
});
