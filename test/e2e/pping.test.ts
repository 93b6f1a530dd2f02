/**
 * --pping writes pping's machine-readable line (pping -m) for every sample --csv has, in the
 * same order: `epoch.usec rtt_s min_rtt_s acker:port+sender:port`, times truncated to the µs as
 * pping prints them, the minimum per flow as pping keeps it. ppviz's line parser (split on
 * spaces, 4 or 7 fields, the flow last) reads every line.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseCsv, runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

function pping(addr: string, port: number): string {
  return `${addr}:${port}`; // pping writes IPv6 addresses without brackets too
}

for (const capture of ['samples/mixed-loss/server.pcap', 'samples/http-v6-pcapng/client.pcapng']) {
  test(`--pping lines are --csv's samples in pping -m form: ${capture}`, async () => {
    const lines = (await runCliInProcess([capture, '--include-local', '--pping', '-', '-q'])).stdout.trimEnd().split('\n');
    const samples = parseCsv((await runCliInProcess([capture, '--include-local', '--csv', '-', '-q'])).stdout);
    assert.equal(lines.length, samples.length);
    const minByFlow = new Map<string, number>();
    samples.forEach((s, i) => {
      const line = lines[i]!;
      assert.match(line, /^\d+\.\d{6} \d+\.\d{6} \d+\.\d{6} \S+:\d+\+\S+:\d+$/);
      // ppviz: rec = line.split(/ /); 4 or 7 fields; time rec[0], rtt rec[1] in s, flow last.
      const rec = line.split(/ /);
      assert.equal(rec.length, 4);
      const flow = `${pping(s.dst, s.dport)}+${pping(s.src, s.sport)}`;
      const min = Math.min(minByFlow.get(flow) ?? Infinity, s.rttUs);
      minByFlow.set(flow, min);
      const [sec, frac] = s.ts.split('.') as [string, string];
      assert.deepEqual(rec, [`${sec}.${frac.slice(0, 6)}`, (s.rttUs / 1e6).toFixed(6), (min / 1e6).toFixed(6), flow], `sample ${i + 1}`);
    });
  });
}

test('--pping FILE writes the same lines to the file and, like --csv FILE, nothing to stdout', async (t) => {
  const dir = await tempDir(t);
  const out = join(dir, 'rtt.txt');
  const run = await runCliInProcess(['samples/http-v4/server.pcap', '--pping', out, '-q']);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, '');
  assert.equal(readFileSync(out, 'utf8'), (await runCliInProcess(['samples/http-v4/server.pcap', '--pping', '-', '-q'])).stdout);
});
