/**
 * Where output bytes go: stdout, stderr or a file, each one object that every report writing
 * there shares (so their order is the order of the writes). A target buffers nothing itself
 * beyond its stream: `write` says when the stream is full and `drained` waits for it, which is
 * how per-sample sinks hold back the reading of the capture (backpressure). A write error
 * (a full disk, /dev/full, a closed pipe) becomes one RttscanError naming the target, raised
 * by the next write or by close(). File targets can be reopened (to follow a log rotation).
 */
import { createWriteStream, statSync, type WriteStream } from 'node:fs';
import { RttscanError } from '../errors.js';
import { writeFailure } from '../util/errno.js';

/**
 * Bytes a file target takes before a writer must wait for it. Node's default (16 KiB) made a
 * --csv run wait on the disk after every 64 KiB piece, 188 ms of its 1.6 s idle on the bench
 * capture (--cpu-prof); 1 MiB lets writing overlap the analysis and still bounds the queue.
 */
const FILE_HIGH_WATER_BYTES = 1 << 20;

/** A stream write error, as one line: `rtt.csv: cannot write (no space left on device)`. */
export function outputError(name: string, err: unknown): RttscanError {
  return new RttscanError('output', `${name}: ${writeFailure(err)}`);
}

export interface OutputTarget {
  /** How messages name it: `stdout`, `stderr` or the path. */
  readonly name: string;
  readonly kind: 'stdout' | 'stderr' | 'file';
  /** Writes text (or bytes); false when the stream is full (then await drained()). Throws after a write error. */
  write(text: string | Uint8Array): boolean;
  /** Resolves once the stream can take more; rejects with the write error, if any. */
  drained(): Promise<void>;
  /** Everything written is out (and a file closed); throws the write error, if any. */
  close(): Promise<void>;
  /** Files only: close and open the path again (what a log rotation's SIGHUP asks for). */
  reopen?(): Promise<void>;
  /** Called before each write (the progress line clears itself from the terminal). */
  beforeWrite?: () => void;
}

/** Writes to a Node stream, remembering the first error. */
abstract class StreamTarget implements OutputTarget {
  abstract readonly name: string;
  abstract readonly kind: 'stdout' | 'stderr' | 'file';
  beforeWrite?: () => void;
  protected failure: RttscanError | undefined;

  protected abstract get stream(): NodeJS.WritableStream & { writableNeedDrain?: boolean };

  protected fail(err: unknown): void {
    this.failure ??= outputError(this.name, err);
  }

  write(text: string | Uint8Array): boolean {
    if (this.failure) throw this.failure;
    if (text.length === 0) return true;
    this.beforeWrite?.();
    return this.stream.write(text);
  }

  drained(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.stream.writableNeedDrain) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const stream = this.stream;
      const done = (): void => {
        stream.off('drain', done);
        stream.off('error', done);
        stream.off('close', done);
        if (this.failure) reject(this.failure);
        else resolve();
      };
      stream.on('drain', done).on('error', done).on('close', done);
    });
  }

  abstract close(): Promise<void>;
}

/**
 * process.stdout or process.stderr (or the streams a test runs the CLI with). A reader that
 * goes away (EPIPE: `rttscan ... | head`) is not an error: stdout then stops the run quietly
 * (see bin.ts), stderr just stops being written.
 */
export class StdioTarget extends StreamTarget {
  readonly name: 'stdout' | 'stderr';
  readonly kind: 'stdout' | 'stderr';
  /** Set once the reader went away (EPIPE). */
  closedByReader = false;

  constructor(
    which: 'stdout' | 'stderr',
    protected readonly stream: NodeJS.WritableStream & { writableNeedDrain?: boolean },
  ) {
    super();
    this.name = this.kind = which;
  }

  /** Listens for the stream's errors (main.ts does, once per run); gives a function that stops listening. */
  listen(onReaderGone: () => void): () => void {
    const onError = (err: NodeJS.ErrnoException): void => {
      if (err.code === 'EPIPE') {
        this.closedByReader = true;
        onReaderGone();
      } else {
        this.fail(err);
      }
    };
    this.stream.on('error', onError);
    return () => this.stream.off('error', onError);
  }

  override write(text: string | Uint8Array): boolean {
    if (this.closedByReader) return true;
    return super.write(text);
  }

  async close(): Promise<void> {
    if (!this.closedByReader && !this.failure) {
      // An empty write's callback comes once everything before it is written (or failed).
      await new Promise<void>((resolve) => this.stream.write('', () => resolve()));
    }
    if (this.failure) throw this.failure;
  }
}

/** Ends `file` and waits until it is closed. */
async function closeStream(file: WriteStream): Promise<void> {
  if (file.closed) return;
  // 'close' comes last, after any 'error' (a stream that failed is destroyed at once, but emits
  // its error a tick later): waiting for it is the one way to see every failure.
  const closed = new Promise<void>((resolve) => file.once('close', resolve));
  if (!file.destroyed) file.end();
  await closed;
}

/** A file, created (or truncated) when the target opens, before any capture is read. */
export class FileTarget extends StreamTarget {
  readonly kind = 'file';
  private file: WriteStream;

  private constructor(
    readonly name: string,
    /** Written at the top of a new file that a reopen starts (a CSV header). */
    private readonly header: string,
  ) {
    super();
    this.file = this.open();
  }

  /** Opens the file; an error (no such directory, permission) is the same one line. */
  static async open(path: string, header = ''): Promise<FileTarget> {
    const target = new FileTarget(path, header);
    await target.opened();
    return target;
  }

  protected get stream(): WriteStream {
    return this.file;
  }

  /** `w` truncates (a run's own file); `a` appends (reopened: the file may be the same one). */
  private open(flags: 'w' | 'a' = 'w'): WriteStream {
    return createWriteStream(this.name, { flags, highWaterMark: FILE_HIGH_WATER_BYTES }).on('error', (err) => this.fail(err));
  }

  private async opened(): Promise<void> {
    const file = this.file;
    if (file.pending) await new Promise<void>((resolve) => file.once('ready', resolve).once('error', () => resolve()));
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    await closeStream(this.file);
    if (this.failure) throw this.failure;
  }

  /**
   * The new stream takes over at once, its header queued first: a row written while the old
   * file closes or the new one opens goes after the header, in the new file (awaiting the close
   * first put such rows into an ended stream, or ahead of the header).
   */
  async reopen(): Promise<void> {
    const old = this.file;
    const empty = (statSync(this.name, { throwIfNoEntry: false })?.size ?? 0) === 0;
    this.file = this.open('a');
    if (this.header !== '' && empty) this.file.write(this.header);
    await closeStream(old);
    await this.opened();
  }
}
