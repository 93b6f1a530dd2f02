/**
 * `require` for the CommonJS dependencies (commander, @datadog/sketches-js, cli-table3,
 * csv-stringify's CommonJS build). Node 20 imports a CommonJS module into ESM only after lexing
 * its source, and that of every module it re-exports, for named exports; require() skips that.
 * Measured per process (README, Performance: start-up): sketches-js 11 ms against 18 by import,
 * commander 9 against 12, csv-stringify/sync 3 against 7.
 */
import { createRequire } from 'node:module';

export const requireCjs = createRequire(import.meta.url);
