/**
 * The whitelist of a config file (`hosts`, `ips`; go-metro's keys): only samples whose remote
 * end is one of these addresses. Names are resolved (getaddrinfo, so /etc/hosts counts) at
 * start and again every `resolve-interval`, and the analysis's remote-address filter follows
 * what they resolve to; go-metro resolves only at start, so a moved service went unwatched.
 */
import { lookup } from 'node:dns/promises';
import { parseCidr, type Cidr } from '../flow/address.js';
import { usageError } from '../errors.js';

/** How often names are resolved again unless `resolve-interval` says otherwise. */
export const DEFAULT_RESOLVE_INTERVAL_NS = 300e9;

/**
 * Addresses that no TCP flow has: the filter while no whitelisted name resolves, since an
 * empty --raddr list would mean "no filter" rather than "nothing".
 */
const NOTHING: Cidr[] = [parseCidr('0.0.0.0/32')!, parseCidr('::/128')!];

export class HostWhitelist {
  /** The addresses each name resolved to last time. */
  private resolved = new Map<string, string[]>();
  private timer: NodeJS.Timeout | undefined;
  /** The lists changed (a reload) since the last resolve(). */
  private listsChanged = false;

  constructor(
    private hosts: readonly string[],
    private ips: readonly string[],
    private readonly note: (message: string) => void,
  ) {
    for (const ip of ips) if (!parseCidr(ip)) throw usageError(`ips: '${ip}' is not an IP address or CIDR`);
  }

  get empty(): boolean {
    return this.hosts.length === 0 && this.ips.length === 0;
  }

  /** Resolves every name; the filter, and whether it changed. */
  async resolve(): Promise<{ cidrs: Cidr[]; changed: boolean }> {
    let changed = this.listsChanged;
    this.listsChanged = false;
    const next = new Map<string, string[]>();
    for (const name of this.hosts) {
      let addresses: string[];
      try {
        addresses = (await lookup(name, { all: true })).map((a) => a.address).sort();
      } catch (err) {
        const before = this.resolved.get(name);
        this.note(`hosts: cannot resolve ${name} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})${before ? `; keeping ${before.join(', ')}` : ''}`);
        if (before) next.set(name, before);
        continue;
      }
      const before = this.resolved.get(name);
      if (before === undefined || before.join(',') !== addresses.join(',')) {
        changed = true;
        this.note(`hosts: ${name} is ${addresses.join(', ')}${before ? ` (was ${before.join(', ') || 'unresolved'})` : ''}`);
      }
      next.set(name, addresses);
    }
    if (next.size !== this.resolved.size) changed = true;
    this.resolved = next;
    const cidrs = [...this.ips, ...[...next.values()].flat()].map((a) => parseCidr(a)!);
    return { cidrs: cidrs.length > 0 ? cidrs : NOTHING, changed };
  }

  /** Resolves again every `intervalNs`, calling `apply` when the addresses change. */
  every(intervalNs: number, apply: (cidrs: Cidr[]) => void): void {
    clearTimeout(this.timer);
    if (this.hosts.length === 0) return;
    const again = (): void => {
      void this.resolve().then(({ cidrs, changed }) => {
        if (changed) apply(cidrs);
        this.timer = setTimeout(again, intervalNs / 1e6).unref();
      });
    };
    this.timer = setTimeout(again, intervalNs / 1e6).unref();
  }

  /** A reloaded config's lists (the names are resolved at the next resolve()). */
  update(hosts: readonly string[], ips: readonly string[]): void {
    for (const ip of ips) if (!parseCidr(ip)) throw usageError(`ips: '${ip}' is not an IP address or CIDR`);
    this.listsChanged = this.hosts.join(',') !== hosts.join(',') || this.ips.join(',') !== ips.join(',');
    this.hosts = hosts;
    this.ips = ips;
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
