/**
 * Inputs rttscan must refuse (exit 2, one message naming the file, offset and fault) or read
 * with a warning (exit 0), as one table shared by the library-level and the CLI-level tests.
 */
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { ACK, concat, conversation, ethernet, IF_TSRESOL, ipv4, LINKTYPE, pcapFile, pcapngFile, record, tcp, type NgBlock, type PcapRecord } from './capture-writer.js';
import { Random } from './random.js';
import { readCapture } from './read-capture.js';

export interface RefusedInput {
  name: string;
  make: (dir: string) => Promise<string>;
  /** The error's code, and its message after the leading `<path>: `. */
  code: 'input' | 'capture';
  message: string | RegExp;
  /** For capture errors: where, as the CaptureError says. */
  offset?: number;
  record?: number;
  /** The fault shows when the input is opened (before any packet is read). */
  atOpen?: boolean;
}

export interface AcceptedInput {
  name: string;
  make: (dir: string) => Promise<string>;
  format: 'pcap' | 'pcapng';
  packets: number;
  /** Each warning, after nothing: warnings are full messages that start with the path. */
  warnings: ((path: string) => RegExp)[];
}

const frames = conversation().map((f) => ethernet(f));
const records = (n: number): PcapRecord[] => frames.slice(0, n).map((f, i) => record(f, 1_700_000_000 + i, i));
const hex = (n: number): string => `0x${n.toString(16)}`;
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function put(dir: string, name: string, bytes: Uint8Array | string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

const SHB_LEN = 28;
const IDB_LEN = 20;
const pcapngHead: NgBlock[] = [{ kind: 'shb' }, { kind: 'idb', linktype: LINKTYPE.ETHERNET }];
const epbs = (n: number): NgBlock[] => frames.slice(0, n).map((f, i) => ({ kind: 'epb', interfaceId: 0, timestamp: BigInt(i), data: f.bytes }));

/** A pcap big enough that half of its gzip holds some but not all packets. */
function bulkyPcap(): Uint8Array {
  const rnd = new Random(42);
  const recs: PcapRecord[] = [];
  for (let i = 0; i < 200; i++) {
    const frame = ethernet(ipv4(tcp({ srcPort: 40000, dstPort: 80, seq: 1 + i * 500, flags: ACK, payload: rnd.bytes(500) })));
    recs.push(record(frame, 1_700_000_000, i * 1000));
  }
  return pcapFile(recs);
}

/** Packets in what zlib can decompress from a cut gzip stream (what the reader sees). */
export function packetsInTruncatedGzip(gz: Uint8Array): number {
  const partial = gunzipSync(gz, { finishFlush: constants.Z_SYNC_FLUSH });
  return readCapture(partial).packets.length;
}

export const TRUNCATED_GZIP = (() => {
  const gz = gzipSync(bulkyPcap());
  return gz.subarray(0, Math.floor(gz.length / 2));
})();

const caplenTooBig = pcapFile([...records(2), { sec: 3, frac: 0, data: new Uint8Array(4), caplen: 300000 }], { snaplen: 65535 });
const epbOffset = (n: number): number => SHB_LEN + IDB_LEN + pcapngFile(epbs(n)).length;

export const REFUSED: RefusedInput[] = [
  { name: 'a file that does not exist', make: async (dir) => join(dir, 'missing.pcap'), code: 'input', message: 'no such file', atOpen: true },
  {
    name: 'a directory',
    make: async (dir) => {
      await mkdir(join(dir, 'captures.pcap'));
      return join(dir, 'captures.pcap');
    },
    code: 'input',
    message: 'is a directory',
    atOpen: true,
  },
  { name: 'an empty file', make: (dir) => put(dir, 'empty.pcap', ''), code: 'capture', message: 'offset 0x0: empty file', offset: 0, atOpen: true },
  {
    name: 'a file that is not a capture (wrong magic)',
    make: (dir) => put(dir, 'notes.pcap', 'hello, world\n'),
    code: 'capture',
    message: 'offset 0x0: not a capture file: magic 0x68656c6c is neither pcap, pcapng nor gzip',
    offset: 0,
    atOpen: true,
  },
  {
    name: 'a file shorter than any magic',
    make: (dir) => put(dir, 'tiny.pcap', 'abc'),
    code: 'capture',
    message: 'offset 0x0: too short to be a capture (3 bytes)',
    offset: 0,
    atOpen: true,
  },
  {
    name: 'a pcap of version 1.0',
    make: (dir) => put(dir, 'old.pcap', pcapFile(records(2), { versionMajor: 1, versionMinor: 0 })),
    code: 'capture',
    message: 'offset 0x4: unsupported pcap version 1.0 (expected 2.x)',
    offset: 4,
  },
  {
    name: 'a record whose caplen is beyond the bound',
    make: (dir) => put(dir, 'caplen.pcap', caplenTooBig),
    code: 'capture',
    message: `record 3 at offset ${hex(caplenTooBig.length - 20)}: caplen 300000 exceeds snaplen 65535 (limit 262144)`,
    offset: caplenTooBig.length - 20,
    record: 3,
  },
  {
    name: 'a truncated pcap file header',
    make: (dir) => put(dir, 'header.pcap', pcapFile([]).subarray(0, 10)),
    code: 'capture',
    message: 'offset 0x0: truncated pcap file header (10 of 24 bytes)',
    offset: 0,
  },
  {
    name: 'a truncated pcapng section header',
    make: (dir) => put(dir, 'header.pcapng', pcapngFile([{ kind: 'shb' }]).subarray(0, 20)),
    code: 'capture',
    message: 'record 1 at offset 0x0: truncated section header block (20 bytes)',
    offset: 0,
    record: 1,
  },
  {
    name: 'a pcapng block whose trailing length disagrees',
    make: (dir) => put(dir, 'trailer.pcapng', pcapngFile([...pcapngHead, ...epbs(2), { kind: 'raw', type: 0x99, body: new Uint8Array(20), trailerLength: 36 }])),
    code: 'capture',
    message: `record 5 at offset ${hex(epbOffset(2))}: block length 32 does not match its trailing length 36`,
    offset: epbOffset(2),
    record: 5,
  },
  {
    name: 'a pcapng block length that is not a multiple of 4',
    make: (dir) => put(dir, 'align.pcapng', pcapngFile([...pcapngHead, ...epbs(1), { kind: 'raw', type: 0x99, body: new Uint8Array(20), totalLength: 30 }])),
    code: 'capture',
    message: `record 4 at offset ${hex(epbOffset(1))}: block length 30 is not a multiple of 4`,
    offset: epbOffset(1),
    record: 4,
  },
  {
    name: 'an interface option running past its block',
    make: (dir) =>
      put(dir, 'option.pcapng', pcapngFile([{ kind: 'shb' }, { kind: 'idb', linktype: 1, options: [{ code: IF_TSRESOL, value: Uint8Array.of(9), length: 100 }] }, ...epbs(1)])),
    code: 'capture',
    message: `record 2 at offset ${hex(SHB_LEN)}: interface option 9 at offset ${hex(SHB_LEN + 16)} runs past the end of its block`,
    offset: SHB_LEN,
    record: 2,
  },
  {
    // 65,537 interface blocks in one section (1.3 MB): one past MAX_INTERFACES_PER_SECTION.
    name: 'a pcapng section declaring more interfaces than the limit',
    make: (dir) => put(dir, 'idbs.pcapng', pcapngFile([{ kind: 'shb' }, ...Array.from({ length: 65537 }, (): NgBlock => ({ kind: 'idb', linktype: 1 }))])),
    code: 'capture',
    message: `record 65538 at offset ${hex(SHB_LEN + 65536 * IDB_LEN)}: more than 65536 interfaces in one section (the limit rttscan holds)`,
    offset: SHB_LEN + 65536 * IDB_LEN,
    record: 65538,
  },
  {
    name: 'an EPB naming an interface that does not exist',
    make: (dir) => put(dir, 'iface.pcapng', pcapngFile([...pcapngHead, ...epbs(1), { kind: 'epb', interfaceId: 3, timestamp: 9n, data: frames[1]!.bytes }])),
    code: 'capture',
    message: `record 4 at offset ${hex(epbOffset(1))}: packet names interface 3, but the section defines 1`,
    offset: epbOffset(1),
    record: 4,
  },
  {
    name: 'a gzip stream with corrupt data',
    make: (dir) => {
      const gz = gzipSync(bulkyPcap());
      for (let i = 100; i < 140; i++) gz[i] = 0xff;
      return put(dir, 'corrupt.pcap.gz', gz);
    },
    code: 'capture',
    message: /^offset 0x[0-9a-f]+: corrupt gzip data \(.+\); the offset counts decompressed bytes$/,
  },
];

export const ACCEPTED: AcceptedInput[] = [
  {
    name: 'a pcap whose last record is truncated',
    make: (dir) => {
      const file = pcapFile(records(4));
      return put(dir, 'cut.pcap', file.subarray(0, file.length - 10));
    },
    format: 'pcap',
    packets: 3,
    warnings: [
      (path) => {
        const at = pcapFile(records(3)).length;
        const len = frames[3]!.bytes.length;
        return new RegExp(`^${escape(path)}: record 4 at offset ${hex(at)}: truncated record \\(${len - 10} of ${len} bytes\\); ignored$`);
      },
    ],
  },
  {
    name: 'a pcapng whose last block is truncated',
    make: (dir) => {
      const file = pcapngFile([...pcapngHead, ...epbs(3)]);
      return put(dir, 'cut.pcapng', file.subarray(0, file.length - 1));
    },
    format: 'pcapng',
    packets: 2,
    warnings: [(path) => new RegExp(`^${escape(path)}: record 5 at offset ${hex(epbOffset(2))}: truncated block \\(\\d+ of \\d+ bytes\\); ignored$`)],
  },
  {
    name: 'a pcap of version 2.5 (libpcap refuses it)',
    make: (dir) => put(dir, 'v25.pcap', pcapFile(records(3), { versionMinor: 5 })),
    format: 'pcap',
    packets: 3,
    warnings: [(path) => new RegExp(`^${escape(path)}: offset 0x4: pcap version 2\\.5 is past 2\\.4, the last libpcap knows \\(tcpdump refuses this file\\); read as 2\\.4$`)],
  },
  {
    // Sections reset the interfaces: the limit is per section, not per file.
    name: 'two pcapng sections of 65,536 interfaces each',
    make: (dir) => {
      const idbs = Array.from({ length: 65536 }, (): NgBlock => ({ kind: 'idb', linktype: 1 }));
      return put(dir, 'idbs2.pcapng', concat(pcapngFile([{ kind: 'shb' }, ...idbs, ...epbs(1)]), pcapngFile([{ kind: 'shb' }, ...idbs, ...epbs(2)])));
    },
    format: 'pcapng',
    packets: 3,
    warnings: [],
  },
  { name: 'a pcapng with no packets', make: (dir) => put(dir, 'none.pcapng', pcapngFile(pcapngHead)), format: 'pcapng', packets: 0, warnings: [] },
  { name: 'a pcap with no packets', make: (dir) => put(dir, 'none.pcap', pcapFile([])), format: 'pcap', packets: 0, warnings: [] },
  { name: 'a gzipped pcap (named .pcap)', make: (dir) => put(dir, 'zipped.pcap', gzipSync(pcapFile(records(5)))), format: 'pcap', packets: 5, warnings: [] },
  {
    name: 'a gzipped pcapng',
    make: (dir) => put(dir, 'zipped.pcapng.gz', gzipSync(pcapngFile([...pcapngHead, ...epbs(4)]))),
    format: 'pcapng',
    packets: 4,
    warnings: [],
  },
  {
    // Node's gunzip once failed on the stray bytes and lost every packet ("offset 0x0").
    name: 'a gzipped pcap followed by bytes that are not gzip',
    make: (dir) => put(dir, 'trailing.pcap.gz', concat(gzipSync(pcapFile(records(5))), new TextEncoder().encode('trailing garbage\n'))),
    format: 'pcap',
    packets: 5,
    warnings: [
      (path) => new RegExp(`^${escape(path)}: 17 bytes at compressed offset 0x${gzipSync(pcapFile(records(5))).length.toString(16)}, after the gzip data, are not gzip: ignored$`),
    ],
  },
  {
    name: 'two gzip members, zero-padded (as tape or block storage leaves them)',
    make: (dir) => put(dir, 'members.pcap.gz', concat(gzipSync(pcapFile(records(3))), gzipSync(pcapFile(records(5)).subarray(24)), new Uint8Array(512))),
    format: 'pcap',
    packets: 8,
    warnings: [],
  },
  {
    name: 'a truncated gzip of a pcap',
    make: (dir) => put(dir, 'cut.pcap.gz', TRUNCATED_GZIP),
    format: 'pcap',
    packets: packetsInTruncatedGzip(TRUNCATED_GZIP),
    warnings: [
      (path) => new RegExp(`^${escape(path)}: gzip stream truncated after \\d+ decompressed bytes$`),
      (path) => new RegExp(`^${escape(path)}: record \\d+ at offset 0x[0-9a-f]+: truncated record( header)? \\(\\d+ of \\d+ bytes\\); ignored$`),
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// Permission denied

/** Drops the capabilities that let root read any file, for one command. */
const SETPRIV = ['setpriv', '--bounding-set=-dac_override,-dac_read_search', '--'];

/**
 * A file this process may not read, and the argv prefix that runs a command under the same
 * restriction. Root reads a chmod-000 file anyway (CAP_DAC_OVERRIDE), so as root the command
 * runs under setpriv without that capability. Returns a reason string when neither works.
 */
export async function unreadableFile(dir: string): Promise<{ path: string; prefix: string[] } | string> {
  const path = join(dir, 'secret.pcap');
  await writeFile(path, pcapFile(records(1)));
  await chmod(path, 0o000);
  try {
    await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EACCES') return { path, prefix: [] };
    throw err;
  }
  const probe = spawnSync(SETPRIV[0]!, [...SETPRIV.slice(1), process.execPath, '-e', `require('fs').readFileSync(${JSON.stringify(path)})`], { encoding: 'utf8' });
  if (probe.status !== 0 && probe.stderr.includes('EACCES')) return { path, prefix: SETPRIV };
  return `running as root, where chmod 000 does not stop reads, and setpriv could not drop CAP_DAC_OVERRIDE (${probe.error?.message ?? probe.stderr.trim().split('\n')[0] ?? 'no error'})`;
}
