/**
 * What TCP-RT watches: port rules (a port or a lo-hi range, on the local or the peer side),
 * each with its parsing mode, and the run-wide settings. The kernel module's limits hold:
 * at most 6 ports and 3 ranges per side. Connections are matched in the kernel's order —
 * local ports, local ranges, peer ports, peer ranges — and the first rule that matches wins.
 */
import { usageError } from '../../errors.js';

export type TcprtMode = 'default' | 'http' | 'https';
export const TCPRT_MODES: readonly TcprtMode[] = ['default', 'http', 'https'];

/** `local`: the capture host is the server on this port; `peer`: the remote end is. */
export type PortSide = 'local' | 'peer';

export interface PortRule {
  side: PortSide;
  lo: number;
  /** Equal to `lo` for a single port. */
  hi: number;
  /** Written as a range (lo-hi): its port gets a stats line only when it saw tasks. */
  range: boolean;
  mode: TcprtMode;
  /** Report R.F first-frame completion times (needs `firstFrameBytes`). */
  firstFrame: boolean;
}

export interface TcprtConfig {
  rules: PortRule[];
  /** Stats lines every this many ns of capture time; 0 for none. */
  statsIntervalNs: number;
  /** First-frame byte thresholds, ascending, at most 4, all > 0 (see firstFrameThresholds). */
  firstFrameBytes: number[];
  /** Report connections still open at the end as if closed at their last packet. */
  flush: boolean;
}

export const MAX_PORTS_PER_SIDE = 6;
export const MAX_RANGES_PER_SIDE = 3;
export const MAX_FIRST_FRAME_BYTES = 4;
/** tcprt.yaml's `stats_interval` when `stats: enable` gives none (the kernel's 60 s). */
export const DEFAULT_STATS_INTERVAL_NS = 60e9;
export const DEFAULT_FIRST_FRAME_BYTES = [100, 2000, 20000];
/** The largest byte count the kernel's u32 takes. */
const MAX_FIRST_FRAME_BYTE_COUNT = 0xffffffff;

/** Throws a usage error when the rules break the kernel's limits or are malformed. */
export function checkRules(rules: readonly PortRule[]): void {
  for (const side of ['local', 'peer'] as const) {
    const ports = rules.filter((r) => r.side === side && !r.range).length;
    const ranges = rules.filter((r) => r.side === side && r.range).length;
    const name = side === 'local' ? 'lports' : 'pports';
    if (ports > MAX_PORTS_PER_SIDE) throw usageError(`tcprt: ${ports} ${name} given; at most ${MAX_PORTS_PER_SIDE}`);
    if (ranges > MAX_RANGES_PER_SIDE) throw usageError(`tcprt: ${ranges} ${name} ranges given; at most ${MAX_RANGES_PER_SIDE}`);
  }
  for (const r of rules) {
    if (!(r.lo >= 0 && r.hi <= 65535 && r.lo <= r.hi)) throw usageError(`tcprt: port range ${r.lo}-${r.hi} is not within 0-65535, low to high`);
  }
}

/**
 * First-frame thresholds as written (`first_frame_bytes: [100, 2000, 20000, 0]` in tcprt.yaml,
 * `--first-frame 100,2000,20000,0`): at most 4 entries, a 0 ends the list (as it ends the
 * kernel's array) and nothing may follow it. Returned ascending, each once, without the 0.
 * `what` names the option or field in errors.
 */
export function firstFrameThresholds(values: readonly number[], what: string): number[] {
  if (values.length > MAX_FIRST_FRAME_BYTES) throw usageError(`${what}: ${values.length} thresholds given; at most ${MAX_FIRST_FRAME_BYTES} (a trailing 0 included)`);
  const end = values.indexOf(0);
  if (end >= 0 && end < values.length - 1) throw usageError(`${what}: 0 ends the list, but ${values.slice(end + 1).join(',')} follow${values.length - end - 1 === 1 ? 's' : ''} it`);
  const bytes = end >= 0 ? values.slice(0, end) : [...values];
  for (const b of bytes) {
    if (!Number.isInteger(b) || b < 1 || b > MAX_FIRST_FRAME_BYTE_COUNT) throw usageError(`${what}: '${b}' is not a byte count (1 to ${MAX_FIRST_FRAME_BYTE_COUNT}, or 0 to end the list)`);
  }
  if (bytes.length === 0) throw usageError(`${what}: no thresholds before the 0 that ends the list`);
  return [...new Set(bytes)].sort((a, b) => a - b);
}

/** Match classes in the kernel's order. */
const CLASS_ORDER = [
  { side: 'local', range: false },
  { side: 'local', range: true },
  { side: 'peer', range: false },
  { side: 'peer', range: true },
] as const;

/** The rules in the kernel's matching (and stats) order; within a class, as given. */
export function orderedRules(rules: readonly PortRule[]): PortRule[] {
  return CLASS_ORDER.flatMap((c) => rules.filter((r) => r.side === c.side && r.range === c.range));
}

/**
 * Port → rule lookup, one table per match class, so that a packet on an unwatched port costs
 * one array read (`watched`).
 */
export class PortMatcher {
  readonly rules: PortRule[];
  /** Non-zero for every port some rule covers, on either side. */
  readonly watched = new Uint8Array(65536);
  /** Per class in CLASS_ORDER: port → index in `rules` + 1, 0 when none. */
  private readonly classes: Uint16Array[];

  constructor(rules: readonly PortRule[]) {
    this.rules = orderedRules(rules);
    this.classes = CLASS_ORDER.map(() => new Uint16Array(65536));
    this.rules.forEach((rule, index) => {
      const table = this.classes[CLASS_ORDER.findIndex((c) => c.side === rule.side && c.range === rule.range)]!;
      for (let port = rule.lo; port <= rule.hi; port++) {
        if (table[port] === 0) table[port] = index + 1;
        this.watched[port] = 1;
      }
    });
  }

  /**
   * The rule the kernel would give a socket with these ports: local rules match its own port,
   * peer rules its peer's, in the kernel's order (tcp_rt_sk_init). undefined when none does.
   */
  matchSocket(localPort: number, remotePort: number): PortRule | undefined {
    for (let c = 0; c < CLASS_ORDER.length; c++) {
      const index = this.classes[c]![CLASS_ORDER[c]!.side === 'local' ? localPort : remotePort]!;
      if (index !== 0) return this.rules[index - 1]!;
    }
    return undefined;
  }

  /**
   * By the ports alone, for a connection where neither end is known to be the capture host:
   * the rule for a connection between `first` and `second` (ports; `first` is the likelier
   * server), and whether `first` is the local end. Classes are tried in the kernel's order; in
   * a class, `first` before `second`. A local rule matches the local end's port, a peer rule
   * the remote end's. undefined when nothing matches.
   */
  match(first: number, second: number): { rule: PortRule; firstIsLocal: boolean } | undefined {
    for (let c = 0; c < CLASS_ORDER.length; c++) {
      const table = this.classes[c]!;
      const local = CLASS_ORDER[c]!.side === 'local';
      const a = table[first]!;
      if (a !== 0) return { rule: this.rules[a - 1]!, firstIsLocal: local };
      const b = table[second]!;
      if (b !== 0) return { rule: this.rules[b - 1]!, firstIsLocal: !local };
    }
    return undefined;
  }
}
