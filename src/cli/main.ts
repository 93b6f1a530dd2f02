/**
 * The command line: maps options onto `analyze`, prints what was asked, and sets the exit
 * code (0 ok, 1 internal error, 2 usage or unreadable input, 3 a --fail-if condition held).
 * `rttscan merge ...` goes to merge-command.ts. stdout carries data only; notes and counters go
 * to stderr. Nothing here calls process.exit(), so output always flushes.
 */
import { createWriteStream } from 'node:fs';
import { CommanderError } from 'commander';
import { analyze, type AnalysisReport, type AnalysisResult } from '../analyze.js';
import { RttscanError } from '../errors.js';
import { DEFAULT_CHART_WIDTH, renderChart } from '../render/chart.js';
import { createCsvWriter, csvHeader, csvRow } from '../render/csv.js';
import { renderHistograms } from '../render/histogram.js';
import { renderJsonLine, resultJson, stringifyDocument } from '../render/json.js';
import { SampleLines } from '../render/samples.js';
import { renderTable } from '../render/table.js';
import { renderTcprtTable } from '../render/tcprt.js';
import { busiestFirst } from '../stats/group-order.js';
import { formatClock, formatEpoch, parseDurationNs } from '../time.js';
import { applyConfigFile, blameConfigFile, loadConfigFile, type ConfigFile } from './config-file.js';
import { NoteLog, type LogLevel } from './log.js';
import { fileWritable, ReopenableFile, reopenAll } from './reopenable.js';
import { checkEachOptions, CiChecks, EXIT_FAIL_IF } from './ci-options.js';
import { liveCounterLines, liveOptionsOf, type LiveCli } from './live-options.js';
import { buildMergeProgram, MERGE_COMMAND, runMerge, type MergeOptions } from './merge-command.js';
import { ProgressLine, progressWanted, totalInputBytes } from './progress.js';
import { analyzeOptionsOf, buildProgram, groupByOf, type CliOptions } from './options.js';
import { checkOutputPath, STDOUT, writeOutput } from './output.js';
import { tcprtConfigOf, tcprtNote, TcprtOutput, tcprtTargetsOf } from './tcprt.js';
import { PageOutputs } from './page-outputs.js';
import type { SummaryDocumentJson } from '../schema/document.js';

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_USAGE = 2;
/** An offline run stopped by Ctrl-C, after printing what it had (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

/** Notes, warnings and errors: stderr, or --log-file; filtered by --log-level. */
const log = new NoteLog();

function note(message: string): void {
  log.write(message.startsWith('warning: ') ? 'warning' : 'error', message);
}

function out(text: string): void {
  process.stdout.write(text);
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
  if (result.rtt.segmentsOverBudget > 0) parts.push(`${result.rtt.segmentsOverBudget} unacknowledged segments forgotten at --max-segments`);
  return parts.join(', ');
}

export async function run(argv: readonly string[]): Promise<number> {
  // `rttscan merge ...` combines --json summaries; a capture file named merge is read as ./merge.
  const merge = argv[2] === MERGE_COMMAND;
  const program = merge ? buildMergeProgram() : buildProgram();
  let files: string[];
  let options: CliOptions & MergeOptions;
  try {
    program.parse(merge ? [...argv.slice(0, 2), ...argv.slice(3)] : (argv as string[]));
    files = program.args;
    options = program.opts<CliOptions & MergeOptions>();
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    throw err;
  }
  let config: ConfigFile | undefined;
  let fromFile: ReadonlySet<string> = new Set();
  try {
    if (!merge && options.config !== undefined) {
      config = await loadConfigFile(options.config, program, parseDurationNs);
      fromFile = applyConfigFile(program, config);
      options = program.opts<CliOptions & MergeOptions>();
    }
    const reread = config && {
      file: config,
      reread: () => loadConfigFile(config!.path, buildProgram(), parseDurationNs),
      givenOnCommandLine: (attribute: string) => program.getOptionValueSource(attribute) === 'cli',
    };
    return merge ? await runMerge(files, options) : await runAnalysis(files, options, reread);
  } catch (err) {
    if (err instanceof RttscanError) {
      note(blameConfigFile(err.message, config, fromFile, program));
      if (options.verbose) process.stderr.write(`${err.stack}\n`);
      return EXIT_USAGE;
    }
    throw err;
  }
}

async function finishCsv(csv: ReturnType<typeof createCsvWriter>, stream: NodeJS.WritableStream): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    csv.on('error', reject);
    if (stream === process.stdout) csv.on('end', resolve);
    else stream.on('finish', resolve).on('error', reject);
    csv.end();
  });
}

async function runAnalysis(files: string[], options: CliOptions, configFile: LiveCli['config']): Promise<number> {
  const config = configFile?.file;
  if (options.logLevel !== undefined) log.level = options.logLevel as LogLevel;
  if (options.logFile !== undefined) log.toFile(options.logFile);
  const analyzeOptions = analyzeOptionsOf(options);
  if (options.listInterfaces) {
    const { interfaceList } = await import('./live.js');
    out(await interfaceList(options.backend));
    return EXIT_OK;
  }
  const live = liveOptionsOf(options, files, analyzeOptions, configFile);
  for (const path of [options.json, options.csv]) await checkOutputPath(typeof path === 'string' ? path : undefined);
  if (files.length === 0 && !live) {
    if (process.stdin.isTTY) {
      note('no input: name a capture file, or pipe one into stdin (see --help)');
      return EXIT_USAGE;
    }
    files = ['-'];
  }
  if (files.filter((f) => f === '-').length > 1) throw new RttscanError('usage', 'stdin (-) can be read only once');
  checkEachOptions(options);
  const pages = await PageOutputs.open(options, process.argv.slice(2));
  const tcprtConfig = await tcprtConfigOf(options);
  const tcprt = tcprtConfig && (await TcprtOutput.open(tcprtTargetsOf(options), live !== undefined));
  if (tcprtConfig && tcprt) {
    const { onRecord } = tcprt.sink;
    analyzeOptions.tcprt = {
      ...tcprtConfig,
      ...tcprt.sink,
      onRecord: (record, base) => {
        onRecord!(record, base);
        pages.onRecord(record);
      },
    };
  }

  const by = groupByOf(options);
  const ci = await CiChecks.fromOptions(options.failIf, options.baseline, by);
  const unit = options.ms ? 'msecs' : 'usecs';
  // TCP-RT records written to files leave stdout to the default table (with TCP-RT per port).
  const wantsAny = options.histogram || options.table || options.csv || options.json || options.chart || options.samples || tcprt?.onStdout || options.html || options.pping;
  const table = options.table || (!wantsAny && ci.baseline === undefined);
  const colors = process.stdout.isTTY === true && !process.env.NO_COLOR;
  // The progress line (on a terminal) is cleared before anything else is written there.
  let progress: ProgressLine | undefined;
  const print = (text: string): void => {
    progress?.clear();
    out(text);
  };
  const say = (message: string): void => {
    progress?.clear();
    log.write('info', message);
  };
  const quietNote = options.quiet ? (): void => {} : say;
  // Data on stdout stays parseable: then the --baseline table goes to stderr.
  const toStderr = (text: string): void => {
    progress?.clear();
    process.stderr.write(text);
  };
  const deltasOut = options.json === true || options.json === STDOUT || options.csv === true || options.csv === STDOUT || pages.ppingOnStdout ? toStderr : print;
  const textOnStdout = options.histogram || table || options.chart || options.samples || (ci.baseline !== undefined && deltasOut === print);

  const csvPath = options.csv === true ? STDOUT : options.csv;
  // The inputs frame numbers count in: the files, or the interfaces captured on.
  const frameInputs = live ? live.live.ifaces : files;
  // Live, a CSV file is reopened on SIGHUP (and a new file gets the header again).
  const csvFile = live && csvPath !== undefined && csvPath !== STDOUT ? new ReopenableFile(csvPath, csvHeader(frameInputs)) : undefined;
  const csvStream = csvPath === undefined ? undefined : csvPath === STDOUT ? process.stdout : csvFile ? fileWritable(csvFile) : createWriteStream(csvPath);
  const csv = csvStream ? createCsvWriter(csvStream, frameInputs, csvFile === undefined) : undefined;
  // --interval with --json FILE: one line per interval in FILE, reopened on SIGHUP.
  const jsonPath = options.json === true ? STDOUT : options.json;
  const jsonLines = analyzeOptions.intervalNs !== undefined && jsonPath !== undefined && jsonPath !== STDOUT ? new ReopenableFile(jsonPath) : undefined;
  const sampleLines = options.samples ? new SampleLines() : undefined;
  if (csv || sampleLines || pages.wantsSamples) {
    analyzeOptions.onSample = (ackNs, rttNs, kind, endpoints, base) => {
      csv?.write(csvRow(base, ackNs, rttNs, kind, endpoints, frameInputs));
      if (sampleLines) print(sampleLines.line(base, ackNs, rttNs, kind, endpoints));
      pages.onSample(ackNs, rttNs, kind, endpoints, base, print);
    };
  }

  const printReport = (report: AnalysisReport, context: string): void => {
    const groups = busiestFirst(report.groups);
    if (options.histogram) print(renderHistograms(by, groups, unit));
    if (table) print(renderTable(groups));
    if (table && report.tcprtPorts !== undefined) print(renderTcprtTable(report.tcprtPorts));
    if (options.chart) {
      const width = process.stdout.isTTY === true ? process.stdout.columns : DEFAULT_CHART_WIDTH;
      print(renderChart(groups, report.base, report.startNs, { colors, width }));
    }
    deltasOut(ci.deltas(report));
    ci.check(report, context, say, quietNote);
  };
  if (analyzeOptions.intervalNs !== undefined) {
    analyzeOptions.onInterval = (report) => {
      if (options.timestamp) {
        print(`${formatClock(report.base, report.endNs)}\n`);
      }
      printReport(report, ` (interval ending ${formatEpoch(report.base, report.endNs)})`);
      if (options.json) {
        const line = renderJsonLine({ ...report, groups: busiestFirst(report.groups) }, unit);
        if (jsonLines) jsonLines.write(line);
        else print(line);
      }
    };
  }
  // Ctrl-C stops reading; what was read so far is still reported. Live, it is the way to stop
  // (so is SIGTERM, from a service manager).
  const interrupt = new AbortController();
  const onSigint = (): void => interrupt.abort();
  process.once('SIGINT', onSigint);
  if (live) process.once('SIGTERM', onSigint);
  analyzeOptions.signal = interrupt.signal;
  // A service's SIGHUP: output files reopened (logrotate), the config file read again.
  const onSighup = (): void => {
    for (const message of reopenAll()) note(message);
    say(`SIGHUP: output files reopened${config ? `; reading ${config.path} again` : ''}`);
    void live?.reload?.().then((file) => {
      const level = file?.values.get('logLevel');
      if (file !== undefined && !configFile!.givenOnCommandLine('logLevel')) log.level = (level as LogLevel | undefined) ?? 'info';
    });
  };
  if (live) process.on('SIGHUP', onSighup);

  // One run over all files merged in time order, or with --each one run per file.
  const runs = options.each ? files.map((f) => [f]) : [files];
  const documents: SummaryDocumentJson[] = [];
  for (const [i, paths] of runs.entries()) {
    if (interrupt.signal.aborted) break;
    const context = options.each ? ` (in ${paths[0]})` : '';
    if (options.each && textOnStdout) print(`${i > 0 ? '\n' : ''}==> ${paths[0]} <==\n`);
    const totalBytes = await totalInputBytes(paths);
    const showProgress = progressWanted({ stderrIsTTY: process.stderr.isTTY === true, env: process.env, totalBytes, quiet: options.quiet ?? false });
    progress = showProgress ? new ProgressLine(process.stderr, totalBytes!) : undefined;
    analyzeOptions.onInputsOpen = progress ? (inputs) => progress?.watch(inputs) : undefined;
    analyzeOptions.onNote = options.each
      ? (message) => quietNote(`${paths[0]}: ${message}`)
      : (message) => {
          pages.note(message);
          quietNote(message);
        };
    let result: AnalysisResult;
    try {
      // The capture modules load only for a live run.
      result = live ? await (await import('./live.js')).runLive(live, analyzeOptions, quietNote) : await analyze(paths, analyzeOptions);
    } finally {
      progress?.stop();
      progress = undefined;
    }
    // All rows out before anything else is printed (--each refuses --csv: one run at most).
    if (csv) await finishCsv(csv, csvStream!);
    await tcprt?.close(); // --each refuses --tcprt: one run at most
    await pages.finish(result, unit, print); // --each refuses --html: one run at most
    for (const input of result.inputs) for (const warning of input.warnings) note(`warning: ${warning}`);
    if (analyzeOptions.intervalNs === undefined) {
      printReport(result, context);
      if (options.json) documents.push(resultJson({ ...result, groups: busiestFirst(result.groups) }, unit));
    }
    if (!options.quiet) log.write('info', `${options.each ? `${paths[0]}: ` : ''}${counterLine(result)}`);
    if (!options.quiet && result.tcprt) log.write('info', tcprtNote(result.tcprt, tcprt));
    if (!options.quiet) for (const line of liveCounterLines(result)) log.write('info', line);
  }
  process.removeListener('SIGINT', onSigint);
  process.removeListener('SIGTERM', onSigint);
  process.removeListener('SIGHUP', onSighup);
  jsonLines?.close();
  if (jsonPath !== undefined && analyzeOptions.intervalNs === undefined) {
    await writeOutput(jsonPath, stringifyDocument(options.each ? documents : documents[0]));
  }
  if (interrupt.signal.aborted && !live) {
    process.stdin.destroy(); // an open pipe would keep the process alive
    log.write('warning', 'interrupted: the results cover the packets read before Ctrl-C');
    return EXIT_INTERRUPTED;
  }
  return ci.violated ? EXIT_FAIL_IF : EXIT_OK;
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
