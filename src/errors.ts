/**
 * One error family for everything rttscan refuses to do. Library code throws these; only the
 * CLI turns them into `rttscan: <message>` and an exit code. Anything else escaping is a bug.
 */
export type ErrorCode =
  | 'usage' // bad options or arguments (exit 2)
  | 'input' // a file that cannot be opened or read (exit 2)
  | 'capture' // bytes that are not a valid capture (exit 2)
  | 'output'; // an output that cannot be written: a full disk, a bad path (exit 1)

export class RttscanError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'RttscanError';
    this.code = code;
  }
}

/** Bad options or arguments: the one way to say so (exit 2). */
export function usageError(message: string): RttscanError {
  return new RttscanError('usage', message);
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
