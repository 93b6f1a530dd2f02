/**
 * Start-up loads only what a run uses (issue 17): each output's modules (cli-table3 for --table,
 * csv-stringify for --csv, the page builder for --html...), the merge, TCP-RT, YAML, BPF and the
 * libpcap binding load when an option asks for them, never for a plain `--json` or
 * `--histogram` run. Pinned without timing: the built CLI runs under a tracer
 * (helpers/module-trace.ts, given with `node --import`) that lists every module the process
 * loaded, and each case checks a module both ways, absent where unused and present where used,
 * so that a tracer that saw nothing cannot pass.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { runCliInProcess } from '../helpers/cli.js';
import { MODULE_TRACE_URL } from '../helpers/module-trace.js';
import { CLI_PATH, REPO_ROOT, tempDir } from '../helpers/paths.js';

const run = promisify(execFile);

const CAPTURE = join(REPO_ROOT, 'samples', 'http-v4', 'client.pcap');
const SERVER_CAPTURE = join(REPO_ROOT, 'samples', 'http-v4', 'server.pcap');

/** The modules a run must not load unless an option asks for them: a path fragment each. */
const OPTIONAL = {
  'cli-table3': '/node_modules/cli-table3/',
  'csv-stringify': '/node_modules/csv-stringify/',
  yaml: '/node_modules/yaml/',
  'playwright-core': '/node_modules/playwright-core/',
  'the pcap binding': '/node_modules/pcap/',
  'prom-client': '/node_modules/prom-client/',
  'the HTML page': '/dist/src/render/html/',
  'the terminal chart': '/dist/src/render/chart.js',
  'the merge': '/dist/src/merge/',
  'schema validation': '/dist/src/schema/validate.js',
  'the TCP-RT engine': '/dist/src/engines/tcprt/tcprt-engine.js',
  'the BPF filter': '/dist/src/capture/bpf.js',
  'live capture': '/dist/src/live.js',
  'the StatsD client': '/dist/src/render/statsd.js',
  'the CI checks': '/dist/src/ci/check.js',
} as const;
type Optional = keyof typeof OPTIONAL;

/** Runs the built CLI under the tracer (it must exit with `exitCode`); the modules it loaded (URLs and paths). */
async function modulesLoaded(t: TestContext, args: readonly string[], exitCode = 0): Promise<string[]> {
  const dir = await tempDir(t);
  const traceFile = join(dir, 'modules.txt');
  await writeFile(traceFile, '');
  const exited = await run(process.execPath, ['--import', MODULE_TRACE_URL, CLI_PATH, ...args], {
    cwd: dir,
    env: { ...process.env, MODULE_TRACE_FILE: traceFile },
    maxBuffer: 64 * 1024 * 1024,
  }).then(
    () => 0,
    (err: { code?: unknown; stderr?: string }) => {
      if (typeof err.code !== 'number') throw err;
      t.diagnostic(err.stderr ?? '');
      return err.code;
    },
  );
  assert.equal(exited, exitCode, `exit code of rttscan ${args.join(' ')}`);
  return (await readFile(traceFile, 'utf8')).split('\n').filter((line) => line !== '');
}

function loaded(modules: readonly string[], name: Optional): boolean {
  return modules.some((m) => m.includes(OPTIONAL[name]));
}

/** The tracer saw the run: the analysis and the sketches library (by require) are there. */
function assertTraced(modules: readonly string[]): void {
  assert.ok(
    modules.some((m) => m.endsWith('/dist/src/analyze.js')),
    'the trace lists analyze.js',
  );
  assert.ok(
    modules.some((m) => m.includes('/node_modules/@datadog/sketches-js/')),
    'the trace lists the CommonJS sketches library',
  );
}

function assertAbsent(modules: readonly string[], names: readonly Optional[], run: string): void {
  const present = names.filter((name) => loaded(modules, name));
  assert.deepEqual(present, [], `${run} loaded ${present.join(', ')}`);
}

const ALL_OPTIONAL = Object.keys(OPTIONAL) as Optional[];

for (const output of [['--json', 'out.json'], ['--histogram']]) {
  test(`rttscan FILE ${output[0]}: none of the optional modules load`, async (t) => {
    const modules = await modulesLoaded(t, [CAPTURE, ...output, '-q']);
    assertTraced(modules);
    assertAbsent(modules, ALL_OPTIONAL, output[0]!);
  });
}

for (const [args, exitCode] of [
  [['--version'], 0],
  [['--help'], 0],
  [[CAPTURE, '--histgram'], 2], // a usage error
] as const) {
  test(`rttscan ${args.at(-1)}: the options load, the analysis does not`, async (t) => {
    const modules = await modulesLoaded(t, args, exitCode);
    assert.ok(
      modules.some((m) => m.includes('/node_modules/commander/')),
      'the trace lists commander',
    );
    assert.ok(!modules.some((m) => m.endsWith('/dist/src/analyze.js')), 'analyze.js not loaded');
    assert.ok(!modules.some((m) => m.includes('/node_modules/@datadog/sketches-js/')), 'sketches-js not loaded');
    assertAbsent(modules, ALL_OPTIONAL, args.join(' '));
  });
}

/** Each case: a command line (in a temporary directory), what it must load, what it must still not. */
const CASES: Array<{ args: string[]; loads: Optional[]; not: Optional[]; setup?: (dir: string) => Promise<void> }> = [
  { args: [CAPTURE, '-q'], loads: ['cli-table3'], not: ['csv-stringify', 'the HTML page', 'the merge'] },
  { args: [CAPTURE, '--table', '-q'], loads: ['cli-table3'], not: ['csv-stringify', 'the TCP-RT engine'] },
  { args: [CAPTURE, '--csv', 'out.csv', '-q'], loads: ['csv-stringify'], not: ['cli-table3', 'the HTML page'] },
  { args: [CAPTURE, '--chart', '-q'], loads: ['the terminal chart'], not: ['cli-table3', 'csv-stringify'] },
  { args: [CAPTURE, '--html', 'page.html', '-q'], loads: ['the HTML page'], not: ['playwright-core', 'cli-table3', 'csv-stringify'] },
  { args: [CAPTURE, '--json', 'out.json', '--fail-if', 'p99>10s', '-q'], loads: ['the CI checks'], not: ['the merge', 'cli-table3'] },
  { args: [CAPTURE, '--filter', 'tcp port 80', '--json', 'out.json', '-q'], loads: ['the BPF filter'], not: ['cli-table3', 'the TCP-RT engine'] },
  {
    args: [SERVER_CAPTURE, '--tcprt-jsonl', 'records.jsonl', '--lports', '8080', '--tcprt-config', join(REPO_ROOT, 'samples', 'tcprt.yaml'), '-q'],
    loads: ['the TCP-RT engine', 'yaml'],
    not: ['csv-stringify', 'the HTML page'],
  },
  {
    args: ['merge', 'a.json', '--json', 'merged.json', '-q'],
    loads: ['the merge', 'schema validation'],
    not: ['cli-table3', 'the HTML page', 'the BPF filter'],
    // The input document, written by the CLI in this process: only the traced run needs one of its own.
    setup: async (dir) => {
      assert.equal((await runCliInProcess([CAPTURE, '--json', join(dir, 'a.json'), '-q'])).status, 0);
    },
  },
];

for (const c of CASES) {
  test(`rttscan ${c.args.map((a) => a.replace(`${REPO_ROOT}/`, '')).join(' ')}: loads ${c.loads.join(', ')} and not ${c.not.join(', ')}`, async (t) => {
    let modules: string[];
    if (c.setup) {
      // The setup's files go where the traced run looks: its working directory.
      const dir = await tempDir(t);
      await c.setup(dir);
      modules = await modulesLoaded(
        t,
        c.args.map((a) => (a === 'a.json' ? join(dir, a) : a)),
      );
    } else {
      modules = await modulesLoaded(t, c.args);
    }
    for (const name of c.loads) assert.ok(loaded(modules, name), `loads ${name}`);
    assertAbsent(modules, c.not, c.args.join(' '));
  });
}

test('rttscan --list-interfaces loads the libpcap binding (when it is installed); a capture file never does', async (t) => {
  const file = await modulesLoaded(t, [CAPTURE, '--json', 'out.json', '-q']);
  assertTraced(file);
  assert.equal(loaded(file, 'the pcap binding'), false, 'a file run loads no pcap binding');
  const bindingBuilt = existsSync(join(REPO_ROOT, 'node_modules', 'pcap', 'build', 'Release', 'pcap_binding.node'));
  if (!bindingBuilt) {
    t.diagnostic('the optional pcap binding is not built here: only its absence is checked');
    return;
  }
  const list = await modulesLoaded(t, ['--list-interfaces', '--backend', 'libpcap']);
  assert.ok(loaded(list, 'the pcap binding'), '--list-interfaces loads the pcap binding');
});
