/**
 * Where rttscan's notes go: stderr, or with --log-file a file of timestamped lines (reopened on
 * SIGHUP, like go-metro's log_to_file); and which: --log-level info (all, the default),
 * warning (warnings and errors) or error (errors only, as -q).
 */
import { ReopenableFile } from './reopenable.js';

export const LOG_LEVELS = ['info', 'warning', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const RANK: Record<LogLevel, number> = { info: 0, warning: 1, error: 2 };

export class NoteLog {
  level: LogLevel = 'info';
  private file: ReopenableFile | undefined;

  /** Notes from now on go to `path` (appended to, if it exists), each line stamped. */
  toFile(path: string): void {
    this.file?.close();
    this.file = new ReopenableFile(path, '', 'a');
  }

  write(level: LogLevel, message: string): void {
    if (RANK[level] < RANK[this.level]) return;
    if (this.file === undefined) process.stderr.write(`rttscan: ${message}\n`);
    else this.file.write(`${new Date().toISOString()} ${level.toUpperCase()} ${message}\n`);
  }

  close(): void {
    this.file?.close();
    this.file = undefined;
  }
}
