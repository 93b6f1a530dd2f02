/**
 * A live capture: a capture process that writes a pcap stream to a pipe, read by the same
 * streaming pcap reader as files. The process is rttscan's own libpcap-process.js when the
 * optional libpcap binding (npm `pcap`) loads, and otherwise `tcpdump --immediate-mode -U -w -`.
 * Both report, when they stop, the packets the kernel received and dropped, as libpcap counts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { RttscanError, usageError } from '../errors.js';
import { loadLibpcap } from './libpcap.js';

export type CaptureBackend = 'libpcap' | 'tcpdump';

export interface LiveCaptureOptions {
  iface: string;
  /** A BPF expression, compiled by libpcap. */
  filter: string;
  snaplen: number;
  promisc: boolean;
  /** Which capture process; default: libpcap when its binding loads, else tcpdump. */
  backend?: CaptureBackend;
}

export interface KernelStats {
  received: number;
  dropped: number;
  /** Drops by the interface, when the platform reports them. */
  interfaceDropped: number | undefined;
}

const LIBPCAP_PROCESS = fileURLToPath(new URL('./libpcap-process.js', import.meta.url));
/** How long a capture process may take to stop and report before it is killed. */
const STOP_GRACE_MS = 3000;

export function hasTcpdump(): boolean {
  return spawnSync('tcpdump', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** The backend to use: the one asked for, or the best one installed; explains what is missing. */
export async function chooseBackend(asked: CaptureBackend | undefined): Promise<CaptureBackend> {
  if (asked === 'tcpdump') {
    if (!hasTcpdump()) throw usageError((name) => `${name('backend')} tcpdump: tcpdump is not installed (apt-get install tcpdump)`, 'backend');
    return 'tcpdump';
  }
  const libpcap = await loadLibpcap();
  if ('binding' in libpcap) return 'libpcap';
  if (asked === 'libpcap') throw usageError((name) => `${name('backend')} libpcap: ${bindingMissing(libpcap.error)}`, 'backend');
  if (hasTcpdump()) return 'tcpdump';
  throw usageError(`live capture needs libpcap: ${bindingMissing(libpcap.error)}; or install tcpdump (apt-get install tcpdump)`);
}

function bindingMissing(error: string): string {
  return `the optional libpcap binding did not load (${error}); install it with libpcap-dev and a C++ compiler present (apt-get install libpcap-dev g++ make; npm install pcap)`;
}

/** libpcap's complaint turned into a message that names the option at fault. */
function captureError(options: LiveCaptureOptions, libpcapMessage: string): RttscanError {
  const said = libpcapMessage.replace(/^tcpdump: /, '').trim();
  if (/no such device|doesn't exist|no such interface/i.test(said)) {
    return usageError((name) => `${name('ifaces')} ${options.iface}: no such interface (${name('listInterfaces')} shows what can be captured)`, 'ifaces');
  }
  if (/permission|not permitted/i.test(said)) {
    return new RttscanError('input', (name) => `${name('ifaces')} ${options.iface}: permission denied: capturing needs root or CAP_NET_RAW (libpcap: ${said})`, 'ifaces');
  }
  // pcap_compile's words: "syntax error", "illegal token", "unknown host 'x'", ...
  if (/filter|syntax|illegal|unknown|invalid/i.test(said)) {
    return usageError((name) => `${name('filter')} '${options.filter}': not a valid BPF filter (libpcap: ${said})`, 'filter');
  }
  return new RttscanError('input', (name) => `${name('ifaces')} ${options.iface}: cannot capture (${said})`, 'ifaces');
}

function tcpdumpArgs(options: LiveCaptureOptions): string[] {
  return [
    '--immediate-mode',
    '-U',
    '-w',
    '-',
    '-i',
    options.iface,
    '-s',
    String(options.snaplen),
    '--time-stamp-precision=nano',
    ...(options.promisc ? [] : ['-p']),
    '--',
    options.filter,
  ];
}

/**
 * "N packets received by filter", "N packets dropped by kernel" and "... by interface": the
 * last report in `stderr` (tcpdump prints one on SIGUSR1 and one when it stops).
 */
export function parseTcpdumpStats(stderr: string): KernelStats | undefined {
  const count = (what: RegExp): number | undefined => {
    const all = [...stderr.matchAll(what)];
    return all.length > 0 ? Number(all[all.length - 1]![1]) : undefined;
  };
  const received = count(/^(\d+) packets? received by filter$/gm);
  const dropped = count(/^(\d+) packets? dropped by kernel$/gm);
  if (received === undefined || dropped === undefined) return undefined;
  return { received, dropped, interfaceDropped: count(/^(\d+) packets? dropped by interface$/gm) };
}

export class LiveCapture {
  /** The pcap stream. */
  readonly stream: Readable;
  private stats: KernelStats | undefined;
  private stderr = '';
  /** What the capture process said went wrong after it had started. */
  private failure: string | undefined;
  private stopping = false;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    readonly backend: CaptureBackend,
    private readonly iface: string,
    private readonly child: ChildProcess,
  ) {
    this.stream = child.stdout!;
    child.stderr!.setEncoding('utf8').on('data', (text: string) => {
      // Only the beginning and the end matter (errors, stats); a long run must not grow this.
      this.stderr = (this.stderr + text).slice(-8192);
    });
    // 'close': the process exited and its pipes are drained, so stderr and status are complete.
    this.exited = new Promise((resolve) => child.once('close', (code: number | null, signal: NodeJS.Signals | null) => resolve({ code, signal })));
  }

  /** Starts capturing; resolves once the capture process is capturing, or throws why it cannot. */
  static async open(options: LiveCaptureOptions): Promise<LiveCapture> {
    const backend = await chooseBackend(options.backend);
    const child =
      backend === 'libpcap'
        ? spawn(process.execPath, [LIBPCAP_PROCESS, options.iface, String(options.snaplen), options.promisc ? '1' : '0', options.filter], {
            stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
          })
        : spawn('tcpdump', tcpdumpArgs(options), { stdio: ['ignore', 'pipe', 'pipe'] });
    const capture = new LiveCapture(backend, options.iface, child);
    await capture.ready(options);
    return capture;
  }

  /** Waits for the capture process to say it is capturing; throws its error otherwise. */
  private ready(options: LiveCaptureOptions): Promise<void> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (message: string): void => {
        if (settled) return;
        settled = true;
        this.child.kill('SIGKILL');
        reject(captureError(options, message));
      };
      const succeed = (): void => {
        if (settled) return;
        settled = true;
        resolve();
      };
      this.child.once('error', (err) => fail(err.message));
      void this.exited.then(() => {
        const lines = this.stderr.split('\n').filter((l) => l.trim() !== '');
        fail(lines.find((l) => /^tcpdump: (?!listening|data link)/.test(l)) ?? lines[0] ?? 'the capture process ended');
      });
      if (this.backend === 'tcpdump') {
        const onData = (): void => {
          if (!/listening on /.test(this.stderr)) return;
          this.child.stderr!.off('data', onData);
          succeed();
        };
        this.child.stderr!.on('data', onData);
        return;
      }
      let pending = '';
      (this.child.stdio[3] as Readable).setEncoding('utf8').on('data', (text: string) => {
        pending += text;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const message = JSON.parse(pending.slice(0, nl)) as { ready?: number; error?: string; stats?: KernelStats };
          pending = pending.slice(nl + 1);
          if (message.error !== undefined) {
            this.failure = message.error;
            fail(message.error);
          } else if (message.ready !== undefined) succeed();
          else if (message.stats !== undefined) this.stats = message.stats;
        }
      });
    });
  }

  /**
   * The kernel's counters so far: the capture process's latest report (libpcap sends one every
   * second; tcpdump prints one when sent SIGUSR1, which this also does for the next call).
   */
  statsSoFar(): KernelStats | undefined {
    if (this.backend === 'tcpdump') {
      const latest = parseTcpdumpStats(this.stderr);
      if (latest !== undefined) this.stats = latest;
      if (!this.stopping && this.child.exitCode === null) this.child.kill('SIGUSR1');
    }
    return this.stats;
  }

  /** Asks the capture process to stop; the stream then ends. Safe to call more than once. */
  stop(): void {
    if (this.stopping) return;
    this.stopping = true;
    this.child.kill('SIGTERM');
  }

  /**
   * Waits for the capture process to end (after `stop`, or on its own). Returns the kernel's
   * counters (undefined if the process could not report them), or throws when it failed.
   */
  async finish(): Promise<KernelStats | undefined> {
    const killer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    const { code, signal } = await this.exited;
    clearTimeout(killer);
    if (this.backend === 'tcpdump') this.stats = parseTcpdumpStats(this.stderr);
    // Stopped by us or by the terminal's Ctrl-C (which reaches the whole process group): fine.
    const stoppedNormally = code === 0 || signal === 'SIGTERM' || signal === 'SIGINT' || (this.stopping && signal === 'SIGKILL');
    if (!stoppedNormally) {
      const said =
        this.failure ??
        this.stderr
          .trim()
          .split('\n')
          .filter((l) => !/listening on|packets? (captured|received|dropped)/.test(l))
          .pop();
      const how = `${this.backend}, ${signal ?? `exit ${code}`}`;
      const why = said ? `: ${said.replace(/^tcpdump: /, '')}` : '';
      throw new RttscanError('input', (name) => `${name('ifaces')} ${this.iface}: the capture stopped unexpectedly${why} (${how})`, 'ifaces');
    }
    return this.stats;
  }
}
