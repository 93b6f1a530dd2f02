/**
 * Option combinations, drawn by fast-check from test/helpers/option-generators.ts and run as a
 * user runs them (the built CLI on the samples), against a model of the output plan:
 * - exit codes as SPEC says: 2 for a refused combination (two streams on stdout beside a machine
 *   one, -T without a report to stamp, --each with per-sample or --interval output), else 0, or
 *   3 when a --fail-if condition held;
 * - every machine-readable output parses: CSV rows have the header's seven fields, JSON and JSON
 *   lines parse; every file target exists; stdout holds at most one machine stream;
 * - the outputs agree: as many CSV rows as JSON lines as samples in the --json summaries.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { runCli } from '../helpers/cli.js';
import { APART_INPUTS, COMMAND_LINES, type Drawn, type DrawnOutput, type Format } from '../helpers/option-generators.js';

const SAMPLE_FIELDS = ['ts', 'src', 'sport', 'dst', 'dport', 'rtt_us', 'kind', 'seg_frame', 'ack_frame'];
/** With several inputs, which one each frame number counts in. */
const INPUT_FIELDS = ['seg_input', 'ack_input'];
/** pping -m: epoch.usec rtt_s min_rtt_s acker:port+sender:port */
const PPING_LINE = /^\d+\.\d{6} \d+\.\d{6} \d+\.\d{6} \S+:\d+\+\S+:\d+$/;

/** The exit codes the model allows for a command line. */
function expectedExits(inputs: readonly string[], drawn: readonly Drawn[]): number[] {
  const outputs = drawn.flatMap((d) => (d.output ? [d.output] : []));
  const onStdout = outputs.filter((o) => o.target === 'stdout');
  const interval = drawn.some((d) => d.interval);
  const each = drawn.some((d) => d.each);
  const humanReport = onStdout.some((o) => !o.machine && !drawn.find((d) => d.output === o)!.perSample) || outputs.length === 0;
  if (onStdout.length > 1 && onStdout.some((o) => o.machine)) return [2];
  if (drawn.some((d) => d.timestamp) && (!interval || !humanReport)) return [2];
  if (each && (interval || outputs.some((o) => o.option === '--csv' || o.option === '--jsonl' || o.option === '--pping'))) return [2];
  const apart = inputs.join() === APART_INPUTS.join() && !drawn.some((d) => d.join);
  if (drawn.some((d) => d.page) && (interval || each || apart)) return [2];
  return drawn.some((d) => d.failIf) ? [0, 3] : [0];
}

/** Parses one output; returns how many samples it holds (rows, lines, or the summaries' sum). */
function parse(format: Format, text: string, interval: boolean, severalInputs: boolean, what: string): number | undefined {
  const fields = severalInputs ? [...SAMPLE_FIELDS, ...INPUT_FIELDS] : SAMPLE_FIELDS;
  if (format === 'csv') {
    const lines = text.split('\n');
    assert.equal(lines[0], fields.join(','), `${what}: header`);
    assert.equal(lines.at(-1), '', `${what}: ends with a newline`);
    const rows = lines.slice(1, -1);
    for (const row of rows) assert.equal(row.split(',').length, fields.length, `${what}: ${row}`);
    return rows.length;
  }
  if (format === 'jsonl' || format === 'pping') {
    const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
    for (const line of lines) {
      if (format === 'pping') assert.match(line, PPING_LINE, what);
      else assert.deepEqual(Object.keys(JSON.parse(line) as object), fields, what);
    }
    return lines.length;
  }
  if (format === 'html') {
    assert.match(text, /^<!doctype html>/i, `${what}: a page`);
    assert.match(text, /<\/html>\s*$/i, `${what}: the whole page`);
    return undefined;
  }
  if (format === 'json') {
    type Doc = { summary: { samples: number } };
    const docs: Doc[] = interval ? text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Doc) : ([JSON.parse(text)].flat() as Doc[]);
    return docs.reduce((n, d) => n + d.summary.samples, 0);
  }
  return undefined;
}

test('option combinations: exit codes, parseable outputs, every file written, outputs agree', () => {
  fc.assert(
    fc.property(COMMAND_LINES, ({ inputs, drawn }) => {
      const dir = mkdtempSync(join(tmpdir(), 'rttscan-combo-'));
      try {
        const args = [...inputs, ...drawn.flatMap((d) => d.args.map((a) => a.replace(/^OUT\//, `${dir}/`)))];
        const command = `rttscan ${args.join(' ')}`;
        const run = runCli([...args, '-q']);
        const allowed = expectedExits(inputs, drawn);
        assert.ok(allowed.includes(run.status!), `${command}: exit ${run.status}, expected ${allowed.join(' or ')}: ${run.stderr}`);
        if (run.status === 2) {
          assert.equal(run.stdout, '', `${command}: a refused run prints nothing`);
          assert.match(run.stderr, /^rttscan: [^\n]+\n$/, `${command}: one line`);
          return;
        }
        const interval = drawn.some((d) => d.interval);
        const outputs = drawn.flatMap((d) => (d.output ? [d.output] : [])) as DrawnOutput[];
        const counts = new Map<string, number>();
        for (const o of outputs) {
          const text = o.target === 'stdout' ? run.stdout : readFileSync(join(dir, o.target.file), 'utf8');
          if (o.target !== 'stdout') assert.ok(existsSync(join(dir, o.target.file)), `${command}: ${o.option} file`);
          const n = parse(o.format, text, interval, inputs.length > 1, `${command}: ${o.option}`);
          if (n !== undefined) counts.set(o.option, n);
        }
        if (new Set(counts.values()).size > 1) assert.fail(`${command}: the outputs disagree on the samples: ${JSON.stringify([...counts])}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }),
    { numRuns: Number(process.env.COMBINATION_RUNS ?? 60) },
  );
});
