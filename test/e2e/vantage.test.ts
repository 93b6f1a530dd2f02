/**
 * Whose RTT is it, and is each sample physically right, on the lab captures of
 * samples/vantage/ (made by samples/vantage/make-vantage.sh with ../shared/lab/netlab.py). Each
 * capture has its oracle file: for every ACK a host not local to the capture sent, the true RTT
 * to the ns, found in that host's own capture (../shared/lab/oracle). The default run (no
 * --local) must name the capture's true local hosts (none mid-path), report nothing those
 * hosts acknowledged, and time every sample as the oracle does, with the exceptions below.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasCommand, parseCsv, runCliInProcess, type CsvSample } from '../helpers/cli.js';
import { SAMPLES_DIR, tempDir } from '../helpers/paths.js';
import { tsharkTimedAcks } from '../helpers/tshark.js';

const VANTAGE_DIR = join(SAMPLES_DIR, 'vantage');

interface Oracle {
  capture: string;
  role: 'client' | 'server' | 'mid';
  local: string[];
  /** [ack time, sender addr:port, acker addr:port, true RTT ns, class, flags] */
  answers: Array<[string, string, string, number, string, string]>;
}

interface Doc {
  start: string;
  end: string;
  vantage: { local: string[]; mid_path: boolean; decided_by: string; confidence: string; decisions?: Array<{ local: string[] } & Record<string, unknown>> };
  summary: { samples: number; min_us: number | null; max_us: number | null };
  counters: { rtt: { local_acked: number } };
}

export interface Capture {
  path: string;
  name: string;
  oracle: Oracle;
}

export function labCaptures(): Capture[] {
  if (!existsSync(VANTAGE_DIR)) return [];
  return readdirSync(VANTAGE_DIR)
    .filter((d) => existsSync(join(VANTAGE_DIR, d, 'truth.json')))
    .sort()
    .flatMap((dir) =>
      readdirSync(join(VANTAGE_DIR, dir))
        .filter((f) => f.endsWith('.pcap'))
        .sort()
        .map((f) => ({
          path: join(VANTAGE_DIR, dir, f),
          name: `${dir}/${f}`,
          oracle: JSON.parse(readFileSync(join(VANTAGE_DIR, dir, `${f}.oracle.json`), 'utf8')) as Oracle,
        })),
    );
}

const host = (ep: string): string => ep.slice(0, ep.lastIndexOf(':')).replace(/^\[|\]$/g, '');

function endpoint(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

function sampleKey(s: CsvSample): string {
  return `${s.ts} ${endpoint(s.src, s.sport)} ${endpoint(s.dst, s.dport)}`;
}

type Run = { doc: Doc; samples: CsvSample[] };

/** Each capture's default run, made once for the several tests here that read it (never changed by them). */
const defaultRuns = new Map<string, Promise<Run>>();

/** The default run: its JSON document and its samples (one run, CSV to a file). */
function defaultRun(path: string): Promise<Run> {
  let run = defaultRuns.get(path);
  if (run === undefined) defaultRuns.set(path, (run = analyzed(path)));
  return run;
}

async function analyzed(path: string): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'rttscan-vantage-'));
  try {
    const csv = join(dir, 'samples.csv');
    const run = await runCliInProcess([path, '--csv', csv, '--json', '-', '-q']);
    assert.equal(run.status, 0, run.stderr);
    return { doc: JSON.parse(run.stdout) as Doc, samples: parseCsv(readFileSync(csv, 'utf8')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function vantageOf(path: string, args: string[]): Promise<Doc['vantage']> {
  const run = await runCliInProcess([path, ...args, '--json', '-', '-q']);
  assert.equal(run.status, 0, run.stderr);
  return (JSON.parse(run.stdout) as Doc).vantage;
}

/** How rttscan's samples compare with the oracle's truth, ACK by ACK. */
export function verdicts(samples: CsvSample[], oracle: Oracle): Map<string, number> {
  const byKey = new Map(samples.map((s) => [sampleKey(s), s]));
  const counts = new Map<string, number>();
  const add = (what: string): void => void counts.set(what, (counts.get(what) ?? 0) + 1);
  for (const [ack, sender, acker, truthNs, cls] of oracle.answers) {
    const s = byKey.get(`${ack} ${sender} ${acker}`);
    if (s === undefined) {
      add(`missed ${cls}`);
      continue;
    }
    const ns = Math.round(s.rttUs * 1000);
    add(`${ns === truthNs ? 'exact' : ns > truthNs ? 'inflated' : 'deflated'} ${s.kind} ${cls}`);
  }
  return counts;
}

const captures = labCaptures();

for (const { path, name, oracle } of captures) {
  test(`${name}: the default run names the ${oracle.role === 'mid' ? 'mid-path vantage' : `${oracle.role}'s addresses`} and times every sample as the oracle does`, async () => {
    const { doc, samples } = await defaultRun(path);
    assert.deepEqual([...doc.vantage.local].sort(), [...oracle.local].sort(), `vantage: ${JSON.stringify(doc.vantage)}`);
    assert.equal(doc.vantage.mid_path, oracle.local.length === 0);
    for (const s of samples) assert.ok(!oracle.local.includes(s.dst), `${name}: a sample acknowledged by the local host ${s.dst} at ${s.ts}`);
    const truth = new Map(oracle.answers.map(([ack, sender, acker, ns, cls, flags]) => [`${ack} ${sender} ${acker}`, { ns, cls, flags }]));
    for (const s of samples) {
      const t = truth.get(sampleKey(s));
      if (t === undefined) continue; // an ACK the oracle could not resolve
      const ns = Math.round(s.rttUs * 1000);
      const at = `${name}: ${s.kind} sample at ${s.ts} (${s.src}:${s.sport} > ${s.dst}:${s.dport}) is ${ns} ns, the oracle's ${t.ns} ns (${t.cls})`;
      if (ns === t.ns) continue;
      // Nothing is ever above the truth but an ACK whose first copy the capture never saw.
      assert.ok(ns < t.ns || t.cls === 'late-ack', at);
      if (s.kind === 'hole') continue; // timed from the segment it ends at, as tshark and tcptrace: told apart
      // A hole the receiver's SACK did not report before the jump: timed as data, as the others do.
      if (s.kind === 'data' && t.cls === 'holefill-reorder') continue;
      // The oracle times from the copy that first moved the receiver's edge, but an ACK that
      // reports a duplicate (D-SACK) answers the retransmission its TSecr names.
      if (s.kind === 'ts' && t.cls === 'retx' && !t.flags.includes('t')) continue;
      assert.fail(at);
    }
    const counts = [...verdicts(samples, oracle)].sort().map(([k, v]) => `${v} ${k}`);
    process.stdout.write(`# ${name}: ${counts.join(', ')}\n`);
  });
}

/** An epoch time `sec.nsec` plus `ms` milliseconds, in the same form. */
function plusMs(epoch: string, ms: number): string {
  const [sec, nsec] = epoch.split('.') as [string, string];
  const ns = Number(nsec) + ms * 1e6;
  return `${Number(sec) + Math.floor(ns / 1e9)}.${String(ns % 1e9).padStart(9, '0')}`;
}

for (const { path, name, oracle } of captures.filter((c) => /(client|server|mid)\.pcap$/.test(c.name))) {
  test(`${name}: a 100 ms window, address and port filters and --kind change the samples, never the vantage`, async () => {
    const whole = await vantageOf(path, []);
    const middle = oracle.answers[Math.floor(oracle.answers.length / 2)]?.[0];
    const selections = [
      ['--to', '+0.1s'],
      ['--rport', '1'],
      ['--raddr', '192.0.2.0/24'],
      ['--kind', 'syn'],
    ];
    if (middle !== undefined) selections.push(['--from', middle, '--to', plusMs(middle, 100)]);
    for (const args of selections) assert.deepEqual(await vantageOf(path, args), whole, args.join(' '));
  });
}

test("rotated slices of a one-way transfer: each gets the whole capture's answer; slices + merge = the whole less the samples across the cuts", async (t) => {
  const dir = join(VANTAGE_DIR, 'bulk-rotated');
  if (!existsSync(dir)) return t.skip('samples/vantage/bulk-rotated is absent');
  const out = await tempDir(t);
  for (const side of ['client', 'server'] as const) {
    const whole = await defaultRun(join(dir, `${side}.pcap`));
    const slices = readdirSync(dir)
      .filter((f) => f.startsWith(`${side}-`) && f.endsWith('.pcap'))
      .sort();
    assert.ok(slices.length >= 3, 'a capture in at least three slices');
    const sliced: CsvSample[] = [];
    const jsons: string[] = [];
    // Each slice's own span: a sample whose data and ACK fall in different slices is lost at a cut.
    const spans: Array<[number, number]> = [];
    for (const [i, f] of slices.entries()) {
      const run = await defaultRun(join(dir, f));
      assert.deepEqual(run.doc.vantage.local, whole.doc.vantage.local, `${f}: the whole capture's local host`);
      sliced.push(...run.samples);
      const json = join(out, `${side}-${i}.json`);
      assert.equal((await runCliInProcess([join(dir, f), '--json', json, '-q'])).status, 0);
      jsons.push(json);
      spans.push([Number(run.doc.start), Number(run.doc.end)]);
    }
    const inSlices = new Map(sliced.map((s) => [sampleKey(s), s]));
    // Frame numbers count in each slice, so they are left out of the comparison.
    const measured = (s: CsvSample | undefined): Omit<CsvSample, 'segFrame' | 'ackFrame'> | undefined => {
      if (s === undefined) return undefined;
      const { segFrame: _seg, ackFrame: _ack, ...rest } = s;
      return rest;
    };
    for (const s of sliced) assert.deepEqual(measured(s), measured(whole.samples.find((w) => sampleKey(w) === sampleKey(s))), `${side}: a slice's sample is the whole capture's`);
    const lost = whole.samples.filter((s) => !inSlices.has(sampleKey(s)));
    for (const s of lost) {
      const sentAt = Number(s.ts) - s.rttUs / 1e6;
      const slice = (time: number): number => spans.findIndex(([, last]) => time <= last + 1e-9);
      assert.notEqual(slice(sentAt), slice(Number(s.ts)), `${side}: sample at ${s.ts} lost though its data and ACK are in one slice`);
    }
    const merged = await runCliInProcess(['merge', ...jsons, '--json', '-', '-q']);
    assert.equal(merged.status, 0, merged.stderr);
    const doc = JSON.parse(merged.stdout) as Doc;
    assert.equal(doc.summary.samples, sliced.length);
    assert.deepEqual(doc.vantage.local, whole.doc.vantage.local);
    assert.equal(doc.vantage.decided_by, 'merge');
    assert.deepEqual(
      doc.vantage.decisions?.map((d) => d.local),
      slices.map(() => whole.doc.vantage.local),
    );
    if (sliced.length > 0) {
      const rtts = sliced.map((s) => s.rttUs);
      assert.equal(doc.summary.min_us, Math.min(...rtts));
      assert.equal(doc.summary.max_us, Math.max(...rtts));
    }
    process.stdout.write(`# bulk-rotated ${side}: whole ${whole.samples.length} samples, slices ${sliced.length}, lost at the cuts ${lost.length}\n`);
  }
});

/** tshark's ack_rtt per ACK, keyed "time to the µs, acknowledging address" → ns. */
function tsharkSamples(path: string): Map<string, number> {
  return new Map(tsharkTimedAcks(path).map((f) => [`${toUs(f.epoch)} ${f.src}`, Math.round(Number(f.ackRtt) * 1e9)]));
}

function toUs(epoch: string): string {
  const [sec, frac = ''] = epoch.split('.');
  return `${sec}.${frac.padEnd(9, '0').slice(0, 6)}`;
}

const withinUs = (a: number, b: number): boolean => Math.abs(a - b) <= 1000;

for (const { path, name, oracle } of captures) {
  test(`${name}: where tshark and rttscan differ, the oracle sides with rttscan`, { skip: !hasCommand('tshark') && 'tshark is not installed' }, async () => {
    const theirs = tsharkSamples(path);
    const ours = new Map((await defaultRun(path)).samples.map((s) => [`${toUs(s.ts)} ${s.dst}`, s]));
    const tally = new Map<string, number>();
    const add = (what: string): void => void tally.set(what, (tally.get(what) ?? 0) + 1);
    for (const [ack, , acker, truthNs, cls, flags] of oracle.answers) {
      const key = `${toUs(ack)} ${host(acker)}`;
      const t = theirs.get(key);
      const s = ours.get(key);
      const ns = s === undefined ? undefined : Math.round(s.rttUs * 1000);
      const tsharkRight = t !== undefined && withinUs(t, truthNs);
      const oursRight = ns !== undefined && withinUs(ns, truthNs);
      if (oursRight && !tsharkRight) add(`rttscan right, tshark ${t === undefined ? 'silent' : 'off'} (${s!.kind}, ${cls})`);
      if (tsharkRight && !oursRight) {
        add(`tshark right, rttscan ${s === undefined ? 'silent' : s.kind} (${cls})`);
        // rttscan may stay silent (an ambiguous ACK it cannot resolve); a value it gives must be
        // one the oracle's definition differs on: an ACK reporting a duplicate (D-SACK) answers
        // the resent copy its echo names, where the oracle times from the first copy.
        if (s !== undefined) assert.ok(s.kind === 'ts' && cls === 'retx' && !flags.includes('t'), `${name}: at ${ack} tshark ${t} ns is the truth, rttscan ${ns} ns (${s.kind})`);
      }
    }
    const lines = [...tally].sort().map(([k, v]) => `${v} ${k}`);
    process.stdout.write(`# ${name} vs tshark: ${lines.join(', ') || 'no difference'}\n`);
    if (name === 'offload/client.pcap') {
      // Partial ACKs of TSO super-segments, which tshark 4.0 does not time.
      assert.ok((tally.get('rttscan right, tshark silent (data, clean)') ?? 0) >= 100, lines.join(', '));
    }
  });
}

test("merge keeps each run's decision, through merges of merges and documents from before decided_by", async (t) => {
  const dir = join(VANTAGE_DIR, 'near1ms');
  if (!existsSync(dir)) return t.skip('samples/vantage/near1ms is absent');
  const out = await tempDir(t);
  const json = async (capture: string): Promise<string> => {
    const path = join(out, `${capture}.json`);
    assert.equal((await runCliInProcess([join(dir, capture), '--json', path, '-q'])).status, 0);
    return path;
  };
  const [mid, client, server] = [await json('mid.pcap'), await json('client.pcap'), await json('server.pcap')];
  const merged = join(out, 'merged.json');
  assert.equal((await runCliInProcess(['merge', mid, client, '--json', merged, '-q'])).status, 0);
  const twice = JSON.parse((await runCliInProcess(['merge', merged, server, '--json', '-', '-q'])).stdout) as Doc;
  const decisions = twice.vantage.decisions as Array<{ inputs: string[]; local: string[]; mid_path: boolean; decided_by: string; confidence: string }>;
  assert.deepEqual(decisions.map((d) => [d.inputs.map((p) => p.slice(p.lastIndexOf('/') + 1)), d.mid_path, d.decided_by]).sort(), [
    [['client.pcap'], false, 'host-stack'],
    [['mid.pcap'], true, 'no-host-stack'],
    [['server.pcap'], false, 'host-stack'],
  ]);
  assert.equal(twice.vantage.decided_by, 'merge');
  // A document written before decisions were kept: its decision is what it said.
  const old = JSON.parse(readFileSync(client, 'utf8')) as { vantage: Record<string, unknown> };
  old.vantage = { local: old.vantage.local, inferred: true, mid_path: false };
  const oldPath = join(out, 'old.json');
  writeFileSync(oldPath, JSON.stringify(old));
  const withOld = JSON.parse((await runCliInProcess(['merge', oldPath, mid, '--json', '-', '-q'])).stdout) as Doc;
  assert.deepEqual(withOld.vantage.decisions?.map((d) => d.decided_by).sort(), ['inferred', 'no-host-stack']);
});
