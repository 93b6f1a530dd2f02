/**
 * The HTML report's budgets: `npm run bench -- --html` (or `node dist/bench/run.js --html`).
 *
 *   bench capture  `rttscan bench/data/tcp-2m-s128-ns.pcap --html OUT` (its 700 k samples, the
 *                  CLI's wall time with and without --html); target: a page of at most 5 MB;
 *   10 M samples   a run of 10 million synthetic samples (bands like a real capture's: local
 *                  stack, path, delayed ACKs, spikes; 20 000 flows in 8 groups over 10 minutes)
 *                  through the same SampleStore and page builder; target: at most 10 MB;
 * and for both, the time Chromium (Debian's, headless, through playwright-core) takes from
 * navigation start to the page's script having drawn everything; target: under 2 s. Best of 3.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AnalysisResult } from '../src/analyze.js';
import { DecodeCounters } from '../src/decode/decode-counters.js';
import { HalfConnection, KIND_DATA, KIND_SYN, KIND_TS, RttCounters, type SampleKind } from '../src/engines/rtt/rtt-engine.js';
import { FlowCounters } from '../src/flow/flow-table.js';
import { runPageModel } from '../src/render/html/build-model.js';
import { renderPage } from '../src/render/html/page.js';
import { SampleStore } from '../src/render/html/sample-store.js';
import { Group, type Sample } from '../src/stats/collector.js';
import { RttStats } from '../src/stats/rtt-stats.js';
import { hasChromium, launchChromium } from '../test/helpers/browser.js';
import { ensureCaptures } from './generate.js';
import { Prng } from './prng.js';

const TARGET_BENCH_PAGE_BYTES = 5e6;
const TARGET_10M_PAGE_BYTES = 10e6;
const TARGET_OPEN_MS = 2000;
const REPS = 3;
const CLI_SCRIPT = fileURLToPath(new URL('../../bin/rttscan', import.meta.url));

function log(line: string): void {
  process.stderr.write(`bench: ${line}\n`);
}

/** Milliseconds from navigation start until the page's script has drawn everything; best of REPS. */
async function openMs(file: string): Promise<number> {
  const browser = await launchChromium();
  try {
    let best = Infinity;
    for (let rep = 0; rep < REPS; rep++) {
      const page = await browser.context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      await page.goto(`file://${file}`, { timeout: 120_000 });
      await page.waitForFunction(() => (globalThis as unknown as { document: { body: { dataset: { ready?: string } } } }).document.body.dataset.ready === '1', null, {
        timeout: 120_000,
      });
      const ms = await page.evaluate(() => Number((globalThis as unknown as { document: { body: { dataset: { readyMs?: string } } } }).document.body.dataset.readyMs));
      if (errors.length > 0) throw new Error(`${file}: ${errors.join('; ')}`);
      best = Math.min(best, ms);
      await page.close();
    }
    return best;
  } finally {
    await browser.close();
  }
}

function cliMs(args: string[]): number {
  let best = Infinity;
  for (let rep = 0; rep < REPS; rep++) {
    const started = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [CLI_SCRIPT, ...args, '-q'], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`rttscan ${args.join(' ')}: ${r.stderr}`);
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
  }
  return best;
}

/** A run of `n` synthetic samples as analyze() would return it, and its SampleStore. */
function syntheticRun(n: number): { result: AnalysisResult; store: SampleStore } {
  const prng = new Prng(0x5eed);
  const spanNs = 600e9;
  const groups = Array.from({ length: 8 }, (_, i) => new Group(`10.1.${i}.1`, new RttStats(), undefined));
  const summary = new RttStats();
  const flows = Array.from({ length: 20_000 }, (_, i) => {
    const group = groups[i % groups.length]!;
    const sample = {
      half: new HalfConnection(),
      src: '10.0.0.5',
      sport: 10000 + (i % 50000),
      dst: group.key,
      dport: 443,
      group,
      segFrame: 0,
      ackFrame: 0,
      ackNs: 0,
      rttNs: 0,
      kind: KIND_DATA,
    };
    return sample as unknown as Sample;
  });
  const store = new SampleStore();
  for (let i = 0; i < n; i++) {
    const flow = flows[Math.floor(prng.float() * flows.length)]!;
    const u = prng.float();
    // Bands: local stack (µs), the path (~20 ms, with queueing), delayed ACKs (+40 ms), spikes.
    const rttUs = u < 0.3 ? 5 + 60 * prng.float() : u < 0.9 ? 20000 * (1 + 0.3 * prng.float() ** 3) : u < 0.995 ? 60000 + 5000 * prng.float() : 200000 + 1e6 * prng.float();
    const rttNs = Math.round(rttUs * 1000);
    const kind: SampleKind = u < 0.0005 ? KIND_SYN : prng.float() < 0.01 ? KIND_TS : KIND_DATA;
    flow.segFrame = 3 * i + 1;
    flow.ackFrame = 3 * i + 3;
    flow.ackNs = Math.floor((i / n) * spanNs);
    flow.rttNs = rttNs;
    flow.kind = kind;
    store.add(flow);
    flow.group.stats.add(rttNs);
    summary.add(rttNs);
  }
  const result: AnalysisResult = {
    base: { baseSec: 1_700_000_000 },
    startNs: 0,
    endNs: spanNs,
    by: 'raddr',
    summary,
    groups,
    inputs: [{ path: `synthetic: ${n} samples`, format: 'pcap', linktype: 'EN10MB', packets: 3 * n, tcp_packets: 3 * n, warnings: [] }],
    decode: new DecodeCounters().toJSON(),
    flows: new FlowCounters(),
    oneWayFlows: 0,
    rtt: new RttCounters(),
    vantage: undefined,
    localAcked: 0,
    filtered: 0,
    keptSamples: n,
  };
  return { result, store };
}

export interface HtmlBenchResult {
  bench_capture: { samples: number; page_bytes: number; open_ms: number; cli_ms: number; cli_html_ms: number };
  synthetic_10m: { samples: number; page_bytes: number; open_ms: number; build_ms: number };
  pass: { bench_page: boolean; page_10m: boolean; open: boolean };
}

export async function runHtmlBench(): Promise<HtmlBenchResult> {
  if (!hasChromium()) throw new Error('the HTML bench opens pages in /usr/bin/chromium, which is not installed');
  const metas = await ensureCaptures(['throughput'], false, log);
  const capture = metas.throughput!.file;
  const dir = mkdtempSync(join(tmpdir(), 'rttscan-html-bench-'));
  try {
    const page = join(dir, 'bench.html');
    log('bench capture: rttscan --html');
    const cliHtml = cliMs([capture, '--html', page]);
    const cli = cliMs([capture, '--json', join(dir, 'bench.json')]);
    const samples = (JSON.parse(spawnSync('cat', [join(dir, 'bench.json')], { encoding: 'utf8' }).stdout) as { summary: { samples: number } }).summary.samples;
    const benchBytes = statSync(page).size;
    log('bench capture: opening the page');
    const benchOpen = await openMs(page);

    log('10 M samples: building the run');
    const n = 10_000_000;
    const { result, store } = syntheticRun(n);
    const started = process.hrtime.bigint();
    const html = renderPage(runPageModel(result, store, { unit: 'usecs', notes: [], command: ['(bench/html-page.ts: 10 M synthetic samples)'] }));
    const buildMs = Number(process.hrtime.bigint() - started) / 1e6;
    const big = join(dir, '10m.html');
    writeFileSync(big, html);
    log('10 M samples: opening the page');
    const bigOpen = await openMs(big);
    const out: HtmlBenchResult = {
      bench_capture: { samples, page_bytes: benchBytes, open_ms: Math.round(benchOpen), cli_ms: Math.round(cli), cli_html_ms: Math.round(cliHtml) },
      synthetic_10m: { samples: n, page_bytes: Buffer.byteLength(html), open_ms: Math.round(bigOpen), build_ms: Math.round(buildMs) },
      pass: {
        bench_page: benchBytes <= TARGET_BENCH_PAGE_BYTES,
        page_10m: Buffer.byteLength(html) <= TARGET_10M_PAGE_BYTES,
        open: Math.max(benchOpen, bigOpen) < TARGET_OPEN_MS,
      },
    };
    const mb = (b: number): string => (b / 1e6).toFixed(2);
    const verdict = (ok: boolean): string => (ok ? 'ok' : 'MISSED');
    process.stdout.write(
      [
        `HTML report (best of ${REPS}; open: navigation start to drawn, headless Chromium)`,
        `  bench capture (${samples.toLocaleString('en-US')} samples): page ${mb(benchBytes)} MB (target <= 5 MB: ${verdict(out.pass.bench_page)}), opens in ${Math.round(benchOpen)} ms; CLI ${Math.round(cliHtml)} ms with --html, ${Math.round(cli)} ms with --json`,
        `  10 M samples: page ${mb(Buffer.byteLength(html))} MB (target <= 10 MB: ${verdict(out.pass.page_10m)}), opens in ${Math.round(bigOpen)} ms, built in ${Math.round(buildMs)} ms`,
        `  open target < ${TARGET_OPEN_MS} ms: ${verdict(out.pass.open)}`,
        JSON.stringify(out),
        '',
      ].join('\n'),
    );
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
