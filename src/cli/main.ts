/**
 * The command line: maps options onto `analyze`, prints what was asked, and sets the exit
 * code (0 ok, 1 internal error, 2 usage or unreadable input). stdout carries data only; notes
 * and counters go to stderr. Nothing here calls process.exit(), so output always flushes.
 */
import { createWriteStream } from 'node:fs';
import { CommanderError } from 'commander';
import { analyze, type AnalysisReport, type AnalysisResult } from '../analyze.js';
import { RttscanError } from '../errors.js';
import { renderChart } from '../render/chart.js';
import { createCsvWriter, csvRow } from '../render/csv.js';
import { renderHistograms } from '../render/histogram.js';
import { renderJson, renderJsonLine } from '../render/json.js';
import { SampleLines } from '../render/samples.js';
import { renderTable } from '../render/table.js';
import type { Group } from '../stats/collector.js';
import { epochSeconds } from '../time.js';
import { interfaceList, liveCounterLine, liveOptionsOf, runLive } from './live.js';
import { analyzeOptionsOf, buildProgram, groupByOf, type CliOptions } from './options.js';
import { checkOutputPath, STDOUT, writeOutput } from './output.js';
import { tcprtConfigOf, tcprtNote, TcprtOutput } from './tcprt.js';

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_USAGE = 2;
/** An offline run stopped by Ctrl-C, after printing what it had (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

function note(message: string): void {
  process.stderr.write(`rttscan: ${message}\n`);
}

function out(text: string): void {
  process.stdout.write(text);
}

/** Busiest group first; equal counts in key order, so output is the same on every run. */
function ordered(groups: readonly Group[]): Group[] {
  return [...groups].sort((a, b) => b.stats.count - a.stats.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function counterLine(result: AnalysisResult): string {
  const parts = [
    `${result.decode.packets} packets`,
    `${result.decode.tcp_packets} TCP`,
    `${result.flows.created} flows`,
    `${result.summary.count} samples`,
  ];
  if (result.localAcked > 0) parts.push(`${result.localAcked} acknowledged by the local host left out (see --include-local)`);
  if (result.filtered > 0) parts.push(`${result.filtered} left out by address/port filters`);
  if (result.rtt.karnSkipped > 0) parts.push(`${result.rtt.karnSkipped} ambiguous ACKs skipped (Karn)`);
  if (result.oneWayFlows > 0) parts.push(`${result.oneWayFlows} one-way flows`);
  if (result.flows.evicted > 0) parts.push(`${result.flows.evicted} flows evicted at --max-flows`);
  return parts.join(', ');
}

export async function run(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  let files: string[];
  let options: CliOptions;
  try {
    program.parse(argv as string[]);
    files = program.args;
    options = program.opts<CliOptions>();
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    throw err;
  }
  try {
    return await runAnalysis(files, options);
  } catch (err) {
    if (err instanceof RttscanError) {
      note(err.message);
      if (options.verbose) process.stderr.write(`${err.stack}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
}

async function runAnalysis(files: string[], options: CliOptions): Promise<number> {
  const analyzeOptions = analyzeOptionsOf(options);
  if (options.listInterfaces) {
    out(await interfaceList(options.backend));
    return EXIT_OK;
  }
  const live = liveOptionsOf(options, files, analyzeOptions);
  for (const path of [options.json, options.csv]) await checkOutputPath(typeof path === 'string' ? path : undefined);
  if (files.length === 0 && !live) {
    if (process.stdin.isTTY) {
      note('no input: name a capture file, or pipe one into stdin (see --help)');
      return EXIT_USAGE;
    }
    files = ['-'];
  }
  if (files.filter((f) => f === '-').length > 1) throw new RttscanError('usage', 'stdin (-) can be read only once');
  const tcprtConfig = await tcprtConfigOf(options);
  const tcprt = tcprtConfig && (await TcprtOutput.open(options.tcprt === true ? STDOUT : options.tcprt!));
  if (tcprtConfig && tcprt) analyzeOptions.tcprt = { ...tcprtConfig, ...tcprt.sink };

  const by = groupByOf(options);
  const unit = options.ms ? 'msecs' : 'usecs';
  const wantsAny = options.histogram || options.table || options.csv || options.json || options.chart || options.samples || options.tcprt;
  const table = options.table || !wantsAny;
  const colors = process.stdout.isTTY === true && !process.env.NO_COLOR;

  const csvPath = options.csv === true ? STDOUT : options.csv;
  const csvStream = csvPath === undefined ? undefined : csvPath === STDOUT ? process.stdout : createWriteStream(csvPath);
  const csv = csvStream ? createCsvWriter(csvStream) : undefined;
  const sampleLines = options.samples ? new SampleLines() : undefined;
  if (csv || sampleLines) {
    analyzeOptions.onSample = (ackNs, rttNs, kind, endpoints, base) => {
      csv?.write(csvRow(base, ackNs, rttNs, kind, endpoints));
      if (sampleLines) out(sampleLines.line(base, ackNs, rttNs, kind, endpoints));
    };
  }

  const printReport = (report: AnalysisReport): void => {
    const groups = ordered(report.groups);
    if (options.histogram) out(renderHistograms(by, groups, unit));
    if (table) out(renderTable(groups));
    if (options.chart) out(renderChart(groups, report.base, report.startNs, colors));
  };
  if (analyzeOptions.intervalNs !== undefined) {
    analyzeOptions.onInterval = (report) => {
      if (options.timestamp) {
        const end = new Date(epochSeconds(report.base, report.endNs) * 1000).toISOString().slice(11, 19);
        out(`${end}\n`);
      }
      printReport(report);
      if (options.json) out(renderJsonLine({ ...report, groups: ordered(report.groups) }, unit));
    };
  }
  analyzeOptions.onNote = options.quiet ? undefined : note;
  // Ctrl-C stops reading; what was read so far is still reported. Live, it is the way to stop
  // (so is SIGTERM, from a service manager).
  const interrupt = new AbortController();
  const onSigint = (): void => interrupt.abort();
  process.once('SIGINT', onSigint);
  if (live) process.once('SIGTERM', onSigint);
  analyzeOptions.signal = interrupt.signal;

  const result = live ? await runLive(live, analyzeOptions, options.quiet ? undefined : note) : await analyze(files, analyzeOptions);
  process.removeListener('SIGINT', onSigint);
  process.removeListener('SIGTERM', onSigint);
  if (csv) {
    await new Promise<void>((resolve, reject) => {
      csv.on('error', reject);
      if (csvStream === process.stdout) csv.on('end', resolve);
      else csvStream!.on('finish', resolve).on('error', reject);
      csv.end();
    });
  }
  await tcprt?.close();
  for (const input of result.inputs) for (const warning of input.warnings) note(`warning: ${warning}`);
  if (analyzeOptions.intervalNs === undefined) {
    printReport(result);
    if (options.json) {
      const jsonPath = options.json === true ? STDOUT : options.json;
      await writeOutput(jsonPath, renderJson({ ...result, groups: ordered(result.groups) }, unit));
    }
  }
  if (!options.quiet) note(counterLine(result));
  if (!options.quiet && result.tcprt) note(tcprtNote(result.tcprt, tcprt?.dir));
  const kernel = liveCounterLine(result);
  if (kernel !== undefined && !options.quiet) note(kernel);
  if (interrupt.signal.aborted && !live) {
    process.stdin.destroy(); // an open pipe would keep the process alive
    note('interrupted: the results cover the packets read before Ctrl-C');
    return EXIT_INTERRUPTED;
  }
  return EXIT_OK;
}

// A reader that goes away (`rttscan ... | head`) is not an error: stop quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(EXIT_OK);
  throw err;
});

run(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`rttscan: internal error (a bug, please report it):\n${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = EXIT_INTERNAL;
  },
);
