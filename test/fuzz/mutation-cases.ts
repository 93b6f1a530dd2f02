/**
 * What the mutation fuzz works on: base captures (synthetic ones, plus the head of every real
 * sample), where their length fields are, and the mutations fast-check draws.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import fc from 'fast-check';
import {
  conversation,
  ethernet,
  IF_NAME,
  LINKTYPE,
  linuxSll2,
  OPT_COMMENT,
  pattern,
  pcapFile,
  pcapngFile,
  record,
  tsresolBinary,
  type NgBlock,
} from '../helpers/capture-writer.js';
import { REPO_ROOT, sampleCaptures } from '../helpers/paths.js';

export interface Base {
  name: string;
  bytes: Uint8Array;
  /** Offsets of u32 length fields (and their byte order) worth corrupting. */
  lengthFields: { offset: number; littleEndian: boolean }[];
}

const v4 = conversation();
const v6 = conversation({ client: 'fd00::1', server: 'fd00::2', clientPort: 33333, serverPort: 8080 });

function synthetic(): [string, Uint8Array][] {
  const pcapng: NgBlock[] = [
    { kind: 'shb', options: [{ code: OPT_COMMENT, value: pattern(7) }] },
    { kind: 'idb', linktype: LINKTYPE.ETHERNET, tsresol: 9, options: [{ code: IF_NAME, value: pattern(4) }] },
    { kind: 'nrb' },
    ...v4.map((f, i): NgBlock => ({ kind: 'epb', interfaceId: 0, timestamp: 1_700_000_000_000_000_000n + BigInt(i * 1000), data: ethernet(f).bytes })),
    { kind: 'shb', littleEndian: false },
    { kind: 'idb', linktype: LINKTYPE.RAW, tsresol: tsresolBinary(20), tsoffset: 1_600_000_000n },
    { kind: 'idb', linktype: LINKTYPE.LINUX_SLL2, snaplen: 96 },
    ...v6.map(
      (f, i): NgBlock =>
        i % 2 ? { kind: 'epb', interfaceId: 0, timestamp: BigInt(i) << 20n, data: f.bytes } : { kind: 'pb', interfaceId: 1, timestamp: BigInt(i), data: linuxSll2(f).bytes },
    ),
    { kind: 'isb', interfaceId: 0, timestamp: 5n },
    { kind: 'custom', copyable: true, data: pattern(10) },
    { kind: 'dsb', secrets: pattern(12) },
  ];
  return [
    [
      'synthetic LE µs pcap',
      pcapFile(
        v4.map((f, i) => record(ethernet(f), 1_700_000_000 + i, i * 7)),
        { linktype: LINKTYPE.ETHERNET },
      ),
    ],
    [
      'synthetic BE ns pcap',
      pcapFile(
        v6.map((f, i) => record(linuxSll2(f), 1_700_000_000, i * 1_000_003)),
        { littleEndian: false, nanos: true, linktype: LINKTYPE.LINUX_SLL2, snaplen: 128 },
      ),
    ],
    ['synthetic pcapng, two sections', pcapngFile(pcapng)],
  ];
}

/** Real captures are cut to their first bytes: mutations near the start matter most, and the budget is time. */
const SAMPLE_HEAD = 48 * 1024;

export function bases(): Base[] {
  const all: [string, Uint8Array][] = synthetic();
  for (const path of sampleCaptures()) all.push([relative(REPO_ROOT, path), readFileSync(path).subarray(0, SAMPLE_HEAD)]);
  return all.map(([name, bytes]) => ({ name, bytes, lengthFields: lengthFields(bytes) }));
}

/** The length fields of a pcap (snaplen, caplen, origlen) or pcapng (block lengths, trailers, EPB caplen, options). */
export function lengthFields(bytes: Uint8Array, max = 256): { offset: number; littleEndian: boolean }[] {
  const out: { offset: number; littleEndian: boolean }[] = [];
  if (bytes.length < 24) return out;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, true);
  if (magic === 0x0a0d0d0a) {
    let le = true;
    for (let at = 0; at + 12 <= bytes.length && out.length < max; ) {
      if (view.getUint32(at, true) === 0x0a0d0d0a) le = view.getUint32(at + 8, true) === 0x1a2b3c4d;
      const type = view.getUint32(at, le);
      const len = view.getUint32(at + 4, le);
      if (len < 12 || len % 4 !== 0 || at + len > bytes.length) break;
      out.push({ offset: at + 4, littleEndian: le }, { offset: at + len - 4, littleEndian: le });
      if (type === 6) out.push({ offset: at + 20, littleEndian: le });
      if (type === 1 && len > 20) out.push({ offset: at + 16, littleEndian: le }); // first option's code+length
      at += len;
    }
    return out;
  }
  const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
  out.push({ offset: 16, littleEndian: le });
  for (let at = 24; at + 16 <= bytes.length && out.length < max; ) {
    out.push({ offset: at + 8, littleEndian: le }, { offset: at + 12, littleEndian: le });
    at += 16 + view.getUint32(at + 8, le);
  }
  return out;
}

export type Mutation =
  | { kind: 'flip'; at: number; xor: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; count: number }
  | { kind: 'length'; field: number; value: number }
  | { kind: 'nudge'; field: number; delta: number }
  | { kind: 'truncate'; at: number };

/** Values that sit on or just past every bound a reader checks. */
const LENGTHS = [
  0,
  1,
  3,
  4,
  8,
  11,
  12,
  13,
  15,
  16,
  20,
  27,
  28,
  31,
  32,
  0xffff,
  0x10000,
  262144,
  262145,
  16 * 1024 * 1024,
  16 * 1024 * 1024 + 4,
  0x7fffffff,
  0x80000000,
  0xfffffffc,
  0xffffffff,
];

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), xor: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), count: fc.integer({ min: 1, max: 12 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('length' as const), field: fc.nat(), value: fc.constantFrom(...LENGTHS) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('nudge' as const), field: fc.nat(), delta: fc.integer({ min: -9, max: 9 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
);

/** Applies mutations in order to a copy of `base`; field indices wrap over its length fields. */
export function mutate(base: Base, mutations: readonly Mutation[]): Uint8Array {
  let bytes = base.bytes.slice();
  for (const m of mutations) {
    const n = bytes.length;
    switch (m.kind) {
      case 'flip':
        if (n > 0) bytes[m.at % n]! ^= m.xor;
        break;
      case 'insert': {
        const at = m.at % (n + 1);
        const out = new Uint8Array(n + m.bytes.length);
        out.set(bytes.subarray(0, at), 0);
        out.set(m.bytes, at);
        out.set(bytes.subarray(at), at + m.bytes.length);
        bytes = out;
        break;
      }
      case 'delete': {
        if (n === 0) break;
        const at = m.at % n;
        const out = new Uint8Array(n - Math.min(m.count, n - at));
        out.set(bytes.subarray(0, at), 0);
        out.set(bytes.subarray(at + m.count), at);
        bytes = out;
        break;
      }
      case 'length':
      case 'nudge': {
        const field = base.lengthFields[m.field % Math.max(1, base.lengthFields.length)];
        if (field === undefined || field.offset + 4 > n) break;
        const view = new DataView(bytes.buffer, bytes.byteOffset, n);
        const value = m.kind === 'length' ? m.value : view.getUint32(field.offset, field.littleEndian) + m.delta;
        view.setUint32(field.offset, value >>> 0, field.littleEndian);
        break;
      }
      case 'truncate':
        bytes = bytes.subarray(0, m.at % (n + 1));
        break;
    }
  }
  return bytes;
}
