/**
 * What a failed system call's errno means, in the few words every message uses: one table for
 * reading inputs, writing outputs and listening.
 */
import { printable } from './printable.js';

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EIO: 'input/output error',
  EADDRINUSE: 'address in use',
};

/**
 * `err`'s errno in words (`permission denied`), undefined for one not listed. A missing path
 * (ENOENT, ENOTDIR) is the `file` read, or the `directory` a file is written in.
 */
export function errnoReason(err: unknown, missing: 'file' | 'directory' = 'file'): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? '';
  if (code === 'ENOENT') return `no such ${missing}`;
  if (code === 'ENOTDIR') return `no such ${missing} (a parent is not a directory)`;
  return REASONS[code];
}

/** Why a file could not be read: the reason alone (`no such file`), else `cannot read (<the system's words>)`. */
export function readFailure(err: unknown): string {
  return errnoReason(err) ?? `cannot read (${printable((err as Error).message ?? String(err))})`;
}

/** Why a file could not be written: `cannot write (no space left on device)`. */
export function writeFailure(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  return `cannot write (${errnoReason(err, 'directory') ?? e?.message ?? String(err)})`;
}
