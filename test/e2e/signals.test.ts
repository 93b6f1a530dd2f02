/**
 * Signals on offline runs (issue 16): SIGINT, SIGTERM and SIGHUP (what Ctrl-C, `timeout` and a
 * CI cancellation send) end the read, write the report of what was read, leave --csv files
 * complete, and exit 128 + the signal's number. A FIFO input never keeps the process waiting
 * after the report, with a writer that holds it open or with no writer at all.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { gzipSync } from 'node:zlib';
import { parseCsv, runCliInProcess } from '../helpers/cli.js';
import { CLI_PATH, REPO_ROOT, tempDir } from '../helpers/paths.js';

const SERVER = 'samples/http-v4/server.pcap';
const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;

/**
 * Resolves once rttscan's own handlers are in place: it catches SIGINT, SIGTERM and SIGHUP
 * together, and Node catches SIGINT and SIGTERM for itself while it starts, so SIGHUP is the
 * one to look for in the SigCgt mask of /proc/PID/status. 10 s at most.
 */
async function handlersInstalled(pid: number): Promise<void> {
  await caughtBy(pid, SIGNALS.SIGHUP);
}

async function caughtBy(pid: number, signal: number): Promise<void> {
  for (let waited = 0; waited < 10_000; waited += 20) {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const mask = BigInt(`0x${/^SigCgt:\s*([0-9a-f]+)$/m.exec(status)?.[1] ?? '0'}`);
    if ((mask >> BigInt(signal - 1)) & 1n) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`process ${pid} did not start catching signal ${signal} within 10 s`);
}

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Spawns rttscan, killed when the test ends if it is still running (a failed test must not hang the run). */
function startRttscan(t: TestContext, args: string[], stdin: 'pipe' | 'ignore'): ChildProcess {
  const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd: REPO_ROOT, stdio: [stdin, 'pipe', 'pipe'] });
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    child.stdin?.destroy();
  });
  return child;
}

function collect(child: ChildProcess): Promise<Ended> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/** Fails the test instead of hanging when the process does not end within `ms`. */
async function within<T>(ms: number, what: string, promise: Promise<T>, child: ChildProcess): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what}: still running after ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function mkfifo(path: string): void {
  assert.equal(spawnSync('mkfifo', [path]).status, 0, 'mkfifo');
}

for (const [name, number] of Object.entries(SIGNALS) as Array<[keyof typeof SIGNALS, number]>) {
  test(`offline ${name}: the report of what was read, a complete --csv file, exit ${128 + number}`, async (t) => {
    const dir = await tempDir(t);
    const csv = join(dir, 'rtt.csv');
    // The whole capture on stdin, then a pipe that stays open: only the signal ends the run.
    const child = startRttscan(t, ['-', '--csv', csv, '--json', '-', '-q'], 'pipe');
    const ended = collect(child);
    child.stdin!.write(readFileSync(join(REPO_ROOT, SERVER)));
    await handlersInstalled(child.pid!);
    // Time to read the 30 KB capture once the handler is in place (nothing to wait on: the run waits for more).
    await new Promise((r) => setTimeout(r, 1000));
    child.kill(name);
    const r = await within(10_000, name, ended, child);
    child.stdin!.destroy();
    assert.equal(r.code, 128 + number, r.stderr);
    assert.match(r.stderr, /interrupted/);
    const doc = JSON.parse(r.stdout) as { inputs: Array<{ packets: number }>; summary: { samples: number } };
    assert.equal(doc.inputs[0]!.packets, 303);
    assert.equal(doc.summary.samples, 108);
    const rows = parseCsv(readFileSync(csv, 'utf8'));
    assert.equal(rows.length, 108, 'every sample read is in the CSV file');
  });
}

test('Ctrl-C on gzipped stdin held open: the report of what was read, exit 130', async (t) => {
  const child = startRttscan(t, ['-', '--json', '-', '-q'], 'pipe');
  const ended = collect(child);
  child.stdin!.write(gzipSync(readFileSync(join(REPO_ROOT, SERVER))));
  await handlersInstalled(child.pid!);
  await new Promise((r) => setTimeout(r, 1000));
  child.kill('SIGINT');
  const r = await within(10_000, 'Ctrl-C on gzipped stdin', ended, child);
  child.stdin!.destroy();
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /interrupted/);
  assert.equal((JSON.parse(r.stdout) as { summary: { samples: number } }).summary.samples, 108);
});

test('Ctrl-C on a FIFO whose writer holds it open: the report, then exit 130 at once', async (t) => {
  const fifo = join(await tempDir(t), 'capture.fifo');
  mkfifo(fifo);
  const child = startRttscan(t, [fifo, '--json', '-', '-q'], 'ignore');
  const ended = collect(child);
  // A writer like `tcpdump -w FIFO`: writes the capture and keeps the FIFO open.
  const writer = openSync(fifo, 'w');
  t.after(() => closeSync(writer));
  writeSync(writer, readFileSync(join(REPO_ROOT, SERVER)));
  await handlersInstalled(child.pid!);
  await new Promise((r) => setTimeout(r, 1000));
  child.kill('SIGINT');
  const r = await within(10_000, 'Ctrl-C on a FIFO with a writer', ended, child);
  assert.equal(r.code, 130, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { summary: { samples: number } }).summary.samples, 108);
});

test('Ctrl-C on a FIFO that no writer opened: an empty report, exit 130, no hang', async (t) => {
  const fifo = join(await tempDir(t), 'nobody.fifo');
  mkfifo(fifo);
  const child = startRttscan(t, [fifo, '--json', '-', '-q'], 'ignore');
  const ended = collect(child);
  await handlersInstalled(child.pid!);
  child.kill('SIGINT');
  const r = await within(10_000, 'Ctrl-C on a FIFO without a writer', ended, child);
  assert.equal(r.code, 130, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { summary: { samples: number } }).summary.samples, 0);
});

test('a FIFO is read like a file when its writer closes it', async (t) => {
  const fifo = join(await tempDir(t), 'capture.fifo');
  mkfifo(fifo);
  const child = startRttscan(t, [fifo, '--json', '-', '-q'], 'ignore');
  const ended = collect(child);
  const writer = openSync(fifo, 'w');
  writeSync(writer, readFileSync(join(REPO_ROOT, SERVER)));
  closeSync(writer);
  const r = await within(10_000, 'FIFO', ended, child);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    JSON.stringify((JSON.parse(r.stdout) as { summary: unknown }).summary),
    JSON.stringify((JSON.parse((await runCliInProcess([SERVER, '--json', '-', '-q'])).stdout) as { summary: unknown }).summary),
  );
});
