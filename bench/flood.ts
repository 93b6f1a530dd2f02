/**
 * The flood row of `npm run bench`: a SYN scan of 8 M distinct flows (bench/generate-synscan.ts,
 * streamed through a pipe, never written to disk) read by `rttscan - --max-flows 100000`, with
 * the vantage left to the inference as a user would run it. Until the vantage is decided,
 * flows that left the table wait for it; memory must stay bounded by --max-flows in every
 * phase (issue 16, item 1): peak RSS at most 300 MB. Checked: every SYN read, every flow
 * created, at most --max-flows in the table at once, the rest evicted.
 *
 * Standalone: node dist/bench/flood.js [flows] [maxFlows]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const GENERATOR = fileURLToPath(new URL('./generate-synscan.js', import.meta.url));
const CLI = fileURLToPath(new URL('../../bin/rttscan', import.meta.url));
const GNU_TIME = '/usr/bin/time';
export const FLOOD_TARGET_RSS_BYTES = 300e6;

export interface FloodResult {
  flows: number;
  maxFlows: number;
  ms: number;
  cpuMs: number;
  /** NaN without GNU time. */
  maxRssBytes: number;
  decidedBy: string;
  errors: string[];
}

interface FloodJson {
  inputs: { packets: number }[];
  vantage: { decided_by: string };
  counters: { flows: { created: number; peak_active: number; evicted: number } };
}

/** Pipes the generator into the CLI and waits for both. */
export async function runFlood(flows = 8_000_000, maxFlows = 100_000): Promise<FloodResult> {
  const dir = mkdtempSync(join(tmpdir(), 'rttscan-flood-'));
  const json = join(dir, 'flood.json');
  const timeFile = join(dir, 'time.txt');
  const cli = [process.execPath, CLI, '-', '--max-flows', String(maxFlows), '--json', json, '-q'];
  const timed = existsSync(GNU_TIME);
  try {
    const started = process.hrtime.bigint();
    const generator = spawn(process.execPath, [GENERATOR, String(flows)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const reader = timed
      ? spawn(GNU_TIME, ['-f', '%U %S %M', '-o', timeFile, ...cli], { stdio: [generator.stdout, 'ignore', 'pipe'] })
      : spawn(cli[0]!, cli.slice(1), { stdio: [generator.stdout, 'ignore', 'pipe'] });
    let stderr = '';
    reader.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    // The generator's stdout belongs to the reader: wait for its exit, not for that pipe to close.
    const [genCode, readCode] = await Promise.all([exitOf(generator, 'exit'), exitOf(reader, 'close')]);
    generator.stdout!.destroy();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const errors: string[] = [];
    if (genCode !== 0) errors.push(`generator exited ${genCode}`);
    if (readCode !== 0) errors.push(`rttscan exited ${readCode}: ${stderr.trim()}`);
    let cpuMs = Number.NaN;
    let maxRssBytes = Number.NaN;
    if (timed && existsSync(timeFile)) {
      const [user, system, rssKb] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
      cpuMs = ((user ?? Number.NaN) + (system ?? Number.NaN)) * 1000;
      maxRssBytes = (rssKb ?? Number.NaN) * 1024;
    }
    let decidedBy = '?';
    if (errors.length === 0) {
      const doc = JSON.parse(readFileSync(json, 'utf8')) as FloodJson;
      const f = doc.counters.flows;
      decidedBy = doc.vantage.decided_by;
      if (doc.inputs[0]?.packets !== flows) errors.push(`read ${doc.inputs[0]?.packets} packets of ${flows}`);
      if (f.created !== flows) errors.push(`created ${f.created} flows of ${flows}`);
      if (f.peak_active !== Math.min(flows, maxFlows)) errors.push(`peak active ${f.peak_active}, --max-flows ${maxFlows}`);
      if (f.evicted !== Math.max(0, flows - maxFlows)) errors.push(`evicted ${f.evicted}, expected ${flows - maxFlows}`);
    }
    return { flows, maxFlows, ms, cpuMs, maxRssBytes, decidedBy, errors };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function exitOf(child: ReturnType<typeof spawn>, event: 'exit' | 'close'): Promise<number | null> {
  return new Promise((resolve) => child.on(event, (code: number | null) => resolve(code)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const flows = Number(process.argv[2] ?? 8_000_000);
  const maxFlows = Number(process.argv[3] ?? 100_000);
  const r = await runFlood(flows, maxFlows);
  process.stdout.write(`${JSON.stringify(r)}\n`);
  if (r.errors.length > 0) process.exitCode = 1;
}
