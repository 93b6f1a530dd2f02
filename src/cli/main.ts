/**
 * The command line: turns argv into the library's options and an output plan (plan.ts), runs
 * the analysis, prints what was asked through the plan, and sets the exit code (0 ok, 1 internal
 * or output error, 2 usage or unreadable input, 3 a --fail-if condition held, 128 + the signal's
 * number for an offline run stopped by SIGINT, SIGTERM or SIGHUP). `rttscan merge ...` goes to
 * merge-command.ts. stdout carries data only; notes and counters go to stderr. Nothing here calls
 * process.exit() (bin.ts does, for a reader of stdout that went away), so output always flushes.
 * `main` takes the streams and environment it runs with (`CliIo`): tests drive it in-process.
 */
import type { AnalysisResult } from '../analyze.js';
import type { PacketFilter } from '../capture/bpf.js';
import { RttscanError, usageError } from '../errors.js';
import { busiestFirst } from '../stats/group-order.js';
import { formatEpoch, parseDurationNs } from '../time.js';
import { applyConfigFile, blameConfigFile, loadConfigFile, type ConfigFile } from './config-file.js';
import { NoteLog, type LogLevel } from './log.js';
import { reopenAll } from './reopenable.js';
import { checkEachOptions, CiChecks, EXIT_FAIL_IF } from './ci-options.js';
import { liveCounterLines, liveOptionsOf, type LiveCli } from './live-options.js';
import type { MergeOptions } from './merge-command.js';
import { analyzeOptionsOf, buildProgram, CommanderError, groupByOf, inputsOf, MERGE_COMMAND, withListDefaults, type CliOptions } from './options.js';
import { checkOutputPath } from './output.js';
import { outputPlanOf, planned } from './plan.js';
import { ProgressLine, progressWanted, totalInputBytes } from './progress.js';
import { RunOutputs } from './report-output.js';
import { StdioTarget } from './targets.js';
import { colorsWanted } from './terminal.js';
import { tcprtConfigOf, tcprtNote, TcprtOutput, tcprtTargetsOf } from './tcprt.js';
import { noteText } from './notes.js';
import { errorText } from './error-text.js';

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
/** An output that cannot be written (a full disk): one line naming it, no stack. */
export const EXIT_OUTPUT = 1;
export const EXIT_USAGE = 2;

/**
 * RTTSCAN_WORKER_MIN_BYTES: the smallest gzip file inflated on a worker thread (analyze.ts
 * workerMinBytes; unset, WORKER_MIN_GZIP_BYTES): 0 for every gzip file (tests use it on small
 * captures), `never` for none.
 */
function workerMinBytesOf(env: NodeJS.ProcessEnv): number | undefined {
  const value = env.RTTSCAN_WORKER_MIN_BYTES;
  if (value === undefined || value === '') return undefined;
  if (value === 'never') return Infinity;
  if (!/^\d+$/.test(value)) throw new RttscanError('usage', `RTTSCAN_WORKER_MIN_BYTES=${value}: not a byte count (a whole number, or never)`);
  return Number(value);
}
/** An offline run stopped by a signal, after printing what it had: 128 + the signal's number. */
export const EXIT_INTERRUPTED = 130;

/**
 * The signals that end an offline run early (with its report), and a live one normally; a live
 * run (a service) takes SIGHUP as "reopen the output files, read the config file again".
 */
const STOP_SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
type StopSignal = keyof typeof STOP_SIGNALS;
const LIVE_STOP_SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM'];
/** How long, at most, a live run holds per-sample rows before writing them. */
const LIVE_STREAM_MS = 200;

const LINKTYPE_ETHERNET = 1;

/** What a run reads from its process: the streams it writes, whether stdin is a terminal, the environment. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** A terminal's width is asked of stderr for the progress line. */
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean; readonly columns?: number };
  readonly stdinIsTTY: boolean;
  readonly env: NodeJS.ProcessEnv;
}

/** The process's own: what bin/rttscan runs with. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdinIsTTY: process.stdin.isTTY === true, env: process.env };
}

/** One run's output targets and notes; nothing is shared between two runs in one process. */
class RunContext {
  readonly stdout: StdioTarget;
  readonly stderr: StdioTarget;
  /** Notes, warnings and errors: stderr, or --log-file; filtered by --log-level. */
  readonly log: NoteLog;

  constructor(
    readonly io: CliIo,
    /** The arguments after the program's name, as the HTML page names the command that made it. */
    readonly command: readonly string[],
  ) {
    this.stdout = new StdioTarget('stdout', io.stdout);
    this.stderr = new StdioTarget('stderr', io.stderr);
    this.log = new NoteLog((text) => this.stderr.write(text));
  }

  /** An error or warning, always shown (but with --log-level error, warnings are not). */
  readonly note = (message: string): void => {
    this.log.write(message.startsWith('warning: ') ? 'warning' : 'error', message);
  };

  /** A note for a person: what was inferred, counted, done (--log-level info, not -q). */
  readonly info = (message: string): void => {
    this.log.write('info', message);
  };
}

function counterLine(result: AnalysisResult, packetFilter: PacketFilter | undefined): string {
  const parts = [
    ...(packetFilter ? [`${packetFilter.rejected} packets not matching --filter`] : []),
    `${result.decode.packets} packets`,
    `${result.decode.tcp_packets} TCP`,
    `${result.flows.created} flows`,
    `${result.keptSamples} samples`,
  ];
  if (result.localAcked > 0) parts.push(`${result.localAcked} acknowledged by the local host left out (see --include-local)`);
  if (result.filtered > 0) parts.push(`${result.filtered} left out by address/port/kind filters`);
  if (result.rtt.negativeIntervals > 0) parts.push(`${result.rtt.negativeIntervals} ACKs captured before their segment left out`);
  if (result.rtt.karnSkipped > 0) parts.push(`${result.rtt.karnSkipped} ambiguous ACKs skipped (Karn)`);
  if (result.oneWayFlows > 0) parts.push(`${result.oneWayFlows} one-way flows`);
  if (result.flows.evicted > 0) parts.push(`${result.flows.evicted} flows evicted at --max-flows`);
  if (result.rtt.segmentsOverBudget > 0) parts.push(`${result.rtt.segmentsOverBudget} unacknowledged segments forgotten at --max-segments`);
  return parts.join(', ');
}

/**
 * Runs the command line `argv` (process.argv's shape: node, script, arguments...) and gives the
 * exit code; an unexpected error is printed as an internal error (exit 1). `onStdoutGone` is
 * called if the reader of stdout goes away (EPIPE).
 */
export async function main(argv: readonly string[], io: CliIo = processIo(), onStdoutGone: () => void = () => {}): Promise<number> {
  const cli = new RunContext(io, argv.slice(2));
  // A reader of stdout that goes away (`rttscan ... | head`) is not an error: bin.ts stops
  // quietly. One of stderr (`2>&1 | head -1`) only stops the notes: the exit code stays the run's.
  const stopListening = [cli.stdout.listen(onStdoutGone), cli.stderr.listen(() => {})];
  try {
    return await run(argv, cli);
  } catch (err) {
    cli.stderr.write(`rttscan: internal error (a bug, please report it):\n${(err as Error).stack ?? String(err)}\n`);
    return EXIT_INTERNAL;
  } finally {
    cli.log.close();
    for (const stop of stopListening) stop();
  }
}

async function run(argv: readonly string[], cli: RunContext): Promise<number> {
  const { stdout, stderr, note } = cli;
  // `rttscan merge ...` combines --json summaries; a capture file named merge is read as ./merge.
  // Each command's modules load only for it (start-up: see README, Performance).
  const merge = argv[2] === MERGE_COMMAND ? await import('./merge-command.js') : undefined;
  const program = merge ? merge.buildMergeProgram() : buildProgram();
  // Help, version and commander's usage errors go to this run's streams.
  program.configureOutput({ writeOut: (text) => stdout.write(text), writeErr: (text) => stderr.write(text) });
  let files: string[];
  let options: CliOptions & MergeOptions;
  try {
    program.parse(merge ? [...argv.slice(0, 2), ...argv.slice(3)] : (argv as string[]));
    files = program.args;
    options = withListDefaults(program.opts<CliOptions & MergeOptions>());
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
      options = withListDefaults(program.opts<CliOptions & MergeOptions>());
    }
    const reread = config && {
      file: config,
      reread: () => loadConfigFile(config!.path, buildProgram(), parseDurationNs),
      givenOnCommandLine: (attribute: string) => program.getOptionValueSource(attribute) === 'cli',
    };
    return merge ? await merge.runMerge(files, options, { stdout, stderr }, cli.command) : await runAnalysis(files, options, reread, cli);
  } catch (err) {
    if (err instanceof RttscanError) {
      note(blameConfigFile(errorText(err), config, fromFile, program));
      if (options.verbose) stderr.write(`${err.stack}\n`);
      return err.code === 'output' ? EXIT_OUTPUT : EXIT_USAGE;
    }
    throw err;
  }
}

/** A BPF filter for capture files, checked (compiled for Ethernet) before anything is read. */
async function offlineFilter(expression: string): Promise<PacketFilter> {
  if (expression.trim() === '') throw usageError('--filter: empty; leave it out to read every packet');
  const { PacketFilter } = await import('../capture/bpf.js');
  const filter = new PacketFilter(expression);
  filter.programFor(LINKTYPE_ETHERNET);
  return filter;
}

/**
 * The inputs grouped into capture points (capture/capture-points.ts): one run for inputs that
 * follow one another in time, one per point for inputs that overlap, unless --join.
 */
async function capturePointRuns(files: string[], join: boolean, say: (message: string) => void, signal: AbortSignal): Promise<string[][]> {
  if (files.length < 2 || join) return [files];
  if (files.includes('-')) {
    say("stdin's time span is not known before it is read: all inputs are analysed as one capture point (--each to analyse them apart)");
    return [files];
  }
  const { captureSpan, capturePoints } = await import('../capture/capture-points.js');
  const spans = [];
  for (const path of files) spans.push(await captureSpan(path, signal));
  const points = capturePoints(spans);
  if (points.length > 1) {
    const listed = points.map((p) => p.paths.join(' + ')).join('; ');
    say(
      `the inputs overlap in time, so they were captured at ${points.length} places (or interfaces): each is analysed and reported on its own, as no segment may be paired with an ACK seen elsewhere (${listed}); --join analyses them as one capture`,
    );
  }
  return points.map((p) => p.paths);
}

async function runAnalysis(args: string[], options: CliOptions, configFile: LiveCli['config'], cli: RunContext): Promise<number> {
  const { stdout, stderr, log, note, info, io } = cli;
  const config = configFile?.file;
  if (options.logLevel !== undefined) log.level = options.logLevel as LogLevel;
  if (options.logFile !== undefined) log.toFile(options.logFile);
  const inputs = inputsOf(args, options);
  let files = inputs.files;
  // --tcprt FILE.jsonl is --tcprt-jsonl FILE: the plan sees the targets as they are.
  const tcprtTargets = tcprtTargetsOf(options);
  options = { ...options, filter: inputs.filter, tcprt: tcprtTargets.text, tcprtJsonl: tcprtTargets.jsonl };
  if (options.listInterfaces) {
    const { interfaceList } = await import('./live.js');
    stdout.write(await interfaceList(options.backend));
    await stdout.close();
    return EXIT_OK;
  }
  const analyzeOptions = analyzeOptionsOf(options);
  const workerMinBytes = workerMinBytesOf(io.env);
  if (workerMinBytes !== undefined) analyzeOptions.workerMinBytes = workerMinBytes;
  const live = liveOptionsOf(options, files, analyzeOptions, configFile);
  // Live, libpcap applies the filter; on files, tcpdump compiles it and capture/bpf.ts runs it.
  const packetFilter = live === undefined && options.filter !== undefined ? await offlineFilter(options.filter) : undefined;
  if (packetFilter) analyzeOptions.packetFilter = packetFilter;
  const plan = outputPlanOf(options, colorsWanted(io.env, io.stdout.isTTY === true));
  for (const r of plan.reports) if (r.target.kind === 'file' || r.target.kind === 'dir') await checkOutputPath(r.target.path);
  if (files.length === 0 && !live) {
    if (io.stdinIsTTY) {
      note('no input: name a capture file, or pipe one into stdin (see --help)');
      return EXIT_USAGE;
    }
    files = ['-'];
  }
  if (files.filter((f) => f === '-').length > 1) throw usageError('stdin (-) can be read only once');
  checkEachOptions(options);
  const tcprtConfig = await tcprtConfigOf(options);
  const by = groupByOf(options);
  const ci = await CiChecks.fromOptions(options.failIf, options.baseline, by);

  // The progress line (on a terminal) is cleared before anything else is written there.
  let progress: ProgressLine | undefined;
  stdout.beforeWrite = stderr.beforeWrite = () => progress?.clear();
  const quietNote = plan.quiet ? (): void => {} : info;

  // The inputs frame numbers count in: each run's files, or the interfaces captured on.
  const frameInputs = live ? live.live.ifaces : files;
  const outputs = await RunOutputs.open(plan, stdout, stderr, frameInputs.length > 1);
  const htmlTarget = planned(plan, 'html')?.target;
  const page = htmlTarget?.kind === 'file' ? new (await import('./page-outputs.js')).PageOutput(htmlTarget.path, cli.command) : undefined;
  if (page) outputs.listen(page);
  const tcprt = tcprtConfig && (await TcprtOutput.open(tcprtTargets, live !== undefined, stdout));
  // Live, rows reach their file or stdout within LIVE_STREAM_MS (offline, in large pieces).
  if (live) outputs.streamEvery(LIVE_STREAM_MS);
  if (tcprtConfig && tcprt) {
    const onRecord = tcprt.sink.onRecord;
    analyzeOptions.tcprt = {
      ...tcprtConfig,
      ...tcprt.sink,
      ...(page && onRecord
        ? {
            onRecord: (record, base) => {
              onRecord(record, base);
              page.onRecord(record);
            },
          }
        : {}),
    };
  }
  Object.assign(analyzeOptions, outputs.sampleHooks());
  if (analyzeOptions.intervalNs !== undefined) {
    analyzeOptions.onInterval = (report) => outputs.report(report, ci, ` (interval ending ${formatEpoch(report.base, report.endNs)})`, note, quietNote, true);
  }

  // SIGINT (Ctrl-C), SIGTERM (timeout, CI cancellation, a service manager) and SIGHUP stop the
  // reading; what was read is still reported and every file finished. A second one kills.
  const interrupt = new AbortController();
  let stoppedBy: StopSignal | undefined;
  const stopSignals = live ? LIVE_STOP_SIGNALS : (Object.keys(STOP_SIGNALS) as StopSignal[]);
  const handlers = stopSignals.map((signal) => {
    const handler = (): void => {
      stoppedBy ??= signal;
      interrupt.abort();
    };
    process.once(signal, handler);
    return [signal, handler] as const;
  });
  analyzeOptions.signal = interrupt.signal;
  // A service's SIGHUP: output files reopened (logrotate), the config file read again.
  const onSighup = (): void => {
    for (const message of reopenAll()) note(message);
    // Said once the files are open again: a log rotation's script may wait for it.
    outputs.reopenFiles().then(
      () => info(`SIGHUP: output files reopened${config ? `; reading ${config.path} again` : ''}`),
      (err: unknown) => note(errorText(err)),
    );
    void live?.reload?.().then((file) => {
      const level = file?.values.get('logLevel');
      if (file !== undefined && !configFile!.givenOnCommandLine('logLevel')) log.level = (level as LogLevel | undefined) ?? 'info';
    });
  };
  if (live) process.on('SIGHUP', onSighup);

  // One run per capture point (all files merged in time order when they are one), or with
  // --each one run per file.
  const resultJson = outputs.json ? (await import('../render/json.js')).resultJson : undefined;
  const runs = options.each ? files.map((f) => [f]) : live ? [files] : await capturePointRuns(files, options.join === true, quietNote, interrupt.signal);
  const apart = runs.length > 1;
  try {
    if (apart && page) throw usageError(`--html covers one capture point, and these inputs are ${runs.length}: give --join if they are one, or run rttscan once for each`);
    for (const [i, paths] of runs.entries()) {
      if (interrupt.signal.aborted) break;
      const name = paths.join(' + ');
      const context = apart ? ` (in ${name})` : '';
      if (apart) outputs.header(name, i === 0);
      const totalBytes = await totalInputBytes(paths);
      const showProgress = progressWanted({ stderrIsTTY: io.stderr.isTTY === true, env: io.env, totalBytes, quiet: plan.quiet });
      progress = showProgress ? new ProgressLine(io.stderr, totalBytes!) : undefined;
      analyzeOptions.onInputsOpen = progress ? (inputs) => progress?.watch(inputs) : undefined;
      outputs.useInputs(live ? frameInputs : paths);
      analyzeOptions.onNote = apart
        ? (n) => quietNote(`${name}: ${noteText(n)}`)
        : (n) => {
            const message = noteText(n);
            page?.note(message);
            quietNote(message);
          };
      let result: AnalysisResult;
      try {
        // The capture modules load only for a live run; the analysis's only once the options are
        // read (--help, --version and usage errors do not pay for them).
        result = live ? await (await import('./live.js')).runLive(live, analyzeOptions, quietNote) : await (await import('../analyze.js')).analyze(paths, analyzeOptions);
      } finally {
        progress?.stop();
        progress = undefined;
      }
      await tcprt?.close(); // --each refuses --tcprt: one run at most
      await page?.write(result, plan.histogramUnit); // --each refuses --html; one capture point at most
      // A live input's reader is named by its interface; the CLI names the flag that gave it.
      for (const input of result.inputs) for (const warning of input.warnings) note(`warning: ${input.format === 'live' ? '--live ' : ''}${warning}`);
      if (analyzeOptions.intervalNs === undefined) {
        outputs.report(result, ci, context, note, quietNote);
        if (resultJson) outputs.addDocument(resultJson({ ...result, groups: busiestFirst(result.groups) }, plan.histogramUnit));
      }
      outputs.flushSamples();
      if (!plan.quiet) info(`${apart ? `${name}: ` : ''}${counterLine(result, packetFilter)}`);
      if (!plan.quiet && result.tcprt) info(tcprtNote(result.tcprt, tcprt));
      if (!plan.quiet) for (const line of liveCounterLines(result)) info(line);
    }
    await outputs.finish(options.each === true || apart);
  } catch (err) {
    await outputs.abandon();
    throw err;
  } finally {
    for (const [signal, handler] of handlers) process.removeListener(signal, handler);
    process.removeListener('SIGHUP', onSighup);
  }
  if (stoppedBy !== undefined && !live) {
    log.write('warning', `interrupted by ${stoppedBy === 'SIGINT' ? 'Ctrl-C' : stoppedBy}: the results cover the packets read before it`);
    return 128 + STOP_SIGNALS[stoppedBy];
  }
  return ci.violated ? EXIT_FAIL_IF : EXIT_OK;
}
