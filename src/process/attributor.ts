/**
 * Which process owns each end of a connection, for `--by process` in live mode: the socket of
 * an endpoint is found in /proc/PID/net/tcp{,6} (one read per network namespace on the host,
 * so containers' sockets are found too), its inode in some process's /proc/PID/fd, and that
 * process's command and cgroup in /proc/PID/comm and /proc/PID/cgroup. A server's connection
 * not yet accept()ed has no inode: then the listening socket on its port names the server.
 *
 * New flows are looked up in batches, RESOLVE_MS after they appear (not on the packet path);
 * their samples are held until then (analyze.ts), so the first samples of a connection are
 * attributed like the rest. A flow none of whose ends is found after MAX_ATTEMPTS batches is
 * given up: its samples go to `unknown`. Short-lived connections can close before their batch;
 * their TIME_WAIT sockets have no inode, and they too are `unknown`.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import type { RttConnection } from '../engines/rtt/rtt-engine.js';
import { formatAddress } from '../flow/address.js';
import type { Flow } from '../flow/flow-table.js';
import { cgroupPath, containerId, podUid } from './cgroup.js';
import { parseProcNetTcp, TCP_LISTEN } from './proc-net.js';

export interface ProcessInfo {
  pid: number;
  command: string;
  cgroup: string;
  containerId: string | undefined;
  podUid: string | undefined;
  /** `command[pid]`: the group key of --by process. */
  label: string;
}

/** How long after a flow appears its batch is looked up. */
export const RESOLVE_MS = 50;
const MAX_ATTEMPTS = 4;

type FlowProcesses = [ProcessInfo | undefined, ProcessInfo | undefined];

export class ProcessAttributor {
  private readonly pending = new Map<Flow<RttConnection>, number>();
  private readonly found = new WeakMap<Flow<RttConnection>, FlowProcesses>();
  private inodePid = new Map<number, number>();
  private readonly info = new Map<number, ProcessInfo>();
  private timer: NodeJS.Timeout | undefined;
  /** Called after each batch, when some pending flows were settled. */
  onSettled: (() => void) | undefined;

  constructor(private readonly proc = '/proc') {}

  flowStarted(flow: Flow<RttConnection>): void {
    this.pending.set(flow, 0);
    this.timer ??= setTimeout(() => this.resolveNow(), RESOLVE_MS);
  }

  flowEnded(flow: Flow<RttConnection>): void {
    this.pending.delete(flow);
  }

  isPending(flow: Flow<RttConnection>): boolean {
    return this.pending.has(flow);
  }

  /** The process of endpoint A (`endpointA`) or B of `flow`, if it is found on this host. */
  processOf(flow: Flow<RttConnection>, endpointA: boolean): ProcessInfo | undefined {
    return this.found.get(flow)?.[endpointA ? 0 : 1];
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Looks the pending flows up now. */
  resolveNow(): void {
    this.stop();
    if (this.pending.size === 0) return;
    const sockets = this.readSockets();
    const wanted: Array<[Flow<RttConnection>, number | undefined, number | undefined]> = [];
    for (const flow of this.pending.keys()) {
      const a = formatAddress(flow.ipVersion, flow.addrs, 0);
      const b = formatAddress(flow.ipVersion, flow.addrs, 4);
      wanted.push([flow, sockets.inodeOf(a, flow.portA, b, flow.portB), sockets.inodeOf(b, flow.portB, a, flow.portA)]);
    }
    if (wanted.some(([, a, b]) => (a !== undefined && !this.inodePid.has(a)) || (b !== undefined && !this.inodePid.has(b)))) this.scanFds();
    let settled = false;
    for (const [flow, inodeA, inodeB] of wanted) {
      const a = inodeA === undefined ? undefined : this.processInfo(this.inodePid.get(inodeA));
      const b = inodeB === undefined ? undefined : this.processInfo(this.inodePid.get(inodeB));
      const attempts = this.pending.get(flow)! + 1;
      if (a === undefined && b === undefined && attempts < MAX_ATTEMPTS) {
        this.pending.set(flow, attempts);
        continue;
      }
      this.found.set(flow, [a, b]);
      this.pending.delete(flow);
      settled = true;
    }
    if (this.pending.size > 0) this.timer = setTimeout(() => this.resolveNow(), RESOLVE_MS);
    if (settled) this.onSettled?.();
  }

  /** Every TCP socket of every network namespace on the host. */
  private readSockets(): { inodeOf: (local: string, localPort: number, remote: string, remotePort: number) => number | undefined } {
    const connected = new Map<string, number>();
    const listening = new Map<string, number>();
    const seen = new Set<string>();
    for (const pid of this.pids()) {
      let ns: string;
      try {
        ns = readlinkSync(`${this.proc}/${pid}/ns/net`);
      } catch {
        continue;
      }
      if (seen.has(ns)) continue;
      seen.add(ns);
      for (const file of ['tcp', 'tcp6']) {
        let text: string;
        try {
          text = readFileSync(`${this.proc}/${pid}/net/${file}`, 'utf8');
        } catch {
          continue;
        }
        for (const s of parseProcNetTcp(text)) {
          if (s.inode === 0) continue;
          if (s.state === TCP_LISTEN) listening.set(`${s.local} ${s.localPort}`, s.inode);
          else connected.set(`${s.local} ${s.localPort} ${s.remote} ${s.remotePort}`, s.inode);
        }
      }
    }
    return {
      inodeOf: (local, localPort, remote, remotePort) =>
        connected.get(`${local} ${localPort} ${remote} ${remotePort}`) ??
        listening.get(`${local} ${localPort}`) ??
        listening.get(`${local.includes(':') ? '::' : '0.0.0.0'} ${localPort}`) ??
        listening.get(`:: ${localPort}`),
    };
  }

  private pids(): number[] {
    try {
      return readdirSync(this.proc)
        .filter((name) => /^\d+$/.test(name))
        .map(Number);
    } catch {
      return [];
    }
  }

  /** Which process holds each socket inode (the lowest pid, when several share one). */
  private scanFds(): void {
    const inodePid = new Map<number, number>();
    for (const pid of this.pids()) {
      let fds: string[];
      try {
        fds = readdirSync(`${this.proc}/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        let target: string;
        try {
          target = readlinkSync(`${this.proc}/${pid}/fd/${fd}`);
        } catch {
          continue;
        }
        const m = /^socket:\[(\d+)\]$/.exec(target);
        if (m && !inodePid.has(Number(m[1]))) inodePid.set(Number(m[1]), pid);
      }
    }
    this.inodePid = inodePid;
    // Processes that went away (a pid may be reused).
    const holders = new Set(inodePid.values());
    for (const pid of this.info.keys()) if (!holders.has(pid)) this.info.delete(pid);
  }

  private processInfo(pid: number | undefined): ProcessInfo | undefined {
    if (pid === undefined) return undefined;
    const known = this.info.get(pid);
    if (known !== undefined) return known;
    let command: string;
    let cgroup = '';
    try {
      command = readFileSync(`${this.proc}/${pid}/comm`, 'utf8').trim();
    } catch {
      return undefined;
    }
    try {
      cgroup = cgroupPath(readFileSync(`${this.proc}/${pid}/cgroup`, 'utf8'));
    } catch {
      // no cgroup file (not Linux's /proc, or gone): the command is still known
    }
    const info: ProcessInfo = { pid, command, cgroup, containerId: containerId(cgroup), podUid: podUid(cgroup), label: `${command}[${pid}]` };
    this.info.set(pid, info);
    return info;
  }
}
