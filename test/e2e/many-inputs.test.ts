/**
 * Many inputs (issue 16 item 9): rttscan once opened every input at once, with three 1 MiB read
 * buffers each: 500 files took 1.6 GB, and past the descriptor limit it failed with "too many
 * open files". Now each file is opened only when the time merge reaches it. Checked on
 * generated captures: 500 and 2,000 rotated files (one after another in time) under a limit
 * of 256 descriptors, whose analysis equals that of the one capture they were cut from; peak
 * memory that does not grow with the number of files; and overlapping files, whose merge
 * order is the one reading them all at once gives (by time, ties to the file named first).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ACK, ethernet, ipv4, pcapFile, PSH, record, SYN, tcp, type PcapRecord } from '../helpers/capture-writer.js';
import { runCliInProcess } from '../helpers/cli.js';
import { CLI_PATH, LIBRARY_PATH, REPO_ROOT, tempDir } from '../helpers/paths.js';

/** One short connection (handshake, request, response, ACK) from client port `port`, starting at `startMs`. */
function connection(port: number, startMs: number, rttMs: number): PcapRecord[] {
  const c = (ms: number, seg: Parameters<typeof tcp>[0]): PcapRecord => {
    const ns = Math.round((startMs + ms) * 1e6);
    return record(ethernet(ipv4(tcp(seg), { src: '10.0.0.1', dst: '10.0.0.2' })), 1_700_000_000 + Math.floor(ns / 1e9), ns % 1e9);
  };
  const s = (ms: number, seg: Parameters<typeof tcp>[0]): PcapRecord => {
    const ns = Math.round((startMs + ms) * 1e6);
    return record(ethernet(ipv4(tcp(seg), { src: '10.0.0.2', dst: '10.0.0.1' })), 1_700_000_000 + Math.floor(ns / 1e9), ns % 1e9);
  };
  return [
    c(0, { srcPort: port, dstPort: 80, seq: 100, flags: SYN }),
    s(rttMs, { srcPort: 80, dstPort: port, seq: 900, ack: 101, flags: SYN | ACK }),
    c(rttMs + 0.05, { srcPort: port, dstPort: 80, seq: 101, ack: 901, flags: ACK }),
    c(rttMs + 0.1, { srcPort: port, dstPort: 80, seq: 101, ack: 901, flags: PSH | ACK, payloadLen: 100 }),
    s(2 * rttMs + 0.1, { srcPort: 80, dstPort: port, seq: 901, ack: 201, flags: PSH | ACK, payloadLen: 500 }),
    c(3 * rttMs + 0.1, { srcPort: port, dstPort: 80, seq: 201, ack: 1401, flags: ACK }),
  ];
}

/** `files` rotated slices of one capture: file i holds connections i*3 .. i*3+2, 20 ms apart (each lasts 16 ms at most). */
async function writeRotated(dir: string, files: number): Promise<{ paths: string[]; whole: string }> {
  const all: PcapRecord[] = [];
  const paths: string[] = [];
  for (let i = 0; i < files; i++) {
    const records: PcapRecord[] = [];
    for (let k = 0; k < 3; k++) records.push(...connection(1024 + ((i * 3 + k) % 60000), (i * 3 + k) * 20, 1 + ((i * 7 + k) % 5)));
    records.sort((a, b) => a.sec - b.sec || a.frac - b.frac);
    const path = join(dir, `slice-${String(i).padStart(5, '0')}.pcap`);
    await writeFile(path, pcapFile(records, { nanos: true }));
    paths.push(path);
    all.push(...records);
  }
  const whole = join(dir, 'whole.pcap');
  await writeFile(whole, pcapFile(all, { nanos: true }));
  return { paths, whole };
}

type ChildAnalysis = { summary: Record<string, number>; inputs: number; packets: number; maxRssKb: number };

/**
 * Each child's analysis, by its inputs: the 2,000-file run's figures serve both the test of its
 * result and the test of its peak memory (the same command, run once).
 */
const childAnalyses = new Map<string, ChildAnalysis>();

function analyzeInChild(paths: string[]): ChildAnalysis {
  const key = JSON.stringify(paths);
  let known = childAnalyses.get(key);
  if (known === undefined) childAnalyses.set(key, (known = analyzeInFreshChild(paths)));
  return known;
}

/** The library, in a child with at most 256 descriptors; prints the result's figures and the peak RSS. */
function analyzeInFreshChild(paths: string[]): ChildAnalysis {
  const script = `
    import { analyze } from ${JSON.stringify(LIBRARY_PATH)};
    const paths = JSON.parse(process.argv[1]);
    const r = await analyze(paths, { includeLocal: true });
    const s = r.summary;
    process.stdout.write(JSON.stringify({
      summary: { samples: s.count, minUs: s.minUs, maxUs: s.maxUs, mean: s.mean, srttUs: s.srttUs, jitter: s.jitter },
      inputs: r.inputs.length,
      packets: r.inputs.reduce((n, i) => n + i.packets, 0),
      maxRssKb: process.resourceUsage().maxRSS,
    }));`;
  const r = spawnSync('sh', ['-c', 'ulimit -n 256 && exec "$0" --input-type=module -e "$1" "$2"', process.execPath, script, JSON.stringify(paths)], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(r.status, 0, r.stderr.slice(0, 3000));
  return JSON.parse(r.stdout) as ChildAnalysis;
}

/** Each set of rotated files written once for the tests here, in a directory removed at the end. */
const rotatedSets = new Map<number, Promise<{ dir: string; paths: string[]; whole: string }>>();
after(() => Promise.all([...rotatedSets.values()].map(async (set) => rm((await set).dir, { recursive: true, force: true }))));

function rotated(files: number): Promise<{ dir: string; paths: string[]; whole: string }> {
  let set = rotatedSets.get(files);
  if (set === undefined) {
    set = mkdtemp(join(tmpdir(), 'rttscan-test-')).then(async (dir) => ({ dir, ...(await writeRotated(dir, files)) }));
    rotatedSets.set(files, set);
  }
  return set;
}

for (const files of [500, 2000]) {
  test(`${files} rotated files under a limit of 256 descriptors: the analysis of the whole capture`, async () => {
    const { dir, paths, whole } = await rotated(files);
    const split = analyzeInChild(paths);
    const one = analyzeInChild([whole]);
    assert.equal(split.inputs, files);
    assert.equal(split.packets, files * 18);
    assert.deepEqual(split.summary, one.summary);
    // Four samples a connection: both handshake halves, the request and the response.
    assert.equal(split.summary.samples, files * 3 * 4);
    // Through the CLI too, as a user runs it (a shell glob of the files).
    const cli = spawnSync('sh', ['-c', `ulimit -n 256 && exec "$0" "$1" ${JSON.stringify(join(dir, 'slice-'))}*.pcap --include-local --json - -q`, process.execPath, CLI_PATH], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    assert.equal(cli.status, 0, cli.stderr.slice(0, 2000));
    assert.equal((JSON.parse(cli.stdout) as { summary: { samples: number } }).summary.samples, files * 12);
  });
}

test('peak memory does not grow with the number of files', async () => {
  const few = analyzeInChild((await rotated(50)).paths);
  const many = analyzeInChild((await rotated(2000)).paths);
  // 40 times the files: main's three 1 MiB buffers per open file would add some 6 GB here.
  assert.ok(many.maxRssKb < few.maxRssKb + 64 * 1024, `peak RSS ${few.maxRssKb} kB for 50 files, ${many.maxRssKb} kB for 2000`);
});

test('overlapping files merge by time with --join, ties to the file named first, as one file of the same packets', async (t) => {
  const dir = await tempDir(t);
  // Three captures of interleaved connections over the same second, some packets at equal times.
  const parts: PcapRecord[][] = [[], [], []];
  for (let i = 0; i < 60; i++) parts[i % 3]!.push(...connection(2000 + i, (i % 20) * 7, 1 + (i % 4)));
  const paths: string[] = [];
  for (const [k, records] of parts.entries()) {
    records.sort((a, b) => a.sec - b.sec || a.frac - b.frac);
    paths.push(join(dir, `part${k}.pcap`));
    await writeFile(paths[k]!, pcapFile(records, { nanos: true }));
  }
  // The reference order: every packet by time, ties to the earlier file, within a file as written.
  const tagged = parts.flatMap((records, file) => records.map((r, i) => ({ r, file, i })));
  tagged.sort((a, b) => a.r.sec - b.r.sec || a.r.frac - b.r.frac || a.file - b.file || a.i - b.i);
  const whole = join(dir, 'whole.pcap');
  await writeFile(
    whole,
    pcapFile(
      tagged.map((x) => x.r),
      { nanos: true },
    ),
  );
  const csv = async (args: string[]): Promise<string> => {
    const r = await runCliInProcess([...args, '--csv', '-', '-q', '--include-local']);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  // Overlapping captures are separate capture points unless --join says they are one (issue 10).
  // The same samples in the same order; the frame columns differ by design (each file counts its
  // own frames, and names itself in seg_input/ack_input), so the first seven are compared.
  const sampleColumns = (text: string): string =>
    text
      .split('\n')
      .map((line) => line.split(',').slice(0, 7).join(','))
      .join('\n');
  const joined = await csv([...paths, '--join']);
  assert.equal(sampleColumns(joined), sampleColumns(await csv([whole])));
  assert.ok(joined.split('\n').length > 100);
});
