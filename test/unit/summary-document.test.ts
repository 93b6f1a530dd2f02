/** Reading --json documents back for merge and --baseline: what is accepted, and what each fault says. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyze } from '../../src/analyze.js';
import { parseSummaryDocuments } from '../../src/merge/summary-document.js';
import { renderJson } from '../../src/render/json.js';
import { join } from 'node:path';
import { SAMPLES_DIR } from '../helpers/paths.js';

const SERVER = join(SAMPLES_DIR, 'http-v4', 'server.pcap');
const tcprtless = renderJson(await analyze([SERVER], {}), 'usecs');

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
  assert.deepEqual(
    doc.groups.map((g) => [g.key, g.stats.count]),
    result.groups.map((g) => [g.key, g.stats.count]),
  );
  assert.deepEqual(doc.inputs, result.inputs);
});

test('an --each array gives one document per element, named by index', async () => {
  const text = await documentText();
  const docs = parseSummaryDocuments(`[${text},${text}]`, 'each.json');
  assert.deepEqual(
    docs.map((d) => d.name),
    ['each.json[0]', 'each.json[1]'],
  );
});

test('a tcprt section is read and merged; a key no rttscan writes is refused', async () => {
  const tcprt = {
    ports: [],
    records: { R: 1, P: 0, W: 0, N: 0, E: 1 },
    connections: { matched: 1, assumed: 0, remote_only: 0, closed: 1, open_unreported: 0, flushed: 0 },
  };
  const [doc] = parseSummaryDocuments(
    edited(await documentText(), (d) => (d.tcprt = tcprt)),
    'a.json',
  );
  assert.equal(doc!.tcprt?.counters.records.R, 1);
  assert.throws(
    () =>
      parseSummaryDocuments(
        edited(tcprtless, (d) => (d.html = { pages: [] })),
        'a.json',
      ),
    /^RttscanError: a\.json: html: unknown key "html"$/,
  );
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
    [
      edited(text, (d) => delete d.summary.merge_state),
      /^a\.json: summary\.merge_state: missing: this document was written by an rttscan without mergeable summaries; run rttscan --json on the capture again$/,
    ],
    [edited(text, (d) => (d.summary.samples = 'many')), /^a\.json: summary\.samples: expected a whole number, found "many"$/],
    [edited(text, (d) => (d.summary.samples = 3)), /^a\.json: summary\.samples: 3, but the sketch holds 108 and the histogram 108$/],
    [edited(text, (d) => (d.groups[0].sketch.counts[1] = -1)), /^a\.json: groups\[0\]\.sketch\.counts\[1\]: -1 is below the minimum 0$/],
    [edited(text, (d) => (d.summary.sketch.relative_accuracy = 0.02)), /^a\.json: summary\.sketch\.relative_accuracy: 0\.02, expected 0\.01$/],
    [edited(text, (d) => (d.group_by = 'host')), /^a\.json: group_by: "host" is not one of all, laddr, raddr, lport, rport, flow, process$/],
    [edited(text, (d) => (d.start = '17.5')), /^a\.json: start: "17\.5" is not of the form rttscan writes \(epoch seconds with nine decimals\)$/],
    [edited(text, (d) => (d.counters.flows.created = 'x')), /^a\.json: counters\.flows\.created: expected a whole number or an object, found "x"$/],
    [edited(text, (d) => (d.inputs[0].packets = -3)), /^a\.json: inputs\[0\]\.packets: -3 is below the minimum 0$/],
    [edited(text, (d) => (d.summary.merge_state.histogram_unit = 'secs')), /^a\.json: summary\.merge_state\.histogram_unit: "secs" is not one of usecs, msecs$/],
    [edited(text, (d) => (d.summary.merge_state.histogram_counts = new Array(65).fill(0))), /^a\.json: summary\.merge_state\.histogram_counts: 65 items, at most 64$/],
    [edited(text, (d) => delete d.summary), /^a\.json: an --interval report line, not a whole run's document$/],
    [edited(text, (d) => delete d.schema_version), /^a\.json: no schema_version: written by an rttscan older than this document format; run rttscan --json on the capture again$/],
    [edited(text, (d) => (d.schema_version = 2)), /^a\.json: schema_version: 2, expected 1$/],
    // Bounds (issue 16 item 4): each names the field and the bound it broke.
    [edited(text, (d) => (d.summary.sketch.min_key = 1e300)), /^a\.json: summary\.sketch\.min_key: 1e\+300 is above the maximum 1873$/],
    [edited(text, (d) => (d.summary.sketch.min_key = 0.5)), /^a\.json: summary\.sketch\.min_key: expected a whole number, found 0\.5$/],
    [edited(text, (d) => (d.summary.sketch.min_key = -2e9)), /^a\.json: summary\.sketch\.min_key: -2000000000 is below the minimum -345$/],
    [edited(text, (d) => (d.summary.sketch.min_key = 1850)), /^a\.json: summary\.sketch\.counts: bins from key 1850 to 1902, past the largest key 1873 \(an RTT of 2\^64 ns\)$/],
    [edited(text, (d) => (d.summary.sketch.counts = new Array(10_000_000).fill(0))), /^a\.json: summary\.sketch\.counts: 10000000 items, at most 2219$/],
    [edited(text, (d) => (d.inputs = new Array(100_001).fill(d.inputs[0]))), /^a\.json: inputs: 100001 items, at most 100000$/],
    // Built as text: JSON.stringify itself would overflow the stack on it.
    [text.replace('"rtt": {', `"rtt": {"nested": ${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)},`), /^a\.json: nested more than 32 levels deep$/],
    [edited(text, (d) => (d.counters.rtt.nested = { a: { b: 1 } })), /^a\.json: counters\.rtt\.nested\.a: expected a whole number, found an object$/],
    [edited(text, (d) => (d.counters = JSON.parse('{"__proto__":{"intervalNs":1000}}'))), /^a\.json: counters\.__proto__: "__proto__" is not a key rttscan writes$/],
    [
      edited(text, (d) => (d.counters.decode.unsupported_linktypes = JSON.parse('{"constructor":1}'))),
      /^a\.json: counters\.decode\.unsupported_linktypes\.constructor: "constructor" is not a key rttscan writes$/,
    ],
    [edited(text, (d) => (d.groups[0].key = 'x'.repeat(300))), /^a\.json: groups\[0\]\.key: 300 characters, at most 256$/],
    [edited(text, (d) => (d.summary.merge_state.sum_ns = 2 ** 60)), /^a\.json: summary\.merge_state\.sum_ns: 1152921504606847000 is above the maximum 9007199254740991$/],
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
