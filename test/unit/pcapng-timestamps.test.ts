/**
 * pcapng timestamps are a 64-bit count of 10^-n or 2^-n second units plus if_tsoffset seconds.
 * Every conversion is checked exactly against BigInt arithmetic: seconds = units / unitsPerSec
 * + offset, nanoseconds = (units mod unitsPerSec) × 10^9 / unitsPerSec, truncated.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LINKTYPE, pcapngFile, tsresolBinary, type NgBlock } from '../helpers/capture-writer.js';
import { Random } from '../helpers/random.js';
import { readCapture } from '../helpers/read-capture.js';

const U64_MAX = (1n << 64n) - 1n;

function unitsPerSec(tsresol: number): bigint {
  return tsresol & 0x80 ? 1n << BigInt(tsresol & 0x7f) : 10n ** BigInt(tsresol);
}

function expected(units: bigint, tsresol: number, offsetSec: bigint): [number, number] {
  const ups = unitsPerSec(tsresol);
  return [Number(units / ups + offsetSec), Number(((units % ups) * 1_000_000_000n) / ups)];
}

function label(tsresol: number): string {
  return tsresol & 0x80 ? `2^-${tsresol & 0x7f}` : `10^-${tsresol}`;
}

/**
 * Edge values and random ones, all within 64 bits and with whole seconds a double holds
 * exactly (a count of 2^-10 s units can reach 2^54 s; no reader can represent that).
 */
function unitValues(tsresol: number, rnd: Random): bigint[] {
  const ups = unitsPerSec(tsresol);
  const maxSec = U64_MAX / ups;
  const values = [0n, 1n, ups - 1n, ups, ups + 1n, 0xffffffffn, 1n << 32n, (1n << 32n) + 1n, 1n << 53n, 1n << 63n, U64_MAX, U64_MAX - ups];
  for (let i = 0; i < 40; i++) {
    // Realistic: epoch-like seconds (when they fit) plus any fraction.
    const sec = rnd.big((maxSec < 1n << 34n ? maxSec : 1n << 34n) + 1n);
    values.push(sec * ups + rnd.big(ups));
  }
  for (let i = 0; i < 20; i++) values.push(rnd.big(U64_MAX + 1n));
  return values.filter((u) => u >= 0n && u <= U64_MAX && u / ups <= BigInt(Number.MAX_SAFE_INTEGER));
}

/** What the brief asks for, then the edges of each conversion path in the reader. */
const RESOLUTIONS = [
  6,
  9,
  3,
  12,
  tsresolBinary(10),
  tsresolBinary(20),
  tsresolBinary(32),
  tsresolBinary(40),
  0,
  1,
  10,
  11,
  15,
  18,
  19,
  tsresolBinary(0),
  tsresolBinary(1),
  tsresolBinary(9),
  tsresolBinary(31),
  tsresolBinary(33),
  tsresolBinary(63),
];
const OFFSETS: (bigint | undefined)[] = [undefined, 1_600_000_000n, -7n];

for (const tsresol of RESOLUTIONS) {
  test(`if_tsresol ${label(tsresol)} (byte 0x${tsresol.toString(16)}), with and without if_tsoffset, is exact`, () => {
    const rnd = new Random(tsresol * 7919 + 1);
    const units = unitValues(tsresol, rnd);
    const blocks: NgBlock[] = [{ kind: 'shb' }];
    for (const tsoffset of OFFSETS) blocks.push({ kind: 'idb', linktype: LINKTYPE.RAW, tsresol, ...(tsoffset === undefined ? {} : { tsoffset }) });
    for (const u of units) {
      for (let iface = 0; iface < OFFSETS.length; iface++) blocks.push({ kind: 'epb', interfaceId: iface, timestamp: u, data: Uint8Array.of(0x45) });
    }
    const packets = readCapture(pcapngFile(blocks), 4096, 'ts.pcapng').packets;
    assert.equal(packets.length, units.length * OFFSETS.length);
    let i = 0;
    for (const u of units) {
      for (const tsoffset of OFFSETS) {
        const p = packets[i++]!;
        assert.deepEqual([p.tsSec, p.tsNsec], expected(u, tsresol, tsoffset ?? 0n), `units ${u} at ${label(tsresol)}, offset ${tsoffset ?? 'none'}`);
      }
    }
  });
}

test('no if_tsresol means microseconds', () => {
  const file = pcapngFile([
    { kind: 'shb' },
    { kind: 'idb', linktype: LINKTYPE.RAW },
    { kind: 'epb', interfaceId: 0, timestamp: 1_700_000_000_123_456n, data: Uint8Array.of(0x45) },
  ]);
  const [p] = readCapture(file).packets;
  assert.deepEqual([p!.tsSec, p!.tsNsec], [1_700_000_000, 123_456_000]);
});

test('a nanosecond epoch timestamp keeps every digit', () => {
  // 1_700_000_000.999_999_999 s is ~2^60.6 ns: a double would round the last digits away.
  const file = pcapngFile([
    { kind: 'shb' },
    { kind: 'idb', linktype: LINKTYPE.RAW, tsresol: 9 },
    { kind: 'epb', interfaceId: 0, timestamp: 1_700_000_000_999_999_999n, data: Uint8Array.of(0x45) },
    { kind: 'epb', interfaceId: 0, timestamp: 1_700_000_001_000_000_001n, data: Uint8Array.of(0x45) },
  ]);
  const [a, b] = readCapture(file).packets;
  assert.deepEqual([a!.tsSec, a!.tsNsec, b!.tsSec, b!.tsNsec], [1_700_000_000, 999_999_999, 1_700_000_001, 1]);
});
