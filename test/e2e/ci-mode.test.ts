/** CI regression mode end to end: --fail-if exit codes and messages, --baseline deltas, --each. */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

const SERVER = 'samples/http-v4/server.pcap';
const CLIENT = 'samples/http-v4/client.pcap';
const LOSS = 'samples/mixed-loss/server.pcap';

type Doc = Record<string, any>;

test('--fail-if: exit 0 when no condition holds, 3 when one does, the report printed either way', async () => {
  const pass = await runCliInProcess([SERVER, '--fail-if', 'p90>30ms,samples<100']);
  assert.equal(pass.status, 0, pass.stderr);
  assert.match(pass.stdout, /^all +108 /m);
  assert.doesNotMatch(pass.stderr, /--fail-if/);

  const fail = await runCliInProcess([SERVER, '--fail-if', 'p99>20ms', '--fail-if', 'samples<1000,max<1s']);
  assert.equal(fail.status, 3);
  assert.match(fail.stdout, /^all +108 /m, 'the report is printed before failing');
  const lines = fail.stderr.split('\n').filter((l) => l.includes('--fail-if'));
  assert.deepEqual(lines, ['rttscan: --fail-if p99>20ms: p99 is 66.86ms', 'rttscan: --fail-if samples<1000: samples is 108', 'rttscan: --fail-if max<1s: max is 71.28ms']);
  // --quiet silences notes, never the reason for exit 3.
  const quiet = await runCliInProcess([SERVER, '--fail-if', 'p99>20ms', '-q']);
  assert.equal(quiet.status, 3);
  assert.equal(quiet.stderr, 'rttscan: --fail-if p99>20ms: p99 is 66.86ms\n');
});

test('--fail-if: retransmissions as a percentage of data segments', async () => {
  const doc = JSON.parse((await runCliInProcess([LOSS, '--json', '-', '-q'])).stdout) as Doc;
  const percent = (100 * doc.summary.retransmitted_segments) / doc.summary.data_segments;
  assert.ok(percent > 2 && percent < 3, String(percent));
  assert.equal((await runCliInProcess([LOSS, '--fail-if', 'retrans>3%', '-q'])).status, 0);
  const run = await runCliInProcess([LOSS, '--fail-if', 'retrans>2%', '-q']);
  assert.equal(run.status, 3);
  assert.equal(run.stderr, `rttscan: --fail-if retrans>2%: retrans is ${percent.toFixed(2)}%\n`);
});

test('--fail-if with --by checks every group and names it; with --each the file; with --interval the interval', async () => {
  const byFlow = await runCliInProcess([SERVER, '--by', 'flow', '--fail-if', 'max>40ms', '-q']);
  assert.equal(byFlow.status, 3);
  const flagged = byFlow.stderr.trim().split('\n');
  assert.equal(flagged.length, 2, byFlow.stderr);
  for (const line of flagged) assert.match(line, /^rttscan: --fail-if max>40ms: max is \d+\.\d\dms \(group 10\.99\.0\.2:8080 10\.99\.0\.1:\d+\)$/);

  const each = await runCliInProcess([SERVER, CLIENT, '--each', '--fail-if', 'p50>25.5ms', '-q']);
  assert.equal(each.status, 3);
  assert.equal(each.stderr, `rttscan: --fail-if p50>25.5ms: p50 is 25.60ms (in ${CLIENT})\n`);

  const interval = await runCliInProcess([SERVER, '--interval', '500ms', '--fail-if', 'max>50ms', '-q']);
  assert.equal(interval.status, 3);
  assert.match(interval.stderr, /^rttscan: --fail-if max>50ms: max is 71\.28ms \(interval ending \d+\.\d{9}\)$/m);
});

test('--fail-if: a figure that does not exist is not checked, and a note says so', async () => {
  const run = await runCliInProcess([SERVER, '--lport', '1', '--fail-if', 'p99>1ms']);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /^rttscan: --fail-if p99>1ms: no samples, not checked$/m);
  assert.equal((await runCliInProcess([SERVER, '--lport', '1', '--fail-if', 'samples<1', '-q'])).status, 3, 'samples<1 catches an empty run');
});

test('--fail-if: a bad expression is a usage error before anything is read', async () => {
  const run = await runCliInProcess(['no-such-file.pcap', '--fail-if', 'p99>30 msec']);
  assert.equal(run.status, 2);
  assert.equal(run.stdout, '');
  assert.equal(run.stderr, "rttscan: --fail-if 'p99>30 msec', column 8: unknown unit 'msec' (use ns, us, ms or s)\n  p99>30 msec\n         ^^^^\n");
  const needsBaseline = await runCliInProcess([SERVER, '--fail-if', 'p99>+10%']);
  assert.equal(needsBaseline.status, 2);
  assert.equal(needsBaseline.stderr, 'rttscan: --fail-if p99>+10%: a change needs a baseline to compare with: add --baseline FILE\n');
});

test('--baseline: a table of changes instead of the summary table, and relative --fail-if', async (t) => {
  const dir = await tempDir(t);
  const base = join(dir, 'base.json');
  assert.equal((await runCliInProcess([SERVER, '--json', base, '-q'])).status, 0);

  const same = await runCliInProcess([SERVER, '--baseline', base, '--fail-if', 'p99>+1%,mean>+1us,samples<-1%', '-q']);
  assert.equal(same.status, 0, same.stderr);
  assert.match(same.stdout, /^│ metric +│ baseline │ current │ change +│$/m);
  assert.match(same.stdout, /^│ p99 +│ 66\.86ms +│ 66\.86ms │ \+0\.00µs \(\+0\.0%\) │$/m);
  assert.doesNotMatch(same.stdout, /^group /m, 'no summary table unless asked for');
  assert.equal(same.stdout.match(/^│ (\w+) /gm)?.length, 12, 'a header and one row per metric');

  const worse = await runCliInProcess([CLIENT, '--baseline', base, '--fail-if', 'p90>+10%,p50>+1ms,samples<-50%', '-q']);
  assert.equal(worse.status, 3);
  assert.match(worse.stdout, /^│ samples │ 108 +│ 28 +│ -80 \(-74\.1%\) +│$/m);
  assert.equal(
    worse.stderr,
    ["rttscan: --fail-if p90>+10%: p90 is 66.86ms, +161.2% from the baseline's 25.60ms", "rttscan: --fail-if samples<-50%: samples is 28, -74.1% from the baseline's 108", ''].join(
      '\n',
    ),
  );

  // Both tables when --table is asked for; with JSON on stdout the changes go to stderr.
  const both = await runCliInProcess([CLIENT, '--baseline', base, '--table', '-q']);
  assert.match(both.stdout, /^group +samples/m);
  assert.match(both.stdout, /│ metric +│ baseline/);
  const json = await runCliInProcess([CLIENT, '--baseline', base, '--json', '-', '-q']);
  assert.equal(json.status, 0);
  assert.equal((JSON.parse(json.stdout) as Doc).summary.samples, 28);
  assert.match(json.stderr, /│ metric +│ baseline/);
});

test('--baseline: per group with --by, and the faults it refuses with exit 2', async (t) => {
  const dir = await tempDir(t);
  const base = join(dir, 'base.json');
  assert.equal((await runCliInProcess([SERVER, '--by', 'flow', '--json', base, '-q'])).status, 0);
  const run = await runCliInProcess([SERVER, '--by', 'flow', '--baseline', base, '-q']);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout.match(/^│ 10\.99\.0\.2:8080 10\.99\.0\.1:\d+ │ p99 /gm)?.length, 4, 'a p99 row per connection');

  const each = join(dir, 'each.json');
  assert.equal((await runCliInProcess([SERVER, CLIENT, '--each', '--json', each, '-q'])).status, 0);
  const notJson = join(dir, 'notes.txt');
  writeFileSync(notJson, 'p99 was fine last week\n');
  const cases: Array<[string[], string]> = [
    [[SERVER, '--baseline', base], `rttscan: --baseline ${base}: grouped by flow, this run by all: use the same --by\n`],
    [[SERVER, '--baseline', join(dir, 'missing.json')], `rttscan: ${join(dir, 'missing.json')}: no such file\n`],
    [[SERVER, '--baseline', each], `rttscan: --baseline ${each}: holds 2 summaries; give one (rttscan merge ${each} --json base.json makes one)\n`],
  ];
  for (const [args, stderr] of cases) {
    const r = await runCliInProcess(args);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, stderr);
    assert.equal(r.stdout, '');
  }
  const garbage = await runCliInProcess([SERVER, '--baseline', notJson]);
  assert.equal(garbage.status, 2);
  assert.match(garbage.stderr, /^rttscan: .*notes\.txt: not JSON \(/);
});

test('--each: one report per file under a header, one JSON document per file in an array', async () => {
  const tables = await runCliInProcess([SERVER, CLIENT, '--each', '-q']);
  assert.equal(tables.status, 0, tables.stderr);
  assert.match(tables.stdout, new RegExp(`^==> ${SERVER} <==\\ngroup [^]*\\nall +108 [^]*\\n\\n==> ${CLIENT} <==\\ngroup [^]*\\nall +28 `));
  const json = await runCliInProcess([SERVER, CLIENT, '--each', '--json', '-', '-q']);
  const docs = JSON.parse(json.stdout) as Doc[];
  assert.deepEqual(
    docs.map((d) => [d.inputs[0].path, d.summary.samples]),
    [
      [SERVER, 108],
      [CLIENT, 28],
    ],
  );
  // Each is the same document a run over that file alone writes.
  const alone = JSON.parse((await runCliInProcess([CLIENT, '--json', '-', '-q'])).stdout) as Doc;
  assert.deepEqual(docs[1], alone);
  // Notes and counter lines name their file.
  const noted = await runCliInProcess([SERVER, CLIENT, '--each', '--json', '-']);
  assert.match(noted.stderr, new RegExp(`^rttscan: ${CLIENT}: vantage: 10\\.99\\.0\\.1 is the capture host`, 'm'));
  assert.match(noted.stderr, new RegExp(`^rttscan: ${SERVER}: 303 packets, 303 TCP`, 'm'));
});

test('--each refuses per-sample and per-interval streams that could not say which file', async () => {
  const csv = await runCliInProcess([SERVER, CLIENT, '--each', '--csv', '-']);
  assert.equal(csv.status, 2);
  assert.equal(csv.stderr, 'rttscan: --each cannot be combined with --csv: the rows would not say which file they came from\n');
  const interval = await runCliInProcess([SERVER, '--each', '--interval', '1s']);
  assert.equal(interval.status, 2);
  assert.equal(interval.stderr, 'rttscan: --each cannot be combined with --interval: run rttscan once per file\n');
});
