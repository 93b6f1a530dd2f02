/**
 * Thousands of mutated and truncated captures (byte flips, inserted and deleted bytes, corrupt
 * length fields, cut files, gzipped and cut gzip), synthetic and real: only RttscanError may
 * escape analyze(), nothing may hang, and readers must still work afterwards. The cases run in
 * a worker (mutation-worker.ts) watched from here: a case that stops making progress is a hang,
 * and the worker is terminated. FUZZ_SEED and FUZZ_RUNS override the fixed seed and the count.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { FuzzRequest, FuzzResult } from './mutation-worker.js';

const SEED = process.env.FUZZ_SEED === undefined ? 0x5eed : Number(process.env.FUZZ_SEED);
const RUNS = process.env.FUZZ_RUNS === undefined ? 3000 : Number(process.env.FUZZ_RUNS);
/** No single case may take this long (the slowest real ones take milliseconds). */
const STALL_MS = 10_000;

test(`mutated captures: only RttscanError escapes, nothing hangs, readers still work (seed ${SEED}, ${RUNS} runs)`, { timeout: 300_000 }, async () => {
  const progress = new Int32Array(new SharedArrayBuffer(4));
  const request: FuzzRequest = { fuzz: true, seed: SEED, numRuns: RUNS, progress, caseTimeoutMs: 5_000 };
  const worker = new Worker(new URL('./mutation-worker.js', import.meta.url), { workerData: request });
  const result = await new Promise<FuzzResult>((resolve, reject) => {
    let seen = -1;
    let since = Date.now();
    const watchdog = setInterval(() => {
      const done = Atomics.load(progress, 0);
      if (done !== seen) {
        seen = done;
        since = Date.now();
      } else if (Date.now() - since > STALL_MS) {
        clearInterval(watchdog);
        void worker.terminate();
        reject(new Error(`case ${done + 1} did not finish in ${STALL_MS / 1000} s: a hang (reproduce with FUZZ_SEED=${SEED})`));
      }
    }, 200);
    const settle = (f: () => void): void => {
      clearInterval(watchdog);
      f();
    };
    worker.once('message', (m: FuzzResult) => settle(() => resolve(m)));
    worker.once('error', (err) => settle(() => reject(err)));
    worker.once('exit', (code) => settle(() => reject(new Error(`fuzz worker exited (${code}) without a result`))));
  });
  await worker.terminate();
  if (!result.ok) assert.fail(result.error);
  const s = result.stats;
  assert.equal(s.cases, RUNS);
  // The mix must exercise both outcomes, or the mutations are too weak (or too strong) to test much.
  assert.ok(s.refused >= RUNS / 10, `refused ${s.refused} of ${RUNS}`);
  assert.ok(s.accepted >= RUNS / 20, `accepted ${s.accepted} of ${RUNS}`);
  assert.ok(s.warned >= RUNS / 50, `warned ${s.warned} of ${RUNS}`);
  assert.ok(s.gzipped >= RUNS / 20, `gzipped ${s.gzipped} of ${RUNS}`);
  console.log(`# fuzz: ${JSON.stringify(s)}`);
});
