/** Running the built CLI the way users do: `node bin/rttscan ARGS`. */
import { spawnSync } from 'node:child_process';
import { CLI_PATH, REPO_ROOT } from './paths.js';

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

/** Whether a command is on PATH (for cross-checks against tshark and tcptrace). */
export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
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
