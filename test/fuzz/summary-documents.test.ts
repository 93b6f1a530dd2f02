/**
 * Summary documents on any content (issue 16): real `--json` documents with a value replaced,
 * a key added or removed, anywhere, by hostile values (`__proto__` objects, keys past every
 * range, huge and fractional numbers, control characters, deep nesting). Reading, merging and
 * rendering them must only ever succeed or throw RttscanError; nothing may be written outside
 * rttscan's own objects (the prototypes and globals stay as they were); and rttscan's run-time
 * validator must give ajv's verdict on the published schema.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { analyze } from '../../src/analyze.js';
import { RttscanError } from '../../src/errors.js';
import { mergeSummaries } from '../../src/merge/merge-summaries.js';
import { parseSummaryDocuments } from '../../src/merge/summary-document.js';
import { renderHistograms } from '../../src/render/histogram.js';
import { documentJson, renderJson, stringifyDocument } from '../../src/render/json.js';
import { renderTable } from '../../src/render/table.js';
import { schemaViolation } from '../../src/schema/validate.js';
import { SAMPLES_DIR } from '../helpers/paths.js';
import { lport } from '../helpers/tcprt.js';
import { publishedSchema } from '../helpers/schema.js';

const SEED = process.env.FUZZ_SEED === undefined ? 0x5ca1ab1e : Number(process.env.FUZZ_SEED);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path (keys and indexes) to a value in `doc`, the root excluded. */
function pathsOf(doc: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (Array.isArray(doc)) doc.slice(0, 8).forEach((v, i) => (out.push([...prefix, i]), pathsOf(v, [...prefix, i], out)));
  else if (doc !== null && typeof doc === 'object') for (const [k, v] of Object.entries(doc)) out.push([...prefix, k]), pathsOf(v, [...prefix, k], out);
  return out;
}

const hostileKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'x\u001b[2J', 'peak_active', 'R', '0');
const hostileNumber = fc.constantFrom(1e300, -1e300, 0.5, -1, -2e9, 2e9, 2 ** 53 + 2, 2 ** 64, 1e-300, -0);
const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  hostileNumber,
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
  fc.string({ maxLength: 20 }),
  fc.constantFrom<Json>('\u001b]0;pwned\u0007', '-1.000000000', '99999999999999999999.999999999', 'usecs', 'all', 'rttscan'),
  fc.dictionary(hostileKey, fc.oneof(hostileNumber, fc.constant<Json>({ intervalNs: 1000 }), fc.constant<Json>({ tcprt: { x: 1 } })), { maxKeys: 3 }),
  fc.integer({ min: 1, max: 3000 }).map((n) => new Array<Json>(n).fill(1)),
  fc.integer({ min: 30, max: 60 }).map((depth) => {
    let v: Json = 1;
    for (let i = 0; i < depth; i++) v = { a: v };
    return v;
  }),
);

type Mutation = { kind: 'set' | 'delete' | 'add'; pathIndex: number; key: string; value: Json };
const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('set', 'set', 'set', 'delete', 'add'),
  pathIndex: fc.nat(),
  key: hostileKey,
  value: hostileValue,
});

/** The document with one mutation, as JSON text (JSON.parse keeps "__proto__" an own key). */
function mutated(doc: Json, m: Mutation): string {
  const copy = JSON.parse(JSON.stringify(doc)) as Json;
  const paths = pathsOf(copy);
  const path = paths[m.pathIndex % paths.length]!;
  let parent = copy as Record<string | number, Json>;
  for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  const target = parent[last];
  if (m.kind === 'delete') delete parent[last];
  else if (m.kind === 'add' && target !== null && typeof target === 'object' && !Array.isArray(target)) {
    Object.defineProperty(target, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
  } else parent[last] = m.value;
  return JSON.stringify(copy);
}

function snapshot(): string {
  const names = (o: object): string => Object.getOwnPropertyNames(o).sort().join(',');
  return [names(Object.prototype), names(Array.prototype), names(Function.prototype), names(globalThis)].join('|');
}

test('mutated summary documents: RttscanError or a result, nothing written outside, ajv agrees', async () => {
  const base: Json[] = [];
  for (const [file, by] of [
    ['http-v4/server.pcap', 'all'],
    ['mixed-loss/server.pcap', 'flow'],
    ['http-v6-pcapng/client.pcapng', 'raddr'],
  ] as const) {
    base.push(JSON.parse(renderJson(await analyze([join(SAMPLES_DIR, file)], { by }), 'usecs')) as Json);
  }
  // And one with a TCP-RT section (ports with time sketches and sums).
  const tcprt = await analyze([join(SAMPLES_DIR, 'http-v4/server.pcap')], { tcprt: { rules: [lport(8080)], statsIntervalNs: 0, firstFrameBytes: [], flush: false } });
  base.push(JSON.parse(renderJson(tcprt, 'usecs')) as Json);
  assert.ok((base[3] as { tcprt?: { ports: unknown[] } }).tcprt!.ports.length > 0);
  const schema = publishedSchema();
  const before = snapshot();
  let accepted = 0;
  let refused = 0;
  fc.assert(
    fc.property(fc.nat({ max: base.length - 1 }), fc.array(mutationArb, { minLength: 1, maxLength: 3 }), (which, mutations) => {
      let text = JSON.stringify(base[which]);
      for (const m of mutations) text = mutated(JSON.parse(text) as Json, m);
      const value = JSON.parse(text) as unknown;
      assert.equal(schemaViolation(value) === undefined, schema.document(value), `verdicts differ on ${text.slice(0, 300)}`);
      try {
        const docs = parseSummaryDocuments(text, 'fuzz.json');
        const merged = mergeSummaries([...docs, ...docs]);
        const out = documentJson(merged.head, merged.report, merged.histogramUnit);
        assert.ok(schema.document(out), 'a merge of accepted documents does not keep to the schema');
        stringifyDocument(out);
        renderTable(merged.report.groups);
        renderHistograms(merged.report.by, merged.report.groups, merged.histogramUnit);
        accepted++;
      } catch (err) {
        if (!(err instanceof RttscanError)) throw err;
        assert.ok(!err.message.includes('\n') && !/[\u0000-\u001f]/.test(err.message), `message not one clean line: ${JSON.stringify(err.message)}`);
        refused++;
      }
      assert.equal(({} as Record<string, unknown>).intervalNs, undefined);
      assert.equal(snapshot(), before, 'a document wrote outside its own objects');
    }),
    { seed: SEED, numRuns: 600 },
  );
  // Both outcomes must occur, or the mutations miss what they are for.
  assert.ok(accepted > 5 && refused > 100, `accepted ${accepted}, refused ${refused}`);
});
