/**
 * TCP-RT's outputs agree with each other, as users run them and under combinations of options:
 *   - --tcprt-jsonl carries every record line, field by field (the text line rebuilt from the
 *     JSON object is the line printed), and the stats lines;
 *   - --interval JSON lines carry the ports of each span, whose counts and sums add up to the
 *     run's, and whose sketches merge into the run's (so the percentiles are the run's);
 *   - a property test over option sets (stats interval, --interval, vantage given or inferred,
 *     a small hold) on real captures: the records and the run's per-port figures never change.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { analyze, type AnalysisReport } from '../../src/analyze.js';
import { FIELD_NAMES, type RecordType } from '../../src/engines/tcprt/records.js';
import { parseCidr } from '../../src/flow/address.js';
import { givenVantage } from '../../src/flow/vantage.js';
import { mergeTcprtSections, tcprtSectionOf } from '../../src/merge/tcprt-section.js';
import { tcprtPortJson, tcprtRecordLine } from '../../src/render/tcprt.js';
import { lport } from '../helpers/tcprt.js';
import { runCliInProcess } from '../helpers/cli.js';
import { SAMPLES_DIR, tempDir } from '../helpers/paths.js';

type Json = Record<string, any>;

/** The kernel's text line, rebuilt from a --tcprt-jsonl object. */
function lineOf(o: Json): string {
  let line = `V${o.version} ${o.ext === '' ? o.type : `${o.type}.${o.ext}`} ${o.start_sec} ${o.start_usec} ${o.peer} ${o.local} `;
  for (const name of FIELD_NAMES[o.type as RecordType]) if (name in o) line += `${o[name]} `;
  if (o.handshake_us !== undefined) line += `H ${o.handshake_us} `;
  if (o.first_frame !== undefined) line += `F ${2 * o.first_frame.length} ${o.first_frame.map((p: Json) => `${p.acked_bytes} ${p.us} `).join('')}`;
  return `${line}\n`;
}

const COMMANDS: string[][] = [
  ['samples/http-v4/server.pcap', '--lports', '8080', '--stats-interval', '1s'],
  ['samples/http-v4/client.pcap', '--pports', '8080'],
  ['samples/http-v6-pcapng/server.pcapng', '--lports', '8080', '--tcprt-mode', 'http', '--first-frame', '100,2000,20000,0'],
  ['samples/mixed-loss/server.pcap', '--lports-range', '8000,8099', '--stats-interval', '1s'],
  ['samples/tls13-alert-v4/server.pcap', '--lports', '8443,8444', '--tcprt-mode', 'https'],
  ['samples/expect100-v4/server.pcap', '--lports', '8080', '--tcprt-mode', 'http'],
  ['samples/loopback-sll2-ns.pcap', '--lports', '18765', '--pports', '18765', '--local', '127.0.0.1,::1'],
  ['samples/http-v4/client.pcap', '--lports', '8080', '--local', '10.99.0.9'],
];

for (const args of COMMANDS) {
  test(`--tcprt-jsonl holds every record, field by field: ${args.join(' ')}`, async (t) => {
    const text = await runCliInProcess([...args, '--tcprt', '-q']);
    const file = join(await tempDir(t), 'rt.jsonl');
    const toFile = await runCliInProcess([...args, '--tcprt', file, '-q']);
    assert.equal(toFile.status, 0, toFile.stderr);
    assert.match(toFile.stdout, /│ tcp-rt port │/, 'stdout keeps the table');
    const toStdout = await runCliInProcess([...args, '--tcprt-jsonl', '-q']);
    assert.equal(toStdout.status, 0, toStdout.stderr);
    for (const body of [toStdout.stdout, readFileSync(file, 'utf8')]) {
      const objects = body
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Json);
      const textLines = text.stdout.split('\n').filter((l) => l !== '');
      const records = objects.filter((o) => o.type !== 'stats');
      assert.deepEqual(
        records.map(lineOf).join(''),
        textLines
          .filter((l) => l.startsWith('V'))
          .map((l) => `${l}\n`)
          .join(''),
      );
      const stats = objects.filter((o) => o.type === 'stats');
      assert.deepEqual(
        stats.map(
          (o) =>
            `${o.epoch_sec} all ${o.side === 'peer' ? 'P' : ''}${o.port} ${o.avg_total_us} ${o.avg_server_us} ${o.drop_permille} ${o.avg_minrtt_us} ${o.fail_permille} ${o.avg_sent_bytes} ${o.avg_upload_us} ${o.avg_recv_bytes} ${o.count}`,
        ),
        textLines.filter((l) => !l.startsWith('V')),
      );
      for (const o of records) {
        assert.match(o.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
        assert.equal(o.time, `${new Date(o.start_sec * 1000).toISOString().slice(0, 19)}.${String(o.start_usec).padStart(6, '0')}Z`);
        assert.equal(o.assumed, args.includes('10.99.0.9'));
      }
    }
  });
}

test("--interval JSON lines: each span's TCP-RT ports add up to the run's, and their sketches merge into its", async () => {
  const args = ['samples/mixed-loss/server.pcap', '--tcprt-jsonl', '/dev/null', '--lports', '8080,9999', '-q'];
  const lines = (await runCliInProcess([...args, '--interval', '500ms', '--json', '-'])).stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Json);
  const run = JSON.parse((await runCliInProcess([...args, '--json', '-'])).stdout) as Json;
  assert.ok(lines.length >= 3, `${lines.length} interval lines`);
  assert.ok(lines.every((l) => Array.isArray(l.tcprt?.ports)));
  const parts = lines.map((l) =>
    tcprtSectionOf('line', {
      ports: l.tcprt.ports,
      records: { R: 0, P: 0, W: 0, N: 0, E: 0 },
      connections: { matched: 0, assumed: 0, remote_only: 0, closed: 0, open_unreported: 0, flushed: 0 },
    }),
  );
  const merged = mergeTcprtSections(parts).ports.map(tcprtPortJson);
  assert.ok(run.tcprt.ports[0].count > 10);
  assert.deepEqual(merged, run.tcprt.ports);
});

const CAPTURES: Array<{ path: string; rules: ReturnType<typeof lport>[]; local: string }> = [
  { path: join(SAMPLES_DIR, 'mixed-loss', 'server.pcap'), rules: [lport(8080)], local: '10.99.0.2' },
  { path: join(SAMPLES_DIR, 'http-v4', 'client.pcap'), rules: [{ ...lport(8080), side: 'peer' }], local: '10.99.0.1' },
];

test('property: records and per-port figures do not depend on stats interval, --interval, vantage given or inferred, or the hold', async () => {
  for (const capture of CAPTURES) {
    const runOnce = async (o: { statsS: number; intervalS: number; given: boolean; holdLimit: number | undefined }) => {
      const lines: string[] = [];
      const statsCounts: number[] = [];
      const windows: AnalysisReport[] = [];
      const result = await analyze([capture.path], {
        vantage: o.given ? givenVantage([parseCidr(capture.local)!], [capture.local]) : undefined,
        ...(o.intervalS > 0 ? { intervalNs: o.intervalS * 1e9, onInterval: (r: AnalysisReport) => windows.push(r) } : {}),
        tcprt: {
          rules: capture.rules,
          statsIntervalNs: o.statsS * 1e9,
          firstFrameBytes: [100],
          flush: false,
          ...(o.holdLimit !== undefined ? { holdLimit: o.holdLimit } : {}),
          onRecord: (record, base) => lines.push(tcprtRecordLine(record, base)),
          onStats: (_sec, ports) => statsCounts.push(...ports.map((p) => p.count)),
        },
      });
      const ports = result.tcprt!.ports.map(tcprtPortJson);
      // Stats lines and --interval windows each partition the run's tasks.
      if (o.statsS > 0)
        assert.equal(
          statsCounts.reduce((a, b) => a + b, 0),
          result.tcprt!.ports[0]!.counters.count,
        );
      if (o.intervalS > 0) {
        const counted = windows.flatMap((w) => w.tcprtPorts ?? []).reduce((n, p) => n + p.counters.count, 0);
        assert.equal(counted, result.tcprt!.ports[0]!.counters.count);
      }
      return { lines, ports };
    };
    const reference = await runOnce({ statsS: 0, intervalS: 0, given: true, holdLimit: undefined });
    assert.ok(reference.lines.length > 20);
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          statsS: fc.constantFrom(0, 0.25, 1, 60),
          intervalS: fc.constantFrom(0, 0.3, 2),
          given: fc.boolean(),
          holdLimit: fc.constantFrom(undefined, 1000, 100_000),
        }),
        async (o) => {
          const got = await runOnce(o);
          assert.deepEqual(got.lines, reference.lines);
          assert.deepEqual(got.ports, reference.ports);
        },
      ),
      { numRuns: 12 },
    );
  }
});
