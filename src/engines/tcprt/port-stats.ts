/**
 * Per-port TCP-RT statistics, as the kernel module keeps them: local ports from R records
 * that sent something, peer ports from every P record; W records count as failures of their
 * local port. Each stats line holds averages over the interval (integer division, as the
 * kernel does) and the counters then start again:
 *   drop‰ = 1000 × retransmitted segments / packets, packets = Σ (sent / mss + 1)
 *   fail‰ = 1000 × W records / count
 * Besides the kernel's sums, each port keeps the distributions of server, total and
 * first-byte times (exact count, sum, min, max; DDSketch percentiles), so that --json,
 * --interval lines and tables give percentiles and `merge` adds ports up exactly.
 * Three spans are kept: the stats-line interval, the --interval report window, and the run.
 */
import { Distribution } from '../../stats/distribution.js';
import type { PortRule, PortSide } from './config.js';
import type { TaskRecord } from './records.js';

/** One port's counters over a span: the kernel's sums and the time distributions. */
export class PortCounters {
  count = 0;
  totalUs = 0;
  serverUs = 0;
  retrans = 0;
  packets = 0;
  minRttUs = 0;
  fail = 0;
  sentBytes = 0;
  uploadUs = 0;
  recvBytes = 0;
  /** Task records of every kind (R, W, N or P). */
  tasks = 0;
  /** Over the tasks in `count`: server time, total time, request start to first response byte. */
  readonly server = new Distribution();
  readonly total = new Distribution();
  readonly firstByte = new Distribution();

  addTask(record: TaskRecord): void {
    const f = record.figures;
    const sent = f.sentBytes;
    const mss = f.mss;
    this.count++;
    this.totalUs += f.totalUs;
    this.serverUs += f.serverUs;
    this.retrans += f.retransSegs;
    this.packets += mss > 0 ? Math.floor(sent / mss) + 1 : 1;
    this.minRttUs += f.minRttUs;
    this.sentBytes += sent;
    // A P record's upload column holds its download time, which the stats line has no column for.
    if (record.type === 'R') this.uploadUs += f.uploadUs;
    this.recvBytes += f.recvBytes;
    this.server.add(f.serverUs);
    this.total.add(f.totalUs);
    this.firstByte.add(record.firstByteUs ?? 0);
  }

  add(other: PortCounters): void {
    this.count += other.count;
    this.totalUs += other.totalUs;
    this.serverUs += other.serverUs;
    this.retrans += other.retrans;
    this.packets += other.packets;
    this.minRttUs += other.minRttUs;
    this.fail += other.fail;
    this.sentBytes += other.sentBytes;
    this.uploadUs += other.uploadUs;
    this.recvBytes += other.recvBytes;
    this.tasks += other.tasks;
    this.server.merge(other.server);
    this.total.merge(other.total);
    this.firstByte.merge(other.firstByte);
  }
}

/** One port's counters over a span, with the port it is for. */
export interface PortSummary {
  side: PortSide;
  port: number;
  counters: PortCounters;
}

/** One port's averages over a span (an interval, or the whole run): a stats line. */
export interface PortStatsLine {
  side: PortSide;
  port: number;
  avgTotalUs: number;
  avgServerUs: number;
  dropPermille: number;
  avgMinRttUs: number;
  failPermille: number;
  avgSentBytes: number;
  avgUploadUs: number;
  avgRecvBytes: number;
  count: number;
  /** Task records of every kind; not on the text line. */
  tasks: number;
  /** W records; not on the text line (fail‰ is relative to count). */
  failures: number;
}

/** The kernel's averages of a port's counters (integer division; 0 for an empty port). */
export function averages({ side, port, counters: c }: PortSummary): PortStatsLine {
  const n = c.count;
  const avg = (sum: number): number => (n > 0 ? Math.floor(sum / n) : 0);
  return {
    side,
    port,
    avgTotalUs: avg(c.totalUs),
    avgServerUs: avg(c.serverUs),
    dropPermille: n > 0 && c.packets > 0 ? Math.floor((1000 * c.retrans) / c.packets) : 0,
    avgMinRttUs: avg(c.minRttUs),
    failPermille: avg(1000 * c.fail),
    avgSentBytes: avg(c.sentBytes),
    avgUploadUs: avg(c.uploadUs),
    avgRecvBytes: avg(c.recvBytes),
    count: n,
    tasks: c.tasks,
    failures: c.fail,
  };
}

const key = (side: PortSide, port: number): number => (side === 'local' ? port : 65536 + port);

export class PortStats {
  private readonly rules: readonly PortRule[];
  /** The stats line's interval, the --interval report's window, the whole run. */
  private interval = new Map<number, PortCounters>();
  private window = new Map<number, PortCounters>();
  private readonly run = new Map<number, PortCounters>();

  /** `rules` in the kernel's order (PortMatcher.rules): lines come out in that order. */
  constructor(rules: readonly PortRule[]) {
    this.rules = rules;
  }

  add(record: TaskRecord): void {
    if (record.type === 'E') return;
    for (const span of [this.interval, this.window]) {
      const k = key(record.side, record.port);
      let c = span.get(k);
      if (c === undefined) span.set(k, (c = new PortCounters()));
      c.tasks++;
      if (record.type === 'W') c.fail++;
      else if (record.type === 'P' || (record.type === 'R' && record.figures.sentBytes > 0)) c.addTask(record);
    }
  }

  /**
   * The stats-line interval's lines, then a fresh interval. Listed ports always get a line;
   * ports that matched only through a range, only when they counted tasks (as the kernel
   * prints them).
   */
  takeInterval(): PortStatsLine[] {
    const lines = this.ports(this.interval, (c) => c.count > 0).map(averages);
    this.interval = new Map();
    return lines;
  }

  /** The --interval report window's ports (range ports with tasks), then a fresh window. */
  takeWindow(): PortSummary[] {
    const ports = this.ports(this.window, (c) => c.tasks > 0);
    for (const { side, port, counters } of ports) {
      let total = this.run.get(key(side, port));
      if (total === undefined) this.run.set(key(side, port), (total = new PortCounters()));
      total.add(counters);
    }
    this.window = new Map();
    return ports;
  }

  /** The whole run's ports (after the last takeWindow). */
  runTotals(): PortSummary[] {
    return this.ports(this.run, (c) => c.tasks > 0);
  }

  /**
   * The ports of `map`, in the rules' order. A range's ports are those in the map (sorted), not
   * every port of the range: a line costs what the ports that counted something cost (a walk
   * over 65,535 ports per stats line took minutes on a sparse capture of many intervals).
   */
  private ports(map: Map<number, PortCounters>, rangeShown: (c: PortCounters) => boolean): PortSummary[] {
    const ports: PortSummary[] = [];
    let counted: number[] | undefined;
    // A port listed twice, or in two overlapping ranges, is reported once.
    const done = new Set<number>();
    for (const rule of this.rules) {
      if (!rule.range) {
        const k = key(rule.side, rule.lo);
        if (!done.has(k)) ports.push({ side: rule.side, port: rule.lo, counters: map.get(k) ?? new PortCounters() });
        done.add(k);
        continue;
      }
      counted ??= [...map.keys()].sort((a, b) => a - b);
      const lo = key(rule.side, rule.lo);
      const hi = key(rule.side, rule.hi);
      for (const k of counted) {
        if (k < lo || k > hi || done.has(k)) continue;
        const c = map.get(k)!;
        if (rangeShown(c)) ports.push({ side: rule.side, port: k - key(rule.side, 0), counters: c });
        done.add(k);
      }
    }
    return ports;
  }
}
