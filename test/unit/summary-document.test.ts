/** Reading --json documents back for merge and --baseline: what is accepted, and what each fault says. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/analyze.js';
import { parseSummaryDocuments } from '../../src/merge/summary-document.js';
import { renderJson } from '../../src/render/json.js';
import { join } from 'node:path';
import { SAMPLES_DIR } from '../helpers/paths.js';

const SERVER = join(SAMPLES_DIR, 'http-v4', 'server.pcap');

async function documentText(by: 'all' | 'raddr' = 'all'): Promise<string> {
  const result = await analyze([SERVER], { by });
  return renderJson(result, 'usecs');
}

function edited(text: string, edit: (doc: Record<string, any>) => void): string {
  const doc = JSON.parse(text) as Record<string, any>;
  edit(doc);
  return JSON.stringify(doc);
}

test('a document reads back into the statistics it was written from', async () => {
  const result = await analyze([SERVER], { by: 'raddr' });
  const [doc] = parseSummaryDocuments(renderJson(result, 'usecs'), 'a.json');
  assert.ok(doc);
  assert.equal(doc.name, 'a.json');
  assert.equal(doc.by, 'raddr');
  assert.equal(doc.summary.count, result.summary.count);
  for (const q of [0.5, 0.9, 0.99]) assert.equal(doc.summary.quantile(q), result.summary.quantile(q));
  assert.equal(doc.summary.mean, result.summary.mean);
  assert.equal(doc.summary.srttUs, result.summary.srttUs);
  assert.deepEqual(Array.from(doc.summary.histogram.counts), Array.from(result.summary.histogram.counts));
  assert.deepEqual(doc.groups.map((g) => [g.key, g.stats.count]), result.groups.map((g) => [g.key, g.stats.count]));
  assert.deepEqual(doc.inputs, result.inputs);
  assert.deepEqual(doc.unknownKeys, []);
});

test('an --each array gives one document per element, named by index', async () => {
  const text = await documentText();
  const docs = parseSummaryDocuments(`[${text},${text}]`, 'each.json');
  assert.deepEqual(docs.map((d) => d.name), ['each.json[0]', 'each.json[1]']);
});

test('keys this version does not know are listed, not refused', async () => {
  const [doc] = parseSummaryDocuments(edited(await documentText(), (d) => (d.html = { pages: [] })), 'a.json');
  assert.deepEqual(doc!.unknownKeys, ['html']);
});

test('every fault names the file and the field, and is an input error', async () => {
  const text = await documentText();
  const cases: Array<[string, RegExp]> = [
    ['{"tool": "rttscan", ', /^a\.json: not JSON \(/],
    ['{"a":1}\n{"b":2}\n', /^a\.json: one JSON object per line \(--interval output\); merge reads the document of a run without --interval$/],
    ['42', /^a\.json: not an rttscan --json document \(not a JSON object\)$/],
    ['[]', /^a\.json: an empty array, no documents$/],
    ['[1]', /^a\.json\[0\]: not a JSON object$/],
    ['{"tool": "tcpdump"}', /^a\.json: not an rttscan --json document \(no "tool": "rttscan"\)$/],
    [edited(text, (d) => delete d.summary.merge_state), /^a\.json: summary\.merge_state: missing: this document was written by an rttscan without mergeable summaries; run rttscan --json on the capture again$/],
    [edited(text, (d) => (d.summary.samples = 'many')), /^a\.json: summary\.samples: expected a number, found "many"$/],
    [edited(text, (d) => (d.summary.samples = 3)), /^a\.json: summary\.samples: 3, but the sketch holds 108 and the histogram 108$/],
    [edited(text, (d) => (d.groups[0].sketch.counts[1] = -1)), /^a\.json: groups\[0\]\.sketch\.counts\[1\]: expected a whole number >= 0, found -1$/],
    [edited(text, (d) => (d.summary.sketch.relative_accuracy = 0.02)), /^a\.json: summary\.sketch\.relative_accuracy: 0\.02, but this rttscan merges sketches of 0\.01 only$/],
    [edited(text, (d) => (d.group_by = 'host')), /^a\.json: group_by: 'host' is not one of all, laddr, raddr, lport, rport, flow$/],
    [edited(text, (d) => (d.start = '17.5')), /^a\.json: start: '17\.5' is not seconds\.nanoseconds$/],
    [edited(text, (d) => (d.counters.flows.created = 'x')), /^a\.json: counters\.flows\.created: expected a number or an object of numbers, found "x"$/],
    [edited(text, (d) => (d.inputs[0].packets = -3)), /^a\.json: inputs\[0\]\.packets: expected a whole number >= 0, found -3$/],
    [edited(text, (d) => (d.summary.merge_state.histogram_unit = 'secs')), /^a\.json: summary\.merge_state\.histogram_unit: 'secs' is not one of usecs, msecs$/],
    [edited(text, (d) => (d.summary.merge_state.histogram_counts = new Array(65).fill(0))), /^a\.json: summary\.merge_state\.histogram_counts: 65 slots, at most 64$/],
    [edited(text, (d) => delete d.summary), /^a\.json: an --interval report line, not a whole run's document$/],
  ];
  for (const [input, message] of cases) {
    assert.throws(
      () => parseSummaryDocuments(input, 'a.json'),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, 'input', err.message);
        assert.match(err.message, message);
        return true;
      },
      input.slice(0, 60),
    );
  }
});
