/**
 * Per-port TCP-RT statistics, as the kernel module keeps them: local ports from R records
 * that sent something, peer ports from every P record; W records count as failures of their
 * local port. Each stats line holds averages over the interval (integer division, as the
 * kernel does) and the counters then start again; the run's totals are kept apart for --json.
 *   drop‰ = 1000 × retransmitted segments / packets, packets = Σ (sent / mss + 1)
 *   fail‰ = 1000 × W records / count
 */
import type { PortRule, PortSide } from './config.js';
import { R_MINRTT, R_MSS, R_RECV, R_RETRANS, R_SENT, R_SERVER, R_TOTAL, R_UPLOAD, type TaskRecord } from './records.js';

class PortCounters {
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
  /** Task records of every kind (R, W, N or P), for the JSON summary. */
  tasks = 0;

  addTask(record: TaskRecord): void {
    const f = record.fields;
    const sent = f[R_SENT]!;
    const mss = f[R_MSS]!;
    this.count++;
    this.totalUs += f[R_TOTAL]!;
    this.serverUs += f[R_SERVER]!;
    this.retrans += f[R_RETRANS]!;
    this.packets += mss > 0 ? Math.floor(sent / mss) + 1 : 1;
    this.minRttUs += f[R_MINRTT]!;
    this.sentBytes += sent;
    // A P record's upload field is its download time, which the stats line has no column for.
    if (record.type === 'R') this.uploadUs += f[R_UPLOAD]!;
    this.recvBytes += f[R_RECV]!;
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
  }
}

/** One port's averages over a span (an interval, or the whole run). */
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

function averages(side: PortSide, port: number, c: PortCounters): PortStatsLine {
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
  private readonly interval = new Map<number, PortCounters>();
  private readonly run = new Map<number, PortCounters>();

  /** `rules` in the kernel's order (PortMatcher.rules): lines come out in that order. */
  constructor(rules: readonly PortRule[]) {
    this.rules = rules;
  }

  private counters(side: PortSide, port: number): PortCounters {
    const k = key(side, port);
    let c = this.interval.get(k);
    if (c === undefined) this.interval.set(k, (c = new PortCounters()));
    return c;
  }

  add(record: TaskRecord): void {
    if (record.type === 'E') return;
    const c = this.counters(record.side, record.port);
    c.tasks++;
    if (record.type === 'W') c.fail++;
    else if (record.type === 'P' || (record.type === 'R' && record.fields[R_SENT]! > 0)) c.addTask(record);
  }

  /**
   * The interval's lines, then a fresh interval. Listed ports always get a line; ports that
   * matched only through a range, only when they counted tasks (as the kernel prints them).
   */
  takeInterval(): PortStatsLine[] {
    const lines = this.lines(this.interval, (c) => c.count > 0);
    for (const [k, c] of this.interval) {
      let total = this.run.get(k);
      if (total === undefined) this.run.set(k, (total = new PortCounters()));
      total.add(c);
    }
    this.interval.clear();
    return lines;
  }

  /** The whole run's averages per port (call after the last takeInterval). */
  runTotals(): PortStatsLine[] {
    return this.lines(this.run, (c) => c.tasks > 0);
  }

  /**
   * The lines of `map`, in the rules' order. A range's ports are those in the map (sorted), not
   * every port of the range: a line costs what the ports that counted something cost.
   */
  private lines(map: Map<number, PortCounters>, rangeShown: (c: PortCounters) => boolean): PortStatsLine[] {
    const lines: PortStatsLine[] = [];
    const empty = new PortCounters();
    let counted: number[] | undefined;
    // A port listed twice, or in two overlapping ranges, gets one line.
    const done = new Set<number>();
    for (const rule of this.rules) {
      if (!rule.range) {
        const k = key(rule.side, rule.lo);
        if (!done.has(k)) lines.push(averages(rule.side, rule.lo, map.get(k) ?? empty));
        done.add(k);
        continue;
      }
      counted ??= [...map.keys()].sort((a, b) => a - b);
      const lo = key(rule.side, rule.lo);
      const hi = key(rule.side, rule.hi);
      for (const k of counted) {
        if (k < lo || k > hi || done.has(k)) continue;
        const c = map.get(k)!;
        if (rangeShown(c)) lines.push(averages(rule.side, k - key(rule.side, 0), c));
        done.add(k);
      }
    }
    return lines;
  }
}
