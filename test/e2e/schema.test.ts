/**
 * The published JSON Schema (issue 10 item 7): the file in the package is what the source
 * gives, ajv accepts it in strict mode, and every document rttscan writes keeps to it: each
 * golden JSON, each --interval line, each merged document and --each array, a --tcprt run's and
 * a live-shaped input's. rttscan's own run-time validator gives the same verdict as ajv.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DDSketch } from '@datadog/sketches-js';
import { SCHEMA_PATH, schemaFileText } from '../../src/schema/schema-file.js';
import { MAX_SKETCH_KEY, MIN_SKETCH_KEY, SUMMARY_SCHEMA } from '../../src/schema/summary-schema.js';
import { ANNOTATIONS, KEYWORDS, schemaViolation } from '../../src/schema/validate.js';
import { runCliInProcess } from '../helpers/cli.js';
import { REPO_ROOT, tempDir } from '../helpers/paths.js';
import { ajvErrors, publishedSchema } from '../helpers/schema.js';

const GOLDEN_DIR = join(REPO_ROOT, 'test', 'golden');

/** Both validators agree that `doc` keeps to the schema part. */
function assertValid(doc: unknown, part: 'document' | 'intervalReport' | 'documentArray', what: string): void {
  const schema = publishedSchema();
  assert.equal(ajvErrors(schema[part], doc), '', `${what}: ajv`);
  const def = part === 'document' ? undefined : part === 'intervalReport' ? 'interval_report' : 'document_array';
  assert.equal(schemaViolation(doc, def), undefined, `${what}: rttscan's validator`);
}

test('schema/rttscan-summary.schema.json is what src/schema gives (run npm run docs after changing it)', () => {
  assert.equal(readFileSync(join(REPO_ROOT, SCHEMA_PATH), 'utf8'), schemaFileText(), `${SCHEMA_PATH} is stale: run npm run docs and commit it`);
});

test('the package ships the schema and exports it', () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { files: string[]; exports: Record<string, string> };
  assert.ok(pkg.files.includes('schema'), 'package.json files lacks schema');
  assert.equal(pkg.exports['./schema.json'], `./${SCHEMA_PATH}`);
});

test('the schema uses only keywords the run-time validator implements, and $ref/anyOf alone', () => {
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      node.forEach((n, i) => walk(n, `${path}[${i}]`));
      return;
    }
    if (node === null || typeof node !== 'object') return;
    const keys = Object.keys(node);
    for (const key of keys) assert.ok(KEYWORDS.has(key) || ANNOTATIONS.has(key), `${path}: keyword ${key} is not implemented by src/schema/validate.ts`);
    if (keys.includes('$ref') || keys.includes('anyOf')) assert.deepEqual(keys.filter((k) => !ANNOTATIONS.has(k)).length, 1, `${path}: $ref/anyOf with siblings`);
    for (const [key, child] of Object.entries(node)) {
      if (key === 'properties' || key === '$defs') for (const [name, sub] of Object.entries(child as object)) walk(sub, `${path}.${key}.${name}`);
      else if (key === 'const' || key === 'enum' || key === 'required') continue;
      else walk(child, `${path}.${key}`);
    }
  };
  walk(SUMMARY_SCHEMA, '#');
});

test("the sketch key bounds are the keys of 1 ns and 2^64 ns in the sketch's own mapping", () => {
  const mapping = new DDSketch({ relativeAccuracy: 0.01 }).mapping;
  assert.equal(MIN_SKETCH_KEY, mapping.key(0.001));
  assert.equal(MAX_SKETCH_KEY, mapping.key(2 ** 64 / 1000));
  assert.ok(MIN_SKETCH_KEY <= mapping.key(0.001) && mapping.key(1e9) < MAX_SKETCH_KEY);
});

const goldens = readdirSync(GOLDEN_DIR).filter((f) => f.endsWith('.json.txt'));

test(`every golden JSON document (${goldens.length}) keeps to the schema`, () => {
  assert.ok(goldens.length >= 10);
  for (const file of goldens) assertValid(JSON.parse(readFileSync(join(GOLDEN_DIR, file), 'utf8')), 'document', file);
});

test('--interval JSON lines, --each arrays, merged documents and a --tcprt run keep to the schema', async (t) => {
  const dir = await tempDir(t);
  const intervals = await runCliInProcess(['samples/mixed-loss/server.pcap', '--interval', '100ms', '--json', '-', '-q']);
  assert.equal(intervals.status, 0, intervals.stderr);
  const lines = intervals.stdout.trim().split('\n');
  assert.ok(lines.length > 3, `${lines.length} interval lines`);
  for (const [i, line] of lines.entries()) assertValid(JSON.parse(line), 'intervalReport', `interval line ${i + 1}`);

  const each = await runCliInProcess(['samples/http-v4/client.pcap', 'samples/http-v4/server.pcap', '--each', '--by', 'raddr', '--json', '-', '-q']);
  assert.equal(each.status, 0, each.stderr);
  assertValid(JSON.parse(each.stdout), 'documentArray', '--each array');

  const parts = await Promise.all(
    ['http-v4/client.pcap', 'mixed-loss/server.pcap'].map(async (p, i) => {
      const out = join(dir, `${i}.json`);
      const r = await runCliInProcess([`samples/${p}`, '--by', 'flow', '--json', out, '-q']);
      assert.equal(r.status, 0, r.stderr);
      return out;
    }),
  );
  const merged = await runCliInProcess(['merge', ...parts, '--json', '-', '-q']);
  assert.equal(merged.status, 0, merged.stderr);
  assertValid(JSON.parse(merged.stdout), 'document', 'merged document');
  const mergedPath = join(dir, 'merged.json');
  writeFileSync(mergedPath, merged.stdout);
  const again = await runCliInProcess(['merge', mergedPath, parts[0]!, '--json', '-', '-q']);
  assert.equal(again.status, 0, again.stderr);
  assertValid(JSON.parse(again.stdout), 'document', 'merge of a merge');
  const mergedEach = await runCliInProcess(['merge', ...parts, '--each', '--json', '-', '-q']);
  assert.equal(mergedEach.status, 0, mergedEach.stderr);
  assertValid(JSON.parse(mergedEach.stdout), 'documentArray', 'merge --each');

  const tcprt = await runCliInProcess(['samples/http-v4/server.pcap', '--tcprt', join(dir, 'rt'), '--lports', '8080', '--lports-range', '1-1024', '--json', '-', '-q']);
  assert.equal(tcprt.status, 0, tcprt.stderr);
  const tcprtDoc = JSON.parse(tcprt.stdout) as { tcprt?: unknown };
  assert.ok(tcprtDoc.tcprt !== undefined, 'no tcprt section');
  assertValid(tcprtDoc, 'document', '--tcprt document');
  const tcprtLines = await runCliInProcess(['samples/http-v4/server.pcap', '--tcprt', join(dir, 'rt2'), '--lports', '8080', '--interval', '200ms', '--json', '-', '-q']);
  assert.equal(tcprtLines.status, 0, tcprtLines.stderr);
  const withPorts = tcprtLines.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { tcprt?: { ports: unknown[] } });
  assert.ok(
    withPorts.some((l) => (l.tcprt?.ports.length ?? 0) > 0),
    'no interval line with TCP-RT ports',
  );
  for (const [i, line] of withPorts.entries()) assertValid(line, 'intervalReport', `--tcprt interval line ${i + 1}`);
  const tcprtPath = join(dir, 'tcprt.json');
  writeFileSync(tcprtPath, tcprt.stdout);
  const tcprtMerged = await runCliInProcess(['merge', tcprtPath, tcprtPath, '--json', '-', '-q']);
  assert.equal(tcprtMerged.status, 0, tcprtMerged.stderr);
  assertValid(JSON.parse(tcprtMerged.stdout), 'document', 'merged --tcprt documents');
});
