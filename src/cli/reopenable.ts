/**
 * Output files that a long-running capture writes as it goes and reopens on SIGHUP, so that
 * logrotate can move them away (`create` mode: rename, then signal) without losing a line.
 * Writes are synchronous: a line is in the file (the page cache) when write() returns, which is
 * what streaming outputs promise, and ordering across targets is the order of the calls.
 */
import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';
import { Writable } from 'node:stream';
import { RttscanError } from '../errors.js';
import { writeFailure } from '../util/errno.js';

const open = new Set<ReopenableFile>();

export class ReopenableFile {
  private fd: number;

  /**
   * Opens `path` (truncated, as a run's output is); `header` is written first, and again at the
   * top of every new file that a reopen creates.
   */
  constructor(
    readonly path: string,
    private readonly header = '',
    flags: 'w' | 'a' = 'w',
  ) {
    this.fd = ReopenableFile.openFd(path, flags);
    if (header !== '' && fstatSync(this.fd).size === 0) this.write(header);
    open.add(this);
  }

  private static openFd(path: string, flags: string): number {
    try {
      return openSync(path, flags, 0o644);
    } catch (err) {
      throw new RttscanError('input', `${path}: ${writeFailure(err)}`);
    }
  }

  write(text: string): void {
    if (this.fd < 0) return;
    const bytes = Buffer.from(text, 'utf8');
    let at = 0;
    while (at < bytes.length) at += writeSync(this.fd, bytes, at, bytes.length - at);
  }

  /** Opens the path anew (appending if a file is there); a new, empty file gets the header. */
  reopen(): void {
    if (this.fd < 0) return;
    const fd = ReopenableFile.openFd(this.path, 'a');
    closeSync(this.fd);
    this.fd = fd;
    if (this.header !== '' && fstatSync(fd).size === 0) this.write(this.header);
  }

  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
    open.delete(this);
  }
}

/** SIGHUP: every open output file reopened; the errors, one message each. */
export function reopenAll(): string[] {
  const errors: string[] = [];
  for (const file of open) {
    try {
      file.reopen();
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  return errors;
}

/** A stream onto `file`, for writers that pipe (csv-stringify); ends without closing the file. */
export function fileWritable(file: ReopenableFile): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      file.write(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      callback();
    },
    final(callback) {
      file.close();
      callback();
    },
  });
}
