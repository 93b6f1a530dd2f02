/**
 * tshark's dissection of a capture, made once per test run: one tshark call per capture prints
 * every field the cross-checks read (frames.test.ts, crosscheck.test.ts, vantage.test.ts), for
 * every frame, and each test picks what it needs. tshark spends about 0.3 s of CPU starting up,
 * so three files each running it on the same captures cost a third of the suite's tshark time
 * twice over. The text tshark printed is kept in RTTSCAN_TEST_CACHE (a directory scripts/test.mjs
 * makes for one `npm test` and removes after it), keyed by the capture's path, size and mtime and
 * tshark's arguments: a capture made or changed during the run is dissected again. Without that
 * directory (one test file run by hand) the result is kept for the process only. Nothing of
 * tshark's output is ever committed: every run asks tshark.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** One frame as tshark numbers and dissects it. */
export interface TsharkFrame {
  /** frame.time_epoch as tshark prints it (`seconds.nanoseconds`). */
  epoch: string;
  /** ip.src, else ipv6.src. */
  src: string;
  srcPort: number;
  /** tcp.analysis.acks_frame: the segment tshark pairs this ACK with (0 if none). */
  acksFrame: number;
  /** tcp.analysis.ack_rtt in seconds as tshark prints it; undefined where tshark times nothing. */
  ackRtt: string | undefined;
}

const FIELDS = ['frame.number', 'frame.time_epoch', 'ip.src', 'ipv6.src', 'tcp.srcport', 'tcp.analysis.acks_frame', 'tcp.analysis.ack_rtt'];

const inProcess = new Map<string, string>();

/** tshark's text for `args` on `path`, from the run's cache when another test already asked. */
function tsharkText(path: string, args: readonly string[]): string {
  const st = statSync(path);
  const key = createHash('sha256')
    .update(JSON.stringify([resolve(path), st.size, st.mtimeMs, args]))
    .digest('hex');
  const dir = process.env.RTTSCAN_TEST_CACHE;
  const file = dir === undefined || dir === '' ? undefined : join(dir, `tshark-${key}.txt`);
  const known = file === undefined ? inProcess.get(key) : readIfThere(file);
  if (known !== undefined) return known;
  const r = spawnSync('tshark', ['-r', path, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  assert.equal(r.status, 0, r.stderr);
  if (file === undefined) inProcess.set(key, r.stdout);
  else {
    // Written whole, then renamed: a test file running beside this one reads all of it or none.
    writeFileSync(`${file}.${process.pid}`, r.stdout);
    renameSync(`${file}.${process.pid}`, file);
  }
  return r.stdout;
}

function readIfThere(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Every frame of a capture, indexed by tshark's frame number (frame 1 is index 1). */
export function tsharkFrames(path: string): TsharkFrame[] {
  const text = tsharkText(path, ['-T', 'fields', ...FIELDS.flatMap((f) => ['-e', f])]);
  const frames: TsharkFrame[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const [number, epoch, ip4, ip6, port, acks, rtt] = line.split('\t') as [string, string, string, string, string, string, string];
    frames[Number(number)] = { epoch, src: ip4 || ip6, srcPort: Number(port), acksFrame: Number(acks || 0), ackRtt: rtt === '' ? undefined : rtt };
  }
  return frames;
}

/** The frames tshark gives an ack_rtt, in order: what `tshark -Y tcp.analysis.ack_rtt` prints. */
export function tsharkTimedAcks(path: string): TsharkFrame[] {
  return tsharkFrames(path).filter((f) => f !== undefined && f.ackRtt !== undefined);
}
