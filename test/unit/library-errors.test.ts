/**
 * The library names no flag in its errors: an error about an option carries the option's
 * library name (RttscanError.option) and says it in the library's words; only src/cli turns it
 * into the flag, so the CLI prints the words it always has (cli/error-text.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { errorText, flagOf } from '../../src/cli/error-text.js';
import { buildProgram } from '../../src/cli/options.js';
import { RttscanError, usageError, type OptionName } from '../../src/errors.js';
import { PrometheusEndpoint } from '../../src/export/prometheus.js';
import { RttMetrics } from '../../src/export/rtt-metrics.js';
import { analyzeLive } from '../../src/live.js';
import { mergeSummaries } from '../../src/merge/merge-summaries.js';
import { parseSummaryDocuments } from '../../src/merge/summary-document.js';
import { Analysis } from '../../src/analyze.js';
import { hasCommand } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/paths.js';

const OPTIONS: OptionName[] = ['filter', 'ifaces', 'backend', 'failIf', 'baseline', 'prometheus', 'statsd', 'by', 'histogramUnit', 'listInterfaces'];

test('every option an error can name is a flag the CLI has', () => {
  const longs = new Set(buildProgram().options.map((o) => o.long));
  for (const option of OPTIONS) {
    const flag = flagOf(option).replace(/^rttscan /, '');
    assert.ok(longs.has(flag), `${option}: ${flag} is not a flag of rttscan`);
  }
});

test('an error worded with its options: the library says their names, the CLI their flags', () => {
  const err = usageError((name) => `${name('filter')} 'tcp and and': not valid; see ${name('listInterfaces')}`, 'filter');
  assert.ok(err instanceof RttscanError);
  assert.equal(err.code, 'usage');
  assert.equal(err.option, 'filter');
  assert.equal(err.message, "filter 'tcp and and': not valid; see listInterfaces()");
  assert.equal(errorText(err), "--filter 'tcp and and': not valid; see rttscan --list-interfaces");
  // A plain message names no option: the same words on both sides.
  const plain = new RttscanError('input', 'x.pcap: no such file');
  assert.equal(plain.option, undefined);
  assert.equal(errorText(plain), plain.message);
  assert.equal(errorText(new Error('not ours')), 'not ours');
});

test('PrometheusEndpoint on an address in use: the library names its listen address, the CLI --prometheus', async (t) => {
  const busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  t.after(() => busy.close());
  const port = (busy.address() as { port: number }).port;
  const counters = new Analysis({}).counterSnapshot();
  const source = { metrics: new RttMetrics({ cap: 10, idleNs: 1e9 }), snapshot: () => ({ inputs: [], counters }) };
  const err = await PrometheusEndpoint.listen('127.0.0.1', port, source, () => undefined).then(
    () => assert.fail('listened on a port in use'),
    (e: unknown) => e as RttscanError,
  );
  assert.equal(err.option, 'prometheus');
  assert.equal(err.message, `prometheus 127.0.0.1:${port}: cannot listen (address in use)`);
  assert.equal(errorText(err), `--prometheus 127.0.0.1:${port}: cannot listen (address in use)`);
});

test('mergeSummaries over documents grouped or binned apart: the library names the document fields, the CLI the flags that set them', () => {
  const text = readFileSync(join(REPO_ROOT, 'test/golden/bulk-v4_client.pcap.json.txt'), 'utf8');
  const [doc] = parseSummaryDocuments(text, 'a.json');
  assert.ok(doc);
  const byRaddr = { ...doc, name: 'b.json', by: 'raddr' as const };
  const inMs = { ...doc, name: 'c.json', histogramUnit: doc.histogramUnit === 'msecs' ? ('usecs' as const) : ('msecs' as const) };
  const cases: Array<[typeof doc, RegExp, RegExp]> = [
    [byRaddr, /^b\.json groups by raddr but a\.json by all: merge summaries made with the same grouping \(by\)$/, /: merge summaries made with the same --by$/],
    [inMs, /^c\.json has a \w+ histogram but a\.json \w+: merge summaries made with the same histogram unit \(histogramUnit\)$/, /: merge summaries made with the same --ms$/],
  ];
  for (const [other, library, cli] of cases) {
    assert.throws(
      () => mergeSummaries([doc, other]),
      (err: RttscanError) => library.test(err.message) && cli.test(errorText(err)) && !err.message.includes('--'),
    );
  }
});

test('analyzeLive on an interface that does not exist: the library names the interface and listInterfaces(), the CLI --live', async (t) => {
  if (process.getuid?.() !== 0 || !hasCommand('tcpdump')) {
    t.skip('needs root and tcpdump');
    return;
  }
  const err = await analyzeLive({ ifaces: ['rttscan-nope0'], backend: 'tcpdump' }).then(
    () => assert.fail('captured on an interface that does not exist'),
    (e: unknown) => e as RttscanError,
  );
  assert.equal(err.option, 'ifaces');
  assert.equal(err.message, 'interface rttscan-nope0: no such interface (listInterfaces() shows what can be captured)');
  assert.equal(errorText(err), '--live rttscan-nope0: no such interface (rttscan --list-interfaces shows what can be captured)');
});
