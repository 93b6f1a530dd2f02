/**
 * Ground truth from ../shared/lab/delaylab.py captures (samples/<name>/truth.json): frames were
 * delayed by a known time each way, so from either end the network RTT is ab + ba. rttscan, with
 * no options, must infer which host took the capture, keep only the samples the far host
 * acknowledged, and report min >= the injected RTT and a median within 10% of it.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCliInProcess } from '../helpers/cli.js';
import { SAMPLES_DIR } from '../helpers/paths.js';

interface Truth {
  rtt_ms: number;
  client: string;
  server: string;
  bulk_bytes?: number;
  requests: unknown[];
}

const labs = readdirSync(SAMPLES_DIR).filter((d) => existsSync(join(SAMPLES_DIR, d, 'truth.json')));

for (const dir of labs) {
  const truth = JSON.parse(readFileSync(join(SAMPLES_DIR, dir, 'truth.json'), 'utf8')) as Truth;
  for (const side of ['client', 'server'] as const) {
    const file = readdirSync(join(SAMPLES_DIR, dir)).find((f) => f.startsWith(side) && !f.endsWith('.gz'));
    if (file === undefined) continue;
    test(`${dir}/${file}: RTT as injected (${truth.rtt_ms} ms), seen from the ${side}`, async () => {
      const run = await runCliInProcess([join(SAMPLES_DIR, dir, file), '--json', '-q']);
      assert.equal(run.status, 0, run.stderr);
      const doc = JSON.parse(run.stdout) as { vantage: { local: string[] }; summary: { samples: number; min_us: number; p50_us: number } };
      assert.deepEqual(doc.vantage.local, [truth[side]], 'the capture host is inferred');
      const rttUs = truth.rtt_ms * 1000;
      assert.ok(doc.summary.samples > 0);
      assert.ok(doc.summary.min_us >= rttUs, `min ${doc.summary.min_us} µs is below the injected ${rttUs} µs`);
      // A bulk-only transfer through delaylab's userspace forwarder queues (~400 Mbit/s), so its
      // median rises above the injected delay; the floor still holds.
      if (truth.requests.length > 0) {
        assert.ok(Math.abs(doc.summary.p50_us - rttUs) <= 0.1 * rttUs, `p50 ${doc.summary.p50_us} µs is not within 10% of ${rttUs} µs`);
      }
    });
  }
}
