/**
 * A gzip file inflated on a worker thread (capture/worker-chunks.ts) gives the analysis exactly
 * what inflating it here gives — the same result, the same samples in the same order, the same
 * notes, TCP-RT records, warnings, and the same error after the same packets — on every sample
 * capture and every refused and accepted bad input, with any option. Forced on with
 * `workerMinBytes: 0`, off with Infinity; each run checks which way it went.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { analyze, type AnalysisResult, type AnalyzeOptions } from '../../src/analyze.js';
import type { CapturedPacket } from '../../src/capture/captured-packet.js';
import { CaptureInput, CHUNK_SIZE } from '../../src/capture/input.js';
import { WORKER_AHEAD_CHUNKS, WORKER_MIN_GZIP_BYTES } from '../../src/capture/worker-chunks.js';
import { KIND_NAMES } from '../../src/engines/rtt/rtt-engine.js';
import { ACCEPTED, REFUSED } from '../helpers/bad-inputs.js';
import { bulkCapture } from '../helpers/big-capture.js';
import { sampleCaptures, tempDir } from '../helpers/paths.js';
import { lport } from '../helpers/tcprt.js';

interface Run {
  result: AnalysisResult | undefined;
  error: unknown;
  /** Samples, notes and TCP-RT records, one line each, in the order they came. */
  events: string[];
  /** For each input, whether it was inflated on a worker. */
  onWorker: boolean[];
}

async function run(paths: string[], worker: boolean, extra: AnalyzeOptions = {}): Promise<Run> {
  const events: string[] = [];
  let inputs: readonly CaptureInput[] = [];
  let result: AnalysisResult | undefined;
  let error: unknown;
  try {
    result = await analyze(paths, {
      ...extra,
      ...(extra.tcprt !== undefined ? { tcprt: { ...extra.tcprt, onRecord: (r) => events.push(`record ${JSON.stringify(r)}`) } } : {}),
      workerMinBytes: worker ? 0 : Infinity,
      onSample: (s) => events.push(`${s.ackNs} ${s.rttNs} ${KIND_NAMES[s.kind]} ${s.src}:${s.sport} ${s.dst}:${s.dport} ${s.group.key} ${s.segFrame} ${s.ackFrame}`),
      onNote: (n) => events.push(`note ${JSON.stringify(n)}`),
      onInputsOpen: (opened) => {
        inputs = opened as CaptureInput[];
      },
    });
  } catch (err) {
    error = err;
  }
  return { result, error, events, onWorker: inputs.map((i) => i.inflatedOnWorker) };
}

/** Both ways, checked to have gone the way asked for, then compared in every respect. */
async function assertSameBothWays(paths: string[], extra: AnalyzeOptions = {}): Promise<Run> {
  const name = paths.map((p) => basename(p)).join(' ');
  const threaded = await run(paths, true, extra);
  const inline = await run(paths, false, extra);
  assert.ok(!inline.onWorker.includes(true), `${name}: inflated on a worker when turned off`);
  assert.deepEqual(threaded.events, inline.events, `${name}: samples, notes and records`);
  if (inline.error !== undefined) {
    assert.ok(threaded.error instanceof Error, `${name}: inflated here it threw ${String(inline.error)}, on the worker it did not`);
    const [a, b] = [threaded.error as Error & { code?: string }, inline.error as Error & { code?: string }];
    assert.equal(a.constructor, b.constructor, `${name}: error class`);
    assert.equal(a.message, b.message, `${name}: error message`);
    assert.equal(a.code, b.code, `${name}: error code`);
    assert.deepEqual({ ...a }, { ...b }, `${name}: error fields (file, offset, record)`);
  } else {
    assert.equal(threaded.error, undefined, `${name}: ${String(threaded.error)}`);
    assert.deepEqual(threaded.result, inline.result, `${name}: result`);
  }
  return threaded;
}

function isGzip(path: string): boolean {
  const head = readFileSync(path).subarray(0, 2);
  return head[0] === 0x1f && head[1] === 0x8b;
}

async function gzipped(dir: string, path: string): Promise<string> {
  const gz = join(dir, `${basename(path)}.gz`);
  await writeFile(gz, gzipSync(readFileSync(path)));
  return gz;
}

test('every sample capture gzipped: the same result, samples and notes inflated on the worker and here', async (t) => {
  const dir = await tempDir(t);
  const captures = sampleCaptures();
  assert.ok(captures.length >= 10, 'the sample captures are there');
  for (const path of captures) {
    const r = await assertSameBothWays([isGzip(path) ? path : await gzipped(dir, path)]);
    assert.deepEqual(r.onWorker, [true], `${path}: on the worker`);
  }
});

test('with options that need every packet (TCP-RT, a filter, --interval), windows, groups, and several inputs: the same both ways', async (t) => {
  const dir = await tempDir(t);
  const [mixed] = sampleCaptures().filter((p) => p.includes('mixed-loss'));
  const [http] = sampleCaptures().filter((p) => p.endsWith('http-v4/server.pcap'));
  const gzMixed = await gzipped(dir, mixed!);
  const gzHttp = await gzipped(dir, http!);
  await assertSameBothWays([gzMixed], { by: 'flow', includeLocal: true, kinds: [2, 3], timeSeries: true, maxSegments: 8 });
  await assertSameBothWays([gzMixed], { from: { offsetNs: 1e6 }, to: { offsetNs: 50e6 }, by: 'raddr', idleTtlNs: 1e6 });
  const evenLengths = { matches: (pkt: CapturedPacket) => pkt.bytes.length % 2 === 0 };
  const filtered = await assertSameBothWays([gzMixed], { packetFilter: evenLengths });
  assert.deepEqual(filtered.onWorker, [true]);
  const intervals = await assertSameBothWays([gzMixed], { intervalNs: 5e6 });
  assert.deepEqual(intervals.onWorker, [true]);
  const tcprt = await assertSameBothWays([gzHttp], { tcprt: { rules: [lport(8080)], statsIntervalNs: 0, firstFrameBytes: [100], flush: true } });
  assert.deepEqual(tcprt.onWorker, [true]);
  assert.ok(
    tcprt.events.some((e) => e.startsWith('record ')),
    'TCP-RT records were made',
  );
  // Several inputs: each is probed here (its first packet only), then inflated on a worker.
  const both = await assertSameBothWays([gzHttp, gzMixed, http!]);
  assert.deepEqual(both.onWorker, [true, true, false], 'plain captures are never inflated on a worker');
});

test('refused and accepted bad inputs, gzipped: the same error after the same packets, or the same warnings', async (t) => {
  const dir = await tempDir(t);
  const bad = [...REFUSED, ...ACCEPTED];
  let gzipCases = 0;
  for (const input of bad) {
    const path = await input.make(dir);
    // A missing file or a directory fails before any byte is read: the same either way.
    if (!statSync(path, { throwIfNoEntry: false })?.isFile()) {
      await assertSameBothWays([path]);
      continue;
    }
    if (isGzip(path)) gzipCases++;
    await assertSameBothWays([isGzip(path) ? path : await gzipped(dir, path)]);
  }
  assert.ok(gzipCases >= 4, `${gzipCases} of the bad inputs are gzip faults of their own (corrupt, cut short, trailing bytes)`);
});

test('many chunks with a slow consumer: the worker waits for the reader, nothing is lost', async (t) => {
  const dir = await tempDir(t);
  // About 4 times CHUNK_SIZE per WORKER_AHEAD_CHUNKS of decompressed capture.
  const segments = Math.ceil((4 * WORKER_AHEAD_CHUNKS * CHUNK_SIZE) / 150);
  const gz = join(dir, 'many.pcap.gz');
  await writeFile(gz, gzipSync(bulkCapture(segments, 10), { level: 1 }));
  let calls = 0;
  // Every few chunks the consumer holds the reading back: the worker must wait, not drop.
  const backpressure = (): Promise<void> | undefined => (++calls % 3 === 0 ? new Promise((r) => setTimeout(r, 5)) : undefined);
  const r = await assertSameBothWays([gz], { backpressure });
  assert.deepEqual(r.onWorker, [true]);
  assert.ok(r.result!.summary.count > segments, `${r.result!.summary.count} samples of ${segments} segments`);
});

test('aborted mid-read: the worker stops, the result covers a prefix of the capture', async (t) => {
  const dir = await tempDir(t);
  const segments = Math.ceil((3 * CHUNK_SIZE) / 150);
  const gz = join(dir, 'abort.pcap.gz');
  await writeFile(gz, gzipSync(bulkCapture(segments, 10), { level: 1 }));
  const controller = new AbortController();
  let chunks = 0;
  // Asked before each chunk is read: the second time, the run is interrupted (as by a signal).
  const backpressure = (): undefined => {
    if (++chunks === 2) controller.abort();
    return undefined;
  };
  const r = await run([gz], true, { signal: controller.signal, backpressure });
  assert.deepEqual(r.onWorker, [true]);
  assert.equal(r.error, undefined, String(r.error));
  const packets = r.result!.inputs[0]!.packets;
  assert.ok(packets > 0 && packets < 2 * segments + 3, `read ${packets} packets of ${2 * segments + 3}`);
  // Aborted before it starts: the first chunk at most, and no thread left behind (the test
  // would not end).
  const early = await run([gz], true, { signal: AbortSignal.abort() });
  assert.ok(early.result!.inputs[0]!.packets <= packets, `${early.result!.inputs[0]!.packets} packets`);
});

test('by default only gzip files of WORKER_MIN_GZIP_BYTES or more are inflated on a worker; never a plain file, a FIFO or stdin', async (t) => {
  const dir = await tempDir(t);
  const small = sampleCaptures()[0]!;
  const opensOnWorker = async (path: string, from = WORKER_MIN_GZIP_BYTES): Promise<boolean> => {
    const input = new CaptureInput(path, 0, from);
    await input.open();
    input.close();
    return input.inflatedOnWorker;
  };
  // A real gzip member, then zeros up to `size` (gzip's padding, read without complaint).
  const sized = async (name: string, bytes: Uint8Array, size: number): Promise<string> => {
    const path = join(dir, name);
    const handle = await open(path, 'w');
    await handle.write(bytes, 0, bytes.length, 0);
    await handle.truncate(size);
    await handle.close();
    return path;
  };
  const gz = gzipSync(readFileSync(small));
  assert.equal(await opensOnWorker(await sized('big.pcap.gz', gz, WORKER_MIN_GZIP_BYTES)), true);
  assert.equal(await opensOnWorker(await sized('smaller.pcap.gz', gz, WORKER_MIN_GZIP_BYTES - 1)), false);
  assert.equal(await opensOnWorker(await sized('big.pcap', readFileSync(small), 4 * WORKER_MIN_GZIP_BYTES), 0), false, 'a plain capture is read here');
  assert.equal(await opensOnWorker(await sized('tiny.pcap.gz', gz, gz.length), 0), true);
  assert.equal(await opensOnWorker(await sized('tiny2.pcap.gz', gz, gz.length), Infinity), false);
  // A FIFO is never handed to a worker; this one gets a gzipped capture from a writer.
  const fifo = join(dir, 'capture.fifo');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
  const writer = spawn('sh', ['-c', `cat '${join(dir, 'tiny.pcap.gz')}' > '${fifo}'`], { stdio: 'ignore' });
  assert.equal(await opensOnWorker(fifo, 0), false);
  writer.kill();
});
