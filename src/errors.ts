/**
 * One error family for everything rttscan refuses to do. Library code throws these; only the
 * CLI turns them into `rttscan: <message>` and an exit code. Anything else escaping is a bug.
 */
export type ErrorCode =
  | 'usage' // bad options or arguments (exit 2)
  | 'input' // a file that cannot be opened or read (exit 2)
  | 'capture' // bytes that are not a valid capture (exit 2)
  | 'output'; // an output that cannot be written: a full disk, a bad path (exit 1)

/**
 * The options an error can name, as the library takes them: LiveOptions' `filter`, `ifaces` and
 * `backend`, the `filter` of capture/bpf.ts, parseFailIf's conditions and checkConditions'
 * baseline, the listen address of export/prometheus.ts and the target of render/statsd.ts, the
 * `by` and `histogramUnit` of the documents mergeSummaries takes, and the library's
 * listInterfaces(). The CLI names its flag for each instead (cli/error-text.ts).
 */
export type OptionName = 'filter' | 'ifaces' | 'backend' | 'failIf' | 'baseline' | 'prometheus' | 'statsd' | 'by' | 'histogramUnit' | 'listInterfaces';

/** How the library's own messages name each option. */
const LIBRARY_NAMES: Record<OptionName, string> = {
  filter: 'filter',
  ifaces: 'interface',
  backend: 'backend',
  failIf: 'conditions',
  baseline: 'baseline',
  prometheus: 'prometheus',
  statsd: 'statsd',
  by: 'grouping (by)',
  histogramUnit: 'histogram unit (histogramUnit)',
  listInterfaces: 'listInterfaces()',
};

/** A message with its options left as names, e.g. (name) => `${name('filter')} 'x': ...`. */
export type Wording = (name: (option: OptionName) => string) => string;

export class RttscanError extends Error {
  readonly code: ErrorCode;
  /** The option at fault, when there is one: the message opens with it (`filter 'tcp and and': ...`). */
  readonly option: OptionName | undefined;
  readonly #wording: Wording;
  constructor(code: ErrorCode, message: string | Wording, option?: OptionName) {
    const wording = typeof message === 'string' ? () => message : message;
    super(wording((o) => LIBRARY_NAMES[o]));
    this.name = 'RttscanError';
    this.code = code;
    this.option = option;
    this.#wording = wording;
  }

  /** The message with each option it mentions named by `name` (the CLI passes its flags). */
  naming(name: (option: OptionName) => string): string {
    return this.#wording(name);
  }
}

/** Bad options or arguments: the one way to say so (exit 2). */
export function usageError(message: string | Wording, option?: OptionName): RttscanError {
  return new RttscanError('usage', message, option);
}

/** Where in a capture file something went wrong; record numbers count from 1. */
export interface CapturePosition {
  file: string;
  offset: number;
  record?: number;
}

export function formatPosition(pos: CapturePosition): string {
  const at = `offset 0x${pos.offset.toString(16)}`;
  return pos.record === undefined ? `${pos.file}: ${at}` : `${pos.file}: record ${pos.record} at ${at}`;
}

/** Malformed capture bytes: the message names the file, record, byte offset and the fault. */
export class CaptureError extends RttscanError {
  readonly file: string;
  readonly offset: number;
  readonly record: number | undefined;
  readonly reason: string;
  constructor(pos: CapturePosition, reason: string) {
    super('capture', `${formatPosition(pos)}: ${reason}`);
    this.name = 'CaptureError';
    this.file = pos.file;
    this.offset = pos.offset;
    this.record = pos.record;
    this.reason = reason;
  }
}
