/**
 * Live-mode test plumbing: rttscan --live and tcpdump as background processes (optionally inside
 * a network namespace), paced traffic (pingpong.js), and namespace pairs that clean up after
 * themselves. Live tests need root and a capture backend; they skip with the reason when those
 * are missing, except in CI, where a missing piece is a failure.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hasCommand } from './cli.js';
import { echoServer, exchange } from './pingpong-traffic.js';
import { CLI_PATH, REPO_ROOT } from './paths.js';

const PINGPONG = join(dirname(fileURLToPath(import.meta.url)), 'pingpong.js');

export type Backend = 'libpcap' | 'tcpdump';

/** Whether the binding loads, asked of a child once per process (a Node start each time was 20 in a run). */
let bindingLoadsHere: boolean | undefined;

function bindingLoads(): boolean {
  bindingLoadsHere ??= spawnSync(process.execPath, ['-e', "require('pcap')"], { cwd: REPO_ROOT, stdio: 'ignore' }).status === 0;
  return bindingLoadsHere;
}

/** Why live tests cannot run here (undefined when they can). */
export function liveUnavailable(backend: Backend): string | undefined {
  if (process.getuid?.() !== 0) return 'live capture needs root';
  if (backend === 'tcpdump' && !hasCommand('tcpdump')) return 'tcpdump is not installed';
  if (backend === 'libpcap' && !bindingLoads()) return 'the libpcap binding (npm pcap) is not built';
  if (!hasCommand('ip')) return 'iproute2 (ip) is not installed';
  return undefined;
}

/** Skips the test with the reason, or fails it in CI (where everything must be installed). */
export function skipUnlessLive(t: TestContext, backend: Backend = 'libpcap'): boolean {
  const why = liveUnavailable(backend);
  if (why === undefined) return false;
  if (process.env.CI) throw new Error(`CI must run the live tests, but ${why}`);
  t.skip(why);
  return true;
}

export interface Background {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when stderr (or stdout) has matched `pattern`; rejects if the process ends first. */
  waitFor(pattern: RegExp, stream?: 'stderr' | 'stdout', timeoutMs?: number): Promise<void>;
  /** The exit status (or the signal's name), once it ends. */
  done: Promise<number | string>;
}

/** `command` in the background (in `netns` if given); stdin a pipe only if asked. */
export function background(command: string, args: readonly string[], netns?: string, options: { stdin?: boolean } = {}): Background {
  const [cmd, argv] = netns === undefined ? [command, args] : ['ip', ['netns', 'exec', netns, command, ...args]];
  const child = spawn(cmd, argv, { cwd: REPO_ROOT, stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err += s));
  const done = new Promise<number | string>((resolve) => child.once('close', (code, signal) => resolve(code ?? signal ?? -1)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    done,
    waitFor(pattern, stream = 'stderr', timeoutMs = 15000) {
      return new Promise((resolve, reject) => {
        const text = (): string => (stream === 'stderr' ? err : out);
        const timer = setTimeout(() => finish(new Error(`timed out waiting for ${pattern} from ${command}; stderr: ${err}`)), timeoutMs);
        const check = (): void => {
          if (pattern.test(text())) finish();
        };
        const finish = (error?: Error): void => {
          clearTimeout(timer);
          (stream === 'stderr' ? child.stderr! : child.stdout!).off('data', check);
          if (error) reject(error);
          else resolve();
        };
        (stream === 'stderr' ? child.stderr! : child.stdout!).on('data', check);
        void done.then((status) => finish(new Error(`${command} ended (${status}) before ${pattern}; stderr: ${err}`)));
        check();
      });
    },
  };
}

/** rttscan ARGS in the background, resolved once it says it is capturing. */
export async function startLive(args: readonly string[], netns?: string): Promise<Background> {
  const live = background(process.execPath, [CLI_PATH, ...args], netns);
  await live.waitFor(/capturing on /);
  return live;
}

/** tcpdump writing what it captures to `file`, resolved once it is listening. */
export async function startTcpdump(iface: string, filter: string, file: string, options: { netns?: string; nano?: boolean } = {}): Promise<Background> {
  const args = ['-U', '-i', iface, '-w', file, '-Z', 'root', ...(options.nano ? ['--time-stamp-precision=nano'] : []), filter];
  const dump = background('tcpdump', args, options.netns);
  await dump.waitFor(/listening on /);
  return dump;
}

export async function stopProcess(p: Background, signal: NodeJS.Signals = 'SIGINT'): Promise<number | string> {
  p.child.kill(signal);
  return p.done;
}

/**
 * An echo server on `host`; resolves with its port. Inside a namespace it is pingpong.js serve,
 * a process there; on the host's own loopback it runs in this process (a Node start saved).
 */
export async function startEchoServer(t: TestContext, host: string, netns?: string): Promise<number> {
  if (netns === undefined) {
    const server = await echoServer(host);
    t.after(() => server.close());
    return server.port;
  }
  const server = background(process.execPath, [PINGPONG, 'serve', host], netns);
  t.after(() => server.child.kill('SIGTERM'));
  await server.waitFor(/^\d+\n/, 'stdout');
  return Number(server.stdout().trim());
}

/**
 * COUNT request/response exchanges of 100 bytes, GAP_MS apart; then HOLD_MS idle before closing.
 * Inside a namespace through pingpong.js run, a process there; on the host in this process.
 */
export async function pingPong(host: string, port: number, options: { count: number; gapMs: number; localHost?: string; holdMs?: number; netns?: string }): Promise<void> {
  if (options.netns === undefined) {
    await exchange(host, port, options.count, options.gapMs, options.localHost, options.holdMs ?? 0);
    return;
  }
  const args = [PINGPONG, 'run', host, String(port), String(options.count), String(options.gapMs), options.localHost ?? '', String(options.holdMs ?? 0)];
  const client = background(process.execPath, args, options.netns);
  const status = await client.done;
  if (status !== 0) throw new Error(`pingpong client failed (${status}): ${client.stderr()}`);
}

function ip(...args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim()}`);
}

let pairs = 0;

export interface NetnsPair {
  nsA: string;
  nsB: string;
  devA: string;
  devB: string;
  ipA: string;
  ipB: string;
}

/**
 * Two network namespaces joined by a veth pair, 10.213.N.1 in A and .2 in B; both removed
 * (with the veth pair) when the test ends, even if it fails.
 */
export function createNetnsPair(t: TestContext): NetnsPair {
  const tag = `rtl${process.pid % 100000}x${pairs++}`;
  const pair: NetnsPair = {
    nsA: `${tag}a`,
    nsB: `${tag}b`,
    devA: `${tag}va`,
    devB: `${tag}vb`,
    ipA: `10.213.${pairs % 250}.1`,
    ipB: `10.213.${pairs % 250}.2`,
  };
  t.after(() => {
    spawnSync('ip', ['netns', 'del', pair.nsA]);
    spawnSync('ip', ['netns', 'del', pair.nsB]);
  });
  ip('netns', 'add', pair.nsA);
  ip('netns', 'add', pair.nsB);
  ip('link', 'add', pair.devA, 'netns', pair.nsA, 'type', 'veth', 'peer', 'name', pair.devB, 'netns', pair.nsB);
  for (const [ns, dev, addr] of [
    [pair.nsA, pair.devA, pair.ipA],
    [pair.nsB, pair.devB, pair.ipB],
  ] as const) {
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', dev);
    ip('-n', ns, 'link', 'set', dev, 'up');
  }
  return pair;
}
