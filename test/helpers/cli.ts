/**
 * Running the CLI in a test. `runCliInProcess` calls main.ts's `main` in this process with its
 * own stdout, stderr and environment: the same code as bin/rttscan but for the process around
 * it, a few milliseconds instead of a Node start (about 0.17 s of CPU). `runCli` spawns the
 * built CLI the way users run it (`node bin/rttscan ARGS`): for what only a process has (stdin,
 * signals, a terminal, the time zone and locale, exit through the real bin).
 */
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import { CLI_PATH, REPO_ROOT } from './paths.js';

/** The compiled test/helpers/cli-batch.ts, run by runCliInChild. */
const CLI_BATCH_PATH = fileURLToPath(new URL('./cli-batch.js', import.meta.url));

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], input?: Uint8Array | string, env: NodeJS.ProcessEnv = {}): CliRun {
  const r = spawnSync(process.execPath, [CLI_PATH, ...args], {
    cwd: REPO_ROOT,
    input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A stream that keeps what is written to it. */
class Collected extends Writable {
  private readonly chunks: Buffer[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    this.chunks.push(chunk);
    done();
  }

  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * Variables that the process reads for itself (the clock's time zone, the locale): an
 * in-process run cannot have its own, so a test that sets them must spawn (runCli).
 */
const PROCESS_ENV = /^(TZ|LANG|LANGUAGE|LC_\w+|NODE_\w+)$/;

/** The CLI run in this process, as if from the repository root with no stdin (as runCli with no input). */
export async function runCliInProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const processWide = Object.keys(env).filter((name) => PROCESS_ENV.test(name));
  if (processWide.length > 0) throw new Error(`runCliInProcess cannot set ${processWide.join(', ')}: use runCli`);
  // Paths in the arguments are relative to the repository root, as runCli's cwd.
  if (process.cwd() !== REPO_ROOT) process.chdir(REPO_ROOT);
  const stdout = new Collected();
  const stderr = new Collected();
  const status = await main([process.execPath, CLI_PATH, ...args], { stdout, stderr, stdinIsTTY: false, env: { ...process.env, NO_COLOR: '1', ...env } });
  return { status, stdout: stdout.text(), stderr: stderr.text() };
}
const onPath = new Map<string, boolean>();

/** Whether a command is on PATH (for cross-checks against tshark and tcptrace); asked of a shell once per name. */
export function hasCommand(name: string): boolean {
  let found = onPath.get(name);
  if (found === undefined) onPath.set(name, (found = spawnSync('sh', ['-c', `command -v ${name}`]).status === 0));
  return found;
}

export interface CsvSample {
  ts: string;
  src: string;
  sport: number;
  dst: string;
  dport: number;
  rttUs: number;
  kind: string;
  /** Frame numbers of the data segment and of the ACK in their input (as tshark counts). */
  segFrame: number;
  ackFrame: number;
}

export function parseCsv(text: string): CsvSample[] {
  const lines = text.trim().split('\n');
  if (!lines[0]!.startsWith('ts,src,sport,dst,dport,rtt_us,kind,seg_frame,ack_frame')) throw new Error(`unexpected CSV header: ${lines[0]}`);
  return lines.slice(1).map((line) => {
    const [ts, src, sport, dst, dport, rtt, kind, segFrame, ackFrame] = line.split(',') as [string, string, string, string, string, string, string, string, string];
    return { ts, src, sport: Number(sport), dst, dport: Number(dport), rttUs: Number(rtt), kind, segFrame: Number(segFrame), ackFrame: Number(ackFrame) };
  });
}

/**
 * Several command lines run one after another by main() in one new Node process that has `env`
 * in its environment from the start (the time zone and locale a process reads once): what
 * tests of the environment need, for one process start instead of one per command line.
 */
export function runCliInChild(argvs: readonly (readonly string[])[], env: NodeJS.ProcessEnv = {}): CliRun[] {
  const r = spawnSync(process.execPath, [CLI_BATCH_PATH, JSON.stringify(argvs)], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  if (r.status !== 0) throw new Error(`cli-batch.js: exit ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as CliRun[];
}
