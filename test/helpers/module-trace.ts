/**
 * Records the modules a process loads, seen from outside rttscan: a child started as
 * `node --import <MODULE_TRACE_URL> bin/rttscan ...` with MODULE_TRACE_FILE set appends to that
 * file every ES module it loads (a loader hook, on Node's hooks thread) and, as it exits, every
 * CommonJS module in require's cache (dependencies such as cli-table3 or the pcap binding), one
 * URL or path a line. test/e2e/startup-modules.test.ts reads it; rttscan knows nothing of it.
 */
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

/** What to give `node --import`. */
export const MODULE_TRACE_URL = import.meta.url;

const file = process.env.MODULE_TRACE_FILE;
if (file !== undefined && file !== '') {
  register(new URL('./module-trace-hooks.js', import.meta.url), { data: { file } });
  const { cache } = createRequire(import.meta.url);
  process.on('exit', () =>
    appendFileSync(
      file,
      Object.keys(cache)
        .map((path) => `${path}\n`)
        .join(''),
    ),
  );
}
