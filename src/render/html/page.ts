/**
 * `--html FILE`: one self-contained page. uPlot (its minified IIFE and CSS, read from the
 * installed npm package), the page script (browser/report.ts, compiled beside this module) and
 * the data (model.ts, as JSON) are inlined, so the file opens offline: from disk, a mail
 * attachment or a CI artifact, with no network request of any kind.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { PageModel } from './model.js';

const require = createRequire(import.meta.url);

let assets: { uplotJs: string; uplotCss: string; reportJs: string } | undefined;

function loadAssets(): NonNullable<typeof assets> {
  assets ??= {
    uplotJs: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    uplotCss: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    reportJs: readFileSync(new URL('./browser/report.js', import.meta.url), 'utf8'),
  };
  return assets;
}

/** Text that can sit inside a <script> or <style> element: no closing tag can occur in it. */
function inert(text: string): string {
  return text.replace(/<\/(script|style)/gi, '<\\/$1');
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #222; background: #fff; }
header { background: #223; color: #fff; padding: 10px 16px; }
header h1 { font-size: 18px; margin: 0; font-weight: 600; }
#report { padding: 0 16px 40px; max-width: 1640px; }
h2 { font-size: 16px; margin: 22px 0 6px; border-bottom: 1px solid #ddd; }
h3 { font-size: 14px; margin: 14px 0 4px; }
.hint { color: #555; font-size: 12px; margin: 2px 0 8px; }
table { border-collapse: collapse; font-size: 12px; margin: 6px 0; }
table.kv th { text-align: left; font-weight: 600; padding: 1px 12px 1px 0; vertical-align: top; }
table.data th, table.data td { border: 1px solid #ddd; padding: 2px 6px; }
table.data th { background: #f4f4f6; }
th.sort { cursor: pointer; user-select: none; }
th[data-dir=down]::after { content: ' ▼'; } th[data-dir=up]::after { content: ' ▲'; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
pre { font-size: 12px; background: #f8f8fa; padding: 8px; overflow-x: auto; }
.tooltip { position: absolute; display: none; pointer-events: none; background: rgba(255,255,255,0.96); border: 1px solid #888; padding: 4px 8px; font-size: 12px; box-shadow: 0 1px 4px rgba(0,0,0,0.2); z-index: 10; }
select { font-size: 13px; margin: 4px 0; }
`;

export function renderPage(model: PageModel): string {
  const a = loadAssets();
  const json = JSON.stringify(model).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>rttscan report</title>
<style>${inert(a.uplotCss)}</style>
<style>${STYLE}</style>
</head>
<body>
<header><h1 id="title">rttscan report</h1></header>
<main id="report"></main>
<script id="rttscan-model" type="application/json">${json}</script>
<script>${inert(a.uplotJs)}</script>
<script>${inert(a.reportJs)}</script>
</body>
</html>
`;
}
