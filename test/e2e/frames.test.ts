/**
 * The frame numbers in --csv are tshark's: for every sample of every real capture, tshark's
 * frame `ack_frame` is the ACK (its capture time is the sample's ts, it comes from the
 * acknowledging host) and frame `seg_frame` is the data segment (from the sender, exactly
 * rtt_us earlier). Where tshark times the same ACK (tcp.analysis.acks_frame), it names the same
 * segment for every `data` and `syn` sample. With several inputs the numbers count per file:
 * a capture cut in two gives samples whose segment is in one slice and whose ACK is in the next.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasCommand, parseCsv, runCliInProcess, type CsvSample } from '../helpers/cli.js';
import { sampleCaptures, tempDir } from '../helpers/paths.js';
import { tsharkFrames } from '../helpers/tshark.js';

interface Frame {
  timeNs: bigint;
  src: string;
  srcPort: number;
  /** tcp.analysis.acks_frame: the segment tshark pairs this ACK with (0 if none). */
  acksFrame: number;
}

function epochNs(text: string): bigint {
  const [sec, frac = ''] = text.split('.');
  return BigInt(sec!) * 1_000_000_000n + BigInt(frac.padEnd(9, '0').slice(0, 9));
}

/** Every frame of a capture as tshark numbers them (frame 1 is index 1). */
function tsharkFramesNs(path: string): Frame[] {
  return tsharkFrames(path).map((f) => ({ timeNs: epochNs(f.epoch), src: f.src, srcPort: f.srcPort, acksFrame: f.acksFrame }));
}

function rttNs(s: CsvSample): bigint {
  return BigInt(Math.round(s.rttUs * 1000));
}

/** The sample's two frames are the packets it says: ACK at ts from dst, segment rtt earlier from src. */
function assertFrames(name: string, s: CsvSample, seg: Frame | undefined, ack: Frame | undefined): void {
  const where = `${name}: ${s.kind} sample at ${s.ts} (frames ${s.segFrame} -> ${s.ackFrame})`;
  assert.ok(seg && ack, `${where}: no such frame`);
  assert.equal(ack.timeNs, epochNs(s.ts), `${where}: the ACK frame's time is the sample's ts`);
  assert.equal(ack.src, s.dst, `${where}: the ACK comes from the acknowledging host`);
  assert.equal(ack.srcPort, s.dport, where);
  assert.equal(seg.src, s.src, `${where}: the segment comes from the sender`);
  assert.equal(seg.srcPort, s.sport, where);
  assert.equal(ack.timeNs - seg.timeNs, rttNs(s), `${where}: the two frames are rtt_us apart`);
}

const skipTshark = !hasCommand('tshark') && 'tshark is not installed';

for (const path of sampleCaptures()) {
  const name = path.slice(path.indexOf('samples/'));
  test(`--csv frame numbers open the sample's segment and ACK in tshark: ${name}`, { skip: skipTshark }, async () => {
    const run = await runCliInProcess([path, '--include-local', '--csv', '-', '-q']);
    assert.equal(run.status, 0, run.stderr);
    const samples = parseCsv(run.stdout);
    assert.ok(samples.length > 0);
    const frames = tsharkFramesNs(path);
    let sameAsTshark = 0;
    for (const s of samples) {
      assertFrames(name, s, frames[s.segFrame], frames[s.ackFrame]);
      const theirs = frames[s.ackFrame]!.acksFrame;
      if (theirs !== 0 && s.kind !== 'ts') {
        assert.equal(s.segFrame, theirs, `${name}: at ${s.ts} tshark pairs ACK ${s.ackFrame} with frame ${theirs}, rttscan with ${s.segFrame}`);
        sameAsTshark++;
      }
    }
    assert.ok(sameAsTshark > 0, `${name}: tshark timed none of rttscan's ACKs`);
  });
}

test('with several inputs, frame numbers count per file and seg_input/ack_input name it', {
  skip: skipTshark || (!hasCommand('editcap') && 'editcap is not installed'),
}, async (t) => {
  const dir = await tempDir(t);
  const whole = join(process.cwd(), 'samples', 'mixed-loss', 'server.pcap');
  // Slices of 1000 packets, as a rotating tcpdump -C would leave them.
  const split = spawnSync('editcap', ['-c', '1000', whole, join(dir, 'slice.pcap')], { encoding: 'utf8' });
  assert.equal(split.status, 0, split.stderr);
  const slices = spawnSync('sh', ['-c', `ls ${dir}/slice*.pcap`], { encoding: 'utf8' })
    .stdout.trim()
    .split('\n');
  assert.ok(slices.length >= 3, `editcap made ${slices.length} slices`);
  const csvPath = join(dir, 'rtt.csv');
  const run = await runCliInProcess([...slices, '--include-local', '--csv', csvPath, '-q']);
  assert.equal(run.status, 0, run.stderr);
  const text = readFileSync(csvPath, 'utf8');
  assert.match(text.split('\n')[0]!, /,seg_frame,ack_frame,seg_input,ack_input$/);
  const rows = text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(','));
  const samples = parseCsv(text);
  const framesOf = new Map(slices.map((s) => [s, tsharkFramesNs(s)]));
  let straddling = 0;
  samples.forEach((s, i) => {
    const [segInput, ackInput] = rows[i]!.slice(9) as [string, string];
    assert.ok(framesOf.has(segInput) && framesOf.has(ackInput), `row ${i + 1}: inputs ${segInput}, ${ackInput}`);
    assertFrames(`row ${i + 1}`, s, framesOf.get(segInput)![s.segFrame], framesOf.get(ackInput)![s.ackFrame]);
    if (segInput !== ackInput) straddling++;
  });
  assert.ok(straddling > 0, 'some sample has its segment in one slice and its ACK in the next');
  // The same samples as the whole capture gives, frames aside.
  const wholeSamples = parseCsv((await runCliInProcess([whole, '--include-local', '--csv', '-', '-q'])).stdout);
  assert.deepEqual(
    samples.map((s) => `${s.ts} ${s.rttUs} ${s.kind}`),
    wholeSamples.map((s) => `${s.ts} ${s.rttUs} ${s.kind}`),
  );
});
