/**
 * The TCP-RT engine: fed the same decoded packets and flows as the RTT engine (after it), it
 * keeps a TaskConnection for each socket of the capture host whose ports match a rule, emits
 * task records as they complete, and a stats line per port every stats interval of capture time.
 *
 * Which sockets: the kernel matches a socket's own port against local rules (lports) and its
 * peer's port against peer rules (pports). A connection has a socket at each end, and the ends
 * that are the capture host (the vantage: --local, the live interface's addresses, or inferred)
 * are the ones the kernel there would watch: a client capture with --lports 8080 gives nothing,
 * as tcp_rt.ko on that client would. A connection neither of whose ends is local (mid-path, or
 * a vantage that names no host) is read by the ports alone, as if taken at the end whose port
 * matched (the likelier server first), and its records say `assumed`.
 *
 * While the vantage is still being inferred, each end that a rule matches gets a candidate
 * socket, and what they emit is held, in order with the stats-interval boundaries. When the
 * vantage is decided (vantageDecided) the candidates of non-local ends are dropped and the rest
 * is replayed; the hold is bounded: when it fills, the engine asks for the decision
 * (`decideVantage`) so that memory stays flat on any capture.
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
import { isLocal, type Vantage } from '../../flow/vantage.js';
import { epochSeconds, type TimeBase } from '../../time.js';
import type { RttConnection, RttSample } from '../rtt/rtt-engine.js';
import { PortMatcher, type PortRule, type PortSide, type TcprtConfig } from './config.js';
import { PortStats, type PortStatsLine, type PortSummary } from './port-stats.js';
import { TaskEndpoints, type RecordType, type TaskRecord } from './records.js';
import { TaskConnection, type TaskEmitter } from './task-connection.js';

export interface TcprtSink {
  /** A record, in capture order; `base` turns its times into epoch time. */
  onRecord?: (record: TaskRecord, base: TimeBase) => void;
  /** The stats lines of one interval, stamped with the epoch second at its end. */
  onStats?: (epochSec: number, lines: PortStatsLine[]) => void;
  /** Notes meant for a person, once each, as data (src/cli words them). */
  onNote?: (note: TcprtNote) => void;
}

/**
 * What a person may want to know of TCP-RT's run. `connections` counts them; `side` is the
 * matching rule's; `local` and `peer` are an example connection's ends (`addr:port`).
 */
export type TcprtNote =
  /** The snaplen cut payloads the rule's http/https mode reads: no extended types from there on. */
  | { code: 'tcprt-payload-cut'; mode: PortRule['mode']; port: number }
  /** Connections that match a rule only at an end that is not the capture host: no records. */
  | { code: 'tcprt-remote-only'; connections: number; side: PortSide; local: string; peer: string }
  /** Connections with no end on the capture host, read by their ports alone (records marked assumed). */
  | { code: 'tcprt-assumed'; connections: number; side: PortSide; local: string }
  /** Connections still open at the end whose last task and E are not reported (flush would). */
  | { code: 'tcprt-open-unreported'; connections: number }
  /** Connections still open at the end reported as closed at their last packet (flush). */
  | { code: 'tcprt-flushed'; connections: number };

export class TcprtCounters {
  /** Sockets watched: connections that matched a rule at a local end (both ends on loopback). */
  connections = 0;
  /** ... of those, connections with no local end, read by their ports alone (mid-path). */
  assumed = 0;
  /** Connections that a rule matched only at a remote end: not watched (see the note). */
  remoteOnly = 0;
  /** Watched sockets whose close (an RST, or both FINs) was seen. */
  closed = 0;
  /** ... still open at the end (or expired idle, or evicted) with tasks: last task and E not reported. */
  openUnreported = 0;
  /** ... still open, reported as closed at their last packet (--tcprt-flush). */
  flushed = 0;
  readonly records: Record<RecordType, number> = { R: 0, P: 0, W: 0, N: 0, E: 0 };

  /** Adds another run's counts (merge). */
  add(other: TcprtCounters): void {
    this.connections += other.connections;
    this.assumed += other.assumed;
    this.remoteOnly += other.remoteOnly;
    this.closed += other.closed;
    this.openUnreported += other.openUnreported;
    this.flushed += other.flushed;
    for (const type of Object.keys(this.records) as RecordType[]) this.records[type] += other.records[type];
  }
}

export interface TcprtSummary {
  counters: TcprtCounters;
  /** The whole run's counters per port, in stats-line order. */
  ports: PortSummary[];
}

/** The vantage as the engine sees it: known from the start, or decided later. */
export interface TcprtVantage {
  /** Given (--local, live interfaces); undefined while it is inferred. */
  given: Vantage | undefined;
  /** Forces the inference to decide now (the hold is full); it then calls vantageDecided. */
  decide: () => void;
  /** How much is held before the decision is forced (default MAX_HELD). */
  holdLimit?: number;
}

/**
 * Records, stats boundaries and ended sockets held while the vantage is inferred, at most
 * (about 30 MB of records); then the decision is forced.
 */
export const MAX_HELD = 100_000;

/** How a socket's connection ended, counted once the socket is known to be watched. */
const OPEN = 0;
const CLOSED = 1;
const OPEN_UNREPORTED = 2;
const FLUSHED = 3;

/** One end of a matched connection, taken as the capture host's socket. */
class Socket {
  /** 0 undecided, 1 watched, 2 dropped (not a local end). */
  judged = 0;
  /** Read by the ports alone: neither end is local. */
  assumed = false;
  ending = OPEN;
  /** The candidate sockets of the same connection, this one included. */
  siblings: Socket[] = [];
  /** Where the connection's records go (made once: packets must not allocate). */
  readonly emit: TaskEmitter;

  constructor(
    readonly conn: TaskConnection,
    /** The end the ports alone pick (the fallback when neither end is local). */
    readonly portOnly: boolean,
    route: (socket: Socket, record: TaskRecord) => void,
  ) {
    this.emit = (record) => route(this, record);
  }

  /** Watched by the kernel of a capture host described by `vantage`? Sets `assumed`. */
  judge(vantage: Vantage): boolean {
    const e = this.conn.endpoints;
    const localEnd = isLocal(vantage, e.ipVersion, e.addrs, 0);
    this.assumed = !localEnd && this.portOnly && !isLocal(vantage, e.ipVersion, e.addrs, 4);
    const watched = localEnd || this.assumed;
    this.judged = watched ? 1 : 2;
    return watched;
  }
}

type Held = { socket: Socket; record: TaskRecord } | { statsAtNs: number };

export class TcprtEngine {
  readonly counters = new TcprtCounters();
  private readonly config: TcprtConfig;
  private readonly matcher: PortMatcher;
  private readonly stats: PortStats;
  private readonly table: FlowTable<RttConnection>;
  private readonly base: TimeBase;
  private readonly sink: TcprtSink;
  private vantage: Vantage | undefined;
  private readonly decideVantage: () => void;
  private readonly holdLimit: number;
  /**
   * The sockets of each flow on a watched port: one, two when both ends are (or may be)
   * watched, none when a rule matched only a remote end (so that it is looked at once).
   */
  private readonly sockets = new Map<Flow<RttConnection>, Socket[]>();
  /** While the vantage is undecided: what the sockets emitted and how they ended, in order. */
  private held: Held[] = [];
  /** Undecided sockets, until the decision judges them. */
  private undecided: Socket[] = [];
  /** Capture time of the next stats line: NaN until the first packet, Infinity without stats. */
  private nextStatsNs: number;
  private lastNs = 0;
  private payloadCutNoted = false;
  /** One connection of each kind, for the notes: `peer local` labels. */
  private assumedExample: Socket | undefined;
  private remoteOnlyExample: Socket | undefined;

  constructor(config: TcprtConfig, table: FlowTable<RttConnection>, base: TimeBase, sink: TcprtSink, vantage: TcprtVantage) {
    this.config = config;
    this.matcher = new PortMatcher(config.rules);
    this.stats = new PortStats(this.matcher.rules);
    this.table = table;
    this.base = base;
    this.sink = sink;
    this.vantage = vantage.given;
    this.decideVantage = vantage.decide;
    this.holdLimit = vantage.holdLimit ?? MAX_HELD;
    this.nextStatsNs = config.statsIntervalNs > 0 ? NaN : Infinity;
  }

  /** The packet in `view`, after the RTT engine has put it in `flow` (and set the table's `fromA`). */
  onPacket(view: PacketView, nowNs: number, flow: Flow<RttConnection>): void {
    this.lastNs = nowNs;
    if (nowNs >= this.nextStatsNs) this.statsDue(nowNs);
    else if (Number.isNaN(this.nextStatsNs)) this.nextStatsNs = nowNs + this.config.statsIntervalNs;
    const watched = this.matcher.watched;
    if (watched[view.srcPort] === 0 && watched[view.dstPort] === 0) return;
    const fromA = this.table.fromA;
    let sockets = this.sockets.get(flow);
    if (sockets === undefined) {
      const created = this.connect(flow, view);
      if (created === undefined) return;
      sockets = created;
    }
    // (a flow a rule matched only at a remote end has none)
    for (let i = 0; i < sockets.length; i++) {
      const conn = sockets[i]!.conn;
      conn.onPacket(view, nowNs, fromA === conn.localIsA, sockets[i]!.emit);
      if (conn.payloadCut && !this.payloadCutNoted) {
        this.payloadCutNoted = true;
        this.sink.onNote?.({ code: 'tcprt-payload-cut', mode: conn.rule.mode, port: conn.port });
      }
    }
  }

  /** The RTT engine found a sample. */
  onRttSample(sample: RttSample): void {
    const sockets = this.sockets.get(sample.flow);
    if (sockets === undefined) return;
    for (const { conn } of sockets) {
      // The local end's data, acknowledged by the peer (as the kernel's min_rtt and srtt).
      if (sample.ackedByA !== conn.localIsA) conn.onRttSample(sample.rttNs);
    }
  }

  /** A flow left the table. */
  flowEnded(flow: Flow<RttConnection>): void {
    const sockets = this.sockets.get(flow);
    if (sockets === undefined) return;
    this.sockets.delete(flow);
    for (const socket of sockets) {
      const conn = socket.conn;
      // Judged before the close: a close that fills the hold decides the vantage, which counts
      // the endings of the sockets it judges.
      const watched = socket.judged === 1;
      if (conn.done) socket.ending = CLOSED;
      else if (conn.closeSeen) {
        socket.ending = CLOSED;
        conn.close(flow.lastSeenNs, socket.emit);
      } else if (conn.taskNo > 0) {
        socket.ending = this.config.flush ? FLUSHED : OPEN_UNREPORTED;
        if (this.config.flush) conn.close(flow.lastSeenNs, socket.emit);
      }
      // An undecided socket's ending is counted when the decision finds it watched.
      if (watched) this.countEnding(socket);
    }
  }

  /**
   * The vantage was decided (inferred): sockets of non-local ends are dropped, and what the
   * others emitted meanwhile comes out, in order.
   */
  vantageDecided(vantage: Vantage): void {
    if (this.vantage !== undefined) return;
    this.vantage = vantage;
    for (const socket of this.undecided) {
      if (this.judge(socket, vantage)) this.countEnding(socket);
    }
    for (const socket of this.undecided) {
      if (socket.siblings[0] === socket && socket.siblings.every((s) => s.judged === 2)) this.remoteOnly(socket.siblings.find((s) => s.portOnly)!);
    }
    this.undecided = [];
    for (const [flow, sockets] of this.sockets) {
      const kept = sockets.filter((s) => s.judged === 1);
      if (kept.length !== sockets.length) this.sockets.set(flow, kept);
    }
    const held = this.held;
    this.held = [];
    for (const item of held) {
      if ('statsAtNs' in item) this.statsLine(item.statsAtNs);
      else if (item.socket.judged === 1) this.emitRecord(item.socket, item.record);
    }
  }

  /**
   * The input is over (after the flow table's flush and the vantage decision): the last stats
   * line, and the notes. The last report window is still to be taken (takeWindow).
   */
  finish(): void {
    if (this.vantage === undefined) this.decideVantage();
    if (Number.isFinite(this.nextStatsNs)) this.statsLine(this.lastNs);
    this.notes();
  }

  /** The ports' counters since the last call: an --interval report's, or the run's last. */
  takeWindow(): PortSummary[] {
    return this.stats.takeWindow();
  }

  /** The run's counters per port and the record counts (after the last takeWindow). */
  summary(): TcprtSummary {
    return { counters: this.counters, ports: this.stats.runTotals() };
  }

  private notes(): void {
    const c = this.counters;
    const note = (n: TcprtNote): void => this.sink.onNote?.(n);
    if (c.remoteOnly > 0) {
      const { endpoints, rule } = this.remoteOnlyExample!.conn;
      note({ code: 'tcprt-remote-only', connections: c.remoteOnly, side: rule.side, local: endpoints.local, peer: endpoints.peer });
    }
    if (c.assumed > 0) {
      const { endpoints, rule } = this.assumedExample!.conn;
      note({ code: 'tcprt-assumed', connections: c.assumed, side: rule.side, local: endpoints.local });
    }
    if (c.openUnreported > 0) note({ code: 'tcprt-open-unreported', connections: c.openUnreported });
    if (c.flushed > 0) note({ code: 'tcprt-flushed', connections: c.flushed });
  }

  /** The candidate sockets of a new flow whose ports some rule watches; undefined if none. */
  private connect(flow: Flow<RttConnection>, view: PacketView): Socket[] | undefined {
    // By the ports alone, the likelier server first: the receiver of a SYN, the sender of a
    // SYN/ACK, else the lower port (the kernel knows which end it is; a capture has to guess
    // when the handshake is missing and both ports match).
    const syn = view.flags & (TCP_SYN | TCP_ACK);
    const serverIsDst = syn === TCP_SYN ? true : syn === (TCP_SYN | TCP_ACK) ? false : view.dstPort <= view.srcPort;
    const first = serverIsDst ? view.dstPort : view.srcPort;
    const second = serverIsDst ? view.srcPort : view.dstPort;
    const byPorts = this.matcher.match(first, second);
    if (byPorts === undefined) return undefined;
    // The packet's source is the flow's endpoint A when `fromA` (set by the lookup).
    const firstIsA = serverIsDst !== this.table.fromA;
    const portOnlyLocalIsA = byPorts.firstIsLocal ? firstIsA : !firstIsA;
    const sockets: Socket[] = [];
    for (const localIsA of [true, false]) {
      const rule = this.matcher.matchSocket(localIsA ? flow.portA : flow.portB, localIsA ? flow.portB : flow.portA);
      if (rule === undefined) continue;
      sockets.push(new Socket(this.taskConnection(flow, rule, localIsA), localIsA === portOnlyLocalIsA, this.route));
    }
    for (const socket of sockets) socket.siblings = sockets;
    if (this.vantage === undefined) {
      this.undecided.push(...sockets);
      this.sockets.set(flow, sockets);
      this.holdFull();
      // (the decision may have come just now: judged sockets keep their place, dropped ones go quiet)
      return sockets;
    }
    const watched = sockets.filter((socket) => this.judge(socket, this.vantage!));
    if (watched.length === 0) this.remoteOnly(sockets.find((s) => s.portOnly)!);
    this.sockets.set(flow, watched);
    return watched;
  }

  /** A connection that a rule matched only at an end that is not the capture host. */
  private remoteOnly(portOnly: Socket): void {
    this.counters.remoteOnly++;
    this.remoteOnlyExample ??= portOnly;
  }

  /** Decides whether `socket` is watched under `vantage`, and counts it. */
  private judge(socket: Socket, vantage: Vantage): boolean {
    if (!socket.judge(vantage)) return false;
    this.counters.connections++;
    if (socket.assumed) {
      this.counters.assumed++;
      this.assumedExample ??= socket;
    }
    return true;
  }

  private taskConnection(flow: Flow<RttConnection>, rule: TaskConnection['rule'], localIsA: boolean): TaskConnection {
    const words = flow.addrs;
    const addrs = new Uint32Array(8);
    for (let i = 0; i < 4; i++) {
      addrs[i] = words[localIsA ? i : 4 + i]!;
      addrs[4 + i] = words[localIsA ? 4 + i : i]!;
    }
    const endpoints = new TaskEndpoints(flow.ipVersion, addrs, localIsA ? flow.portA : flow.portB, localIsA ? flow.portB : flow.portA);
    return new TaskConnection(rule, localIsA, endpoints, this.config.firstFrameBytes);
  }

  /** Where a socket's records go: out, or held until the vantage is decided. */
  private readonly route = (socket: Socket, record: TaskRecord): void => {
    if (socket.judged === 1) this.emitRecord(socket, record);
    else if (socket.judged === 0) this.hold({ socket, record });
  };

  private emitRecord(socket: Socket, record: TaskRecord): void {
    record.assumed = socket.assumed;
    this.counters.records[record.type]++;
    this.stats.add(record);
    this.sink.onRecord?.(record, this.base);
  }

  private countEnding(socket: Socket): void {
    const c = this.counters;
    if (socket.ending === CLOSED) c.closed++;
    else if (socket.ending === OPEN_UNREPORTED) c.openUnreported++;
    else if (socket.ending === FLUSHED) c.flushed++;
  }

  private hold(item: Held): void {
    this.held.push(item);
    this.holdFull();
  }

  /** Held items and undecided sockets (ended ones wait there too) reached the limit: decide. */
  private holdFull(): void {
    if (this.held.length + this.undecided.length >= this.holdLimit) this.decideVantage();
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
    if (this.vantage === undefined) {
      this.hold({ statsAtNs: atNs });
      return;
    }
    this.sink.onStats?.(epochSeconds(this.base, atNs), this.stats.takeInterval());
  }
}
