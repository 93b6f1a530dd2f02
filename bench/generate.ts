/**
 * Synthetic traffic for the benchmark, deterministic from a seed.
 *
 * The capture point is a tap on the client side of a busy link. Connections arrive as a Poisson
 * process; each picks a client host, a server (servers have a home RTT, so flows to one server
 * look alike), a bottleneck rate, loss rates and an application exchange: a TLS-like first
 * round trip, then a few requests (mostly small, some uploads) and responses (small to several
 * MB). A discrete-event simulation plays both ends with the TCP behaviour an RTT engine has to
 * cope with: the handshake with MSS/SACK/WS/TS options, MSS-sized segments (1448 bytes with
 * timestamps), slow start and ACK clocking through a paced bottleneck, quick ACKs at the start
 * of a connection, then delayed ACKs (every second segment, or a 40 ms timer), out-of-order
 * data acknowledged at once with SACK blocks, fast retransmit after three duplicate ACKs, RTO
 * retransmission of tail losses, the odd spurious retransmission (answered with a D-SACK), lost
 * SYNs, and FIN or RST teardown. ARP and DNS packets are mixed in so that not everything is TCP.
 *
 * Time is folded onto the capture point: a client packet is written when sent and reaches the
 * server one RTT later in "capture time", when the server's reply is written; a server packet
 * is written when it arrives, and the client reacts a few microseconds later. Events run from
 * one heap ordered by (time, creation order), so the file is in time order and the same seed
 * always writes the same bytes. Segments the server loses never reach the tap; segments the
 * client loses are captured, then retransmitted.
 *
 * As it writes, the generator folds every TCP packet into the digest of bench/digest.ts and
 * stores it, with the packet counts, in a JSON file next to the capture; bench/run.ts checks
 * the decoders against both.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FieldSums, type DigestFields } from './digest.js';
import { PcapWriter } from './pcap-writer.js';
import { Prng } from './prng.js';

/** Bump whenever a change here changes the bytes written: cached captures are then rebuilt. */
export const GENERATOR_VERSION = 4;

export interface CaptureSpec {
  name: string;
  /**
   * The capture stops once this many TCP packets (or file bytes) are written, mid-traffic like
   * `tcpdump -c`: connections still open at that moment simply end there.
   */
  stopAfterTcpPackets: number;
  stopAfterBytes: number;
  snaplen: number;
  nanos: boolean;
  seed: number;
}

export const SPECS = {
  /** Headers-only capture (tcpdump -s 128), ns timestamps: 2 M TCP packets, ~240 MB. */
  throughput: {
    name: 'tcp-2m-s128-ns',
    stopAfterTcpPackets: 2_000_000,
    stopAfterBytes: Number.POSITIVE_INFINITY,
    snaplen: 128,
    nanos: true,
    seed: 0x7cb1,
  },
  /**
   * The same traffic as `throughput` (same seed; the simulation never looks at the timestamp
   * precision), written with µs timestamps: for the npm pcap-parser package, which rejects ns
   * captures. Its packets, lengths and every field but the sub-µs digits are the same.
   */
  throughputUs: {
    name: 'tcp-2m-s128-us',
    stopAfterTcpPackets: 2_000_000,
    stopAfterBytes: Number.POSITIVE_INFINITY,
    snaplen: 128,
    nanos: false,
    seed: 0x7cb1,
  },
  /** Full-snaplen capture, µs timestamps, 250 MiB: for the peak-RSS check. */
  rss: {
    name: 'tcp-250mib-full-us',
    stopAfterTcpPackets: Number.POSITIVE_INFINITY,
    stopAfterBytes: 250 * 1024 * 1024,
    snaplen: 262144,
    nanos: false,
    seed: 0x25a0,
  },
} satisfies Record<string, CaptureSpec>;

export type SpecName = keyof typeof SPECS;

export interface CaptureMeta {
  generatorVersion: number;
  spec: CaptureSpec;
  file: string;
  bytes: number;
  packets: number;
  tcpPackets: number;
  arpPackets: number;
  udpPackets: number;
  /** Sum of TCP payload lengths from the IP headers (not cut by the snaplen). */
  tcpPayloadBytes: number;
  digest: number;
  connections: number;
  maxConcurrentConnections: number;
  /** Connections still open when the capture stops (it ends mid-traffic, like tcpdump -c). */
  openConnectionsAtEnd: number;
  retransmissions: number;
  spuriousRetransmissions: number;
  lostBeforeCapture: number;
  withTimestamps: number;
  durationSec: number;
  generateSec: number;
}

export const DATA_DIR = fileURLToPath(new URL('../../bench/data/', import.meta.url));

export function capturePath(spec: CaptureSpec): string {
  return `${DATA_DIR}${spec.name}.pcap`;
}

function metaPath(spec: CaptureSpec): string {
  return `${DATA_DIR}${spec.name}.json`;
}

// ---------------------------------------------------------------------------------------------
// Model parameters. Times are in ns.

const MS = 1e6;
const US = 1e3;
const CONNECTIONS_PER_SEC = 3000;
const CLIENT_HOSTS = 2048;
const ARP_INTERVAL_NS = 20 * MS;
const SERVERS = 600;
const DELAYED_ACK_NS = 40 * MS;
const MIN_RTO_NS = 200 * MS;
const SYN_RTO_NS = 1000 * MS;
const SYN_LOSS = 0.01;
const QUICK_ACKS = 16;
const INITIAL_CWND = 10;

const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_RST = 0x04;
const TCP_PSH = 0x08;
const TCP_ACK = 0x10;

const ETH_LEN = 14;
const IP_LEN = 20;
const GATEWAY_MAC = [0x02, 0x00, 0x5e, 0x00, 0x00, 0x01] as const;
const RESOLVER_IP = ip(10, 1, 0, 53);
const GATEWAY_IP = ip(10, 1, 0, 1);

function ip(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** Payload bytes come from this pattern, so checksums are sums over precomputed prefixes. */
const PATTERN_SPAN = 65536;
const PATTERN = new Uint8Array(PATTERN_SPAN + 4096);
/** PATTERN_WORDS[k]: sum of the big-endian 16-bit words of PATTERN[0, 2k). */
const PATTERN_WORDS = new Float64Array(PATTERN.length / 2 + 1);
{
  const rng = new Prng(0xda7a);
  for (let i = 0; i < PATTERN.length; i += 4) {
    const x = rng.u32();
    PATTERN[i] = x >>> 24;
    PATTERN[i + 1] = (x >>> 16) & 0xff;
    PATTERN[i + 2] = (x >>> 8) & 0xff;
    PATTERN[i + 3] = x & 0xff;
  }
  for (let k = 0; k < PATTERN.length / 2; k++) {
    PATTERN_WORDS[k + 1] = PATTERN_WORDS[k]! + ((PATTERN[2 * k]! << 8) | PATTERN[2 * k + 1]!);
  }
}

function patternSum(at: number, len: number): number {
  const words = len >> 1;
  let sum = PATTERN_WORDS[(at >> 1) + words]! - PATTERN_WORDS[at >> 1]!;
  if (len & 1) sum += PATTERN[at + len - 1]! << 8;
  return sum;
}

export function fold(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s % 65536) + Math.floor(s / 65536);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Simulation state.

interface Segment {
  conn: Conn;
  fromA: boolean;
  /** Offset in the sender's byte stream (-1 for the SYN); the ACK likewise in the peer's. */
  seqRel: number;
  ackRel: number;
  flags: number;
  len: number;
  tsVal: number;
  tsEcr: number;
  /** SACK blocks as relative [start, end) pairs in the peer's stream, first block first. */
  sack: number[] | null;
  window: number;
  /** False when a client segment is lost after the tap. */
  deliver: boolean;
  retransmission: boolean;
  spurious: boolean;
}

interface LostSegment {
  start: number;
  len: number;
  flags: number;
  retransmitted: boolean;
}

interface Server {
  ip: number;
  port: number;
  rttNs: number;
  rateBps: number;
  ttl: number;
  usesTimestamps: boolean;
}

interface Host {
  ip: number;
  mac: number[];
  nextPort: number;
}

class Side {
  readonly isA: boolean;
  readonly conn: Conn;
  readonly ip: number;
  readonly port: number;
  readonly isn: number;
  readonly tsOffset: number;
  ipId: number;
  readonly ttl: number;
  readonly windowBase: number;
  readonly nsPerByte: number;
  lastCaptureNs = 0;
  established = false;
  // Sending.
  sndUna = 0;
  sndNxt = 0;
  queued = 0;
  readonly messageEnds: number[] = [];
  messageIndex = 0;
  finQueued = false;
  finSent = false;
  cwnd = INITIAL_CWND;
  ssthresh = Number.POSITIVE_INFINITY;
  readonly cwndMax: number;
  dupAcks = 0;
  inRecovery = false;
  recoverUntil = 0;
  lost: LostSegment[] = [];
  // Receiving.
  rcvNxt = 0;
  /** Out-of-order ranges held, sorted [start, end) pairs; newest is the most recent arrival. */
  ooo: number[] = [];
  newestOoo = -1;
  peerFinAt = -1;
  finReceived = false;
  pendingAcks = 0;
  ackGeneration = 0;
  delayedAckArmed = -1;
  quickAcks = QUICK_ACKS;
  tsRecent = 0;

  constructor(isA: boolean, conn: Conn, ipAddr: number, port: number, rng: Prng, ttl: number, rateBps: number, cwndMax: number) {
    this.isA = isA;
    this.conn = conn;
    this.ip = ipAddr;
    this.port = port;
    // Some initial sequence numbers sit just below 2^32 so that serial arithmetic is exercised.
    this.isn = rng.chance(0.05) ? (0xffffffff - rng.int(0, 2_000_000)) >>> 0 : rng.u32();
    this.tsOffset = rng.chance(0.05) ? (0xffffffff - rng.int(0, 3000)) >>> 0 : rng.u32();
    this.ipId = rng.int(0, 0xffff);
    this.ttl = ttl;
    this.windowBase = rng.int(500, 3000);
    this.nsPerByte = (8 * 1e9) / rateBps;
    this.cwndMax = cwndMax;
  }

  tsNow(nowNs: number): number {
    return (this.tsOffset + Math.floor(nowNs / MS)) >>> 0;
  }

  window(): number {
    return Math.min(65535, this.windowBase + Math.floor(this.rcvNxt / 65536));
  }
}

interface Exchange {
  request: number;
  response: number;
  clientThinkNs: number;
  serverThinkNs: number;
}

class Conn {
  readonly id: number;
  readonly host: Host;
  readonly server: Server;
  a!: Side;
  b!: Side;
  rttNs = 0;
  jitter = 0;
  lossA = 0;
  lossB = 0;
  spurious = 0;
  rtoNs = 0;
  mssOption = 1460;
  mss = 1448;
  usesTimestamps = true;
  exchanges: Exchange[] = [];
  closeMode: 'client' | 'server' | 'reset' = 'client';
  /** Where each request (response) ends in the client's (server's) stream, as written. */
  readonly requestEnds: number[] = [];
  readonly responseEnds: number[] = [];
  requestsSeen = 0;
  responsesSeen = 0;
  lastDeliveryNs = 0;
  finished = false;
  constructor(id: number, host: Host, server: Server) {
    this.id = id;
    this.host = host;
    this.server = server;
  }
}

const EV_CAPTURE = 0;
const EV_DELIVER_B = 1;
const EV_TIMER = 2;
const EV_ARRIVAL = 3;
const EV_ARP = 4;
const EV_DNS_ANSWER = 5;

const T_START = 0;
const T_SYN_RTO = 1;
const T_DELAYED_ACK = 2;
const T_RTO = 3;
const T_REQUEST = 4;
const T_RESPONSE = 5;
const T_CLOSE = 6;
const T_RESET = 7;
const T_SPURIOUS = 8;

interface SimEvent {
  t: number;
  n: number;
  kind: number;
  seg: Segment | null;
  side: Side | null;
  timer: number;
  arg: number;
  lost: LostSegment | null;
}

/** Binary min-heap on (t, n). */
class EventQueue {
  private items: SimEvent[] = [];
  get size(): number {
    return this.items.length;
  }
  push(ev: SimEvent): void {
    const items = this.items;
    let i = items.length;
    items.push(ev);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent]!;
      if (p.t < ev.t || (p.t === ev.t && p.n < ev.n)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = ev;
  }
  pop(): SimEvent {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      let i = 0;
      const n = items.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        let c = l;
        const lc = items[l]!;
        if (r < n) {
          const rc = items[r]!;
          if (rc.t < lc.t || (rc.t === lc.t && rc.n < lc.n)) c = r;
        }
        const ch = items[c]!;
        if (last.t < ch.t || (last.t === ch.t && last.n < ch.n)) break;
        items[i] = ch;
        i = c;
      }
      items[i] = last;
    }
    return top;
  }
}

export class TrafficSimulation {
  private readonly rng: Prng;
  private readonly writer: PcapWriter;
  private readonly spec: CaptureSpec;
  private readonly queue = new EventQueue();
  private readonly scratch = new Uint8Array(256);
  private readonly hosts: Host[] = [];
  private readonly servers: Server[] = [];
  private now = 0;
  private order = 0;
  private active = 0;
  readonly sums = new FieldSums();
  /** Each TCP packet's fields as written, handed to `sums` (one object, reused). */
  private readonly digestFields: DigestFields & { src: number[]; dst: number[] } = {
    tsSec: 0,
    tsNsec: 0,
    src: [0],
    dst: [0],
    srcPort: 0,
    dstPort: 0,
    seq: 0,
    ack: 0,
    flags: 0,
    payloadLen: 0,
    window: 0,
    sackBlocks: 0,
    hasTimestamp: false,
    tsVal: 0,
    tsEcr: 0,
  };
  tcpPackets = 0;
  arpPackets = 0;
  udpPackets = 0;
  tcpPayloadBytes = 0;
  connections = 0;
  maxActive = 0;
  retransmissions = 0;
  spuriousRetransmissions = 0;
  lostBeforeCapture = 0;
  withTimestamps = 0;

  constructor(spec: CaptureSpec, writer: PcapWriter) {
    this.spec = spec;
    this.writer = writer;
    this.rng = new Prng(spec.seed);
    const rng = this.rng;
    for (let i = 0; i < CLIENT_HOSTS; i++) {
      const addr = ip(10, 1, 1 + (i >> 8), i & 0xff);
      this.hosts.push({ ip: addr, mac: [0x02, 0x42, 0x0a, 0x01, (addr >> 8) & 0xff, addr & 0xff], nextPort: rng.int(32768, 60999) });
    }
    const rates = [10e6, 50e6, 100e6, 1e9];
    const ports = [443, 443, 443, 443, 80, 8080, 5432, 22];
    for (let i = 0; i < SERVERS; i++) {
      const rtt = Math.min(400 * MS, Math.max(0.15 * MS, rng.logNormal(25 * MS, 1.1)));
      this.servers.push({
        ip: ip(rng.int(11, 223), rng.int(0, 255), rng.int(0, 255), rng.int(1, 254)),
        port: ports[rng.int(0, ports.length - 1)]!,
        rttNs: rtt,
        rateBps: rates[rng.weighted([0.1, 0.2, 0.3, 0.4])]!,
        ttl: (rng.chance(0.8) ? 64 : 128) - rng.int(4, 20),
        usesTimestamps: rng.chance(0.9),
      });
    }
  }

  run(): void {
    this.at(0, EV_ARRIVAL);
    this.at(this.rng.exp(ARP_INTERVAL_NS), EV_ARP);
    const queue = this.queue;
    while (queue.size > 0) {
      const ev = queue.pop();
      if (ev.t < this.now) throw new Error(`event out of order: ${ev.t} < ${this.now}`);
      this.now = ev.t;
      switch (ev.kind) {
        case EV_CAPTURE:
          this.capture(ev.seg!);
          break;
        case EV_DELIVER_B:
          this.receive(ev.seg!.conn.b, ev.seg!);
          break;
        case EV_TIMER:
          this.timer(ev.side!, ev.timer, ev.arg, ev.lost);
          break;
        case EV_ARRIVAL:
          this.openConnection();
          this.at(this.now + this.rng.exp(1e9 / CONNECTIONS_PER_SEC), EV_ARRIVAL);
          break;
        case EV_ARP:
          if (ev.arg > 0) {
            this.writeArp(this.hosts[ev.arg - 1]!, true);
          } else {
            const hostIndex = this.rng.int(0, CLIENT_HOSTS - 1);
            this.writeArp(this.hosts[hostIndex]!, false);
            this.push(this.now + this.rng.int(50, 300) * US, EV_ARP, null, null, 0, hostIndex + 1, null);
            this.at(this.now + this.rng.exp(ARP_INTERVAL_NS), EV_ARP);
          }
          break;
        case EV_DNS_ANSWER:
          this.writeDns(this.hosts[ev.arg]!, ev.timer, false);
          break;
        default:
          throw new Error(`unknown event ${ev.kind}`);
      }
      if (this.tcpPackets >= this.spec.stopAfterTcpPackets || this.writer.bytes >= this.spec.stopAfterBytes) break;
    }
  }

  get durationNs(): number {
    return this.now;
  }

  get openAtEnd(): number {
    return this.active;
  }

  // ---- scheduling ---------------------------------------------------------------------------

  private push(t: number, kind: number, seg: Segment | null, side: Side | null, timer: number, arg: number, lost: LostSegment | null): void {
    if (t < this.now) throw new Error(`scheduling into the past: ${t} < ${this.now}`);
    this.queue.push({ t, n: this.order++, kind, seg, side, timer, arg, lost });
  }

  private at(t: number, kind: number): void {
    this.push(t, kind, null, null, 0, 0, null);
  }

  private setTimer(side: Side, t: number, timer: number, arg = 0, lost: LostSegment | null = null): void {
    this.push(t, EV_TIMER, null, side, timer, arg, lost);
  }

  // ---- connections --------------------------------------------------------------------------

  private openConnection(): void {
    const rng = this.rng;
    const host = this.hosts[rng.int(0, CLIENT_HOSTS - 1)]!;
    const server = this.servers[rng.int(0, SERVERS - 1)]!;
    const conn = new Conn(this.connections++, host, server);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    conn.rttNs = server.rttNs * (1 + 0.1 * Math.abs(rng.normal()));
    conn.jitter = rng.logUniform(0.005, 0.15);
    conn.lossA = rng.chance(0.3) ? rng.logUniform(1e-4, 0.02) : 0;
    conn.lossB = rng.chance(0.3) ? rng.logUniform(1e-4, 0.02) : 0;
    conn.spurious = rng.chance(0.2) ? 0.002 : 0;
    conn.rtoNs = MIN_RTO_NS + conn.rttNs;
    conn.usesTimestamps = server.usesTimestamps && rng.chance(0.97);
    conn.mssOption = rng.chance(0.9) ? 1460 : [1400, 1380, 1360, 1440][rng.int(0, 3)]!;
    conn.mss = conn.mssOption - (conn.usesTimestamps ? 12 : 0);
    const port = host.nextPort;
    host.nextPort = port >= 60999 ? 32768 : port + 1;
    const clientRate = rng.chance(0.7) ? 1e9 : 100e6;
    const bdp = (server.rateBps / 8) * (conn.rttNs / 1e9);
    const cwndMax = Math.max(INITIAL_CWND, Math.min(1000, Math.ceil((1.5 * bdp) / conn.mss)));
    conn.a = new Side(true, conn, host.ip, port, rng, 64, clientRate, cwndMax);
    conn.b = new Side(false, conn, server.ip, server.port, rng, server.ttl, server.rateBps, cwndMax);

    const exchanges: Exchange[] = [];
    if (server.port === 443) {
      // TLS 1.3-like first flight: ClientHello, then ServerHello through Finished.
      exchanges.push({ request: rng.int(250, 600), response: rng.int(2500, 6000), clientThinkNs: 0, serverThinkNs: rng.logUniform(0.1 * MS, 3 * MS) });
    }
    const requests = 1 + Math.min(30, Math.floor(rng.exp(2)));
    for (let i = 0; i < requests; i++) {
      const request = rng.chance(0.85) ? rng.int(80, 1400) : Math.round(rng.logUniform(2000, 300_000));
      const kind = rng.weighted([0.5, 0.35, 0.13, 0.02]);
      const response =
        kind === 0
          ? rng.int(100, 4000)
          : kind === 1
            ? Math.round(rng.logUniform(4000, 64_000))
            : kind === 2
              ? Math.round(rng.logUniform(64_000, 1_000_000))
              : Math.round(rng.logUniform(1_000_000, 6_000_000));
      const clientThinkNs = rng.chance(0.4) ? rng.exp(50 * US) : rng.exp(20 * MS);
      const serverThinkNs = Math.min(200 * MS, rng.logNormal(1 * MS, 1.2));
      exchanges.push({ request, response, clientThinkNs, serverThinkNs });
    }
    conn.exchanges = exchanges;
    conn.closeMode = ['client', 'server', 'reset'][rng.weighted([0.8, 0.15, 0.05])] as Conn['closeMode'];

    if (rng.chance(0.1)) {
      const dnsNs = rng.logUniform(0.3 * MS, 30 * MS);
      const id = rng.int(0, 0xffff);
      this.writeDns(host, id, true);
      this.push(this.now + dnsNs, EV_DNS_ANSWER, null, null, id, this.hosts.indexOf(host), null);
      this.setTimer(conn.a, this.now + dnsNs + rng.int(20, 200) * US, T_START);
    } else {
      this.setTimer(conn.a, this.now, T_START);
    }
  }

  private finish(conn: Conn): void {
    if (conn.finished) return;
    conn.finished = true;
    this.active--;
  }

  // ---- sending ------------------------------------------------------------------------------

  /** When a packet of `frameLen` bytes sent by `side` now reaches the tap. */
  private departure(side: Side, frameLen: number): number {
    const reaction = side.isA ? 10 * US + this.rng.exp(25 * US) : 0;
    const t = Math.max(this.now + reaction, side.lastCaptureNs + frameLen * side.nsPerByte);
    side.lastCaptureNs = t;
    return t;
  }

  private segment(side: Side, seqRel: number, len: number, flags: number): Segment {
    const conn = side.conn;
    let sack: number[] | null = null;
    if (side.ooo.length > 0) sack = this.sackBlocks(side, null);
    return {
      conn,
      fromA: side.isA,
      seqRel,
      ackRel: side.rcvNxt,
      flags,
      len,
      tsVal: side.tsNow(this.now),
      tsEcr: side.tsRecent,
      sack,
      window: side.window(),
      deliver: true,
      retransmission: false,
      spurious: false,
    };
  }

  private sackBlocks(side: Side, dsack: number[] | null): number[] {
    const max = side.conn.usesTimestamps ? 3 : 4;
    const blocks: number[] = dsack === null ? [] : [dsack[0]!, dsack[1]!];
    const ooo = side.ooo;
    // The block holding the newest arrival goes first (RFC 2018), then the others from the top.
    let first = -1;
    for (let i = 0; i < ooo.length; i += 2) {
      if (side.newestOoo >= ooo[i]! && side.newestOoo < ooo[i + 1]!) first = i;
    }
    if (first >= 0) blocks.push(ooo[first]!, ooo[first + 1]!);
    for (let i = ooo.length - 2; i >= 0 && blocks.length < 2 * max; i -= 2) {
      if (i !== first) blocks.push(ooo[i]!, ooo[i + 1]!);
    }
    return blocks.slice(0, 2 * max);
  }

  private frameLen(conn: Conn, len: number, sackBlocks: number): number {
    const options = (conn.usesTimestamps ? 12 : 0) + (sackBlocks > 0 ? 4 + 8 * sackBlocks : 0);
    return Math.max(60, ETH_LEN + IP_LEN + 20 + options + len);
  }

  private sendSyn(side: Side, retransmission: boolean): void {
    const conn = side.conn;
    const seg = this.segment(side, -1, 0, side.isA ? TCP_SYN : TCP_SYN | TCP_ACK);
    seg.window = 64240;
    seg.tsEcr = side.isA ? 0 : side.tsRecent;
    seg.retransmission = retransmission;
    if (!side.isA) {
      seg.ackRel = 0;
      this.push(this.departure(side, 74), EV_CAPTURE, seg, null, 0, 0, null);
      return;
    }
    seg.ackRel = 0;
    if (!retransmission && this.rng.chance(SYN_LOSS)) {
      seg.deliver = false;
      this.setTimer(side, this.now + SYN_RTO_NS, T_SYN_RTO);
    }
    this.push(this.departure(side, conn.usesTimestamps ? 74 : 66), EV_CAPTURE, seg, null, 0, 0, null);
  }

  private sendAck(side: Side, dsack: number[] | null): void {
    const seg = this.segment(side, side.sndNxt, 0, TCP_ACK);
    if (dsack !== null) seg.sack = this.sackBlocks(side, dsack);
    side.pendingAcks = 0;
    side.ackGeneration++;
    this.emit(side, seg);
  }

  /** Sends what the congestion window allows of the queued data, then a queued FIN. */
  private sendData(side: Side): void {
    const conn = side.conn;
    if (conn.finished || !side.established) return;
    const mss = conn.mss;
    while (side.sndNxt < side.queued) {
      if (side.sndNxt - side.sndUna >= Math.floor(side.cwnd) * mss) return;
      const messageEnd = side.messageEnds[side.messageIndex]!;
      const len = Math.min(mss, messageEnd - side.sndNxt);
      const last = side.sndNxt + len === messageEnd;
      this.sendSegment(side, side.sndNxt, len, TCP_ACK | (last ? TCP_PSH : 0), false);
      side.sndNxt += len;
      if (last) side.messageIndex++;
    }
    if (side.finQueued && !side.finSent) {
      side.finSent = true;
      this.sendSegment(side, side.sndNxt, 0, TCP_FIN | TCP_ACK, false);
      side.sndNxt += 1;
    }
  }

  private sendSegment(side: Side, start: number, len: number, flags: number, retransmission: boolean): void {
    const conn = side.conn;
    const rng = this.rng;
    const seg = this.segment(side, start, len, flags);
    seg.retransmission = retransmission;
    side.pendingAcks = 0;
    side.ackGeneration++;
    const lost = !retransmission && rng.chance(side.isA ? conn.lossA : conn.lossB);
    if (lost) {
      const entry: LostSegment = { start, len, flags, retransmitted: false };
      side.lost.push(entry);
      this.setTimer(side, this.now + conn.rtoNs, T_RTO, 0, entry);
    }
    if (side.isA) {
      seg.deliver = !lost;
      this.emit(side, seg);
    } else if (lost) {
      this.lostBeforeCapture++;
      this.departure(side, this.frameLen(conn, len, 0));
    } else {
      const t = this.emit(side, seg);
      if (!retransmission && len > 0 && rng.chance(conn.spurious)) {
        this.setTimer(side, t + conn.rtoNs, T_SPURIOUS, 0, { start, len, flags, retransmitted: true });
      }
    }
  }

  private emit(side: Side, seg: Segment): number {
    const sackBlocks = seg.sack === null ? 0 : seg.sack.length / 2;
    const t = this.departure(side, this.frameLen(side.conn, seg.len, sackBlocks));
    this.push(t, EV_CAPTURE, seg, null, 0, 0, null);
    return t;
  }

  private retransmitLost(side: Side): void {
    for (const entry of side.lost) {
      if (entry.retransmitted) continue;
      entry.retransmitted = true;
      this.sendSegment(side, entry.start, entry.len, entry.flags, true);
    }
  }

  // ---- receiving ----------------------------------------------------------------------------

  /** A captured packet: written, then handed to the client at once or to the server an RTT on. */
  private capture(seg: Segment): void {
    const conn = seg.conn;
    this.writeTcp(seg);
    if (seg.retransmission) this.retransmissions++;
    if (seg.spurious) this.spuriousRetransmissions++;
    const sender = seg.fromA ? conn.a : conn.b;
    if (seg.flags & TCP_RST) this.finish(conn);
    else if (seg.flags === TCP_ACK && seg.len === 0 && sender.finSent && sender.finReceived && sender.sndUna === sender.sndNxt) this.finish(conn);
    if (!seg.fromA) {
      this.receive(conn.a, seg);
    } else if (seg.deliver) {
      const arrival = Math.max(conn.lastDeliveryNs, this.now + conn.rttNs * (1 + this.rng.exp(conn.jitter)));
      conn.lastDeliveryNs = arrival;
      this.push(arrival, EV_DELIVER_B, seg, null, 0, 0, null);
    }
  }

  private receive(side: Side, seg: Segment): void {
    const conn = side.conn;
    if (conn.finished && !(seg.flags & TCP_FIN)) return;
    if (seg.flags & TCP_RST) return;
    if (seg.flags & TCP_SYN) {
      this.handshake(side, seg);
      return;
    }
    if (conn.usesTimestamps && seg.seqRel <= side.rcvNxt) side.tsRecent = seg.tsVal;
    if (seg.flags & TCP_ACK) this.onAck(side, seg);
    if (seg.len > 0 || seg.flags & TCP_FIN) this.onData(side, seg);
    this.sendData(side);
  }

  private handshake(side: Side, seg: Segment): void {
    const conn = side.conn;
    if (conn.usesTimestamps) side.tsRecent = seg.tsVal;
    side.rcvNxt = 0;
    side.established = true;
    if (!side.isA) {
      this.sendSyn(side, false);
      return;
    }
    // Client: the SYN-ACK arrived. ACK it, then the application writes its first request.
    this.sendAck(side, null);
    this.setTimer(side, this.now + 20 * US + this.rng.exp(50 * US), T_REQUEST);
  }

  private onAck(side: Side, seg: Segment): void {
    const conn = side.conn;
    const ack = seg.ackRel;
    if (ack > side.sndUna) {
      const acked = ack - side.sndUna;
      side.sndUna = ack;
      side.dupAcks = 0;
      if (side.lost.length > 0) side.lost = side.lost.filter((l) => l.start + l.len + (l.flags & TCP_FIN ? 1 : 0) > ack);
      if (side.inRecovery) {
        if (ack >= side.recoverUntil) {
          side.inRecovery = false;
          side.cwnd = side.ssthresh;
        } else {
          this.retransmitLost(side);
        }
      } else if (side.cwnd < side.ssthresh) {
        side.cwnd += acked / conn.mss;
      } else {
        side.cwnd += acked / conn.mss / side.cwnd;
      }
      side.cwnd = Math.min(side.cwnd, side.cwndMax);
    } else if (ack === side.sndUna && seg.len === 0 && !(seg.flags & TCP_FIN) && side.sndNxt > side.sndUna) {
      side.dupAcks++;
      if (side.dupAcks === 3 && !side.inRecovery && side.lost.some((l) => !l.retransmitted)) {
        side.ssthresh = Math.max(side.cwnd / 2, 2);
        side.cwnd = side.ssthresh;
        side.inRecovery = true;
        side.recoverUntil = side.sndNxt;
        this.retransmitLost(side);
      }
    }
  }

  private onData(side: Side, seg: Segment): void {
    const fin = seg.flags & TCP_FIN ? 1 : 0;
    const start = seg.seqRel;
    const end = start + seg.len + fin;
    if (fin) side.peerFinAt = start + seg.len;
    if (end <= side.rcvNxt) {
      // Everything here arrived before: a spurious retransmission, answered with a D-SACK.
      this.sendAck(side, [start, end]);
      return;
    }
    if (start > side.rcvNxt) {
      this.addOutOfOrder(side, start, end);
      this.sendAck(side, null);
      return;
    }
    const filledHole = side.ooo.length > 0;
    side.rcvNxt = end;
    const ooo = side.ooo;
    while (ooo.length > 0 && ooo[0]! <= side.rcvNxt) {
      side.rcvNxt = Math.max(side.rcvNxt, ooo[1]!);
      ooo.splice(0, 2);
    }
    let finArrived = false;
    if (!side.finReceived && side.peerFinAt >= 0 && side.rcvNxt > side.peerFinAt) {
      side.finReceived = true;
      finArrived = true;
    }
    this.application(side);
    // The peer closed: our application closes in a moment, and its FIN will carry the ACK.
    if (finArrived && !side.finSent) this.setTimer(side, this.now + this.rng.exp(200 * US), T_CLOSE);
    if (filledHole || (finArrived && side.finSent)) {
      this.sendAck(side, null);
    } else if (finArrived) {
      this.delayAck(side);
    } else if (side.quickAcks > 0) {
      side.quickAcks--;
      this.sendAck(side, null);
    } else {
      this.delayAck(side);
    }
  }

  private delayAck(side: Side): void {
    side.pendingAcks++;
    // Linux ACKs at once when more than one full segment is waiting, otherwise arms the timer.
    if (side.pendingAcks >= 2) {
      this.sendAck(side, null);
    } else if (side.delayedAckArmed !== side.ackGeneration) {
      side.delayedAckArmed = side.ackGeneration;
      this.setTimer(side, this.now + DELAYED_ACK_NS, T_DELAYED_ACK, side.ackGeneration);
    }
  }

  private addOutOfOrder(side: Side, start: number, end: number): void {
    const ooo = side.ooo;
    side.newestOoo = start;
    let s = start;
    let e = end;
    const kept: number[] = [];
    let placed = false;
    for (let i = 0; i < ooo.length; i += 2) {
      const a = ooo[i]!;
      const b = ooo[i + 1]!;
      if (b < s) {
        kept.push(a, b);
      } else if (a > e) {
        if (!placed) {
          kept.push(s, e);
          placed = true;
        }
        kept.push(a, b);
      } else {
        s = Math.min(s, a);
        e = Math.max(e, b);
      }
    }
    if (!placed) kept.push(s, e);
    side.ooo = kept;
  }

  /** Application reactions to completed messages. */
  private application(side: Side): void {
    const conn = side.conn;
    const rng = this.rng;
    if (!side.isA) {
      while (conn.requestsSeen < conn.requestEnds.length && side.rcvNxt >= conn.requestEnds[conn.requestsSeen]!) {
        const exchange = conn.exchanges[conn.requestsSeen]!;
        this.setTimer(side, this.now + exchange.serverThinkNs, T_RESPONSE, conn.requestsSeen);
        conn.requestsSeen++;
      }
      return;
    }
    while (conn.responsesSeen < conn.responseEnds.length && side.rcvNxt >= conn.responseEnds[conn.responsesSeen]!) {
      conn.responsesSeen++;
      if (conn.responsesSeen < conn.exchanges.length) {
        this.setTimer(side, this.now + conn.exchanges[conn.responsesSeen]!.clientThinkNs, T_REQUEST);
      } else if (conn.closeMode === 'client') {
        this.setTimer(side, this.now + rng.exp(2 * MS), T_CLOSE);
      } else if (conn.closeMode === 'reset') {
        this.setTimer(side, this.now + rng.exp(2 * MS), T_RESET);
      }
    }
  }

  private write(side: Side, bytes: number): void {
    side.queued += bytes;
    side.messageEnds.push(side.queued);
    (side.isA ? side.conn.requestEnds : side.conn.responseEnds).push(side.queued);
  }

  private timer(side: Side, timer: number, arg: number, lost: LostSegment | null): void {
    const conn = side.conn;
    if (conn.finished) return;
    switch (timer) {
      case T_START:
        this.sendSyn(side, false);
        break;
      case T_SYN_RTO:
        this.sendSyn(side, true);
        break;
      case T_DELAYED_ACK:
        if (side.ackGeneration === arg && side.pendingAcks > 0) this.sendAck(side, null);
        break;
      case T_RTO:
        if (lost !== null && !lost.retransmitted && side.lost.includes(lost)) {
          side.ssthresh = Math.max(side.cwnd / 2, 2);
          side.cwnd = 1;
          side.inRecovery = true;
          side.recoverUntil = side.sndNxt;
          this.retransmitLost(side);
        }
        break;
      case T_REQUEST:
        this.write(side, conn.exchanges[conn.requestEnds.length]!.request);
        this.sendData(side);
        break;
      case T_RESPONSE:
        this.write(side, conn.exchanges[arg]!.response);
        if (arg === conn.exchanges.length - 1 && conn.closeMode === 'server') side.finQueued = true;
        this.sendData(side);
        break;
      case T_CLOSE:
        side.finQueued = true;
        this.sendData(side);
        break;
      case T_RESET: {
        const seg = this.segment(side, side.sndNxt, 0, TCP_RST | TCP_ACK);
        seg.sack = null;
        this.emit(side, seg);
        break;
      }
      case T_SPURIOUS:
        if (lost !== null) {
          const seg = this.segment(side, lost.start, lost.len, lost.flags);
          seg.retransmission = true;
          seg.spurious = true;
          side.pendingAcks = 0;
          side.ackGeneration++;
          this.emit(side, seg);
        }
        break;
      default:
        throw new Error(`unknown timer ${timer}`);
    }
  }

  // ---- writing ------------------------------------------------------------------------------

  private ethernet(dst: readonly number[], src: readonly number[], type: number): void {
    const s = this.scratch;
    for (let i = 0; i < 6; i++) {
      s[i] = dst[i]!;
      s[6 + i] = src[i]!;
    }
    s[12] = type >> 8;
    s[13] = type & 0xff;
  }

  /** IPv4 header at scratch[14, 34); returns the pseudo-header sum for the transport checksum. */
  private ipv4(src: number, dst: number, protocol: number, ttl: number, id: number, payloadLen: number): number {
    const s = this.scratch;
    const at = ETH_LEN;
    const total = IP_LEN + payloadLen;
    s[at] = 0x45;
    s[at + 1] = 0;
    s[at + 2] = total >> 8;
    s[at + 3] = total & 0xff;
    s[at + 4] = (id >> 8) & 0xff;
    s[at + 5] = id & 0xff;
    s[at + 6] = 0x40; // DF
    s[at + 7] = 0;
    s[at + 8] = ttl;
    s[at + 9] = protocol;
    s[at + 10] = 0;
    s[at + 11] = 0;
    put32(s, at + 12, src);
    put32(s, at + 16, dst);
    const sum = fold(sum16(s, at, at + IP_LEN));
    const checksum = ~sum & 0xffff;
    s[at + 10] = checksum >> 8;
    s[at + 11] = checksum & 0xff;
    return (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + protocol + payloadLen;
  }

  private writeTcp(seg: Segment): void {
    const conn = seg.conn;
    const from = seg.fromA ? conn.a : conn.b;
    const to = seg.fromA ? conn.b : conn.a;
    const s = this.scratch;
    const at = ETH_LEN + IP_LEN;
    // Options first, to know the header length.
    let o = at + 20;
    const syn = (seg.flags & TCP_SYN) !== 0;
    let sackBlocks = 0;
    if (syn) {
      s[o++] = 2;
      s[o++] = 4;
      s[o++] = conn.mssOption >> 8;
      s[o++] = conn.mssOption & 0xff;
      if (conn.usesTimestamps) {
        s[o++] = 4;
        s[o++] = 2;
        o = timestampOption(s, o, seg.tsVal, seg.tsEcr);
      } else {
        s[o++] = 1;
        s[o++] = 1;
        s[o++] = 4;
        s[o++] = 2;
      }
      s[o++] = 1;
      s[o++] = 3;
      s[o++] = 3;
      s[o++] = 7;
    } else {
      if (conn.usesTimestamps) {
        s[o++] = 1;
        s[o++] = 1;
        o = timestampOption(s, o, seg.tsVal, seg.tsEcr);
      }
      if (seg.sack !== null && seg.sack.length > 0) {
        sackBlocks = seg.sack.length / 2;
        s[o++] = 1;
        s[o++] = 1;
        s[o++] = 5;
        s[o++] = 2 + 8 * sackBlocks;
        for (const edge of seg.sack) {
          put32(s, o, (to.isn + 1 + edge) >>> 0);
          o += 4;
        }
      }
    }
    const headerLen = o - at;
    const seq = (from.isn + 1 + seg.seqRel) >>> 0;
    const ack = seg.flags & TCP_ACK ? (to.isn + 1 + seg.ackRel) >>> 0 : 0;
    s[at] = from.port >> 8;
    s[at + 1] = from.port & 0xff;
    s[at + 2] = to.port >> 8;
    s[at + 3] = to.port & 0xff;
    put32(s, at + 4, seq);
    put32(s, at + 8, ack);
    s[at + 12] = (headerLen / 4) << 4;
    s[at + 13] = seg.flags;
    s[at + 14] = seg.window >> 8;
    s[at + 15] = seg.window & 0xff;
    s[at + 16] = 0;
    s[at + 17] = 0;
    s[at + 18] = 0;
    s[at + 19] = 0;
    const host = conn.host;
    if (seg.fromA) this.ethernet(GATEWAY_MAC, host.mac, 0x0800);
    else this.ethernet(host.mac, GATEWAY_MAC, 0x0800);
    const tcpLen = headerLen + seg.len;
    const id = from.ipId;
    from.ipId = (from.ipId + 1) & 0xffff;
    const pseudo = this.ipv4(from.ip, to.ip, 6, from.ttl, id, tcpLen);
    const patternAt = ((conn.id * 40503 + (seg.fromA ? 0 : 30011) + Math.max(0, seg.seqRel)) % PATTERN_SPAN) & ~1;
    const sum = fold(pseudo + sum16(s, at, at + headerLen) + patternSum(patternAt, seg.len));
    const checksum = ~sum & 0xffff;
    s[at + 16] = checksum >> 8;
    s[at + 17] = checksum & 0xff;
    const w = this.writer;
    w.frame(this.now, s, at + headerLen, PATTERN, patternAt, seg.len);
    this.tcpPackets++;
    this.tcpPayloadBytes += seg.len;
    if (conn.usesTimestamps) this.withTimestamps++;
    const f = this.digestFields;
    f.tsSec = w.tsSec;
    f.tsNsec = w.tsNsec;
    f.src[0] = from.ip;
    f.dst[0] = to.ip;
    f.srcPort = from.port;
    f.dstPort = to.port;
    f.seq = seq;
    f.ack = ack;
    f.flags = seg.flags;
    f.payloadLen = seg.len;
    f.window = seg.window;
    f.sackBlocks = sackBlocks;
    f.hasTimestamp = conn.usesTimestamps;
    f.tsVal = seg.tsVal;
    f.tsEcr = seg.tsEcr;
    this.sums.add(f);
  }

  private writeArp(host: Host, reply: boolean): void {
    const s = this.scratch;
    this.ethernet(reply ? host.mac : [0xff, 0xff, 0xff, 0xff, 0xff, 0xff], reply ? GATEWAY_MAC : host.mac, 0x0806);
    const at = ETH_LEN;
    s.set([0, 1, 0x08, 0, 6, 4, 0, reply ? 2 : 1], at);
    s.set(reply ? GATEWAY_MAC : host.mac, at + 8);
    put32(s, at + 14, reply ? GATEWAY_IP : host.ip);
    s.set(reply ? host.mac : [0, 0, 0, 0, 0, 0], at + 18);
    put32(s, at + 24, reply ? host.ip : GATEWAY_IP);
    this.writer.frame(this.now, s, at + 28, PATTERN, 0, 0);
    this.arpPackets++;
  }

  /** A DNS query for an A record (or its answer with one to four addresses). */
  private writeDns(host: Host, id: number, query: boolean): void {
    const s = this.scratch;
    const at = ETH_LEN + IP_LEN;
    let o = at + 8;
    const answers = query ? 0 : 1 + (id % 4);
    s.set([id >> 8, id & 0xff, query ? 0x01 : 0x81, query ? 0x00 : 0x80, 0, 1, 0, answers, 0, 0, 0, 0], o);
    o += 12;
    for (const label of [`h${id.toString(36)}`, 'example', 'com']) {
      s[o++] = label.length;
      for (let i = 0; i < label.length; i++) s[o++] = label.charCodeAt(i);
    }
    s.set([0, 0, 1, 0, 1], o); // root, type A, class IN
    o += 5;
    for (let i = 0; i < answers; i++) {
      s.set([0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4], o); // name pointer, A, IN, TTL 3600, 4 bytes
      put32(s, o + 12, ip(192, 0, 2, (id + i) & 0xff));
      o += 16;
    }
    const udpLen = o - at;
    if (query) this.ethernet(GATEWAY_MAC, host.mac, 0x0800);
    else this.ethernet(host.mac, GATEWAY_MAC, 0x0800);
    this.ipv4(query ? host.ip : RESOLVER_IP, query ? RESOLVER_IP : host.ip, 17, 64, id, udpLen);
    const clientPort = 40000 + (id % 20000);
    const srcPort = query ? clientPort : 53;
    const dstPort = query ? 53 : clientPort;
    s.set([srcPort >> 8, srcPort & 0xff, dstPort >> 8, dstPort & 0xff, udpLen >> 8, udpLen & 0xff, 0, 0], at);
    this.writer.frame(this.now, s, o, PATTERN, 0, 0);
    this.udpPackets++;
  }
}

export function put32(s: Uint8Array, at: number, x: number): void {
  s[at] = x >>> 24;
  s[at + 1] = (x >>> 16) & 0xff;
  s[at + 2] = (x >>> 8) & 0xff;
  s[at + 3] = x & 0xff;
}

function timestampOption(s: Uint8Array, at: number, tsVal: number, tsEcr: number): number {
  s[at] = 8;
  s[at + 1] = 10;
  put32(s, at + 2, tsVal);
  put32(s, at + 6, tsEcr);
  return at + 10;
}

export function sum16(s: Uint8Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i += 2) sum += (s[i]! << 8) | s[i + 1]!;
  return sum;
}

// ---------------------------------------------------------------------------------------------
// Files and caching.

export function generate(spec: CaptureSpec): CaptureMeta {
  mkdirSync(DATA_DIR, { recursive: true });
  const file = capturePath(spec);
  const tmp = `${file}.tmp-${process.pid}`;
  const started = process.hrtime.bigint();
  const writer = new PcapWriter(tmp, spec.nanos, spec.snaplen);
  const sim = new TrafficSimulation(spec, writer);
  sim.run();
  writer.close();
  renameSync(tmp, file);
  const meta: CaptureMeta = {
    generatorVersion: GENERATOR_VERSION,
    spec,
    file,
    bytes: writer.bytes,
    packets: writer.records,
    tcpPackets: sim.tcpPackets,
    arpPackets: sim.arpPackets,
    udpPackets: sim.udpPackets,
    tcpPayloadBytes: sim.tcpPayloadBytes,
    digest: sim.sums.digest(),
    connections: sim.connections,
    maxConcurrentConnections: sim.maxActive,
    openConnectionsAtEnd: sim.openAtEnd,
    retransmissions: sim.retransmissions,
    spuriousRetransmissions: sim.spuriousRetransmissions,
    lostBeforeCapture: sim.lostBeforeCapture,
    withTimestamps: sim.withTimestamps,
    durationSec: sim.durationNs / 1e9,
    generateSec: Number(process.hrtime.bigint() - started) / 1e9,
  };
  writeFileSync(metaPath(spec), `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}

/**
 * The description written next to a cached capture, or undefined when the capture or its
 * description is missing, unreadable, or from another generator version, spec or size.
 */
export function readCachedMeta<M extends { generatorVersion: number; spec: unknown; bytes: number }>(
  capture: string,
  metaFile: string,
  generatorVersion: number,
  spec: unknown,
): M | undefined {
  if (!existsSync(metaFile) || !existsSync(capture)) return undefined;
  let meta: M;
  try {
    meta = JSON.parse(readFileSync(metaFile, 'utf8')) as M;
  } catch {
    return undefined;
  }
  if (meta.generatorVersion !== generatorVersion) return undefined;
  if (JSON.stringify(meta.spec) !== JSON.stringify(spec)) return undefined;
  if (statSync(capture).size !== meta.bytes) return undefined;
  return meta;
}

/** The cached capture's description, or undefined when it is missing or stale. */
export function cachedMeta(spec: CaptureSpec): CaptureMeta | undefined {
  return readCachedMeta<CaptureMeta>(capturePath(spec), metaPath(spec), GENERATOR_VERSION, spec);
}

/**
 * Makes sure every named capture exists and is current, generating the missing ones in
 * parallel child processes (one per capture), and returns their descriptions.
 */
export async function ensureCaptures(names: readonly SpecName[], force = false, log: (line: string) => void = () => {}): Promise<Record<string, CaptureMeta>> {
  const script = fileURLToPath(import.meta.url);
  const stale = names.filter((name) => force || cachedMeta(SPECS[name]) === undefined);
  await Promise.all(
    stale.map(
      (name) =>
        new Promise<void>((resolve, reject) => {
          log(`generating ${SPECS[name].name}.pcap ...`);
          const child = spawn(process.execPath, [script, name, ...(force ? ['--force'] : [])], { stdio: ['ignore', 'ignore', 'inherit'] });
          child.on('error', reject);
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`generator for ${name} exited with ${code}`))));
        }),
    ),
  );
  const metas: Record<string, CaptureMeta> = {};
  for (const name of names) {
    const meta = cachedMeta(SPECS[name]);
    if (meta === undefined) throw new Error(`capture ${SPECS[name].name} missing after generation`);
    if (stale.includes(name)) log(`generated ${meta.file}: ${meta.packets} packets, ${(meta.bytes / 1e6).toFixed(1)} MB in ${meta.generateSec.toFixed(1)} s`);
    metas[name] = meta;
  }
  return metas;
}

function isMain(): boolean {
  return process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1]);
}

if (isMain()) {
  const args = process.argv.slice(2);
  const names = args.filter((a) => !a.startsWith('--'));
  const force = args.includes('--force');
  for (const name of names.length > 0 ? names : Object.keys(SPECS)) {
    if (!(name in SPECS)) {
      process.stderr.write(`generate: unknown capture ${name} (known: ${Object.keys(SPECS).join(', ')})\n`);
      process.exitCode = 2;
      break;
    }
    const spec = SPECS[name as SpecName];
    if (!force && cachedMeta(spec) !== undefined) {
      process.stdout.write(`${capturePath(spec)} is current\n`);
      continue;
    }
    const meta = generate(spec);
    process.stdout.write(`${JSON.stringify(meta)}\n`);
  }
}
