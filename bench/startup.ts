/**
 * Start-up (issue 17), for `npm run bench` (bench/run.ts runs this after its own rows, or alone
 * with `--startup-only`): the CLI's whole process on nothing or nearly nothing, against Node
 * starting and exiting (`node -e 0`), so that what loading rttscan's modules costs is plain.
 * Whole processes in turn (A B C D, A B C D ...), so whatever load the machine carries falls on
 * all alike; each figure is the median of the rounds, each ratio the median of the ratios round by
 * round (a command's run over the same round's `node -e 0`).
 *
 *   node        `node -e 0`
 *   version     `node bin/rttscan --version`
 *   json        `node bin/rttscan samples/http-v4/client.pcap --json OUT -q` (a CI job's run: 94 packets)
 *   histogram   `node bin/rttscan samples/http-v4/client.pcap --histogram -q`
 *   table       `node bin/rttscan samples/http-v4/client.pcap -q` (the default output: cli-table3)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, readLoad, timeProcess, type Timed } from './targets.js';

export interface StartupRow {
  what: string;
  wallMs: number;
  cpuMs: number;
  /** Median of the round-by-round ratios to `node -e 0`, wall and CPU. */
  wallRatio: number;
  cpuRatio: number;
}

export interface StartupResult {
  node: Timed;
  rows: StartupRow[];
  rounds: number;
  loadBefore: number;
  loadAfter: number;
}

export function benchStartup(opts: { cli: string; sample: string; rounds: number; log: (line: string) => void }): StartupResult {
  const { cli, sample, rounds, log } = opts;
  const loadBefore = readLoad();
  const dir = mkdtempSync(join(tmpdir(), 'rttscan-startup-'));
  const timeFile = join(dir, 'time.txt');
  const commands: Record<string, readonly string[]> = {
    'node -e 0': [process.execPath, '-e', '0'],
    'rttscan --version': [process.execPath, cli, '--version'],
    'rttscan SMALL --json OUT -q': [process.execPath, cli, sample, '--json', join(dir, 'out.json'), '-q'],
    'rttscan SMALL --histogram -q': [process.execPath, cli, sample, '--histogram', '-q'],
    'rttscan SMALL -q (table)': [process.execPath, cli, sample, '-q'],
  };
  const runs: Record<string, Timed[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  try {
    log(`start-up: ${rounds} rounds of ${Object.keys(commands).length} commands`);
    for (let round = 0; round < rounds; round++) {
      for (const [name, argv] of Object.entries(commands)) runs[name]!.push(timeProcess(argv, timeFile));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const base = runs['node -e 0']!;
  const mid = (timed: readonly Timed[], key: keyof Timed): number => median(timed.map((t) => t[key]));
  const rows = Object.entries(runs)
    .filter(([name]) => name !== 'node -e 0')
    .map(([what, timed]) => ({
      what,
      wallMs: mid(timed, 'wallMs'),
      cpuMs: mid(timed, 'cpuMs'),
      wallRatio: median(timed.map((t, i) => t.wallMs / base[i]!.wallMs)),
      cpuRatio: median(timed.map((t, i) => t.cpuMs / base[i]!.cpuMs)),
    }));
  return {
    node: { wallMs: mid(base, 'wallMs'), cpuMs: mid(base, 'cpuMs'), peakRssBytes: mid(base, 'peakRssBytes') },
    rows,
    rounds,
    loadBefore,
    loadAfter: readLoad(),
  };
}

export function startupTable(result: StartupResult): string {
  const lines = [
    `start-up: whole processes in turn, median of ${result.rounds} rounds (ratios to node -e 0: median round by round); load ${result.loadBefore.toFixed(2)}→${result.loadAfter.toFixed(2)}`,
  ];
  const rows = [
    ['command', 'wall ms', 'CPU ms', 'wall / node', 'CPU / node'],
    ['node -e 0', result.node.wallMs.toFixed(0), result.node.cpuMs.toFixed(0), '', ''],
  ];
  for (const r of result.rows) rows.push([r.what, r.wallMs.toFixed(0), r.cpuMs.toFixed(0), `${r.wallRatio.toFixed(2)}x`, `${r.cpuRatio.toFixed(2)}x`]);
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  for (const row of rows) lines.push(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
  return lines.join('\n');
}
