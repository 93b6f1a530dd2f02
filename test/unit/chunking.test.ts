/**
 * Readers are fed whatever chunks the input delivers: a record or block may straddle any
 * boundary. The same file fed in chunks of every size from 1 to 64 bytes, and in random
 * sizes, must give the same packets (bytes, times, offsets) and the same end-of-input verdict.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { conversation, ethernet, IF_NAME, LINKTYPE, linuxSll, OPT_COMMENT, pattern, pcapFile, pcapngFile, record, tsresolBinary, type NgBlock } from '../helpers/capture-writer.js';
import { Random } from '../helpers/random.js';
import { readCapture, type ReadResult } from '../helpers/read-capture.js';
import { JOIN_HEAD } from '../../src/capture/chunk-buffer.js';

const v4 = conversation();
const v6 = conversation({ client: '2001:db8::10', server: '2001:db8::20', clientPort: 50000, serverPort: 443 });

function pcapSample(littleEndian: boolean, nanos: boolean): Uint8Array {
  const records = v4.map((f, i) => record(ethernet(f), 1_700_000_000 + i, i * 1013));
  records.splice(3, 0, { sec: 5, frac: 6, data: new Uint8Array(0) });
  const file = pcapFile(records, { littleEndian, nanos });
  return file.subarray(0, file.length - 7); // end inside the last record: a warning
}

function pcapngSample(): Uint8Array {
  const blocks: NgBlock[] = [
    { kind: 'shb', options: [{ code: OPT_COMMENT, value: pattern(5) }] },
    { kind: 'idb', linktype: LINKTYPE.ETHERNET, tsresol: 9, options: [{ code: IF_NAME, value: pattern(3) }] },
    { kind: 'nrb' },
    ...v4.slice(0, 4).map((f, i): NgBlock => ({ kind: 'epb', interfaceId: 0, timestamp: 1_700_000_000_000_000_000n + BigInt(i), data: ethernet(f).bytes })),
    { kind: 'custom', copyable: true, data: pattern(9) },
    { kind: 'shb', littleEndian: false },
    { kind: 'idb', linktype: LINKTYPE.LINUX_SLL, tsresol: tsresolBinary(32), tsoffset: 1_000_000n },
    { kind: 'idb', linktype: LINKTYPE.RAW },
    ...v6.map((f, i): NgBlock => ({ kind: 'epb', interfaceId: i % 2, timestamp: BigInt(i) * 0x1_0000_0001n, data: i % 2 ? f.bytes : linuxSll(f).bytes })),
    { kind: 'isb', interfaceId: 0, timestamp: 1n },
    { kind: 'spb', data: linuxSll(v4[5]!).bytes },
    { kind: 'pb', interfaceId: 1, timestamp: 77n, data: v4[6]!.bytes },
    { kind: 'dsb', secrets: pattern(30) },
  ];
  const file = pcapngFile(blocks);
  return file.subarray(0, file.length - 3); // end inside the last block: a warning
}

const SAMPLES: [string, Uint8Array][] = [
  ['pcap LE µs', pcapSample(true, false)],
  ['pcap BE ns', pcapSample(false, true)],
  ['pcapng, two sections', pcapngSample()],
];

function sameResult(got: ReadResult, want: ReadResult, how: string): void {
  assert.equal(got.packets.length, want.packets.length, how);
  got.packets.forEach((p, i) => assert.deepEqual(p, want.packets[i], `${how}: packet ${i + 1}`));
  assert.equal(got.warning, want.warning, how);
  assert.deepEqual(got.linktypes, want.linktypes, how);
}

for (const [name, file] of SAMPLES) {
  test(`${name}: chunks of every size 1..64 and random sizes read the same`, () => {
    const whole = readCapture(file);
    assert.ok(whole.packets.length >= 10, 'the sample has packets to compare');
    assert.ok(whole.warning !== undefined, 'the sample ends mid-record');
    for (let size = 1; size <= 64; size++) sameResult(readCapture(file, size), whole, `chunks of ${size}`);
    const rnd = new Random(file.length);
    for (let run = 0; run < 200; run++) {
      const sizes: number[] = [];
      sameResult(
        readCapture(file, (i) => (sizes[i] = 1 + rnd.int(run % 2 ? 300 : 20))),
        whole,
        `random chunks ${sizes.join(',')}`,
      );
    }
  });
}

test('a corrupt block gives the same error whatever the chunking', () => {
  const file = pcapngSample().slice();
  // Corrupt the trailer of the fourth block (the first EPB after SHB, IDB, NRB).
  const view = new DataView(file.buffer);
  let at = 0;
  for (let i = 0; i < 4; i++) at += view.getUint32(at + 4, true);
  view.setUint32(at - 4, 4, true);
  const message = (plan: number): string => {
    try {
      readCapture(file, plan);
    } catch (err) {
      return (err as Error).message;
    }
    return 'no error';
  };
  const want = message(file.length);
  assert.match(want, /record 4 at offset 0x[0-9a-f]+: block length \d+ does not match its trailing length 4$/);
  for (let size = 1; size <= 64; size++) assert.equal(message(size), want, `chunks of ${size}`);
});

/**
 * Chunks larger than the join head (JOIN_HEAD in src/capture/chunk-buffer.ts): a record that
 * straddles a boundary is joined with only the head of the next chunk, then the reader moves
 * onto the chunk in place; a record longer than the head makes the join grow. Records of many
 * sizes, some far beyond the head, in chunks of sizes around it and in random large sizes.
 */
function bigRecordsSample(ng: boolean): Uint8Array {
  const rnd = new Random(ng ? 7 : 3);
  const frames = Array.from({ length: 300 }, (_, i) => {
    const size = i % 17 === 0 ? 3 * JOIN_HEAD + rnd.int(JOIN_HEAD) : i % 5 === 0 ? JOIN_HEAD - 20 + rnd.int(40) : 40 + rnd.int(1500);
    return pattern(size, i + 1);
  });
  if (ng) {
    return pcapngFile([
      { kind: 'shb' },
      { kind: 'idb', linktype: LINKTYPE.RAW, tsresol: 9 },
      ...frames.map((data, i): NgBlock => ({ kind: 'epb', interfaceId: 0, timestamp: 1_700_000_000_000_000_000n + BigInt(i), data })),
    ]);
  }
  return pcapFile(
    frames.map((data, i) => ({ sec: 1_700_000_000 + i, frac: i, data })),
    { linktype: LINKTYPE.RAW },
  );
}

for (const ng of [false, true]) {
  test(`${ng ? 'pcapng' : 'pcap'}: records larger and smaller than the join head, chunks around its size, read the same`, () => {
    const file = bigRecordsSample(ng);
    const whole = readCapture(file);
    assert.equal(whole.packets.length, 300);
    for (const size of [JOIN_HEAD - 1, JOIN_HEAD, JOIN_HEAD + 1, JOIN_HEAD + 13, 2 * JOIN_HEAD + 5, 3 * JOIN_HEAD, 65536]) {
      sameResult(readCapture(file, size), whole, `chunks of ${size}`);
    }
    const rnd = new Random(file.length);
    for (let run = 0; run < 100; run++) {
      const sizes: number[] = [];
      sameResult(
        readCapture(file, (i) => (sizes[i] = 1 + rnd.int(run % 2 ? 8 * JOIN_HEAD : 2 * JOIN_HEAD))),
        whole,
        `random chunks ${sizes.join(',')}`,
      );
    }
  });
}
