// `npm test` (every test) and `npm run test:unit` (`node scripts/test.mjs unit`: the files under
// dist/test/unit): compiles what changed since the last build (scripts/clean-dist.mjs first, so
// that a deleted test never runs from a stale .js; after `npm ci`, whose prepare step built
// everything, nothing is compiled again), then runs the test files with node's test runner.
// The run gets a directory of its own, RTTSCAN_TEST_CACHE, for what test files share within
// one run (tshark's dissection of a capture: test/helpers/tshark.ts); it is removed afterwards.
// The test files run in two processes, each one module importing a group of files: the unit
// files, and the end-to-end, fuzz and README files. Node's runner takes one file at a time on
// this machine anyway (--test-concurrency defaults to the cores less one), so a process per file
// bought no parallelism, only a Node start and a fresh load and warm-up of the CLI's modules
// each: about 7 s of CPU over the 41 unit files, and 7 s over 25 light end-to-end files (26.5
// -> 19.5 s). No test file changes anything process-wide (environment, working directory,
// signal handlers); where a test checks a real process (stdin, pipes, signals, a terminal, exit
// codes, live capture) it spawns one, as before.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const only = process.argv[2];

function run(args, env = process.env) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env });
  return r.status ?? 1;
}

function* testFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* testFiles(path);
    else if (entry.name.endsWith('.test.js')) yield path;
  }
}

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const built = run([join(root, 'scripts', 'clean-dist.mjs')]) || run([tsc, '-b', 'tsconfig.json', 'tsconfig.browser.json']);
if (built !== 0) process.exit(built);

const testRoot = join(root, 'dist', 'test');
const files = [...testFiles(join(testRoot, only ?? ''))].sort();
const cache = mkdtempSync(join(tmpdir(), 'rttscan-test-run-'));
const unitDir = join(testRoot, 'unit');
const isUnit = (f) => f.startsWith(unitDir);

/** A module that imports `group` in order (written into the run's directory), or nothing for no files. */
function groupModule(name, group) {
  if (group.length === 0) return [];
  const path = join(cache, `${name}.mjs`);
  writeFileSync(path, group.map((f) => `import ${JSON.stringify(pathToFileURL(f).href)};\n`).join(''));
  return [path];
}
const runs = [
  ...groupModule(
    'end-to-end-tests',
    files.filter((f) => !isUnit(f)),
  ),
  ...groupModule(
    'unit-tests',
    files.filter((f) => isUnit(f)),
  ),
];
let status;
try {
  status = run(['--test', '--test-reporter=spec', ...runs], { ...process.env, RTTSCAN_TEST_CACHE: cache });
} finally {
  rmSync(cache, { recursive: true, force: true });
}
process.exit(status);
