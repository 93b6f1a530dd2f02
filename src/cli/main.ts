/**
 * The command line: maps options onto `analyze`, prints what was asked, and sets the exit
 * code (0 ok, 1 internal error, 2 usage or unreadable input). Output flushes before exit
 * because nothing here calls process.exit().
 */
import { Command, CommanderError } from 'commander';
import { analyze } from '../analyze.js';
import { RttscanError } from '../errors.js';
import { renderJson } from '../render/json.js';
import { VERSION } from '../version.js';
import { STDOUT, writeOutput } from './output.js';

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_USAGE = 2;

interface CliOptions {
  json?: string | true;
  quiet?: boolean;
  verbose?: boolean;
}

function note(message: string): void {
  process.stderr.write(`rttscan: ${message}\n`);
}

function buildProgram(): Command {
  return new Command()
    .name('rttscan')
    .description('Passive TCP round-trip times from packet captures (pcap, pcapng, gzip, stdin).')
    .version(VERSION, '-V, --version')
    .argument('[files...]', 'capture files (pcap or pcapng, optionally gzipped); - or none with a pipe reads stdin')
    .option('--json [file]', 'write the JSON summary to FILE or - (stdout)')
    .option('-q, --quiet', 'no notes on stderr, only data and errors')
    .option('--verbose', 'print stack traces with errors')
    .addHelpText(
      'after',
      `
Examples:
  rttscan capture.pcap --json                 summary of a capture as JSON on stdout
  rttscan a.pcapng b.pcap.gz --json out.json  several inputs, merged in time order
  tcpdump -w - -i eth0 | rttscan - --json     read a capture from stdin`,
    )
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
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
  if (files.length === 0) {
    if (process.stdin.isTTY) {
      note('no input: name a capture file, or pipe one into stdin (see --help)');
      return EXIT_USAGE;
    }
    files = ['-'];
  }
  if (files.filter((f) => f === '-').length > 1) {
    note('stdin (-) can be read only once');
    return EXIT_USAGE;
  }
  try {
    const result = await analyze(files, { onNote: options.quiet ? undefined : note });
    for (const input of result.inputs) for (const warning of input.warnings) note(`warning: ${warning}`);
    const jsonPath = options.json === true || options.json === undefined ? STDOUT : options.json;
    await writeOutput(jsonPath, renderJson(result));
    return EXIT_OK;
  } catch (err) {
    if (err instanceof RttscanError) {
      note(err.message);
      if (options.verbose) process.stderr.write(`${err.stack}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`rttscan: internal error (a bug, please report it):\n${(err as Error).stack ?? String(err)}\n`);
    return EXIT_INTERNAL;
  }
}

run(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`rttscan: internal error (a bug, please report it):\n${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = EXIT_INTERNAL;
  },
);
