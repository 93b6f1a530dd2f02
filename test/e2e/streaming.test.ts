/**
 * Per-sample outputs stream with backpressure (issue 10): into a reader slower than the
 * analysis, rttscan holds back its reading instead of queueing rows, so the output costs a flat
 * few MB of memory however many samples there are. Before, every row waited in memory (about
 * 1.1 KB each: 220 MB here). The yardstick is the same run writing only --json: what the
 * analysis itself holds (here, the samples waiting for the vantage decision) is not the output's.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { writeSamplesCapture } from '../helpers/big-capture.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { CLI_PATH, REPO_ROOT } from '../helpers/paths.js';
import { PEAK_RSS_URL } from '../helpers/peak-rss.js';

/** 200,002 samples: 220 MB of queued rows before backpressure, about 16 MB of CSV. */
const SEGMENTS = 200_000;
/** What a per-sample output into a slow reader may add to the peak RSS of the same run without it. */
const OUTPUT_RSS_LIMIT_KB = 40_000;

/** Runs rttscan with `args`; its peak RSS in kB as the kernel counted it (test/helpers/peak-rss.ts). */
function spawnMeasured(args: string[], stdio: StdioOptions, peakFile: string): ChildProcess {
  return spawn(process.execPath, ['--import', PEAK_RSS_URL, CLI_PATH, ...args], { cwd: REPO_ROOT, stdio, env: { ...process.env, PEAK_RSS_FILE: peakFile } });
}

function peakKbOf(peakFile: string): number {
  return Number(readFileSync(peakFile, 'utf8'));
}

/** Peak RSS of rttscan writing only the --json summary. */
async function baselineKb(capture: string, dir: string): Promise<number> {
  const peakFile = join(dir, 'baseline.peak');
  const child = spawnMeasured([capture, '--json', '/dev/null', '--include-local', '-q'], 'ignore', peakFile);
  await new Promise((resolve) => child.on('close', resolve));
  return peakKbOf(peakFile);
}

/** The capture and its baseline, made once for the three outputs (writing it takes 4 s of CPU). */
let shared: Promise<{ capture: string; baseline: number }> | undefined;
let sharedDir: string | undefined;
after(() => sharedDir && rm(sharedDir, { recursive: true, force: true }));

function sharedCapture(): Promise<{ capture: string; baseline: number }> {
  shared ??= (async () => {
    sharedDir = await mkdtemp(join(tmpdir(), 'rttscan-test-'));
    const capture = join(sharedDir, 'many.pcap');
    await writeSamplesCapture(capture, SEGMENTS);
    return { capture, baseline: await baselineKb(capture, sharedDir) };
  })();
  return shared;
}

for (const output of ['--csv', '--jsonl', '--samples']) {
  test(`${output} into a slow reader: every line arrives, the output adds a flat few MB to the peak RSS`, async () => {
    const { capture, baseline } = await sharedCapture();
    const args = output === '--samples' ? [output] : [output, '-'];
    const peakFile = join(sharedDir!, `${output.slice(2)}.peak`);
    const child = spawnMeasured([capture, ...args, '--include-local', '-q'], ['ignore', 'pipe', 'pipe'], peakFile);
    // A slow reader: a pause of 20 ms after each chunk the pipe gives (at most 64 KB): about 3 MB/s.
    let lines = 0;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    for await (const chunk of child.stdout!) {
      for (const byte of chunk as Buffer) if (byte === 10) lines++;
      await new Promise((r) => setTimeout(r, 20));
    }
    const code = await closed;
    assert.equal(code, 0, stderr);
    // The handshake's two samples and one per segment (all kept: --include-local), and the CSV header.
    assert.equal(lines, SEGMENTS + 2 + (output === '--csv' ? 1 : 0));
    const peakKb = peakKbOf(peakFile);
    assert.ok(peakKb > 0 && baseline > 0, 'the peak RSS was read');
    assert.ok(peakKb - baseline < OUTPUT_RSS_LIMIT_KB, `peak RSS ${peakKb} kB, ${baseline} kB without the output`);
  });
}
