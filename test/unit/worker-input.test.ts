/**
 * The worker path (capture/worker-input.ts): a file read and decoded on a worker thread gives
 * the analysis exactly what the in-thread path gives it — the same result, the same samples in
 * the same order, the same notes, the same warnings, the same error after the same packets — on
 * every sample capture, gzipped or not, and on every refused and accepted bad input. Forced on
 * with `workerMinBytes: 0`, off with Infinity; each run checks which path it took.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { analyze, type AnalysisResult, type AnalyzeOptions } from '../../src/analyze.js';
import { CaptureInput } from '../../src/capture/input.js';
import { SLOT_RECORDS } from '../../src/capture/packet-ring.js';
import { WORKER_MIN_GZIP_BYTES, WorkerInput, wantsWorker } from '../../src/capture/worker-input.js';
import { KIND_NAMES } from '../../src/engines/rtt/rtt-engine.js';
import { ACCEPTED, REFUSED } from '../helpers/bad-inputs.js';
import { writeSamplesCapture } from '../helpers/big-capture.js';
import { sampleCaptures, tempDir } from '../helpers/paths.js';

interface Run {
  result: AnalysisResult | undefined;
  error: unknown;
  samples: string[];
  notes: string[];
  onWorker: boolean | undefined;
}

async function run(path: string, worker: boolean, extra: AnalyzeOptions = {}): Promise<Run> {
  const samples: string[] = [];
  const notes: string[] = [];
  let onWorker: boolean | undefined;
  let result: AnalysisResult | undefined;
  let error: unknown;
  try {
    result = await analyze([path], {
      ...extra,
      workerMinBytes: worker ? 0 : Infinity,
      onSample: (s) => samples.push(`${s.ackNs} ${s.rttNs} ${KIND_NAMES[s.kind]} ${s.src}:${s.sport} ${s.dst}:${s.dport} ${s.group.key} ${s.segFrame} ${s.ackFrame}`),
      onNote: (n) => notes.push(JSON.stringify(n)),
      onInputsOpen: (inputs) => {
        onWorker = inputs[0] instanceof WorkerInput;
        if (!onWorker) assert.ok(inputs[0] instanceof CaptureInput);
      },
    });
  } catch (err) {
    error = err;
  }
  return { result, error, samples, notes, onWorker };
}

/** Both paths, checked to have taken the path asked for, then compared in every respect. */
async function assertSameBothWays(path: string, extra: AnalyzeOptions = {}): Promise<Run> {
  const threaded = await run(path, true, extra);
  const inline = await run(path, false, extra);
  assert.notEqual(threaded.onWorker, false, `${path}: the worker was asked for and not used`);
  assert.notEqual(inline.onWorker, true, `${path}: the worker was used when turned off`);
  assert.deepEqual(threaded.samples, inline.samples, `${path}: samples`);
  assert.deepEqual(threaded.notes, inline.notes, `${path}: notes`);
  if (inline.error !== undefined) {
    assert.ok(threaded.error instanceof Error, `${path}: the in-thread path threw ${String(inline.error)}, the worker path did not`);
    const [a, b] = [threaded.error as Error & { code?: string }, inline.error as Error & { code?: string }];
    assert.equal(a.constructor, b.constructor, `${path}: error class`);
    assert.equal(a.message, b.message, `${path}: error message`);
    assert.equal(a.code, b.code, `${path}: error code`);
    assert.deepEqual({ ...a }, { ...b }, `${path}: error fields (file, offset, record)`);
  } else {
    assert.equal(threaded.error, undefined, `${path}: ${String(threaded.error)}`);
    assert.deepEqual(threaded.result, inline.result, `${path}: result`);
  }
  return threaded;
}

test('every sample capture: the same result, samples and notes with and without the worker', async () => {
  const captures = sampleCaptures();
  assert.ok(captures.length >= 10, 'the sample captures are there');
  for (const path of captures) {
    const r = await assertSameBothWays(path);
    assert.equal(r.onWorker, true, `${path}: on the worker`);
  }
});

test('gzipped sample captures, and options that change what is kept, give the same both ways', async (t) => {
  const dir = await tempDir(t);
  for (const path of sampleCaptures()) {
    const gz = join(dir, `${basename(path)}.gz`);
    await writeFile(gz, gzipSync(readFileSync(path)));
    await assertSameBothWays(gz);
  }
  const [first] = sampleCaptures().filter((p) => p.includes('mixed-loss'));
  await assertSameBothWays(first!, { by: 'flow', includeLocal: true, kinds: [2, 3], timeSeries: true, maxSegments: 8 });
  await assertSameBothWays(first!, { from: { offsetNs: 1e6 }, to: { offsetNs: 50e6 }, by: 'raddr', idleTtlNs: 1e6 });
});

test('refused and accepted bad inputs: the same error after the same packets, or the same warnings', async (t) => {
  const dir = await tempDir(t);
  for (const bad of [...REFUSED, ...ACCEPTED]) {
    const path = await bad.make(dir);
    await assertSameBothWays(path);
  }
});

test('many slots: a capture of several ring slots of packets, with a slow consumer, gives the same both ways', async (t) => {
  const path = join(await tempDir(t), 'many.pcap');
  await writeSamplesCapture(path, 3 * SLOT_RECORDS);
  let calls = 0;
  // Every few batches the consumer holds the reading back: the worker must wait, not drop.
  const backpressure = (): Promise<void> | undefined => (++calls % 3 === 0 ? new Promise((r) => setTimeout(r, 5)) : undefined);
  const r = await assertSameBothWays(path, { backpressure });
  assert.ok(r.result!.summary.count > 3 * SLOT_RECORDS, `${r.result!.summary.count} samples`);
});

test('aborted mid-read: the worker stops, the result covers a prefix of the capture', async (t) => {
  const path = join(await tempDir(t), 'abort.pcap');
  const segments = 4 * SLOT_RECORDS;
  await writeSamplesCapture(path, segments);
  const controller = new AbortController();
  let batches = 0;
  // Asked before each batch of packets: the second time, the run is interrupted (as by a signal).
  const backpressure = (): undefined => {
    if (++batches === 2) controller.abort();
    return undefined;
  };
  const r = await run(path, true, { signal: controller.signal, backpressure });
  assert.equal(r.onWorker, true);
  assert.equal(r.error, undefined, String(r.error));
  const packets = r.result!.inputs[0]!.packets;
  assert.ok(packets > 0 && packets < 2 * segments + 3, `read ${packets} packets of ${2 * segments + 3}`);
  assert.ok(r.result!.summary.count > 0 && r.result!.summary.count < segments, `${r.result!.summary.count} samples`);
  // Aborted before it starts: nothing read, no thread left behind (the test would not end).
  const early = await run(path, true, { signal: AbortSignal.abort() });
  assert.equal(early.result?.summary.count, 0);
  // The summary of an interrupted pcapng says pcapng and its link type, as the in-thread one does.
  const ng = join(dirname(path), 'abort.pcapng');
  assert.equal(spawnSync('editcap', ['-F', 'pcapng', path, ng]).status, 0, 'editcap (wireshark-common)');
  const interrupted = new AbortController();
  let asked = 0;
  const ngRun = await run(ng, true, {
    signal: interrupted.signal,
    backpressure: () => {
      if (++asked === 2) interrupted.abort();
      return undefined;
    },
  });
  assert.equal(ngRun.onWorker, true);
  assert.ok(ngRun.result!.inputs[0]!.packets < 2 * segments + 3);
  assert.equal(ngRun.result!.inputs[0]!.format, 'pcapng');
  assert.equal(ngRun.result!.inputs[0]!.linktype, 'EN10MB');
});

test('the worker is not used where it cannot give the same: TCP-RT, a packet filter, --interval, stdin, several files', async () => {
  const [path] = sampleCaptures().filter((p) => p.includes('http-v4'));
  const filter = { matches: () => true };
  for (const extra of [{ packetFilter: filter }, { intervalNs: 1e9 }] as AnalyzeOptions[]) {
    const r = await run(path!, true, extra);
    assert.equal(r.onWorker, false, JSON.stringify(Object.keys(extra)));
  }
  assert.equal(await wantsWorker('-', 0), false);
  const twice: boolean[] = [];
  await analyze([path!, path!], { workerMinBytes: 0, onInputsOpen: (inputs) => twice.push(...inputs.map((i) => i instanceof WorkerInput)) });
  assert.deepEqual(twice, [false, false]);
});

test('by default only gzip files of WORKER_MIN_GZIP_BYTES or more use the worker; workerMinBytes sets a size for every file', async (t) => {
  const dir = await tempDir(t);
  const small = sampleCaptures()[0]!;
  assert.equal(await wantsWorker(small, undefined), false);
  assert.equal(await wantsWorker(small, 0), true);
  assert.equal(await wantsWorker(small, Infinity), false);
  // Sparse files: the decision reads the size and the magic only.
  const sized = async (name: string, head: Uint8Array, size: number): Promise<string> => {
    const path = join(dir, name);
    const handle = await open(path, 'w');
    await handle.write(head, 0, head.length, 0);
    await handle.truncate(size);
    await handle.close();
    return path;
  };
  const gzipMagic = new Uint8Array([0x1f, 0x8b, 8, 0]);
  const pcapMagic = new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1]);
  assert.equal(await wantsWorker(await sized('big.pcap.gz', gzipMagic, WORKER_MIN_GZIP_BYTES), undefined), true);
  assert.equal(await wantsWorker(await sized('smaller.pcap.gz', gzipMagic, WORKER_MIN_GZIP_BYTES - 1), undefined), false);
  assert.equal(await wantsWorker(await sized('big.pcap', pcapMagic, 4 * WORKER_MIN_GZIP_BYTES), undefined), false, 'a plain capture is decoded in-thread');
  assert.equal(await wantsWorker(await sized('big2.pcap', pcapMagic, 4 * WORKER_MIN_GZIP_BYTES), 1 << 20), true);
  assert.equal(await wantsWorker(join(dir, 'missing.pcap'), 0), false, 'a missing file is left to the in-thread path, which names the fault');
  assert.equal(await wantsWorker(dir, 0), false, 'nor is a directory read on a worker');
  // A FIFO is never opened to decide (opening one waits for a writer): no writer here, no wait.
  const fifo = join(dir, 'capture.fifo');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
  assert.equal(await wantsWorker(fifo, undefined), false);
  assert.equal(await wantsWorker(fifo, 0), false);
});
