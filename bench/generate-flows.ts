/**
 * A capture of 1,000,000 TCP connections that are all open at once, for the memory cost of one
 * active flow (bench/run.ts divides the peak RSS above a baseline by the peak number of flows).
 *
 * Each connection is a client (10.1.0.0/16, 16 ports each) opening to one of 600 servers on port
 * 443 with a handshake whose SYN and SYN/ACK carry MSS, SACK-permitted, timestamps and window
 * scale, then one request segment (80–600 bytes, timestamps, PSH) that also acknowledges the
 * SYN/ACK. Then nothing: no ACK of the request, no FIN, so every connection stays in the table
 * (and its request stays outstanding) until the end of the capture. A new connection starts
 * every 5 µs, so the capture spans ~5 s of traffic, far below the 300 s idle TTL; each server has
 * a round-trip time (log-normal around 25 ms), and packets are written in capture order from a
 * small event heap. Headers only (snaplen 128), ns timestamps, deterministic from the seed.
 *
 * What the analysis must find, recorded next to the capture: 3 TCP packets per connection,
 * every connection created and active at the peak, and exactly two samples per connection, both
 * kind `syn` (SYN → SYN/ACK, SYN/ACK → the request's ACK). The clients answer the SYN/ACK some
 * 20-100 µs after the tap saw it, host-stack time, so the vantage inference takes them as local
 * and leaves the second sample out: bench/measure.ts checks the samples found.
 *
 * Also writes an empty capture (the file header only): the baseline run, which loads the library
 * and analyses nothing, and the CLI's start-up time.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DATA_DIR, fold, put32, readCachedMeta, sum16 } from './generate.js';
import { PcapWriter } from './pcap-writer.js';
import { Prng } from './prng.js';

/** Bump whenever a change here changes the bytes written: cached captures are then rebuilt. */
export const FLOWS_GENERATOR_VERSION = 1;

export interface FlowsSpec {
  name: string;
  /** Connections, all open at the end of the capture; 0 writes a file header only. */
  flows: number;
  /** A new connection every this many ns. */
  startIntervalNs: number;
  snaplen: number;
  nanos: boolean;
  seed: number;
}

export const FLOW_SPECS = {
  flows: { name: 'tcp-1m-flows-ns', flows: 1_000_000, startIntervalNs: 5000, snaplen: 128, nanos: true, seed: 0xf10e },
  empty: { name: 'empty-ns', flows: 0, startIntervalNs: 5000, snaplen: 128, nanos: true, seed: 0 },
} satisfies Record<string, FlowsSpec>;

export type FlowsSpecName = keyof typeof FLOW_SPECS;

export interface FlowsMeta {
  generatorVersion: number;
  spec: FlowsSpec;
  file: string;
  bytes: number;
  packets: number;
  tcpPackets: number;
  /** Connections; every one is active at the end, so this is the expected peak of active flows. */
  flows: number;
  /** RTT samples the capture holds: two `syn` samples per connection. */
  expectedSamples: number;
  withTimestamps: number;
  durationSec: number;
  generateSec: number;
}

export function flowsCapturePath(spec: FlowsSpec): string {
  return `${DATA_DIR}${spec.name}.pcap`;
}

function metaPath(spec: FlowsSpec): string {
  return `${DATA_DIR}${spec.name}.json`;
}

const MS = 1e6;
const US = 1e3;
const SERVERS = 600;
const ETH_LEN = 14;
const IP_LEN = 20;
const TCP_SYN = 0x02;
const TCP_PSH = 0x08;
const TCP_ACK = 0x10;
const CLIENT_MAC = [0x02, 0x42, 0x0a, 0x01, 0x00, 0x00] as const;
const GATEWAY_MAC = [0x02, 0x00, 0x5e, 0x00, 0x00, 0x01] as const;
/** Payload bytes are zeros: they are cut at the snaplen anyway, and their checksum is nothing. */
const ZEROS = new Uint8Array(2048);

const PKT_SYN = 0;
const PKT_SYN_ACK = 1;
const PKT_REQUEST = 2;

/** Min-heap of (time, order) → value, in typed arrays: a million connections make no objects. */
class TimeHeap {
  private t = new Float64Array(1 << 16);
  private order = new Float64Array(1 << 16);
  private value = new Float64Array(1 << 16);
  size = 0;
  private pushed = 0;

  push(time: number, value: number): void {
    if (this.size === this.t.length) this.grow();
    let i = this.size++;
    const n = this.pushed++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pt = this.t[parent]!;
      if (pt < time || (pt === time && this.order[parent]! < n)) break;
      this.move(parent, i);
      i = parent;
    }
    this.t[i] = time;
    this.order[i] = n;
    this.value[i] = value;
  }

  get minTime(): number {
    return this.size > 0 ? this.t[0]! : Number.POSITIVE_INFINITY;
  }

  /** Removes the minimum and returns its value (its time is `minTime` before the call). */
  pop(): number {
    const top = this.value[0]!;
    const last = --this.size;
    const lt = this.t[last]!;
    const lo = this.order[last]!;
    const lv = this.value[last]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= last) break;
      if (c + 1 < last && (this.t[c + 1]! < this.t[c]! || (this.t[c + 1] === this.t[c] && this.order[c + 1]! < this.order[c]!))) c++;
      if (lt < this.t[c]! || (lt === this.t[c] && lo < this.order[c]!)) break;
      this.move(c, i);
      i = c;
    }
    this.t[i] = lt;
    this.order[i] = lo;
    this.value[i] = lv;
    return top;
  }

  private move(from: number, to: number): void {
    this.t[to] = this.t[from]!;
    this.order[to] = this.order[from]!;
    this.value[to] = this.value[from]!;
  }

  private grow(): void {
    for (const key of ['t', 'order', 'value'] as const) {
      const bigger = new Float64Array(this.t.length * 2);
      bigger.set(this[key]);
      this[key] = bigger;
    }
  }
}

function ip(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

interface Tally {
  packets: number;
  durationNs: number;
}

function writeFlows(spec: FlowsSpec, writer: PcapWriter): Tally {
  const n = spec.flows;
  const rng = new Prng(spec.seed);
  const serverIp = new Uint32Array(SERVERS);
  const serverRttNs = new Float64Array(SERVERS);
  for (let s = 0; s < SERVERS; s++) {
    serverIp[s] = ip(rng.int(11, 223), rng.int(0, 255), rng.int(0, 255), rng.int(1, 254));
    serverRttNs[s] = Math.min(300 * MS, Math.max(0.15 * MS, rng.logNormal(25 * MS, 1.1)));
  }
  // Per connection: what the later packets need.
  const server = new Uint16Array(n);
  const isnA = new Uint32Array(n);
  const isnB = new Uint32Array(n);
  const tsOffA = new Uint32Array(n);
  const tsOffB = new Uint32Array(n);
  const startNs = new Float64Array(n);
  const synAckNs = new Float64Array(n);
  const requestLen = new Uint16Array(n);

  const s = new Uint8Array(256);
  const tcpAt = ETH_LEN + IP_LEN;
  let packets = 0;
  let lastNs = 0;

  const write = (i: number, kind: number, timeNs: number): void => {
    const fromA = kind !== PKT_SYN_ACK;
    const c = i % (1 << 16);
    const clientIp = (ip(10, 1, 0, 0) + c) >>> 0;
    const clientPort = 40000 + Math.floor(i / (1 << 16));
    const srv = serverIp[server[i]!]!;
    const src = fromA ? clientIp : srv;
    const dst = fromA ? srv : clientIp;
    const sport = fromA ? clientPort : 443;
    const dport = fromA ? 443 : clientPort;
    const msClock = Math.floor(timeNs / MS);
    let o = tcpAt + 20;
    let seq: number;
    let ack: number;
    let flags: number;
    let tsVal: number;
    let tsEcr: number;
    let payload = 0;
    if (kind === PKT_SYN) {
      seq = isnA[i]!;
      ack = 0;
      flags = TCP_SYN;
      tsVal = (tsOffA[i]! + msClock) >>> 0;
      tsEcr = 0;
    } else if (kind === PKT_SYN_ACK) {
      seq = isnB[i]!;
      ack = (isnA[i]! + 1) >>> 0;
      flags = TCP_SYN | TCP_ACK;
      tsVal = (tsOffB[i]! + msClock) >>> 0;
      tsEcr = (tsOffA[i]! + Math.floor(startNs[i]! / MS)) >>> 0;
    } else {
      seq = (isnA[i]! + 1) >>> 0;
      ack = (isnB[i]! + 1) >>> 0;
      flags = TCP_ACK | TCP_PSH;
      tsVal = (tsOffA[i]! + msClock) >>> 0;
      tsEcr = (tsOffB[i]! + Math.floor(synAckNs[i]! / MS)) >>> 0;
      payload = requestLen[i]!;
    }
    if (kind !== PKT_REQUEST) {
      // MSS 1460, SACK permitted, timestamps, NOP, window scale 7: Linux's SYN options.
      s.set([2, 4, 0x05, 0xb4, 4, 2, 8, 10], o);
      put32(s, o + 8, tsVal);
      put32(s, o + 12, tsEcr);
      s.set([1, 3, 3, 7], o + 16);
      o += 20;
    } else {
      s.set([1, 1, 8, 10], o);
      put32(s, o + 4, tsVal);
      put32(s, o + 8, tsEcr);
      o += 12;
    }
    const tcpHeaderLen = o - tcpAt;
    for (let k = 0; k < 6; k++) {
      s[k] = fromA ? GATEWAY_MAC[k]! : CLIENT_MAC[k]!;
      s[6 + k] = fromA ? CLIENT_MAC[k]! : GATEWAY_MAC[k]!;
    }
    const clientMacAt = fromA ? 10 : 4; // the client's MAC ends in its address's last two bytes
    s[clientMacAt] = (clientIp >>> 8) & 0xff;
    s[clientMacAt + 1] = clientIp & 0xff;
    s[12] = 0x08;
    s[13] = 0x00;
    const tcpLen = tcpHeaderLen + payload;
    const total = IP_LEN + tcpLen;
    s.set([0x45, 0, total >> 8, total & 0xff, (i >> 8) & 0xff, i & 0xff, 0x40, 0, fromA ? 64 : 52, 6, 0, 0], ETH_LEN);
    put32(s, ETH_LEN + 12, src);
    put32(s, ETH_LEN + 16, dst);
    const ipSum = ~fold(sum16(s, ETH_LEN, ETH_LEN + IP_LEN)) & 0xffff;
    s[ETH_LEN + 10] = ipSum >> 8;
    s[ETH_LEN + 11] = ipSum & 0xff;
    s[tcpAt] = sport >> 8;
    s[tcpAt + 1] = sport & 0xff;
    s[tcpAt + 2] = dport >> 8;
    s[tcpAt + 3] = dport & 0xff;
    put32(s, tcpAt + 4, seq);
    put32(s, tcpAt + 8, ack);
    s[tcpAt + 12] = (tcpHeaderLen / 4) << 4;
    s[tcpAt + 13] = flags;
    const window = kind === PKT_REQUEST ? 502 : 64240;
    s[tcpAt + 14] = window >> 8;
    s[tcpAt + 15] = window & 0xff;
    s[tcpAt + 16] = 0;
    s[tcpAt + 17] = 0;
    s[tcpAt + 18] = 0;
    s[tcpAt + 19] = 0;
    const pseudo = (src >>> 16) + (src & 0xffff) + (dst >>> 16) + (dst & 0xffff) + 6 + tcpLen;
    const tcpSum = ~fold(pseudo + sum16(s, tcpAt, o)) & 0xffff;
    s[tcpAt + 16] = tcpSum >> 8;
    s[tcpAt + 17] = tcpSum & 0xff;
    writer.frame(timeNs, s, o, ZEROS, 0, payload);
    packets++;
    lastNs = timeNs;
  };

  const heap = new TimeHeap();
  const drainUntil = (timeNs: number): void => {
    while (heap.size > 0 && heap.minTime <= timeNs) {
      const t = heap.minTime;
      const v = heap.pop();
      write(Math.floor(v / 4), v % 4, t);
    }
  };
  for (let i = 0; i < n; i++) {
    const t0 = i * spec.startIntervalNs + rng.int(0, spec.startIntervalNs - 1);
    const srv = rng.int(0, SERVERS - 1);
    server[i] = srv;
    isnA[i] = rng.u32();
    isnB[i] = rng.u32();
    tsOffA[i] = rng.u32();
    tsOffB[i] = rng.u32();
    requestLen[i] = rng.int(80, 600);
    const rtt = serverRttNs[srv]! * (1 + 0.1 * Math.abs(rng.normal()));
    startNs[i] = t0;
    synAckNs[i] = t0 + rtt;
    drainUntil(t0);
    write(i, PKT_SYN, t0);
    heap.push(t0 + rtt, 4 * i + PKT_SYN_ACK);
    heap.push(t0 + rtt + 20 * US + rng.exp(30 * US), 4 * i + PKT_REQUEST);
  }
  drainUntil(Number.POSITIVE_INFINITY);
  return { packets, durationNs: lastNs };
}

export function generateFlows(spec: FlowsSpec): FlowsMeta {
  mkdirSync(DATA_DIR, { recursive: true });
  const file = flowsCapturePath(spec);
  const tmp = `${file}.tmp-${process.pid}`;
  const started = process.hrtime.bigint();
  const writer = new PcapWriter(tmp, spec.nanos, spec.snaplen);
  const tally = writeFlows(spec, writer);
  writer.close();
  renameSync(tmp, file);
  const meta: FlowsMeta = {
    generatorVersion: FLOWS_GENERATOR_VERSION,
    spec,
    file,
    bytes: writer.bytes,
    packets: tally.packets,
    tcpPackets: tally.packets,
    flows: spec.flows,
    expectedSamples: 2 * spec.flows,
    withTimestamps: tally.packets,
    durationSec: tally.durationNs / 1e9,
    generateSec: Number(process.hrtime.bigint() - started) / 1e9,
  };
  if (meta.packets !== 3 * spec.flows) throw new Error(`wrote ${meta.packets} packets for ${spec.flows} connections`);
  writeFileSync(metaPath(spec), `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}

/** The cached capture's description, or undefined when it is missing or stale. */
export function cachedFlowsMeta(spec: FlowsSpec): FlowsMeta | undefined {
  return readCachedMeta<FlowsMeta>(flowsCapturePath(spec), metaPath(spec), FLOWS_GENERATOR_VERSION, spec);
}

/** Makes sure the named captures exist and are current (generating them in one child process). */
export async function ensureFlowCaptures(
  names: readonly FlowsSpecName[],
  force = false,
  log: (line: string) => void = () => {},
): Promise<Partial<Record<FlowsSpecName, FlowsMeta>>> {
  const stale = names.filter((name) => force || cachedFlowsMeta(FLOW_SPECS[name]) === undefined);
  if (stale.length > 0) {
    log(`generating ${stale.map((name) => `${FLOW_SPECS[name].name}.pcap`).join(', ')} ...`);
    const script = fileURLToPath(import.meta.url);
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [script, ...stale, ...(force ? ['--force'] : [])], { stdio: ['ignore', 'ignore', 'inherit'] });
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`flow-capture generator exited with ${code}`))));
    });
  }
  const metas: Partial<Record<FlowsSpecName, FlowsMeta>> = {};
  for (const name of names) {
    const meta = cachedFlowsMeta(FLOW_SPECS[name]);
    if (meta === undefined) throw new Error(`capture ${FLOW_SPECS[name].name} missing after generation`);
    if (stale.includes(name)) log(`generated ${meta.file}: ${meta.packets} packets, ${(meta.bytes / 1e6).toFixed(1)} MB in ${meta.generateSec.toFixed(1)} s`);
    metas[name] = meta;
  }
  return metas;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const names = args.filter((a) => !a.startsWith('--'));
  const force = args.includes('--force');
  for (const name of names.length > 0 ? names : Object.keys(FLOW_SPECS)) {
    if (!(name in FLOW_SPECS)) {
      process.stderr.write(`generate-flows: unknown capture ${name} (known: ${Object.keys(FLOW_SPECS).join(', ')})\n`);
      process.exitCode = 2;
      break;
    }
    const spec = FLOW_SPECS[name as FlowsSpecName];
    if (!force && cachedFlowsMeta(spec) !== undefined) {
      process.stdout.write(`${flowsCapturePath(spec)} is current\n`);
      continue;
    }
    process.stdout.write(`${JSON.stringify(generateFlows(spec))}\n`);
  }
}
