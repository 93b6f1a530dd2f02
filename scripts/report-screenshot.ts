/**
 * docs/report.png, the README's picture of the --html report: `npm run build && node
 * dist/scripts/report-screenshot.js` (needs Debian's chromium). The report of a sample capture,
 * opened in headless Chromium, its first screenful with the mouse over the slowest sample.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from '../test/helpers/browser.js';
import { REPO_ROOT } from '../test/helpers/paths.js';

const ARGS = ['samples/mixed-loss/client.pcap', '--include-local', '--by', 'raddr'];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rttscan-shot-'));
  const html = join(dir, 'report.html');
  const run = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'rttscan'), ...ARGS, '--html', html, '-q'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  const browser = await launchChromium({ width: 1280, height: 1000 });
  try {
    const page = await browser.context.newPage();
    await page.goto(`file://${html}`);
    await page.waitForFunction('document.body.dataset.ready === "1"');
    // Hover the slowest drawn sample, so the picture shows a tooltip.
    const at = (await page.evaluate(`(() => {
      const s = window.rttscanReport.samples;
      const u = window.rttscanReport.plots.samples;
      let best = -1, y = Infinity;
      for (const i of s.shown()) { const p = s.pixelOf(i); if (p && p.y < y) { y = p.y; best = i; } }
      return s.pixelOf(best);
    })()`)) as { x: number; y: number };
    await page.mouse.move(at.x, at.y);
    await page.waitForSelector('#tooltip', { state: 'visible' });
    const out = join(REPO_ROOT, 'docs', 'report.png');
    await page.screenshot({ path: out, clip: { x: 0, y: 0, width: 1280, height: 1000 } });
    process.stdout.write(`${out}: rttscan ${ARGS.join(' ')} --html\n`);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
