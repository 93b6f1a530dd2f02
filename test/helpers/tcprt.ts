/**
 * TCP-RT on a scripted conversation: runs `analyze` with a TCP-RT configuration and returns
 * the record lines and stats lines as the CLI would print them.
 */
import type { TestContext } from 'node:test';
import type { AnalysisResult, AnalyzeOptions } from '../../src/analyze.js';
import type { PortRule, TcprtConfig } from '../../src/engines/tcprt/config.js';
import type { TaskRecord } from '../../src/engines/tcprt/records.js';
import { tcprtRecordLine, tcprtStatsLines } from '../../src/render/tcprt.js';
import { runScript, type TcpScript } from './tcp-script.js';
import { noteText } from '../../src/cli/notes.js';

/** A local-mode rule on one port, default mode. */
export function lport(port: number, extra: Partial<PortRule> = {}): PortRule {
  return { side: 'local', lo: port, hi: port, range: false, mode: 'default', firstFrame: false, ...extra };
}

export function pport(port: number, extra: Partial<PortRule> = {}): PortRule {
  return { side: 'peer', lo: port, hi: port, range: false, mode: 'default', firstFrame: false, ...extra };
}

export interface TcprtRun {
  /** Record lines, each with its newline. */
  log: string[];
  /** The same records as data. */
  records: TaskRecord[];
  /** Stats lines (without newline), in order. */
  stats: string[];
  notes: string[];
  result: AnalysisResult;
}

/**
 * `options` go to `analyze` (e.g. `vantage`; runScript's default is mid-path, a vantage that
 * names no host; `vantage: undefined` infers it). `holdLimit` bounds what waits for an inference.
 */
export async function runTcprt(
  t: TestContext,
  script: TcpScript | Uint8Array,
  config: Partial<TcprtConfig> & { holdLimit?: number } = {},
  options: AnalyzeOptions = {},
): Promise<TcprtRun> {
  const log: string[] = [];
  const records: TaskRecord[] = [];
  const stats: string[] = [];
  const notes: string[] = [];
  const { result } = await runScript(t, script, {
    ...options,
    onNote: (n) => notes.push(noteText(n)),
    tcprt: {
      rules: [lport(80)],
      statsIntervalNs: 60e9,
      firstFrameBytes: [100, 2000, 20000],
      flush: false,
      ...config,
      onRecord: (record, base) => {
        records.push(record);
        log.push(tcprtRecordLine(record, base));
      },
      onStats: (sec, lines) => stats.push(...tcprtStatsLines(sec, lines).split('\n').filter((l) => l !== '')),
    },
  });
  return { log, records, stats, notes, result };
}
