/**
 * What a CLI user expects of a terminal, on a real pseudo-terminal (util-linux `script`): the
 * progress line on large inputs only when stderr is a terminal outside CI, colours only on a
 * terminal and never with NO_COLOR; and in pipes: `| head` ends quietly. Also --help, --version,
 * and suggestions for mistyped options.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeBigCapture, writeManySamplesCapture } from '../helpers/big-capture.js';
import { hasCommand, runCli } from '../helpers/cli.js';
import { CLI_PATH, REPO_ROOT, tempDir } from '../helpers/paths.js';
import { VERSION } from '../../src/version.js';

const ESC = '\x1b[';
const PROGRESS = /\[[#.]{5,30}\]  \d+\.\d MB of 54\.1 MB  \d+%/;

function quote(arg: string): string {
  return `'${arg.replaceAll("'", "'\\''")}'`;
}

/** Runs rttscan with stdout and stderr on one pseudo-terminal; returns what the terminal got. */
function onTerminal(args: string[], env: Record<string, string | undefined>): { status: number | null; screen: string } {
  const command = [process.execPath, CLI_PATH, ...args].map(quote).join(' ');
  const childEnv: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm', ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: REPO_ROOT, env: childEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: r.status, screen: r.stdout };
}

test('progress line: drawn on a terminal for a large input, then erased; never in CI, with -q, or in a pipe', async (t) => {
  if (!hasCommand('script')) {
    t.skip('script (util-linux) not installed: no pseudo-terminal to test on');
    return;
  }
  const big = join(await tempDir(t), 'big.pcap');
  await writeBigCapture(big);
  const shown = onTerminal([big, '--local', '10.0.0.1'], { CI: undefined, NO_COLOR: '1' });
  assert.equal(shown.status, 0, shown.screen);
  assert.match(shown.screen, PROGRESS);
  // Erased before the report: the table starts on a clean line.
  assert.match(shown.screen, /\r\x1b\[Kgroup /);
  assert.match(shown.screen, /^all +901 +1\.00ms/m);

  for (const [why, args, env] of [
    ['CI=true', [big], { CI: 'true' }],
    ['--quiet', [big, '-q'], { CI: undefined }],
    ['a small input', ['samples/mixed-loss/server.pcap'], { CI: undefined }],
  ] as const) {
    const hidden = onTerminal([...args, '--local', '10.0.0.1'], { ...env, NO_COLOR: '1' });
    assert.equal(hidden.status, 0, hidden.screen);
    assert.doesNotMatch(hidden.screen, /MB of/, why);
    assert.ok(!hidden.screen.includes('\x1b[K'), why);
  }
  const piped = runCli([big, '--local', '10.0.0.1'], undefined, { CI: '' });
  assert.equal(piped.status, 0);
  assert.ok(!piped.stderr.includes('\r') && !piped.stderr.includes('MB of'), piped.stderr);
});

test('--chart is as wide as the terminal', (t) => {
  if (!hasCommand('script')) {
    t.skip('script (util-linux) not installed: no pseudo-terminal to test on');
    return;
  }
  for (const cols of [90, 160]) {
    const command = `stty cols ${cols} rows 60; exec ${[process.execPath, CLI_PATH, 'samples/mixed-loss/server.pcap', '--chart', '-q'].map(quote).join(' ')}`;
    const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: REPO_ROOT, env: { ...process.env, TERM: 'xterm', NO_COLOR: '1' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(r.status, 0, r.stdout);
    const rule = r.stdout.split(/\r?\n/).find((l) => l.includes('└'))!;
    assert.ok(rule.length <= cols && rule.length > cols - 15, `${cols} columns: the time axis is ${rule.length} wide`);
  }
  // Not a terminal: 80 columns, so files and pipes get the same bytes every run.
  const piped = runCli(['samples/mixed-loss/server.pcap', '--chart', '-q']).stdout.split('\n').find((l) => l.includes('└'))!;
  assert.ok(piped.length <= 80 && piped.length > 65, `piped: ${piped.length}`);
});

test('colours: on a terminal only, and never with NO_COLOR', (t) => {
  if (!hasCommand('script')) {
    t.skip('script (util-linux) not installed: no pseudo-terminal to test on');
    return;
  }
  const args = ['samples/http-v4/server.pcap', '--chart', '--by', 'flow', '-q'];
  assert.ok(onTerminal(args, { NO_COLOR: undefined }).screen.includes(`${ESC}3`), 'a chart of several groups is coloured on a terminal');
  assert.ok(!onTerminal(args, { NO_COLOR: '1' }).screen.includes(ESC), 'NO_COLOR=1');
  assert.ok(!onTerminal(args, { NO_COLOR: 'yes' }).screen.includes(ESC), 'NO_COLOR=yes');
  assert.ok(!runCli(args, undefined, { NO_COLOR: '' }).stdout.includes(ESC), 'a pipe');
});

test('`rttscan ... | head` exits 0 and says nothing', async (t) => {
  // Megabytes of output: far more than a pipe holds, so rttscan writes after head has gone.
  const big = join(await tempDir(t), 'many.pcap');
  await writeManySamplesCapture(big);
  for (const output of ['--samples', '--csv -']) {
    const command = `${quote(process.execPath)} ${quote(CLI_PATH)} ${quote(big)} ${output} --include-local -q | head -n 2; exit "\${PIPESTATUS[0]}"`;
    const r = spawnSync('bash', ['-c', command], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(r.stdout.split('\n').length, 3, r.stdout);
    assert.equal(r.stderr, '', `${output}: nothing on stderr`);
    assert.equal(r.status, 0, `${output}: exit status of rttscan`);
  }
});

test('a mistyped option suggests the close one; exit 2, one line', () => {
  const cases: Array<[string[], string]> = [
    [['--histgram', 'x.pcap'], "rttscan: unknown option '--histgram' (did you mean --histogram?)\n"],
    [['x.pcap', '--fail-iff', 'p99>1ms'], "rttscan: unknown option '--fail-iff' (did you mean --fail-if?)\n"],
    [['x.pcap', '--baseline'], "rttscan: option '--baseline <file>' argument missing\n"],
  ];
  for (const [args, stderr] of cases) {
    const r = runCli(args);
    assert.equal(r.status, 2);
    assert.equal(r.stderr, stderr);
    assert.equal(r.stdout, '');
  }
});

test('--version prints the version; --help has an example for every common task', () => {
  const version = runCli(['--version']);
  assert.equal(version.status, 0);
  assert.equal(version.stdout, `${VERSION}\n`);
  const help = runCli(['--help']);
  assert.equal(help.status, 0);
  const examples = help.stdout.slice(help.stdout.indexOf('Examples:'));
  const tasks: Array<[string, RegExp]> = [
    ['summary table', /^  rttscan capture\.pcap {2,}/m],
    ['histogram', /--histogram/],
    ['per remote address', /-B /],
    ['milliseconds', /--ms/],
    ['grouping', /--by rport/],
    ['CSV', /--csv rtt\.csv/],
    ['JSON', /--json/],
    ['samples', /--samples/],
    ['chart', /--chart/],
    ['vantage', /--local 10\.0\.0\.5/],
    ['filters', /--raddr .* --rport/],
    ['intervals', /--interval 10s/],
    ['time window', /--from .* --to/],
    ['several files', /a\.pcapng b\.pcap\.gz/],
    ['stdin', /\| rttscan -/],
    ['CI check', /--fail-if 'p99>30ms/],
    ['baseline', /--baseline old\.json --fail-if 'p99>\+10%'/],
    ['per file', /--each/],
    ['merge', /rttscan merge a\.json b\.json/],
  ];
  for (const [task, example] of tasks) assert.match(examples, example, task);
  const mergeHelp = runCli(['merge', '--help']);
  assert.equal(mergeHelp.status, 0);
  assert.match(mergeHelp.stdout, /^Usage: rttscan merge \[options\] <summaries\.\.\.>/);
  assert.match(mergeHelp.stdout, /xargs -P 8/);
});
