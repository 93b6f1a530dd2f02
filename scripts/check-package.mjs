// What `npm publish` would ship, checked as a user of the package meets it (run by .ci/run after
// the build, and by `npm run check:package`):
// - the files: a LICENSE; every source map's sources inside the package; every relative link of
//   the README to a file the package ships (the npm page has no repository to resolve it against);
// - the types: a fresh project that installs the packed tarball (no optional dependency, as where
//   the libpcap binding does not build) and imports the library compiles under `strict` without
//   `skipLibCheck`, so no type the package cannot resolve leaks into its .d.ts files.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'rttscan-package-'));
const problems = [];

try {
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: root, encoding: 'utf8' }));
  const shipped = new Set(packed.files.map((f) => f.path));
  console.log(`check-package: ${packed.filename}, ${shipped.size} files, ${packed.size} bytes`);

  if (!shipped.has('LICENSE')) problems.push('no LICENSE in the package');
  for (const path of shipped) {
    if (!path.endsWith('.map')) continue;
    const map = JSON.parse(readFileSync(join(root, path), 'utf8'));
    for (const source of map.sources) {
      const target = normalize(join(dirname(path), map.sourceRoot ?? '', source));
      if (!shipped.has(target)) problems.push(`${path}: its source ${target} is not in the package`);
    }
  }
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  for (const [, target] of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:|^#/.test(target)) continue;
    problems.push(`README.md links to ${target}: relative, which the npm page cannot resolve (no repository)`);
  }

  const consumer = join(work, 'consumer');
  execFileSync('mkdir', ['-p', consumer]);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  execFileSync('npm', ['install', '--ignore-scripts', '--omit=optional', '--no-audit', '--no-fund', '--no-package-lock', join(work, packed.filename)], {
    cwd: consumer,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  writeFileSync(
    join(consumer, 'index.ts'),
    [
      "import { analyze, mergeSummaries, parseSummaryDocuments, type AnalysisResult, type AnalyzeOptions } from 'rttscan';",
      'const options: AnalyzeOptions = { includeLocal: true };',
      "const result: AnalysisResult = await analyze(['capture.pcap'], options);",
      'console.log(result.summary, mergeSummaries, parseSummaryDocuments);',
      '',
    ].join('\n'),
  );
  const compilerOptions = {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    skipLibCheck: false,
    noEmit: true,
    types: ['node'],
    typeRoots: [join(root, 'node_modules', '@types')],
  };
  writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['index.ts'] }));
  try {
    execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', consumer], { encoding: 'utf8' });
  } catch (err) {
    problems.push(`a strict consumer without skipLibCheck does not compile:\n${err.stdout}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

for (const problem of problems) console.error(`check-package: ${problem}`);
if (problems.length > 0) process.exitCode = 1;
else console.log('check-package: LICENSE, source maps, README links and the published types are fine');
