/**
 * The cost of the per-sample outputs, for `npm run bench`: the CLI writing --csv, and --jsonl,
 * over the time of the same run writing --json (the summary alone), each a whole process on the
 * bench capture, interleaved and best of `reps`; and the peak RSS of `--csv -` into a reader
 * slower than the analysis (backpressure: it must stay flat, not grow with the samples).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OutputsBench {
  jsonBestMs: number;
  csvBestMs: number;
  jsonlBestMs: number;
  /** csv / json and jsonl / json, best against best. */
  csvRatio: number;
  jsonlRatio: number;
  csvBytes: number;
  /** `--csv -` into a reader of SLOW_READER_BYTES_PER_SEC: its peak RSS and how long it took. */
  slowReaderPeakRssBytes: number;
  slowReaderMs: number;
  slowReaderBytes: number;
}

/** The slow reader takes 256 KiB every 20 ms: about 13 MB/s, slower than rttscan writes CSV. */
const SLOW_READ_BYTES = 256 * 1024;
const SLOW_READ_EVERY_MS = 20;

function timeRun(argv: readonly string[]): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: exit ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function peakRssBytes(pid: number): number {
  try {
    return 1024 * Number(/^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Every sample of the capture, the local host's too: the bench capture's inferred capture host
 * acknowledges most of its 700,221 samples (the CSV has 700,222 lines with its header), and the default run leaves those out (96,430 kept).
 */
const EVERY_SAMPLE = ['--include-local'];

async function slowReader(cli: string, file: string): Promise<{ peak: number; ms: number; bytes: number }> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [cli, file, ...EVERY_SAMPLE, '--csv', '-', '-q'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let peak = 0;
  let bytes = 0;
  const watch = setInterval(() => (peak = Math.max(peak, peakRssBytes(child.pid!))), 10);
  child.stdout.pause();
  const drain = (): void => {
    for (let chunk = child.stdout.read() as Buffer | null; chunk; chunk = child.stdout.read() as Buffer | null) bytes += chunk.length;
  };
  const reader = setInterval(() => {
    const chunk = child.stdout.read(SLOW_READ_BYTES) as Buffer | null;
    if (chunk) bytes += chunk.length;
  }, SLOW_READ_EVERY_MS);
  const code = await new Promise<number | null>((resolve) => {
    child.stdout.on('end', () => clearInterval(reader));
    child.on('close', resolve);
  });
  clearInterval(watch);
  clearInterval(reader);
  drain();
  if (code !== 0) throw new Error(`slow reader: rttscan exited ${code}`);
  return { peak, ms: Number(process.hrtime.bigint() - started) / 1e6, bytes };
}

export async function benchOutputs(cli: string, file: string, reps: number, log: (line: string) => void): Promise<OutputsBench> {
  const tmp = mkdtempSync(join(tmpdir(), 'rttscan-bench-outputs-'));
  try {
    const argv = (option: string, out: string): string[] => [process.execPath, cli, file, ...EVERY_SAMPLE, option, join(tmp, out), '-q'];
    const best = { json: Infinity, csv: Infinity, jsonl: Infinity };
    for (let rep = 0; rep < reps; rep++) {
      log(`outputs: run ${rep + 1} of ${reps}`);
      const order: Array<keyof typeof best> = rep % 2 === 0 ? ['json', 'csv', 'jsonl'] : ['jsonl', 'csv', 'json'];
      for (const kind of order) best[kind] = Math.min(best[kind], timeRun(argv(`--${kind}`, `out.${kind}`)));
    }
    const csvBytes = statSync(join(tmp, 'out.csv')).size;
    log('outputs: --csv - into a slow reader');
    const slow = await slowReader(cli, file);
    return {
      jsonBestMs: best.json,
      csvBestMs: best.csv,
      jsonlBestMs: best.jsonl,
      csvRatio: best.csv / best.json,
      jsonlRatio: best.jsonl / best.json,
      csvBytes,
      slowReaderPeakRssBytes: slow.peak,
      slowReaderMs: slow.ms,
      slowReaderBytes: slow.bytes,
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
