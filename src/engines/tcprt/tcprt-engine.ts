/**
 * The TCP-RT engine: fed the same decoded packets and flows as the RTT engine (after it), it
 * keeps a TaskConnection for each connection whose port matches a rule, emits task records
 * as they complete, and a stats line per port every stats interval of capture time.
 *
 * A packet on an unwatched port costs one table read. RTT samples (for minrtt and srtt) come
 * from the RTT engine's sink; flows leaving the table (expiry, a reused 4-tuple, the end of
 * input) come from the flow table's onExpire.
 *
 * Connections whose close was never seen (still open at the end, expired idle, evicted) get no
 * record for their last task and no E, unless `flush` is set: then they are closed at their
 * last packet.
 */
import type { PacketView } from '../../decode/packet-view.js';
import { TCP_ACK, TCP_SYN } from '../../decode/packet-view.js';
import type { Flow, FlowTable } from '../../flow/flow-table.js';
import { epochSeconds, type TimeBase } from '../../time.js';
import type { RttConnection, RttSample } from '../rtt/rtt-engine.js';
import { PortMatcher, type TcprtConfig } from './config.js';
import { PortStats, type PortStatsLine } from './port-stats.js';
import { TaskEndpoints, type RecordType, type TaskRecord } from './records.js';
import { TaskConnection, type TaskEmitter } from './task-connection.js';

export interface TcprtSink {
  /** A record, in capture order; `base` turns its times into epoch time. */
  onRecord?: (record: TaskRecord, base: TimeBase) => void;
  /** The stats lines of one interval, stamped with the epoch second at its end. */
  onStats?: (epochSec: number, lines: PortStatsLine[]) => void;
  /** Notes meant for a person, once each. */
  onNote?: (message: string) => void;
}

export class TcprtCounters {
  /** Connections that matched a rule. */
  connections = 0;
  /** ... whose close (an RST, or both FINs) was seen. */
  closed = 0;
  /** ... still open at the end (or expired idle, or evicted) with tasks: last task and E not reported. */
  openUnreported = 0;
  /** ... still open, reported as closed at their last packet (--tcprt-flush). */
  flushed = 0;
  readonly records: Record<RecordType, number> = { R: 0, P: 0, W: 0, N: 0, E: 0 };
}

export interface TcprtSummary {
  counters: TcprtCounters;
  /** The whole run's stats per port, in stats-line order. */
  ports: PortStatsLine[];
}

export class TcprtEngine {
  readonly counters = new TcprtCounters();
  private readonly config: TcprtConfig;
  private readonly matcher: PortMatcher;
  private readonly stats: PortStats;
  private readonly table: FlowTable<RttConnection>;
  private readonly base: TimeBase;
  private readonly sink: TcprtSink;
  private readonly connections = new Map<Flow<RttConnection>, TaskConnection>();
  private readonly emit: TaskEmitter;
  /** Capture time of the next stats line: NaN until the first packet, Infinity without stats. */
  private nextStatsNs: number;
  private lastNs = 0;
  private payloadCutNoted = false;

  constructor(config: TcprtConfig, table: FlowTable<RttConnection>, base: TimeBase, sink: TcprtSink) {
    this.config = config;
    this.matcher = new PortMatcher(config.rules);
    this.stats = new PortStats(this.matcher.rules);
    this.table = table;
    this.base = base;
    this.sink = sink;
    this.nextStatsNs = config.statsIntervalNs > 0 ? NaN : Infinity;
    this.emit = (record) => {
      this.counters.records[record.type]++;
      this.stats.add(record);
      this.sink.onRecord?.(record, this.base);
    };
  }

  /** After the RTT engine has seen the packet in `view` at `nowNs`. */
  /** The packet in `view`, after the RTT engine has put it in `flow` (and set the table's `fromA`). */
  onPacket(view: PacketView, nowNs: number, flow: Flow<RttConnection>): void {
    this.lastNs = nowNs;
    if (nowNs >= this.nextStatsNs) this.statsDue(nowNs);
    else if (Number.isNaN(this.nextStatsNs)) this.nextStatsNs = nowNs + this.config.statsIntervalNs;
    const watched = this.matcher.watched;
    if (watched[view.srcPort] === 0 && watched[view.dstPort] === 0) return;
    const fromA = this.table.fromA;
    let conn = this.connections.get(flow);
    if (conn === undefined) {
      const created = this.connect(flow, view);
      if (created === undefined) return;
      conn = created;
    }
    conn.onPacket(view, nowNs, fromA === conn.localIsA, this.emit);
    if (conn.payloadCut && !this.payloadCutNoted) {
      this.payloadCutNoted = true;
      this.sink.onNote?.(
        `tcprt: the capture's snaplen cut TCP payloads that the ${conn.rule.mode} mode reads (port ${conn.port}): ` +
          'from there on such connections get no extended record types (R.C, R.H, R.A, R.Z)',
      );
    }
  }

  /** The RTT engine found a sample. */
  onRttSample(sample: RttSample): void {
    const conn = this.connections.get(sample.flow);
    // The local end's data, acknowledged by the peer (as the kernel's min_rtt and srtt).
    if (conn !== undefined && sample.ackedByA !== conn.localIsA) conn.onRttSample(sample.rttNs);
  }

  /** A flow left the table. */
  flowEnded(flow: Flow<RttConnection>): void {
    const conn = this.connections.get(flow);
    if (conn === undefined) return;
    this.connections.delete(flow);
    if (conn.done) {
      this.counters.closed++;
      return;
    }
    if (conn.closeSeen) {
      this.counters.closed++;
      conn.close(flow.lastSeenNs, this.emit);
    } else if (conn.taskNo > 0) {
      if (this.config.flush) {
        this.counters.flushed++;
        conn.close(flow.lastSeenNs, this.emit);
      } else {
        this.counters.openUnreported++;
      }
    }
  }

  /** The input is over (after the flow table's flush): the last stats line. */
  finish(): TcprtSummary {
    if (Number.isFinite(this.nextStatsNs)) this.statsLine(this.lastNs);
    else this.stats.takeInterval(); // no stats lines, but the run's totals
    const c = this.counters;
    if (c.openUnreported > 0) {
      this.sink.onNote?.(
        `tcprt: ${c.openUnreported} connection${c.openUnreported === 1 ? ' was' : 's were'} still open at the end of the capture ` +
          `(or expired idle): ${c.openUnreported === 1 ? 'its' : 'their'} last task and E record are not reported ` +
          '(--tcprt-flush reports them as closed at their last packet)',
      );
    }
    if (c.flushed > 0) {
      this.sink.onNote?.(`tcprt: --tcprt-flush: ${c.flushed} connection${c.flushed === 1 ? '' : 's'} still open at the end reported as closed at their last packet`);
    }
    return { counters: c, ports: this.stats.runTotals() };
  }

  private connect(flow: Flow<RttConnection>, view: PacketView): TaskConnection | undefined {
    // The likelier server first: the receiver of a SYN, the sender of a SYN/ACK, else the
    // lower port (the kernel knows which end it is; a capture has to guess when the
    // handshake is missing and both ports match).
    const syn = view.flags & (TCP_SYN | TCP_ACK);
    const serverIsDst = syn === TCP_SYN ? true : syn === (TCP_SYN | TCP_ACK) ? false : view.dstPort <= view.srcPort;
    const first = serverIsDst ? view.dstPort : view.srcPort;
    const second = serverIsDst ? view.srcPort : view.dstPort;
    const match = this.matcher.match(first, second);
    if (match === undefined) return undefined;
    // The packet's source is the flow's endpoint A when `fromA` (set by the lookup).
    const firstIsA = serverIsDst !== this.table.fromA;
    const localIsA = match.firstIsLocal ? firstIsA : !firstIsA;
    const words = flow.addrs;
    const addrs = new Uint32Array(8);
    for (let i = 0; i < 4; i++) {
      addrs[i] = words[localIsA ? i : 4 + i]!;
      addrs[4 + i] = words[localIsA ? 4 + i : i]!;
    }
    const endpoints = new TaskEndpoints(flow.ipVersion, addrs, localIsA ? flow.portA : flow.portB, localIsA ? flow.portB : flow.portA);
    const conn = new TaskConnection(match.rule, localIsA, endpoints, this.config.firstFrameBytes);
    this.connections.set(flow, conn);
    this.counters.connections++;
    return conn;
  }

  /**
   * The interval that held the packets so far has ended: its line, then straight on to the
   * interval holding `nowNs`. Intervals in between saw no packet and get no line (a capture gap
   * says nothing of the ports), so a jump in capture time costs nothing.
   */
  private statsDue(nowNs: number): void {
    const intervalNs = this.config.statsIntervalNs;
    this.statsLine(this.nextStatsNs);
    this.nextStatsNs += (Math.floor((nowNs - this.nextStatsNs) / intervalNs) + 1) * intervalNs;
  }

  private statsLine(atNs: number): void {
    this.sink.onStats?.(epochSeconds(this.base, atNs), this.stats.takeInterval());
  }
}
