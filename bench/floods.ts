/**
 * The flood rows of `npm run bench` (issue 16): hostile or unlucky inputs, generated here, each
 * run as a whole process under GNU time for its wall time and peak RSS, with tcptrace and
 * tshark on the same file where they apply:
 *   SYN scan      N SYNs (default 400 k) from distinct ports, rttscan --max-flows 100000;
 *                 tcptrace -r -n -l and tshark -T fields -e tcp.analysis.ack_rtt alongside
 *   backlog       20,000 connections x 200 unacknowledged segments (4 M in flight at once),
 *                 rttscan with the default --max-segments and with 1,000,000; tcptrace, tshark
 *   many files    2,000 rotated files of 18 packets; rttscan and tcptrace over all of them
 *   TCP-RT span   2,000 SYNs over 16.7 hours, --tcprt --lports-range 1-65535 and --lports 80
 *                 (--stats-interval 1s); no other tool computes TCP-RT
 *   interfaces    a pcapng of 1 M interface blocks and no packet: refused at the cap
 * Correctness is checked in each row (packets read, samples, lines); a failed check throws.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PcapWriter } from './pcap-writer.js';

const GNU_TIME = '/usr/bin/time';
const TCPTRACE = '/usr/bin/tcptrace';
const TSHARK = '/usr/bin/tshark';

export interface FloodRow {
  flood: string;
  tool: string;
  wallMs: number;
  peakRssBytes: number;
  exit: number;
  /** What the run found, for the reader to compare (samples, lines, an error). */
  note: string;
}

/**
 * A tool is stopped after this long (SIGKILL, so GNU time reports no RSS): tshark's analysis of
 * the backlog flood took 571 s and 3.5 GB in one run, longer than the rest of the bench.
 */
const TOOL_LIMIT_MS = 120_000;

/** One whole process, timed, with its peak RSS from GNU time; stdout kept when `keep`. */
function timed(argv: readonly string[], timeFile: string, keep = true): { ms: number; rssBytes: number; status: number; stdout: string; stderr: string } {
  rmSync(timeFile, { force: true });
  const started = process.hrtime.bigint();
  const child = spawnSync(GNU_TIME, ['-f', '%M', '-o', timeFile, ...argv], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', keep ? 'pipe' : 'ignore', 'pipe'],
    timeout: TOOL_LIMIT_MS,
    killSignal: 'SIGKILL',
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const rssKb = existsSync(timeFile) ? Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop()) : Number.NaN;
  return { ms, rssBytes: rssKb * 1024, status: child.status ?? -1, stdout: child.stdout ?? '', stderr: child.stderr ?? '' };
}

/** Ethernet + IPv4 + TCP headers (54 bytes) into `h`, checksums left 0 (rttscan and the tools ignore them). */
function tcpHeader(h: Uint8Array, src: number, dst: number, sport: number, dport: number, seq: number, ack: number, flags: number, payloadLen: number): void {
  h.fill(0);
  h[12] = 0x08;
  h[14] = 0x45;
  const ipLen = 40 + payloadLen;
  h[16] = ipLen >> 8;
  h[17] = ipLen & 0xff;
  h[22] = 64;
  h[23] = 6;
  const v = new DataView(h.buffer, h.byteOffset);
  v.setUint32(26, src);
  v.setUint32(30, dst);
  v.setUint16(34, sport);
  v.setUint16(36, dport);
  v.setUint32(38, seq >>> 0);
  v.setUint32(42, ack >>> 0);
  h[46] = 0x50;
  h[47] = flags;
  v.setUint16(48, 65535);
}

const SYN = 0x02;
const ACK = 0x10;
const CLIENT = 0x0a000001;
const SERVER = 0x0a000002;
const PATTERN = new Uint8Array(2048).fill(0x61);

function synScan(path: string, syns: number): void {
  const w = new PcapWriter(path, true, 262144);
  const h = new Uint8Array(54);
  for (let i = 0; i < syns; i++) {
    // Distinct 4-tuples: the source address walks 10.1.0.0/16, the port 1024..61023.
    tcpHeader(h, 0x0a010000 + Math.floor(i / 60000), SERVER, 1024 + (i % 60000), 80, i * 7919, 0, SYN, 0);
    w.frame(i * 1000, h, 54, PATTERN, 0, 0);
  }
  w.close();
}

function backlog(path: string, flows: number, segments: number): void {
  const w = new PcapWriter(path, true, 262144);
  const h = new Uint8Array(54);
  let t = 0;
  const port = (f: number): number => 1024 + (f % 60000);
  const client = (f: number): number => 0x0a010000 + Math.floor(f / 60000);
  for (let f = 0; f < flows; f++) {
    tcpHeader(h, client(f), SERVER, port(f), 80, 1000, 0, SYN, 0);
    w.frame((t += 1000), h, 54, PATTERN, 0, 0);
    tcpHeader(h, SERVER, client(f), 80, port(f), 5000, 1001, SYN | ACK, 0);
    w.frame((t += 1000), h, 54, PATTERN, 0, 0);
    tcpHeader(h, client(f), SERVER, port(f), 80, 1001, 5001, ACK, 0);
    w.frame((t += 1000), h, 54, PATTERN, 0, 0);
  }
  for (let i = 0; i < segments; i++) {
    for (let f = 0; f < flows; f++) {
      tcpHeader(h, client(f), SERVER, port(f), 80, 1001 + i * 100, 5001, ACK, 100);
      w.frame((t += 1000), h, 54, PATTERN, 0, 100);
    }
  }
  for (let f = 0; f < flows; f++) {
    tcpHeader(h, SERVER, client(f), 80, port(f), 5001, 1001 + segments * 100, ACK, 0);
    w.frame((t += 1000), h, 54, PATTERN, 0, 0);
  }
  w.close();
}

/** `files` files of three short connections each, one after another in time. */
export function rotated(dir: string, files: number): string[] {
  mkdirSync(dir, { recursive: true });
  const h = new Uint8Array(54);
  const paths: string[] = [];
  for (let i = 0; i < files; i++) {
    const path = join(dir, `slice-${String(i).padStart(5, '0')}.pcap`);
    const w = new PcapWriter(path, true, 262144);
    for (let k = 0; k < 3; k++) {
      const c = i * 3 + k;
      const p = 1024 + (c % 60000);
      const t = c * 20e6;
      const rtt = (1 + (c % 5)) * 1e6;
      tcpHeader(h, CLIENT, SERVER, p, 80, 100, 0, SYN, 0);
      w.frame(t, h, 54, PATTERN, 0, 0);
      tcpHeader(h, SERVER, CLIENT, 80, p, 900, 101, SYN | ACK, 0);
      w.frame(t + rtt, h, 54, PATTERN, 0, 0);
      tcpHeader(h, CLIENT, SERVER, p, 80, 101, 901, ACK, 0);
      w.frame(t + rtt + 50e3, h, 54, PATTERN, 0, 0);
      tcpHeader(h, CLIENT, SERVER, p, 80, 101, 901, ACK | 0x08, 100);
      w.frame(t + rtt + 100e3, h, 54, PATTERN, 0, 100);
      tcpHeader(h, SERVER, CLIENT, 80, p, 901, 201, ACK | 0x08, 500);
      w.frame(t + 2 * rtt + 100e3, h, 54, PATTERN, 0, 500);
      tcpHeader(h, CLIENT, SERVER, p, 80, 201, 1401, ACK, 0);
      w.frame(t + 3 * rtt + 100e3, h, 54, PATTERN, 0, 0);
    }
    w.close();
    paths.push(path);
  }
  return paths;
}

function spreadSyns(path: string, count: number, spanSec: number): void {
  const w = new PcapWriter(path, true, 262144);
  const h = new Uint8Array(54);
  const stepNs = Math.floor((spanSec * 1e9) / (count - 1));
  for (let i = 0; i < count; i++) {
    tcpHeader(h, CLIENT, SERVER, 1024 + i, 80, 1000 + i, 0, SYN, 0);
    w.frame(i * stepNs, h, 54, PATTERN, 0, 0);
  }
  w.close();
}

/** A pcapng section header and `count` Ethernet interface blocks, nothing else. */
function interfaceFlood(path: string, count: number): void {
  const fd = openSync(path, 'w');
  const shb = Buffer.alloc(28);
  shb.writeUInt32LE(0x0a0d0d0a, 0);
  shb.writeUInt32LE(28, 4);
  shb.writeUInt32LE(0x1a2b3c4d, 8);
  shb.writeUInt16LE(1, 12);
  shb.writeBigInt64LE(-1n, 16);
  shb.writeUInt32LE(28, 24);
  writeSync(fd, shb);
  const idb = Buffer.alloc(20);
  idb.writeUInt32LE(1, 0);
  idb.writeUInt32LE(20, 4);
  idb.writeUInt16LE(1, 8);
  idb.writeUInt32LE(262144, 12);
  idb.writeUInt32LE(20, 16);
  const batch = Buffer.concat(new Array(4096).fill(idb));
  for (let done = 0; done < count; done += 4096) writeSync(fd, done + 4096 <= count ? batch : batch.subarray(0, (count - done) * 20));
  closeSync(fd);
}

export interface FloodOptions {
  syns: number;
  dir: string;
  cli: string;
  log: (line: string) => void;
}

class FloodCheckFailed extends Error {}

function check(ok: boolean, what: string): void {
  if (!ok) throw new FloodCheckFailed(`flood check failed: ${what}`);
}

export function runFloods(options: FloodOptions): FloodRow[] {
  const { dir, log } = options;
  if (!existsSync(GNU_TIME)) {
    log(`floods: skipped, they need GNU time (${GNU_TIME}) for the peak RSS`);
    return [];
  }
  mkdirSync(dir, { recursive: true });
  const timeFile = join(dir, 'time.txt');
  const rows: FloodRow[] = [];
  const node = process.execPath;
  const haveTcptrace = existsSync(TCPTRACE);
  const haveTshark = existsSync(TSHARK);
  const row = (flood: string, tool: string, r: ReturnType<typeof timed>, note: string): void => {
    const stopped = r.status === -1 && r.ms >= TOOL_LIMIT_MS;
    rows.push({ flood, tool, wallMs: r.ms, peakRssBytes: stopped ? Number.NaN : r.rssBytes, exit: r.status, note: stopped ? `stopped after ${TOOL_LIMIT_MS / 1000} s` : note });
  };
  const json = (r: ReturnType<typeof timed>): any => JSON.parse(r.stdout);

  log(`floods: SYN scan of ${options.syns} SYNs`);
  const scan = join(dir, 'syn-scan.pcap');
  synScan(scan, options.syns);
  let r = timed([node, options.cli, scan, '--max-flows', '100000', '--json', '-', '-q'], timeFile);
  check(r.status === 0 && json(r).inputs[0].packets === options.syns, `rttscan on the SYN scan: exit ${r.status} ${r.stderr.slice(0, 300)}`);
  row('SYN scan', 'rttscan --max-flows 100000', r, `${json(r).counters.flows.evicted} flows evicted`);
  if (haveTcptrace) {
    r = timed([TCPTRACE, '-r', '-n', '-l', scan], timeFile, false);
    row('SYN scan', 'tcptrace -r -n -l', r, '');
  }
  if (haveTshark) {
    r = timed([TSHARK, '-r', scan, '-T', 'fields', '-e', 'tcp.analysis.ack_rtt'], timeFile, false);
    row('SYN scan', 'tshark ack_rtt', r, '');
  }
  rmSync(scan, { force: true });

  log('floods: backlog of 20,000 flows x 200 segments');
  const lag = join(dir, 'backlog.pcap');
  backlog(lag, 20_000, 200);
  r = timed([node, options.cli, lag, '--include-local', '--json', '-', '-q'], timeFile);
  check(
    r.status === 0 && json(r).summary.samples === 20_000 * 3,
    `rttscan on the backlog: exit ${r.status}, ${r.status === 0 ? json(r).summary.samples : r.stderr.slice(0, 200)} samples`,
  );
  row('backlog', 'rttscan (default --max-segments)', r, `${json(r).summary.samples} samples, ${json(r).counters.rtt.segments_over_budget} forgotten`);
  r = timed([node, options.cli, lag, '--include-local', '--max-segments', '1000000', '--json', '-', '-q'], timeFile);
  check(r.status === 0 && json(r).summary.samples === 20_000 * 3, 'rttscan --max-segments 1000000 on the backlog');
  row('backlog', 'rttscan --max-segments 1000000', r, `${json(r).summary.samples} samples, ${json(r).counters.rtt.segments_over_budget} forgotten`);
  if (haveTcptrace) row('backlog', 'tcptrace -r -n -l', timed([TCPTRACE, '-r', '-n', '-l', lag], timeFile, false), '');
  if (haveTshark) row('backlog', 'tshark ack_rtt', timed([TSHARK, '-r', lag, '-T', 'fields', '-e', 'tcp.analysis.ack_rtt'], timeFile, false), '');
  rmSync(lag, { force: true });

  log('floods: 2,000 rotated files');
  const slices = rotated(join(dir, 'slices'), 2000);
  r = timed([node, options.cli, ...slices, '--include-local', '--json', '-', '-q'], timeFile);
  check(r.status === 0 && json(r).summary.samples === 2000 * 12, `rttscan on 2,000 files: exit ${r.status} ${r.stderr.slice(0, 300)}`);
  row('2,000 files', 'rttscan', r, `${json(r).summary.samples} samples`);
  if (haveTcptrace) row('2,000 files', 'tcptrace -r -n -l', timed([TCPTRACE, '-r', '-n', '-l', ...slices], timeFile, false), '');
  rmSync(join(dir, 'slices'), { recursive: true, force: true });

  log('floods: TCP-RT over 16.7 hours of sparse SYNs');
  const spread = join(dir, 'spread.pcap');
  spreadSyns(spread, 2000, 60_000);
  r = timed([node, options.cli, spread, '--tcprt', '--lports-range', '1-65535', '--stats-interval', '1s', '--local', '10.0.0.2', '-q'], timeFile);
  check(r.status === 0, `rttscan --tcprt range: exit ${r.status}`);
  row('TCP-RT 16.7 h', 'rttscan --lports-range 1-65535', r, `${r.stdout === '' ? 0 : r.stdout.trim().split('\n').length} stats lines`);
  r = timed([node, options.cli, spread, '--tcprt', '--lports', '80', '--stats-interval', '1s', '--local', '10.0.0.2', '-q'], timeFile);
  check(r.status === 0 && r.stdout.trim().split('\n').length === 2000, `rttscan --tcprt --lports 80: exit ${r.status}`);
  row('TCP-RT 16.7 h', 'rttscan --lports 80', r, `${r.stdout.trim().split('\n').length} stats lines`);
  rmSync(spread, { force: true });

  log('floods: 1 M pcapng interface blocks');
  const idbs = join(dir, 'idbs.pcapng');
  interfaceFlood(idbs, 1_000_000);
  r = timed([node, options.cli, idbs, '-q'], timeFile);
  check(r.status === 2 && /more than 65536 interfaces in one section/.test(r.stderr), `rttscan on 1 M IDBs: exit ${r.status} ${r.stderr.slice(0, 200)}`);
  row('1 M IDBs (20 MB)', 'rttscan', r, 'refused at the cap (exit 2)');
  if (haveTshark) row('1 M IDBs (20 MB)', 'tshark', timed([TSHARK, '-r', idbs], timeFile, false), '');
  rmSync(idbs, { force: true });
  return rows;
}

export function floodTable(rows: readonly FloodRow[]): string {
  const lines = [
    ['flood', 'tool', 'wall s', 'peak RSS MB', 'exit', 'found'],
    ...rows.map((r) => [r.flood, r.tool, (r.wallMs / 1000).toFixed(2), Number.isNaN(r.peakRssBytes) ? '-' : (r.peakRssBytes / 1e6).toFixed(0), String(r.exit), r.note]),
  ];
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return (
    lines
      .map((l) =>
        l
          .map((c, i) => (i === 2 || i === 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

export { FloodCheckFailed };
