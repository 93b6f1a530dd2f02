/**
 * The --html report in a real browser (Debian's Chromium through playwright-core): it opens
 * from a file with no console error and no network request, its charts put pixels on their
 * canvases, every number in its tables is the --json document's, and hovering a sample shows
 * that sample (flow, RTT, kind, segment and ACK frames, as --csv has them). Also the page of
 * `rttscan merge --html` and the TCP-RT section.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import type { Page } from 'playwright-core';
import { launchChromium, hasChromium, type Browser } from '../helpers/browser.js';
import { parseCsv, runCliInProcess, type CsvSample } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

// Inside page.evaluate() callbacks, which run in the page: the Node build has no DOM types.
declare const document: any;
declare const window: any;

const skip = !hasChromium() && 'Debian chromium is not installed (.ci/run installs it)';
const SERVER = 'samples/mixed-loss/server.pcap';
/** Another lab run (other connections, other times): with SERVER, two remote hosts' worth of groups. */
const OTHER = 'samples/http-v6-pcapng/client.pcapng';

let browser: Browser | undefined;
before(async () => {
  if (!skip) browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
}

/** Opens a page from its file and waits until its script says it is drawn. */
async function open(file: string): Promise<Opened> {
  const page = await browser!.context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${file}`);
  await page.waitForFunction(() => document.body.dataset.ready === '1', null, { timeout: 60_000 });
  return { page, errors, requests };
}

/**
 * Waits until a chart's canvas has at least `min` pixels close to an RGB colour (it drew, not
 * just laid out DOM); uPlot draws in a microtask after it is built, so this waits rather than
 * reads once.
 */
async function expectPixels(page: Page, plot: string, rgb: [number, number, number], min: number, what: string): Promise<void> {
  const count = `(() => {
    const u = window.rttscanReport.plots[${JSON.stringify(plot)}];
    if (!u) return 0;
    const { data } = u.ctx.getImageData(0, 0, u.ctx.canvas.width, u.ctx.canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - ${rgb[0]}) < 40 && Math.abs(data[i + 1] - ${rgb[1]}) < 40 && Math.abs(data[i + 2] - ${rgb[2]}) < 40 && data[i + 3] > 100) n++;
    return n;
  })()`;
  try {
    await page.waitForFunction(`${count} >= ${min}`, null, { timeout: 20_000 });
  } catch {
    assert.fail(`${what}: ${await page.evaluate(count)} pixels of rgb(${rgb.join(',')}) on the ${plot} chart, expected ${min}`);
  }
}

/** Each table row's numbers by column field, as the page holds them (data-value). */
async function tableValues(page: Page, id: string): Promise<Array<Record<string, string>>> {
  return page.evaluate((tableId) => {
    const table = document.getElementById(tableId);
    const fields: string[] = [...table.tHead.rows[0].cells].map((c: any) => c.dataset.field);
    return [...table.tBodies[0].rows].map((r: any) => Object.fromEntries([...r.cells].map((c: any, i) => [fields[i]!, c.dataset.value ?? c.textContent]))) as Array<
      Record<string, string>
    >;
  }, id);
}

function flatten(obj: Record<string, unknown>, prefix = ''): Array<[string, number]> {
  return Object.entries(obj).flatMap(([k, v]) =>
    typeof v === 'number' ? [[`${prefix}${k}`, v] as [string, number]] : v !== null && typeof v === 'object' ? flatten(v as Record<string, unknown>, `${prefix}${k}.`) : [],
  );
}

const STAT_FIELDS = ['samples', 'min_us', 'mean_us', 'p50_us', 'p90_us', 'p99_us', 'max_us', 'stddev_us', 'srtt_us', 'jitter_us', 'data_segments', 'retransmitted_segments'];

function assertRowIs(row: Record<string, string>, json: Record<string, unknown>, what: string): void {
  for (const f of STAT_FIELDS) {
    const expected = json[f];
    const shown = row[f] === '' ? null : Number(row[f]);
    assert.equal(shown, expected, `${what}: ${f}`);
  }
}

test('the report opens offline with no console error, draws its charts, and shows the --json numbers', { skip }, async (t) => {
  const dir = await tempDir(t);
  const html = join(dir, 'report.html');
  const args = [SERVER, OTHER, '--by', 'raddr', '--include-local'];
  const run = await runCliInProcess([...args, '--html', html, '-q']);
  assert.equal(run.status, 0, run.stderr);
  const doc = JSON.parse((await runCliInProcess([...args, '--json', '-', '-q'])).stdout) as Record<string, unknown>;
  const { page, errors, requests } = await open(html);
  assert.deepEqual(errors, []);
  assert.deepEqual(requests, [`file://${html}`], 'the page asks for nothing but itself');
  // Drawn: sample points in the data kind's blue, the p99 line's red, the histogram's lines.
  await expectPixels(page, 'samples', [31, 119, 180], 200, 'data points');
  await expectPixels(page, 'samples', [214, 39, 40], 50, 'the p99 line');
  await expectPixels(page, 'histogram', [31, 119, 180], 50, 'the histogram');
  // Numbers: the summary row and every group row are the document's.
  assertRowIs((await tableValues(page, 'summary'))[0]!, doc.summary as Record<string, unknown>, 'summary');
  const groups = await tableValues(page, 'groups');
  const docGroups = doc.groups as Array<Record<string, unknown>>;
  assert.equal(groups.length, docGroups.length);
  docGroups.forEach((g, i) => {
    assert.equal(groups[i]!.key, g.key);
    assertRowIs(groups[i]!, g, `group ${g.key as string}`);
  });
  const counters = await page.evaluate(() => [...document.querySelectorAll('[data-counter]')].map((e: any) => [e.dataset.counter as string, Number(e.dataset.value)]));
  assert.deepEqual(counters, flatten(doc.counters as Record<string, unknown>));
  const packets = await page.evaluate(() => [...document.querySelectorAll('#inputs tr')].slice(1).map((r: any) => r.cells[3].textContent as string));
  assert.deepEqual(
    packets,
    (doc.inputs as Array<{ packets: number }>).map((i) => i.packets.toLocaleString('en-US')),
  );
  // The bcc buckets are --histogram's text.
  const bcc = await page.evaluate(() => document.getElementById('bcc').textContent as string);
  assert.equal(bcc, (await runCliInProcess([...args, '--histogram', '-q'])).stdout);
  await page.close();
});

/** Hovers where the chart's own scales put the slowest sample of --csv; returns the tooltip's fields and that sample. */
async function hoverSlowest(t: TestContext, inputs: string[]): Promise<{ shown: Record<string, string>; target: CsvSample; inputCols: string[]; errors: string[] }> {
  const dir = await tempDir(t);
  const html = join(dir, 'report.html');
  assert.equal((await runCliInProcess([...inputs, '--include-local', '--html', html, '-q'])).status, 0);
  const csvText = (await runCliInProcess([...inputs, '--include-local', '--csv', '-', '-q'])).stdout;
  const samples = parseCsv(csvText);
  const { page, errors } = await open(html);
  // Every sample is in the page (fewer than the budget), so the slowest one stands alone.
  assert.equal(await page.evaluate(() => window.rttscanReport.samples.count as number), samples.length);
  const index = samples.reduce((best, s, i) => (s.rttUs > samples[best]!.rttUs ? i : best), 0);
  const target = samples[index]!;
  const at = await page.evaluate(
    ([epoch, rttUs]) => {
      const u = window.rttscanReport.plots.samples;
      const r = u.over.getBoundingClientRect();
      return { x: (r.left as number) + (u.valToPos(epoch, 'x') as number), y: (r.top as number) + (u.valToPos(rttUs, 'y') as number) };
    },
    [Number(target.ts), target.rttUs] as const,
  );
  await page.mouse.move(at.x, at.y);
  await page.waitForSelector('#tooltip [data-field=rtt]', { state: 'visible' });
  const shown = await page.evaluate(() =>
    Object.fromEntries([...document.querySelectorAll('#tooltip [data-field]')].map((e: any) => [e.dataset.field as string, e.textContent as string])),
  );
  // Away from every point, no tooltip.
  await page.mouse.move(at.x, at.y + 200);
  await page.waitForSelector('#tooltip', { state: 'hidden' });
  await page.close();
  return { shown, target, inputCols: csvText.trim().split('\n')[index + 1]!.split(',').slice(9), errors };
}

test('hovering a sample shows that sample: flow, RTT, kind, ACK time and the frames --csv gives', { skip }, async (t) => {
  const { shown, target, errors } = await hoverSlowest(t, [SERVER]);
  assert.deepEqual(shown, {
    flow: `${target.src}:${target.sport} → ${target.dst}:${target.dport}`,
    rtt: `${target.rttUs.toFixed(3)} µs`,
    kind: target.kind,
    time: `${new Date(Number(target.ts.split('.')[0]) * 1000).toISOString().slice(0, 19)}.${target.ts.split('.')[1]}Z`,
    'seg-frame': String(target.segFrame),
    'ack-frame': String(target.ackFrame),
  });
  assert.deepEqual(errors, []);
});

test('with several inputs the tooltip names the file each frame is in', { skip }, async (t) => {
  const { shown, target, inputCols, errors } = await hoverSlowest(t, [SERVER, OTHER]);
  assert.equal(inputCols.length, 2);
  assert.equal(shown['seg-frame'], `${target.segFrame} in ${inputCols[0]}`);
  assert.equal(shown['ack-frame'], `${target.ackFrame} in ${inputCols[1]}`);
  assert.equal(shown.rtt, `${target.rttUs.toFixed(3)} µs`);
  assert.deepEqual(errors, []);
});

test('rttscan merge --html: the merged numbers, one span per summary', { skip }, async (t) => {
  const dir = await tempDir(t);
  const parts: string[] = [];
  for (const [i, c] of [SERVER, OTHER].entries()) {
    const out = join(dir, `part${i}.json`);
    assert.equal((await runCliInProcess([c, '--json', out, '-q'])).status, 0);
    parts.push(out);
  }
  const html = join(dir, 'merged.html');
  const run = await runCliInProcess(['merge', ...parts, '--html', html, '-q']);
  assert.equal(run.status, 0, run.stderr);
  const doc = JSON.parse((await runCliInProcess(['merge', ...parts, '--json', '-', '-q'])).stdout) as Record<string, unknown>;
  const { page, errors, requests } = await open(html);
  assert.deepEqual(errors, []);
  assert.deepEqual(requests, [`file://${html}`]);
  assertRowIs((await tableValues(page, 'summary'))[0]!, doc.summary as Record<string, unknown>, 'merged summary');
  await expectPixels(page, 'spans', [214, 39, 40], 20, 'the p99 steps');
  await page.close();
});

test('with --tcprt the report charts server and total time per port', { skip }, async (t) => {
  const dir = await tempDir(t);
  const html = join(dir, 'tcprt.html');
  const out = join(dir, 'tcprt');
  const run = await runCliInProcess(['samples/http-v4/server.pcap', '--tcprt', out, '--lports', '8080', '--html', html, '-q']);
  assert.equal(run.status, 0, run.stderr);
  const { page, errors } = await open(html);
  assert.deepEqual(errors, []);
  assert.equal(await page.locator('#tcprt-section h3').first().textContent(), 'port 8080: 20 tasks');
  await expectPixels(page, 'tcprt-time-0', [44, 160, 44], 20, 'server time points');
  await expectPixels(page, 'tcprt-dist-0', [31, 119, 180], 20, 'total time distribution');
  await page.close();
});
