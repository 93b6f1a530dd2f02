/**
 * `rttscan merge`: summaries of the parts of a capture split by time, merged, are what one run
 * over the whole capture gives. On real captures (three lab runs joined with mergecap, split
 * again with editcap at the gaps between them) and on a synthetic one with exact RTTs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { ACK, SYN } from '../helpers/capture-writer.js';
import { hasCommand, runCli, runCliInProcess } from '../helpers/cli.js';
import { SAMPLES_DIR, tempDir } from '../helpers/paths.js';
import { TcpScript } from '../helpers/tcp-script.js';

type Doc = Record<string, any>;

async function jsonOf(args: string[]): Promise<Doc> {
  const run = await runCliInProcess([...args, '--json', '-', '-q']);
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as Doc;
}

async function writeJson(path: string, args: string[]): Promise<void> {
  const run = await runCliInProcess([...args, '--json', path, '-q']);
  assert.equal(run.status, 0, run.stderr);
}

/**
 * A merged document against the whole run's: every statistic the same (stddev, and the full
 * precision m2 and srtt kept for merging, to rounding), groups in the same order, packet and sample counters the same. What differs by
 * nature: the list of inputs, and the flow table's peak and expiries (per run).
 */
function assertSameAsWhole(merged: Doc, whole: Doc): void {
  const strip = (d: Doc): Doc => {
    const copy = JSON.parse(JSON.stringify(d)) as Doc;
    delete copy.inputs;
    // A run says how it decided the vantage and from what; a merge keeps each run's decision.
    copy.vantage = { local: copy.vantage.local, inferred: copy.vantage.inferred, mid_path: copy.vantage.mid_path };
    delete copy.counters.flows;
    for (const s of [copy.summary, ...copy.groups]) {
      delete s.stddev_us;
      delete s.merge_state.m2_us2;
      delete s.merge_state.srtt_us;
    }
    return copy;
  };
  assert.deepEqual(strip(merged), strip(whole));
  assert.equal(merged.counters.flows.created, whole.counters.flows.created);
  const pairs = [[merged.summary, whole.summary], ...merged.groups.map((g: Doc, i: number) => [g, whole.groups[i]])];
  for (const [m, w] of pairs) {
    assert.ok(Math.abs(m.stddev_us - w.stddev_us) <= 0.001, `stddev ${m.stddev_us} vs ${w.stddev_us}`);
    assert.ok(Math.abs(m.merge_state.m2_us2 - w.merge_state.m2_us2) <= 1e-9 * w.merge_state.m2_us2);
    assert.ok(Math.abs(m.merge_state.srtt_us - w.merge_state.srtt_us) <= 1e-9 * w.merge_state.srtt_us);
  }
  assert.equal(
    merged.inputs.reduce((n: number, i: Doc) => n + i.packets, 0),
    whole.inputs[0].packets,
  );
  assert.equal(merged.vantage.decided_by, 'merge');
  assert.equal(merged.vantage.decisions.length, merged.inputs.length);
}

/** The three lab captures taken at the server, joined into one, and split again between runs. */
async function realSplit(t: TestContext): Promise<{ whole: string; parts: string[] } | undefined> {
  if (!hasCommand('mergecap') || !hasCommand('editcap')) {
    t.skip('mergecap/editcap (wireshark-common) not installed');
    return undefined;
  }
  const dir = await tempDir(t);
  const whole = join(dir, 'whole.pcapng');
  const sources = ['http-v4', 'mixed-loss', 'bulk-v4'].map((s) => join(SAMPLES_DIR, s, 'server.pcap'));
  const joined = spawnSync('mergecap', ['-w', whole, ...sources], { encoding: 'utf8' });
  assert.equal(joined.status, 0, joined.stderr);
  // The runs are seconds apart: http-v4 ends at …24.9, mixed-loss runs …31.8-33.7, bulk from …36.7.
  const cuts = [undefined, '1795317630', '1795317635', undefined];
  const parts: string[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const part = join(dir, `part${i}.pcapng`);
    const args = [...(cuts[i] ? ['-A', cuts[i]!] : []), ...(cuts[i + 1] ? ['-B', cuts[i + 1]!] : []), whole, part];
    const split = spawnSync('editcap', args, { encoding: 'utf8' });
    assert.equal(split.status, 0, split.stderr);
    parts.push(part);
  }
  return { whole, parts };
}

for (const options of [[], ['--by', 'raddr'], ['--by', 'flow'], ['--by', 'lport', '--ms']]) {
  test(`real capture split by time: merged part summaries equal the whole run (${options.join(' ') || '--by all'})`, async (t) => {
    const split = await realSplit(t);
    if (!split) return;
    const dir = await tempDir(t);
    const jsons = await Promise.all(
      split.parts.map(async (part, i) => {
        const path = join(dir, `part${i}.json`);
        await writeJson(path, [part, ...options]);
        return path;
      }),
    );
    const whole = await jsonOf([split.whole, ...options]);
    // Given in reverse: merge puts them in capture-time order itself.
    const merged = await jsonOf(['merge', ...jsons.reverse()]);
    assert.ok(whole.summary.samples > 1000);
    assert.ok(whole.summary.retransmitted_segments > 0, 'the mixed-loss run has retransmissions');
    assertSameAsWhole(merged, whole);
    // The text outputs too, byte for byte.
    for (const output of [['--table'], ['--histogram']]) {
      const fromMerge = await runCliInProcess(['merge', ...jsons, ...output, '-q']);
      const fromWhole = await runCliInProcess([split.whole, ...options, ...output, '-q']);
      assert.equal(fromMerge.status, 0, fromMerge.stderr);
      assert.equal(fromMerge.stdout, fromWhole.stdout);
    }
  });
}

test('TCP-RT: merged part summaries equal the whole run, per port, and so do the tables (real capture split by time)', async (t) => {
  const split = await realSplit(t);
  if (!split) return;
  const dir = await tempDir(t);
  // Records to a directory: stdout keeps the table, and the JSON the tcprt section.
  const tcprt = (i: number): string[] => ['--tcprt', join(dir, `records${i}`), '--lports', '8080,9999', '--stats-interval', '1s'];
  const jsons = await Promise.all(
    split.parts.map(async (part, i) => {
      const path = join(dir, `part${i}.tcprt.json`);
      await writeJson(path, [part, ...tcprt(i)]);
      return path;
    }),
  );
  const whole = await jsonOf([split.whole, ...tcprt(9)]);
  const merged = await jsonOf(['merge', ...jsons]);
  assert.ok(whole.tcprt.ports[0].count > 40, `${whole.tcprt.ports[0].count} tasks`);
  assert.ok(whole.tcprt.ports[0].merge_state.retrans_segs > 0, 'the mixed-loss run has retransmissions');
  // Every figure: counts, the kernel's averages, percentiles, sketches, sums, records, connections.
  assert.deepEqual(merged.tcprt, whole.tcprt);
  assertSameAsWhole({ ...merged, tcprt: undefined }, { ...whole, tcprt: undefined });
  const fromMerge = await runCliInProcess(['merge', ...jsons, '--table', '-q']);
  const fromWhole = await runCliInProcess([split.whole, ...tcprt(8), '--table', '-q']);
  assert.equal(fromMerge.status, 0, fromMerge.stderr);
  assert.match(fromMerge.stdout, /│ tcp-rt port │/);
  assert.equal(fromMerge.stdout, fromWhole.stdout);
});

test('synthetic capture split by time: exact RTTs, two servers, merged equals whole', async (t) => {
  const dir = await tempDir(t);
  // Six connections to two servers, one after another, each with its own RTTs (ns-exact).
  const whole = new TcpScript({ client: '10.0.0.1', server: '10.0.0.2', clientPort: 40000, serverPort: 80 });
  const records: (typeof whole.records)[] = [];
  for (let conn = 0; conn < 6; conn++) {
    const script = new TcpScript({ client: '10.0.0.1', server: conn % 2 ? '10.0.0.3' : '10.0.0.2', clientPort: 40000 + conn, serverPort: 80 });
    const t0 = conn * 1000;
    script
      .c(t0, { seq: 99, flags: SYN })
      .s(t0 + 1 + conn / 7, { seq: 499, ack: 100, flags: SYN | ACK })
      .c(t0 + 2, { seq: 100, ack: 500 });
    let seq = 100;
    for (let i = 0; i < 20; i++) {
      const at = t0 + 10 + i * 10;
      script.c(at, { seq, ack: 500, payloadLen: 100 });
      seq += 100;
      script.s(at + 0.5 + ((i * 37 + conn * 11) % 29) / 3.7, { seq: 500, ack: seq });
    }
    records.push(script.records);
    whole.records.push(...script.records);
  }
  const wholePath = join(dir, 'whole.pcap');
  writeFileSync(wholePath, whole.file());
  const partPaths = [0, 1, 2].map((i) => {
    const part = new TcpScript();
    part.records.push(...records[2 * i]!, ...records[2 * i + 1]!);
    const path = join(dir, `part${i}.pcap`);
    writeFileSync(path, part.file());
    return path;
  });
  for (const by of ['all', 'raddr', 'flow']) {
    const args = ['--local', '10.0.0.1', '--by', by];
    const jsons = await Promise.all(
      partPaths.map(async (p, i) => {
        const path = join(dir, `part${i}.${by}.json`);
        await writeJson(path, [p, ...args]);
        return path;
      }),
    );
    const wholeDoc = await jsonOf([wholePath, ...args]);
    assert.equal(wholeDoc.summary.samples, 6 * 21);
    assertSameAsWhole(await jsonOf(['merge', ...jsons]), wholeDoc);
  }
});

test('merge is associative, takes --each arrays, and its JSON merges again', async (t) => {
  const dir = await tempDir(t);
  const names = ['http-v4', 'mixed-loss', 'bulk-v4'];
  const paths = await Promise.all(
    names.map(async (n) => {
      const path = join(dir, `${n}.json`);
      await writeJson(path, [join(SAMPLES_DIR, n, 'server.pcap'), '--by', 'raddr']);
      return path;
    }),
  );
  const all = await runCliInProcess(['merge', ...paths, '--json', '-', '-q']);
  assert.equal(all.status, 0, all.stderr);
  const ab = join(dir, 'ab.json');
  assert.equal((await runCliInProcess(['merge', paths[0]!, paths[1]!, '--json', ab, '-q'])).status, 0);
  const abc = await runCliInProcess(['merge', ab, paths[2]!, '--json', '-', '-q']);
  // Everything but Welford's m2 is exact whatever the grouping; m2 is a float sum.
  const exact = (text: string): string => text.replace(/"m2_us2": [\d.e+]+/g, '"m2_us2": ~');
  assert.equal(exact(abc.stdout), exact(all.stdout), 'merge(merge(a, b), c) = merge(a, b, c)');
  const m2 = (text: string): number => (JSON.parse(text) as Doc).summary.merge_state.m2_us2;
  assert.ok(Math.abs(m2(abc.stdout) - m2(all.stdout)) <= 1e-9 * m2(all.stdout));
  const each = join(dir, 'each.json');
  const eachRun = await runCliInProcess([...names.map((n) => join(SAMPLES_DIR, n, 'server.pcap')), '--each', '--by', 'raddr', '--json', each, '-q']);
  assert.equal(eachRun.status, 0, eachRun.stderr);
  const fromEach = await runCliInProcess(['merge', each, '--json', '-', '-q']);
  assert.equal(fromEach.stdout, all.stdout, 'an --each array merges like the separate files');
  const fromStdin = runCli(['merge', paths[0]!, '-', paths[2]!, '--json', '-', '-q'], readFileSync(paths[1]!));
  assert.equal(fromStdin.stdout, all.stdout, 'a summary piped into stdin');
  const doc = JSON.parse(all.stdout) as Doc;
  assert.deepEqual(
    doc.inputs.map((i: Doc) => i.path),
    ['http-v4', 'mixed-loss', 'bulk-v4'].map((n) => join(SAMPLES_DIR, n, 'server.pcap')),
    'inputs in capture-time order',
  );
});

test('merge --each shows each summary; overlapping summaries are merged with a note', async (t) => {
  const dir = await tempDir(t);
  const a = join(dir, 'a.json');
  await writeJson(a, [join(SAMPLES_DIR, 'http-v4', 'server.pcap')]);
  const each = await runCliInProcess(['merge', a, a, '--each', '--table']);
  assert.equal(each.status, 0, each.stderr);
  assert.equal(each.stdout.match(/^==> .*a\.json <==$/gm)?.length, 2);
  const twice = await runCliInProcess(['merge', a, a, '--json', '-']);
  assert.equal(twice.status, 0, twice.stderr);
  assert.equal((JSON.parse(twice.stdout) as Doc).summary.samples, 2 * 108);
  assert.match(twice.stderr, /a\.json overlaps an earlier summary in capture time: srtt and jitter follow sample order, so they are approximate; the rest is exact/);
  assert.match(twice.stderr, /merged 2 summaries of 2 inputs: 216 samples/);
});

test('merge refuses what cannot be merged, with exit 2 and a message naming the file', async (t) => {
  const dir = await tempDir(t);
  const server = join(SAMPLES_DIR, 'http-v4', 'server.pcap');
  const all = join(dir, 'all.json');
  const raddr = join(dir, 'raddr.json');
  const ms = join(dir, 'ms.json');
  const interval = join(dir, 'interval.json');
  await writeJson(all, [server]);
  await writeJson(raddr, [server, '--by', 'raddr']);
  await writeJson(ms, [server, '--ms']);
  writeFileSync(interval, (await runCliInProcess([server, '--interval', '200ms', '--json', '-', '-q'])).stdout);
  const cases: Array<[string[], RegExp]> = [
    [['merge', all, raddr], /^rttscan: .*raddr\.json groups by raddr but .*all\.json by all: merge summaries made with the same --by$/m],
    [['merge', all, ms], /^rttscan: .*ms\.json has a msecs histogram but .*all\.json usecs: merge summaries made with the same --ms$/m],
    [['merge', join(dir, 'missing.json')], /^rttscan: .*missing\.json: no such file$/m],
    [['merge', server], /^rttscan: .*server\.pcap: not JSON \(/m],
    [['merge', interval], /^rttscan: .*interval\.json: one JSON object per line \(--interval output\)/m],
    [['merge'], /^rttscan: missing required argument 'summaries'$/m],
    [['merge', all, '--tabel'], /^rttscan: unknown option '--tabel' \(did you mean --table\?\)$/m],
  ];
  for (const [args, message] of cases) {
    const run = await runCliInProcess(args);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
    assert.equal(run.stdout, '');
  }
});

test('merge checks --fail-if and compares with --baseline like a run does', async (t) => {
  const dir = await tempDir(t);
  const server = join(dir, 'server.json');
  const client = join(dir, 'client.json');
  await writeJson(server, [join(SAMPLES_DIR, 'http-v4', 'server.pcap')]);
  await writeJson(client, [join(SAMPLES_DIR, 'http-v4', 'client.pcap')]);
  const ok = await runCliInProcess(['merge', server, '--fail-if', 'p99>1s,samples<100']);
  assert.equal(ok.status, 0, ok.stderr);
  const failed = await runCliInProcess(['merge', server, client, '--fail-if', 'samples>100,p99>60ms']);
  assert.equal(failed.status, 3, failed.stderr);
  assert.match(failed.stderr, /^rttscan: --fail-if samples>100: samples is 136$/m);
  const vsBaseline = await runCliInProcess(['merge', client, '--baseline', server, '--fail-if', 'p90>+100%', '-q']);
  assert.equal(vsBaseline.status, 3);
  assert.match(vsBaseline.stdout, /│ p90 +│ 25\.60ms +│ 66\.86ms +│ \+41\.26ms \(\+161\.2%\) +│/);
  assert.match(vsBaseline.stderr, /--fail-if p90>\+100%: p90 is 66\.86ms, \+161\.2% from the baseline's 25\.60ms/);
});

test('a capture file named merge is analysed as ./merge', async (t) => {
  const dir = await tempDir(t);
  writeFileSync(join(dir, 'merge'), readFileSync(join(SAMPLES_DIR, 'http-v4', 'server.pcap')));
  const run = await runCliInProcess([join(dir, 'merge'), '--json', '-', '-q']);
  assert.equal(run.status, 0, run.stderr);
  assert.equal((JSON.parse(run.stdout) as Doc).summary.samples, 108);
});
