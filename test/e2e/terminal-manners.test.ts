/**
 * Terminal manners (issue 10): FORCE_COLOR and TERM=dumb, a table that fits 80 columns with its
 * numbers right-aligned and no rule between rows, --help grouped by task with `merge` in the
 * usage line, bcc tcprtt's short flags and tcpdump's `-r FILE [filter]`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { hasCommand, runCliInProcess } from '../helpers/cli.js';
import { CLI_PATH, REPO_ROOT } from '../helpers/paths.js';

const ESC = '\x1b[';
const SERVER = 'samples/http-v4/server.pcap';
const LOSS = 'samples/mixed-loss/server.pcap';

function quote(arg: string): string {
  return `'${arg.replaceAll("'", "'\\''")}'`;
}

/** Runs rttscan on a pseudo-terminal of `columns` columns; returns what the terminal got. */
function onTerminal(args: string[], env: Record<string, string | undefined>, columns = 80): string {
  const command = `stty cols ${columns} rows 50; ${[process.execPath, CLI_PATH, ...args].map(quote).join(' ')}`;
  const childEnv: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm', ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: REPO_ROOT, env: childEnv, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return r.stdout;
}

test('colours: FORCE_COLOR forces them into a pipe; TERM=dumb and FORCE_COLOR=0 keep them off a terminal', async (t) => {
  const args = [SERVER, '--chart', '--by', 'flow', '-q'];
  assert.ok((await runCliInProcess(args, { NO_COLOR: '', FORCE_COLOR: '1' })).stdout.includes(`${ESC}3`), 'FORCE_COLOR=1 in a pipe');
  assert.ok(!(await runCliInProcess(args, { NO_COLOR: '', FORCE_COLOR: '0' })).stdout.includes(ESC), 'FORCE_COLOR=0');
  if (!hasCommand('script')) {
    t.skip('script (util-linux) not installed: no pseudo-terminal to test on');
    return;
  }
  assert.ok(onTerminal(args, { NO_COLOR: undefined, FORCE_COLOR: undefined }).includes(`${ESC}3`), 'a terminal');
  assert.ok(!onTerminal(args, { NO_COLOR: undefined, FORCE_COLOR: undefined, TERM: 'dumb' }).includes(ESC), 'TERM=dumb');
  assert.ok(!onTerminal(args, { NO_COLOR: undefined, FORCE_COLOR: '0' }).includes(ESC), 'FORCE_COLOR=0');
});

test('the default table fits 80 columns: no box, no rule between rows, numbers right-aligned', async () => {
  const run = await runCliInProcess([LOSS, '--by', 'raddr', '-q']);
  assert.equal(run.status, 0);
  const lines = run.stdout.replace(/\n$/, '').split('\n');
  for (const line of lines) assert.ok([...line].length <= 80, `${[...line].length} columns: ${line}`);
  assert.doesNotMatch(run.stdout, /[─│┌┐└┘├┤┬┴┼]/);
  const [head, ...rows] = lines;
  assert.match(head!, /^group +samples +min +p50 +p90 +p99 +max +srtt +jitter +retrans$/);
  // Right-aligned: every number ends where its heading ends.
  for (const heading of ['samples', 'p99', 'retrans']) {
    const end = head!.indexOf(heading) + heading.length;
    for (const row of rows) assert.match(row.slice(0, end), /\S$/, `${heading} in ${row}`);
  }
  assert.equal((await runCliInProcess([SERVER, '-q'])).stdout.split('\n')[0]!.length <= 80, true);
});

test('on a wide terminal the table spreads out; on 80 columns it stays within them', (t) => {
  if (!hasCommand('script')) {
    t.skip('script (util-linux) not installed: no pseudo-terminal to test on');
    return;
  }
  const narrow = onTerminal([SERVER, '-q'], { NO_COLOR: '1' }, 80)
    .replaceAll('\r', '')
    .split('\n')
    .filter((l) => l.startsWith('group') || l.startsWith('all'));
  const wide = onTerminal([SERVER, '-q'], { NO_COLOR: '1' }, 160)
    .replaceAll('\r', '')
    .split('\n')
    .filter((l) => l.startsWith('group') || l.startsWith('all'));
  assert.ok(narrow.every((l) => l.length <= 80) && narrow.length === 2, narrow.join('\n'));
  assert.ok(wide[0]!.length > narrow[0]!.length, 'wider with room to spare');
  assert.match(wide[0]!, /^group  samples  /);
});

test('--help: grouped by task, merge in the usage line, no "(default: [])"', async () => {
  const help = await runCliInProcess(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: rttscan \[options\] \[files\.\.\.\]/);
  assert.match(help.stdout, /^ +rttscan merge \[options\] <summaries\.\.\.>/m);
  for (const heading of ['Outputs', 'Inputs and capture host', 'Grouping and filters', 'Time', 'TCP-RT', 'Live capture', 'CI']) {
    assert.match(help.stdout, new RegExp(`^${heading}[^\\n]*:$`, 'm'), heading);
  }
  assert.doesNotMatch(help.stdout, /default: \[\]/);
});

test("bcc tcprtt's short flags mean what their long forms mean", async () => {
  const json = async (args: string[]): Promise<string> => {
    const run = await runCliInProcess([LOSS, ...args, '--json', '-', '-q']);
    assert.equal(run.status, 0, `${args.join(' ')}: ${run.stderr}`);
    const doc = JSON.parse(run.stdout) as Record<string, unknown>;
    return JSON.stringify([doc.summary, doc.groups]);
  };
  const pairs: Array<[string[], string[]]> = [
    [
      ['-p', '8080'],
      ['--lport', '8080'],
    ],
    [
      ['-P', '8080'],
      ['--rport', '8080'],
    ],
    [
      ['-a', '10.99.0.2'],
      ['--laddr', '10.99.0.2'],
    ],
    [
      ['-A', '10.99.0.1'],
      ['--raddr', '10.99.0.1'],
    ],
    [['-4'], ['--ipv4']],
    [['-b'], ['--by', 'laddr']],
  ];
  for (const [short, long] of pairs) assert.equal(await json(short), await json(long), short.join(' '));
  assert.equal(await json(['-6']), await json(['--raddr', '::/0']), '-6: no IPv6 here');
  const interval = await runCliInProcess([LOSS, '-i', '0.5', '--json', '-', '-q']);
  assert.equal(interval.stdout, (await runCliInProcess([LOSS, '--interval', '500ms', '--json', '-', '-q'])).stdout);
  assert.equal((await runCliInProcess([LOSS, '-e', '--histogram', '-q'])).stdout, (await runCliInProcess([LOSS, '--histogram', '-q'])).stdout);
  assert.match((await runCliInProcess([LOSS, '-d', '5'])).stderr, /--duration is for live capture: add --live IFACE/);
  assert.equal((await runCliInProcess([LOSS, '-4', '-6'])).status, 2);
});

test('-r FILE with a filter after it, as tcpdump; the filter keeps what tcpdump keeps', async (t) => {
  if (!hasCommand('tcpdump')) {
    t.skip('tcpdump not installed');
    return;
  }
  const filter = 'tcp[tcpflags] & tcp-syn != 0';
  const r = await runCliInProcess(['-r', SERVER, filter, '--json', '-']);
  assert.equal(r.status, 0, r.stderr);
  const doc = JSON.parse(r.stdout) as { inputs: Array<{ packets: number }>; counters: { decode: { packets: number } } };
  assert.equal(doc.inputs[0]!.packets, 303, 'every packet read is counted');
  const kept = spawnSync('tcpdump', ['-r', SERVER, '-nq', filter], { cwd: REPO_ROOT, encoding: 'utf8' })
    .stdout.split('\n')
    .filter((l) => l !== '').length;
  assert.equal(doc.counters.decode.packets, kept);
  assert.match(r.stderr, new RegExp(`${303 - kept} packets not matching --filter`));
  assert.equal(
    (await runCliInProcess(['-r', SERVER, 'tcp', 'port', '8080', '--json', '-', '-q'])).stdout,
    (await runCliInProcess([SERVER, '--filter', 'tcp port 8080', '--json', '-', '-q'])).stdout,
  );
  const bad = await runCliInProcess(['-r', SERVER, 'tcp and and']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^rttscan: --filter 'tcp and and': not a valid BPF filter/);
});
