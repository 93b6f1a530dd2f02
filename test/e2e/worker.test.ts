/**
 * Gzip files inflated on a worker as users meet it (the CLI's main; RTTSCAN_WORKER_MIN_BYTES=0
 * forces it on small captures, `never` turns it off): the same bytes on stdout and stderr and the
 * same exit code either way, for captures plain and gzipped, through stdin and a FIFO
 * (bin/rttscan: never on the worker, the same as the file on it), and a Ctrl-C while the worker
 * inflates ahead of a slow output.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { writeFile } from 'node:fs/promises';
import { parseCsv, runCli, runCliInProcess } from '../helpers/cli.js';
import { bulkCapture } from '../helpers/big-capture.js';
import { CLI_PATH, REPO_ROOT, tempDir } from '../helpers/paths.js';

const ON = { RTTSCAN_WORKER_MIN_BYTES: '0' };
const OFF = { RTTSCAN_WORKER_MIN_BYTES: 'never' };
const CAPTURES = ['samples/mixed-loss/server.pcap', 'samples/http-v6-pcapng/client.pcapng', 'samples/loopback-sll2-ns.pcap'];

test('the CLI prints the same with and without the worker: --csv and --json, plain and gzipped, file and stdin', async (t) => {
  const dir = await tempDir(t);
  for (const capture of CAPTURES) {
    const gz = join(dir, 'capture.gz');
    await writeFile(gz, gzipSync(readFileSync(join(REPO_ROOT, capture))));
    for (const path of [capture, gz]) {
      const args = [path, '--csv', '-', '--by', 'flow', '--json', join(dir, 'doc.json')];
      const on = await runCliInProcess(args, ON);
      const onDoc = readFileSync(join(dir, 'doc.json'), 'utf8');
      const off = await runCliInProcess(args, OFF);
      const offDoc = readFileSync(join(dir, 'doc.json'), 'utf8');
      assert.equal(on.status, 0, on.stderr);
      assert.deepEqual(on, off, `${capture}${path === gz ? ' gzipped' : ''}`);
      assert.equal(onDoc, offDoc);
      // stdin is read in the main thread whatever the threshold: the same report as the file's.
      const piped = runCli(['-', '--csv', '-', '--by', 'flow', '-q'], readFileSync(path === gz ? gz : join(REPO_ROOT, path)), ON);
      assert.equal(piped.stdout, on.stdout, `${capture} on stdin`);
    }
  }
});

test('a FIFO is read in the main thread whatever the threshold, and gives what the file gives', async (t) => {
  const fifo = join(await tempDir(t), 'capture.fifo');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
  const child = spawn(process.execPath, [CLI_PATH, fifo, '--csv', '-', '-q'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...ON } });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const writer = openSync(fifo, 'w'); // waits for rttscan to open it for reading
  writeSync(writer, readFileSync(join(REPO_ROOT, CAPTURES[0]!)));
  closeSync(writer);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.equal(code, 0);
  assert.equal(stdout, (await runCliInProcess([CAPTURES[0]!, '--csv', '-', '-q'], ON)).stdout);
});

test('a corrupt record in a gzipped capture: the same message and exit code with and without the worker', async (t) => {
  const path = join(await tempDir(t), 'corrupt.pcap.gz');
  const bytes = Buffer.from(readFileSync(join(REPO_ROOT, CAPTURES[0]!)));
  let at = 24;
  for (let i = 0; i < 100; i++) at += 16 + bytes.readUInt32LE(at + 8);
  bytes.writeUInt32LE(0x7fffffff, at + 8); // record 101's caplen
  await writeFile(path, gzipSync(bytes));
  const on = await runCliInProcess([path, '--json', '-'], ON);
  const off = await runCliInProcess([path, '--json', '-'], OFF);
  assert.equal(on.status, 2);
  assert.match(on.stderr, /record 101 at offset 0x[0-9a-f]+: caplen 2147483647/);
  assert.deepEqual(on, off);
});

test('RTTSCAN_WORKER_MIN_BYTES that is not a byte count is a usage error', async () => {
  const r = await runCliInProcess([CAPTURES[0]!, '--json', '-'], { RTTSCAN_WORKER_MIN_BYTES: '64M' });
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim(), 'rttscan: RTTSCAN_WORKER_MIN_BYTES=64M: not a byte count (a whole number, or never)');
});

test('Ctrl-C while the worker waits on a slow output: the report of what was read, every sample in the CSV, exit 130', async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, 'big.pcap.gz');
  const segments = 200_000;
  await writeFile(path, gzipSync(bulkCapture(segments, 10), { level: 1 }));
  const json = join(dir, 'doc.json');
  // Given the local host, samples stream as found; nobody reads stdout yet, so the CSV backs up,
  // the analysis waits for it and the worker for the analysis.
  const child = spawn(process.execPath, [CLI_PATH, path, '--local', '10.0.0.1', '--csv', '-', '--json', json, '-q'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...ON },
  });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.pause();
  // Wait for the pipe to fill (the first rows are out, the rest held back), then interrupt.
  await new Promise<void>((resolve) => child.stdout.once('readable', () => resolve()));
  await new Promise((r) => setTimeout(r, 500));
  child.kill('SIGINT');
  const chunks: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => chunks.push(d));
  child.stdout.resume();
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.equal(code, 130, stderr);
  const doc = JSON.parse(readFileSync(json, 'utf8')) as { inputs: Array<{ packets: number }>; summary: { samples: number } };
  const total = 2 * segments + 3;
  assert.ok(doc.inputs[0]!.packets < total, `interrupted, yet read all ${total} packets`);
  const rows = parseCsv(Buffer.concat(chunks).toString('utf8'));
  assert.equal(rows.length, doc.summary.samples, 'every sample in the report is in the CSV');
});
