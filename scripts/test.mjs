// `npm test` (every test) and `npm run test:unit` (`node scripts/test.mjs unit`: the files under
// dist/test/unit): compiles what changed since the last build (scripts/clean-dist.mjs first, so
// that a deleted test never runs from a stale .js; after `npm ci`, whose prepare step built
// everything, nothing is compiled again), then runs the test files with node's test runner.
// The run gets a directory of its own, RTTSCAN_TEST_CACHE, for what test files share within
// one run (tshark's dissection of a capture: test/helpers/tshark.ts); it is removed afterwards.
// The unit test files run in one process (one module importing them all): they are library
// calls with nothing process-wide to keep apart, and a process of their own each cost about 7 s
// of CPU over the 41 of them; the end-to-end and fuzz files keep a process each.
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

const files = [...testFiles(join(root, 'dist', 'test', only ?? ''))].sort();
const cache = mkdtempSync(join(tmpdir(), 'rttscan-test-run-'));
const unitDir = join(root, 'dist', 'test', 'unit');
const unitFiles = files.filter((f) => f.startsWith(unitDir));
const unitGroup = join(cache, 'unit-tests.mjs');
writeFileSync(unitGroup, unitFiles.map((f) => `import ${JSON.stringify(pathToFileURL(f).href)};\n`).join(''));
const runs = [...files.filter((f) => !f.startsWith(unitDir)), ...(unitFiles.length > 0 ? [unitGroup] : [])];
let status;
try {
  status = run(['--test', '--test-reporter=spec', ...runs], { ...process.env, RTTSCAN_TEST_CACHE: cache });
} finally {
  rmSync(cache, { recursive: true, force: true });
}
process.exit(status);
