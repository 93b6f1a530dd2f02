/**
 * What bin/rttscan runs: the CLI (main.ts) on this process's argv and streams, its exit code
 * set as process.exitCode so that output flushes. A reader of stdout that goes away
 * (`rttscan ... | head`) ends the process quietly, with 0.
 */
import './heap.js';
import { EXIT_OK, main, processIo } from './main.js';

void main(process.argv, processIo(), () => process.exit(EXIT_OK)).then((code) => {
  process.exitCode = code;
});
