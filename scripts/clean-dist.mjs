// Before an incremental build (`npm test` and `npm run test:unit`, through scripts/test.mjs;
// `npm run build` starts from an empty dist/): every file in dist/ whose TypeScript source is
// gone is deleted (a deleted or moved test would otherwise keep running from its stale .js), and
// if an output of a source is missing, that build's state (.tsbuildinfo, or .tsbuildinfo-browser
// for the report page's script) is dropped so that `tsc -b` writes all of it again. A plain .mjs
// file: it runs before anything is compiled.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const BUILD_INFO = join(dist, '.tsbuildinfo');
const BROWSER_BUILD_INFO = join(dist, '.tsbuildinfo-browser');
const BROWSER_SOURCES = join(root, 'src', 'render', 'html', 'browser');
const SOURCE_DIRS = ['src', 'test', 'bench', 'scripts'];
const OUTPUT = /\.(js|js\.map|d\.ts|d\.ts\.map)$/;

function* files(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

let removed = 0;
for (const output of files(dist)) {
  if (output === BUILD_INFO || output === BROWSER_BUILD_INFO) continue;
  const source = join(root, relative(dist, output).replace(OUTPUT, '.ts'));
  if (!OUTPUT.test(output) || !existsSync(source)) {
    rmSync(output);
    removed++;
  }
}
for (const dir of SOURCE_DIRS) {
  for (const source of files(join(root, dir))) {
    if (!source.endsWith('.ts') || source.endsWith('.d.ts')) continue;
    if (existsSync(join(dist, relative(root, source)).replace(/\.ts$/, '.js'))) continue;
    rmSync(source.startsWith(BROWSER_SOURCES) ? BROWSER_BUILD_INFO : BUILD_INFO, { force: true });
  }
}
if (removed > 0) console.error(`clean-dist: ${removed} stale files removed from dist/`);
