/**
 * The mutation fuzz itself, run in a worker thread so that the test (mutations.test.ts) can
 * stop it if a case never returns: a synchronous infinite loop cannot be interrupted from the
 * same thread. Each case: mutate a base capture, read it in memory in random-sized chunks and
 * through analyze() from a file (optionally gzipped, optionally cut), and check that
 *   - nothing but an RttscanError escapes, and analyze() settles within a time bound;
 *   - both paths agree: same error message, or same packet counts and warnings;
 *   - a fresh reader on a known-good capture still reads it exactly.
 * Imported by the node:test runner too (it runs every file under test/): it then does nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { analyze } from '../../src/analyze.js';
import { readerFor } from '../../src/capture/detect.js';
import { PacketDecoder } from '../../src/decode/decoder.js';
import { RttscanError } from '../../src/errors.js';
import { conversation, ethernet, pcapFile, record } from '../helpers/capture-writer.js';
import { readCapture, undecodedPackets } from '../helpers/read-capture.js';
import { bases, mutate, mutationArb, type Base } from './mutation-cases.js';

export interface FuzzRequest {
  fuzz: true;
  seed: number;
  numRuns: number;
  /** [0]: cases finished so far; read by the watchdog in the test thread. */
  progress: Int32Array;
  /** Longest any one analyze() may take, in ms. */
  caseTimeoutMs: number;
}

export interface FuzzStats {
  cases: number;
  refused: number;
  accepted: number;
  warned: number;
  gzipped: number;
  bases: string[];
}

export type FuzzResult = { ok: true; stats: FuzzStats } | { ok: false; error: string };

type Outcome = { error: string } | { packets: number; tcpPackets: number; warnings: string[] };

/** Only RttscanError may escape; anything else is re-thrown as a failure with its stack. */
function ours(err: unknown): { error: string } {
  if (err instanceof RttscanError) return { error: err.message };
  throw new Error(`not an RttscanError escaped: ${(err as Error)?.stack ?? String(err)}`);
}

function readInMemory(bytes: Uint8Array, chunk: number, file: string): Outcome {
  try {
    const reader = readerFor(file, bytes.subarray(0, 4));
    const decoder = new PacketDecoder();
    let packets = 0;
    let tcpPackets = 0;
    for (let at = 0; at < bytes.length; at += chunk) {
      reader.push(bytes.subarray(at, at + chunk));
      while (reader.next()) {
        const pkt = reader.packet;
        if (pkt.dataOffset < 0 || pkt.dataOffset + pkt.caplen > pkt.bytes.length) {
          throw new Error(`packet ${packets + 1} points outside its buffer (${pkt.dataOffset}+${pkt.caplen} > ${pkt.bytes.length})`);
        }
        packets++;
        if (decoder.decode(pkt)) tcpPackets++;
      }
    }
    const warning = reader.finish();
    const c = decoder.counters;
    if (c.packets !== packets || c.tcpPackets !== tcpPackets || c.tcpPackets + undecodedPackets(decoder) !== c.packets) {
      throw new Error(`decode counters do not add up: ${JSON.stringify(c.toJSON())} for ${packets} packets`);
    }
    return { packets, tcpPackets, warnings: [...reader.warnings, ...(warning === undefined ? [] : [warning])] };
  } catch (err) {
    return ours(err);
  }
}

async function analyzeBounded(path: string, timeoutMs: number): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`analyze() did not settle within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const result = await Promise.race([analyze([path]), timeout]);
    const input = result.inputs[0]!;
    return { packets: input.packets, tcpPackets: input.tcp_packets, warnings: input.warnings };
  } catch (err) {
    if (err instanceof Error && err.message.startsWith('analyze() did not settle')) throw err;
    return ours(err);
  } finally {
    clearTimeout(timer);
  }
}

/** A capture with a known reading, re-read after every case: the readers keep no bad state. */
const GOOD = pcapFile(conversation().map((f, i) => record(ethernet(f), 1_700_000_000 + i, i)));
const GOOD_READ = JSON.stringify(readCapture(GOOD));

function checkFreshReader(): void {
  const now = JSON.stringify(readCapture(GOOD, 7));
  if (now !== GOOD_READ) throw new Error('a fresh reader no longer reads a good capture the same way');
}

async function fuzz(req: FuzzRequest): Promise<FuzzStats> {
  const all: Base[] = bases();
  const dir = await mkdtemp(join(tmpdir(), 'rttscan-fuzz-'));
  const path = join(dir, 'case.pcap');
  const goodPath = join(dir, 'good.pcap');
  await writeFile(goodPath, GOOD);
  const goodAnalysis = JSON.stringify(await analyzeBounded(goodPath, req.caseTimeoutMs));
  const stats: FuzzStats = { cases: 0, refused: 0, accepted: 0, warned: 0, gzipped: 0, bases: all.map((b) => b.name) };
  const scenario = fc.record({
    base: fc.nat(),
    mutations: fc.array(mutationArb, { minLength: 1, maxLength: 5 }),
    chunk: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 65, max: 70000 })),
    gzip: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.record({ cutAt: fc.option(fc.nat()) }) }),
  });
  try {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const base = all[s.base % all.length]!;
        const bytes = mutate(base, s.mutations);
        let fileBytes: Uint8Array = bytes;
        if (s.gzip !== undefined) {
          fileBytes = gzipSync(bytes);
          if (s.gzip.cutAt !== null) fileBytes = fileBytes.subarray(0, s.gzip.cutAt % (fileBytes.length + 1));
        }
        await writeFile(path, fileBytes);
        const viaFile = await analyzeBounded(path, req.caseTimeoutMs);
        const isGzip = bytes[0] === 0x1f && bytes[1] === 0x8b;
        if (s.gzip === undefined && !isGzip) {
          const inMemory = readInMemory(bytes, s.chunk, path);
          if (JSON.stringify(inMemory) !== JSON.stringify(viaFile)) {
            throw new Error(`in memory (chunks of ${s.chunk}) and analyze() disagree:\n  ${JSON.stringify(inMemory)}\n  ${JSON.stringify(viaFile)}`);
          }
        }
        checkFreshReader();
        stats.cases++;
        if ('error' in viaFile) stats.refused++;
        else {
          stats.accepted++;
          if (viaFile.warnings.length > 0) stats.warned++;
        }
        if (s.gzip !== undefined) stats.gzipped++;
        Atomics.add(req.progress, 0, 1);
      }),
      { seed: req.seed, numRuns: req.numRuns },
    );
    const after = JSON.stringify(await analyzeBounded(goodPath, req.caseTimeoutMs));
    if (after !== goodAnalysis) throw new Error(`analyze() reads a good capture differently after the fuzz:\n  ${goodAnalysis}\n  ${after}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return stats;
}

if (!isMainThread && (workerData as FuzzRequest | undefined)?.fuzz) {
  fuzz(workerData as FuzzRequest).then(
    (stats) => parentPort!.postMessage({ ok: true, stats } satisfies FuzzResult),
    (err: unknown) => parentPort!.postMessage({ ok: false, error: (err as Error)?.stack ?? String(err) } satisfies FuzzResult),
  );
}
