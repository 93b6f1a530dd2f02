/**
 * A progress line on stderr while large captures are read: bytes read of the total, packets per
 * second and the time left. Only for a person watching: never when stderr is a pipe or a file,
 * never under CI, never with --quiet, and not for inputs small enough to finish at once.
 */
import { stat } from 'node:fs/promises';
import type { InputProgress } from '../analyze.js';

/** Below this many bytes in all (about 50 MB) a run ends before a progress line would help. */
export const PROGRESS_MIN_BYTES = 50_000_000;
/** Redraws per second: often enough to look alive, rarely enough to cost nothing. */
const REDRAW_MS = 250;
const MIN_RATE_SECONDS = 0.5;

export interface ProgressContext {
  stderrIsTTY: boolean;
  env: NodeJS.ProcessEnv;
  /** Total size of the inputs; undefined when unknown (stdin). */
  totalBytes: number | undefined;
  quiet: boolean;
}

/** CI systems set CI (GitHub, GitLab, CircleCI, Travis, Buildkite...): any value but false/0. */
function underCi(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

export function progressWanted(c: ProgressContext): boolean {
  return c.stderrIsTTY && !c.quiet && !underCi(c.env) && c.env.TERM !== 'dumb' && c.totalBytes !== undefined && c.totalBytes > PROGRESS_MIN_BYTES;
}

/** The total size of the input files, or undefined if one is stdin or cannot be sized. */
export async function totalInputBytes(paths: readonly string[]): Promise<number | undefined> {
  let total = 0;
  for (const path of paths) {
    if (path === '-') return undefined;
    try {
      const st = await stat(path);
      if (!st.isFile()) return undefined;
      total += st.size;
    } catch {
      return undefined; // opening it will say what is wrong
    }
  }
  return total;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function rate(packetsPerSec: number): string {
  if (packetsPerSec >= 1e6) return `${(packetsPerSec / 1e6).toFixed(2)} M packets/s`;
  if (packetsPerSec >= 1e3) return `${(packetsPerSec / 1e3).toFixed(1)} k packets/s`;
  return `${Math.round(packetsPerSec)} packets/s`;
}

function clock(seconds: number): string {
  const s = Math.ceil(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export interface ProgressFigures {
  bytesRead: number;
  totalBytes: number;
  packets: number;
  elapsedMs: number;
}

/** One progress line, at most `columns` wide: `[####......]  12.3 MB of 512.0 MB  2%  1.20 M packets/s  ETA 0:41`. */
export function formatProgress(p: ProgressFigures, columns: number): string {
  const fraction = p.totalBytes > 0 ? Math.min(1, p.bytesRead / p.totalBytes) : 0;
  const seconds = p.elapsedMs / 1000;
  const parts = [`${megabytes(p.bytesRead)} of ${megabytes(p.totalBytes)}`, `${Math.floor(fraction * 100)}%`];
  // Rates over less than half a second are noise: shown once there is something to go on.
  if (seconds >= MIN_RATE_SECONDS) parts.push(rate(p.packets / seconds));
  if (seconds >= MIN_RATE_SECONDS && p.bytesRead > 0) parts.push(`ETA ${clock(((p.totalBytes - p.bytesRead) / p.bytesRead) * seconds)}`);
  const text = parts.join('  ');
  // Brackets, two spaces, and the last column left free (writing there wraps on some terminals).
  const barWidth = Math.min(30, columns - text.length - 5);
  if (barWidth < 5) return text.slice(0, Math.max(0, columns - 1));
  const filled = Math.round(fraction * barWidth);
  return `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]  ${text}`;
}

/** Draws formatProgress() on a terminal stream until stopped; clear() makes room for a note. */
export class ProgressLine {
  private inputs: readonly InputProgress[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly startMs = Date.now();
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WritableStream & { readonly columns?: number },
    private readonly totalBytes: number,
  ) {}

  /** Starts drawing the progress of these inputs. */
  watch(inputs: readonly InputProgress[]): void {
    this.inputs = inputs;
    this.draw();
    this.timer = setInterval(() => this.draw(), REDRAW_MS);
    this.timer.unref();
  }

  /** Erases the line (it is drawn again at the next tick). */
  clear(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private draw(): void {
    let bytesRead = 0;
    let packets = 0;
    for (const input of this.inputs) {
      bytesRead += input.bytesRead;
      packets += input.packets;
    }
    // A terminal of unknown size (a pty nobody sized) reports 0 columns.
    const columns = this.stream.columns !== undefined && this.stream.columns > 0 ? this.stream.columns : 80;
    const line = formatProgress({ bytesRead, totalBytes: this.totalBytes, packets, elapsedMs: Date.now() - this.startMs }, columns);
    this.stream.write(`\r${line}\x1b[K`);
    this.drawn = true;
  }
}
