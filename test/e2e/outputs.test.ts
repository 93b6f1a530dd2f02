/**
 * The output plan as users meet it: every file target is written in every mode, stdout holds
 * one stream when a machine-readable one is there (a second is refused, naming both), -T stamps
 * only what people read, an --interval run's closing line totals the whole run, --jsonl, and
 * output errors (a full disk) are one line naming the target with exit 1 (issue 10, issue 16).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCsv, runCli } from '../helpers/cli.js';
import { CLI_PATH, REPO_ROOT, tempDir } from '../helpers/paths.js';

const CLIENT = 'samples/http-v4/client.pcap';
const SERVER = 'samples/http-v4/server.pcap';
const LOSS = 'samples/mixed-loss/server.pcap';

interface Line {
  start: string;
  end: string;
  summary: { samples: number };
}

test('--interval --json FILE writes one line per interval to the file, and nothing to stdout', async (t) => {
  const file = join(await tempDir(t), 'out.json');
  const run = runCli([CLIENT, '--interval', '1s', '--json', file, '-q']);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, '');
  const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
  assert.equal(lines.length, 2);
  assert.equal(lines.reduce((n, l) => n + l.summary.samples, 0), 28);
});

test('every file target exists after a run, even with no sample (a filter that keeps none)', async (t) => {
  const dir = await tempDir(t);
  const run = runCli([SERVER, '--lport', '1', '--csv', join(dir, 'a.csv'), '--jsonl', join(dir, 'a.jsonl'), '--json', join(dir, 'a.json'), '-q']);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(readFileSync(join(dir, 'a.csv'), 'utf8'), 'ts,src,sport,dst,dport,rtt_us,kind,seg_frame,ack_frame\n');
  assert.equal(readFileSync(join(dir, 'a.jsonl'), 'utf8'), '');
  assert.equal((JSON.parse(readFileSync(join(dir, 'a.json'), 'utf8')) as Line).summary.samples, 0);
});

test('a second stream on stdout beside a machine-readable one is refused, naming both (exit 2)', () => {
  const cases: Array<[string[], RegExp]> = [
    [['--json', '-', '--csv', '-'], /--csv - and --json - both write to stdout/],
    [['--samples', '--csv', '-'], /--samples and --csv - both write to stdout/],
    [['--histogram', '--csv', '-'], /--histogram and --csv - both write to stdout/],
    [['--json', '--jsonl'], /--jsonl - and --json - both write to stdout/],
    [['--table', '--json=-'], /--table and --json - both write to stdout/],
    [['--tcprt', '--lports', '8080', '--json', '-'], /--json - and --tcprt both write to stdout/],
  ];
  for (const [args, message] of cases) {
    const run = runCli([SERVER, ...args]);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.equal(run.stderr.split('\n').length, 2, 'one line');
    assert.equal(run.stdout, '');
  }
  const twoFiles = runCli([SERVER, '--csv', 'same.out', '--json', 'same.out']);
  assert.equal(twoFiles.status, 2);
  assert.match(twoFiles.stderr, /--csv same\.out and --json same\.out would write the same file/);
});

test('human reports together on stdout are fine, and one machine stream with others in files', async (t) => {
  const dir = await tempDir(t);
  const both = runCli([SERVER, '--histogram', '--table', '-q']);
  assert.equal(both.status, 0);
  assert.match(both.stdout, /All Addresses/);
  assert.match(both.stdout, /^group +samples/m);
  const mixed = runCli([SERVER, '--csv', '-', '--json', join(dir, 'x.json'), '--jsonl', join(dir, 'x.jsonl'), '-q']);
  assert.equal(mixed.status, 0, mixed.stderr);
  assert.equal(parseCsv(mixed.stdout).length, 108);
});

test('-T stamps the human reports only: no clock lines inside CSV rows or JSON lines', async (t) => {
  const dir = await tempDir(t);
  const csv = join(dir, 'rtt.csv');
  const json = join(dir, 'rtt.json');
  const run = runCli([CLIENT, '--interval', '1s', '-T', '--histogram', '--csv', csv, '--json', json, '-q']);
  assert.equal(run.status, 0, run.stderr);
  assert.equal((run.stdout.match(/^\d\d:\d\d:\d\d$/gm) ?? []).length, 2);
  const rows = readFileSync(csv, 'utf8').trim().split('\n');
  assert.ok(rows.every((r) => r.split(',').length === 9), 'every CSV line is a row');
  assert.ok(readFileSync(json, 'utf8').trim().split('\n').every((l) => l.startsWith('{')));
  const machineOnly = runCli([CLIENT, '--interval', '1s', '-T', '--csv', '-']);
  assert.equal(machineOnly.status, 2);
  assert.match(machineOnly.stderr, /-T stamps the reports people read/);
  assert.equal(machineOnly.stdout, '');
});

test("the closing line of an --interval run totals the whole run (214 samples, not the last interval's)", () => {
  const whole = runCli([LOSS]);
  const intervals = runCli([LOSS, '--interval', '500ms', '--histogram']);
  assert.equal(intervals.status, 0);
  assert.match(whole.stderr, /, 214 samples,/);
  assert.match(intervals.stderr, /, 214 samples,/);
});

test('--jsonl: one object per sample, the same samples as --csv', () => {
  const csv = parseCsv(runCli([LOSS, '--csv', '-', '-q']).stdout);
  const run = runCli([LOSS, '--jsonl', '-', '-q']);
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, csv.length);
  for (const [i, row] of csv.entries()) {
    assert.deepEqual(lines[i], { ts: row.ts, src: row.src, sport: row.sport, dst: row.dst, dport: row.dport, rtt_us: row.rttUs, kind: row.kind, seg_frame: row.segFrame, ack_frame: row.ackFrame });
  }
  const v6 = runCli(['samples/http-v6-pcapng/client.pcapng', '--jsonl', '-', '-q', '--include-local']).stdout.trim().split('\n');
  assert.ok(v6.every((l) => (JSON.parse(l) as { src: string }).src.includes(':')));
});

test('output errors: one line naming the target, exit 1 (stdout > /dev/full, --csv/--json/--jsonl /dev/full)', (t) => {
  if (!existsSync('/dev/full')) {
    t.skip('no /dev/full on this system');
    return;
  }
  for (const [args, target] of [
    [[SERVER, '-q'], 'stdout'],
    [[SERVER, '--csv', '-', '-q'], 'stdout'],
    [[SERVER, '--csv', '/dev/full', '-q'], '/dev/full'],
    [[SERVER, '--json', '/dev/full', '-q'], '/dev/full'],
    [[SERVER, '--jsonl', '/dev/full', '-q'], '/dev/full'],
    [[SERVER, '--interval', '500ms', '--json', '/dev/full', '-q'], '/dev/full'],
  ] as const) {
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI_PATH)} ${args.join(' ')} > ${target === 'stdout' ? '/dev/full' : '/dev/null'}`;
    const r = spawnSync('sh', ['-c', command], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(r.status, 1, `${command}: ${r.stderr}`);
    assert.equal(r.stderr, `rttscan: ${target}: cannot write (no space left on device)\n`, command);
  }
  const missing = runCli([SERVER, '--csv', '/nonexistent-dir/rtt.csv']);
  assert.equal(missing.status, 1);
  assert.equal(missing.stderr, 'rttscan: /nonexistent-dir/rtt.csv: cannot write (no such directory)\n');
});

test("a reader of stderr that goes away early leaves the run's exit code (3 for --fail-if), not 1", () => {
  // stderr into `true`, which exits at once (Node takes far longer to start): every note meets a closed pipe.
  const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI_PATH)} ${LOSS} --by flow --fail-if 'p99>1ms' 2>&1 >/dev/null | true; exit "\${PIPESTATUS[0]}"`;
  const r = spawnSync('bash', ['-c', command], { cwd: REPO_ROOT, encoding: 'utf8' });
  assert.equal(r.status, 3, r.stderr);
  assert.equal(r.stderr, '');
});
