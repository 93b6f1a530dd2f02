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
import { CsvRows, csvHeader, csvRow } from '../../src/render/csv.js';
import { frameRef } from '../../src/capture/frame-ref.js';
import { sampleCaptures } from '../helpers/paths.js';
import { Sample } from '../../src/stats/collector.js';
import { EpochText, usWithNanos } from '../../src/render/sample-text.js';
import { formatEpoch } from '../../src/time.js';
import { CsvByteSink } from '../../src/render/csv-bytes.js';

test('CSV rows equal csv-stringify, every sample of every sample capture', async () => {
  assert.equal(csvHeader(false), 'ts,src,sport,dst,dport,rtt_us,kind,seg_frame,ack_frame\n');
  assert.equal(csvHeader(true), 'ts,src,sport,dst,dport,rtt_us,kind,seg_frame,ack_frame,seg_input,ack_input\n');
  let rows = 0;
  for (const file of sampleCaptures()) {
    const ours = new CsvRows(undefined);
    await analyze([file], {
      includeLocal: true,
      onSample: (sample) => {
        assert.equal(ours.line(sample), stringify([csvRow(sample, undefined)]));
        rows++;
      },
    });
  }
  assert.ok(rows > 1000, `${rows} rows`);
});

test('a field that needs quoting is quoted by csv-stringify', () => {
  fc.assert(
    fc.property(fc.string(), fc.string(), fc.nat(65535), fc.nat(1e12), fc.array(fc.string(), { minLength: 2, maxLength: 3 }), (src, dst, port, rttNs, inputs) => {
      const half = {};
      const base = { baseSec: 1_700_000_000 };
      const sample = Object.create(Sample.prototype) as Sample;
      Object.defineProperties(sample, {
        base: { value: base },
        half: { value: half },
        src: { value: src },
        dst: { value: dst },
        sport: { value: port },
        dport: { value: port },
      });
      sample.segFrame = frameRef(1, 7);
      sample.ackFrame = frameRef(0, 9);
      sample.ackNs = 5;
      sample.rttNs = rttNs;
      sample.kind = 0;
      for (const names of [undefined, inputs]) {
        const line = new CsvRows(names).line(sample);
        assert.equal(line, stringify([csvRow(sample, names)]));
      }
    }),
  );
});

test('the fast number formats equal formatEpoch and toFixed(3), across seconds and bases', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.integer({ min: 1_600_000_000, max: 1_900_000_000 }), fc.integer({ min: 0, max: 100e9 })), { maxLength: 50 }), (times) => {
      const epoch = new EpochText();
      for (const [baseSec, ns] of times) assert.equal(epoch.format({ baseSec }, ns), formatEpoch({ baseSec }, ns));
    }),
  );
  fc.assert(fc.property(fc.integer({ min: 0, max: 1e13 }), (rttNs) => assert.equal(usWithNanos(rttNs), (rttNs / 1000).toFixed(3))));
});

/** A SinkStream that keeps what it is given. */
function memoryStream(): { write(text: string | Uint8Array): boolean; drained(): Promise<void>; text(): string } {
  const parts: Buffer[] = [];
  return {
    write: (text) => (parts.push(Buffer.from(text)), true),
    drained: () => Promise.resolve(),
    text: () => Buffer.concat(parts).toString('utf8'),
  };
}

test('the byte-writing CSV sink writes what csv-stringify writes, every sample of every sample capture', async () => {
  for (const file of sampleCaptures()) {
    const out = memoryStream();
    const sink = new CsvByteSink(out, csvHeader(false), undefined);
    let expected = csvHeader(false);
    await analyze([file], {
      includeLocal: true,
      onSample: (sample) => {
        sink.add(sample);
        expected += stringify([csvRow(sample, undefined)]);
      },
    });
    sink.flush();
    assert.equal(out.text(), expected, file);
  }
});

test('the byte-writing CSV sink: fields that need quoting go through csv-stringify; buffers roll over', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.string(), fc.nat(65535), fc.nat(1e12), fc.nat(200e9), fc.nat(2), fc.nat(1e6)), { minLength: 1, maxLength: 3000 }),
      fc.option(fc.array(fc.string(), { minLength: 2, maxLength: 3 })),
      (rows, someInputs) => {
        // Input names of any text (a comma, a quote, a line break): quoted as csv-stringify quotes them.
        const inputs = someInputs ?? undefined;
        const out = memoryStream();
        const sink = new CsvByteSink(out, '', inputs);
        let expected = '';
        const base = { baseSec: 1_700_000_000 };
        for (const [src, port, rttNs, ackNs, input, frame] of rows) {
          const sample = Object.create(Sample.prototype) as Sample;
          Object.defineProperties(sample, {
            base: { value: base },
            half: { value: {} },
            src: { value: src },
            dst: { value: '10.0.0.1' },
            sport: { value: port },
            dport: { value: 80 },
          });
          sample.segFrame = frameRef(input, frame + 1);
          sample.ackFrame = frameRef(0, frame + 2);
          sample.ackNs = ackNs;
          sample.rttNs = rttNs;
          sample.kind = 0;
          sink.add(sample);
          expected += stringify([csvRow(sample, inputs)]);
        }
        sink.flush();
        assert.equal(out.text(), expected);
      },
    ),
    { numRuns: 50 },
  );
});
