/**
 * The HTML report's page script: reads the model render/html/page.ts embedded (model.ts) and
 * draws it with uPlot (inlined before this script). A plain script, no imports: it runs from a
 * file:// URL, a mail attachment or a CI artifact, with no network.
 *
 * The samples chart is uPlot in its faceted mode (each series its own x and y), on a log RTT
 * axis, with the points of each kind drawn straight onto the canvas (fillRect: ~10x faster than
 * uPlot's own point paths at 10^5 points) and the p50/p99 lines drawn by uPlot over them. Hover
 * finds the nearest drawn point through a grid of pixel cells built at each redraw.
 */
type PageModel = import('../model.js').PageModel;
type StatsRow = import('../model.js').StatsRow;
type LogHistogram = import('../model.js').LogHistogram;
type SeriesModel = import('../model.js').SeriesModel;

const KIND_NAMES = ['data', 'syn', 'ts'];
const KIND_COLORS = ['rgba(31,119,180,0.55)', 'rgba(255,127,14,0.9)', 'rgba(148,52,160,0.75)'];
const GROUP_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f'];
/** Hover reaches a point this close, in CSS pixels. */
const HOVER_PX = 8;
/** The log axis has no 0: samples of 0 µs are drawn here (their value shows exact on hover). */
const FLOOR_US = 0.1;
const FRAMES_PER_INPUT = 2 ** 36;

const model = JSON.parse(document.getElementById('rttscan-model')!.textContent!) as PageModel;

// ---------- formatting ----------

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const c of children) e.append(c);
  return e;
}

/** An RTT in the unit that suits it, as the text outputs print it. */
function fmtUs(us: number | null): string {
  if (us === null) return '–';
  if (us >= 1e6) return `${(us / 1e6).toFixed(3)} s`;
  if (us >= 1e3) return `${(us / 1e3).toFixed(3)} ms`;
  return `${us.toFixed(3)} µs`;
}

function fmtInt(n: number): string {
  return n.toLocaleString('en-US');
}

/** Epoch seconds as UTC ISO 8601 with the fraction given (ns digits kept when given as text). */
function isoOf(epochText: string): string {
  const [sec, frac = '0'] = epochText.split('.');
  return `${new Date(Number(sec) * 1000).toISOString().slice(0, 19)}.${frac.padEnd(9, '0')}Z`;
}

function isoNs(baseSec: number, ns: number): string {
  const sec = baseSec + Math.floor(ns / 1e9);
  const frac = Math.round(ns - Math.floor(ns / 1e9) * 1e9);
  return isoOf(`${sec}.${String(frac).padStart(9, '0')}`);
}

/** A column of the model: base64 of deflated (zlib) little-endian bytes. */
async function decode<T extends Float64Array | Uint32Array | Uint8Array>(text: string, make: new (b: ArrayBuffer) => T): Promise<T> {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const inflated = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new make(await new Response(inflated).arrayBuffer());
}

/** Adds up differences in place (exact: whole numbers below 2^53). */
function runningSum(values: Float64Array): Float64Array {
  for (let i = 1; i < values.length; i++) values[i]! += values[i - 1]!;
  return values;
}

const utc = (ts: number): Date => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');

/** A log axis range with some room above and below the data (uPlot's own snaps to the data's edges). */
function logPadded(_u: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax {
  if (min === null || max === null) return [FLOOR_US, 1e6];
  return [niceBelow(min / 1.1), niceAbove(max * 1.1)];
}

/** The 1-2-5 value at or below v (so that the log axis' ticks fall on round numbers). */
function niceBelow(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  return v >= 5 * p ? 5 * p : v >= 2 * p ? 2 * p : p;
}

function niceAbove(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  return v <= p ? p : v <= 2 * p ? 2 * p : v <= 5 * p ? 5 * p : 10 * p;
}

function logUsAxis(label: string): uPlot.Axis {
  return { label, size: 70, values: (_u, splits) => splits.map((v) => (v == null ? '' : fmtUs(v).replace(/(\.\d*[1-9])0+ /, '$1 ').replace(/\.0+ /, ' '))) };
}

// ---------- header ----------

function section(id: string, title: string, ...children: Array<Node | string>): HTMLElement {
  const s = el('section', { id }, el('h2', {}, title), ...children);
  document.getElementById('report')!.append(s);
  return s;
}

function kv(rows: Array<[string, Node | string]>): HTMLElement {
  return el('table', { class: 'kv' }, ...rows.map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, v))));
}

function flatten(obj: Record<string, unknown>, prefix = ''): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'number') out.push([`${prefix}${k}`, v]);
    else if (v !== null && typeof v === 'object') out.push(...flatten(v as Record<string, unknown>, `${prefix}${k}.`));
  }
  return out;
}

function renderHeader(): void {
  const h = model.header;
  document.title = h.title;
  document.getElementById('title')!.textContent = h.title;
  const v = h.vantage;
  const vantage = v.midPath ? 'mid-path: no capture host; samples labelled by the acknowledging host' : `capture host ${v.local.join(', ')}`;
  const inputs = el(
    'table',
    { class: 'data', id: 'inputs' },
    el('tr', {}, ...['input', 'format', 'link type', 'packets', 'TCP packets', 'warnings'].map((t) => el('th', {}, t))),
    ...h.inputs.map((i) =>
      el('tr', {}, el('td', {}, i.path), el('td', {}, i.format), el('td', {}, i.linktype), el('td', { class: 'num' }, fmtInt(i.packets)), el('td', { class: 'num' }, fmtInt(i.tcp_packets)), el('td', {}, i.warnings.join('; '))),
    ),
  );
  const counters = el('details', {}, el('summary', {}, 'counters'), kv(flatten(h.counters).map(([k, n]) => [k, el('span', { 'data-counter': k, 'data-value': String(n) }, fmtInt(n))])));
  section(
    'header',
    'Capture',
    kv([
      ['made by', `${h.generator}${h.command.length > 0 ? `: ${h.command.join(' ')}` : ''}`],
      ['span', el('span', { id: 'span' }, `${isoOf(h.start)} to ${isoOf(h.end)} (${h.spanSec.toFixed(3)} s)`)],
      ['vantage', el('span', { id: 'vantage' }, `${vantage}${v.inferred ? ' (inferred)' : ' (given)'}`)],
      ['evidence', v.evidence.join(' ') || '–'],
      ['grouped by', h.groupBy],
    ]),
    inputs,
    counters,
    ...(h.notes.length > 0 ? [el('h3', {}, 'notes'), el('ul', { id: 'notes' }, ...h.notes.map((n) => el('li', {}, n)))] : []),
  );
}

// ---------- tables ----------

const STAT_COLUMNS: Array<[keyof StatsRow, string]> = [
  ['key', 'group'],
  ['samples', 'samples'],
  ['min_us', 'min'],
  ['mean_us', 'mean'],
  ['p50_us', 'p50'],
  ['p90_us', 'p90'],
  ['p99_us', 'p99'],
  ['max_us', 'max'],
  ['stddev_us', 'stddev'],
  ['srtt_us', 'srtt'],
  ['jitter_us', 'jitter'],
  ['data_segments', 'data segs'],
  ['retransmitted_segments', 'retrans'],
];

/** A table whose header cells sort it (numbers by their data-value, text by its text). */
function sortable(table: HTMLTableElement): HTMLTableElement {
  const head = table.tHead!.rows[0]!;
  [...head.cells].forEach((th, col) => {
    th.classList.add('sort');
    th.addEventListener('click', () => {
      const body = table.tBodies[0]!;
      const down = th.dataset.dir !== 'down';
      for (const other of head.cells) delete other.dataset.dir;
      th.dataset.dir = down ? 'down' : 'up';
      const value = (r: HTMLTableRowElement): number | string => {
        const c = r.cells[col]!;
        return c.dataset.value !== undefined ? Number(c.dataset.value === '' ? NaN : c.dataset.value) : c.textContent!;
      };
      const rows = [...body.rows].sort((a, b) => {
        const x = value(a);
        const y = value(b);
        const cmp = typeof x === 'number' && typeof y === 'number' ? (Number.isNaN(x) ? -1 : Number.isNaN(y) ? 1 : x - y) : String(x).localeCompare(String(y));
        return down ? -cmp : cmp;
      });
      body.append(...rows);
    });
  });
  return table;
}

function numCell(v: number | null, text: string): HTMLTableCellElement {
  return el('td', { class: 'num', 'data-value': v === null ? '' : String(v) }, text);
}

function statsTable(id: string, rows: StatsRow[]): HTMLTableElement {
  const body = el(
    'tbody',
    {},
    ...rows.map((r) =>
      el(
        'tr',
        { 'data-key': r.key },
        ...STAT_COLUMNS.map(([k]) => {
          const v = r[k];
          if (k === 'key') return el('td', {}, String(v));
          if (k === 'samples' || k === 'data_segments' || k === 'retransmitted_segments') return numCell(v as number, fmtInt(v as number));
          return numCell(v as number | null, fmtUs(v as number | null));
        }),
      ),
    ),
  );
  const table = el('table', { class: 'data', id }, el('thead', {}, el('tr', {}, ...STAT_COLUMNS.map(([k, t]) => el('th', { 'data-field': k }, t)))), body);
  return sortable(table);
}

function renderTables(): void {
  section(
    'groups-section',
    `Groups (by ${model.header.groupBy})`,
    el('p', { class: 'hint' }, 'All statistics are those of --json: percentiles from the DDSketch (within 1%), min and max exact. Click a column to sort.'),
    statsTable('summary', [model.summary]),
    ...(model.header.groupBy === 'all' ? [] : [statsTable('groups', model.groups)]),
  );
  const retrans = el(
    'table',
    { class: 'data', id: 'retrans' },
    el('thead', {}, el('tr', {}, ...['group', 'data segments', 'retransmitted', '%'].map((t) => el('th', {}, t)))),
    el(
      'tbody',
      {},
      ...[model.summary, ...model.groups.filter((g) => g.key !== 'all')].map((g) =>
        el(
          'tr',
          {},
          el('td', {}, g.key),
          numCell(g.data_segments, fmtInt(g.data_segments)),
          numCell(g.retransmitted_segments, fmtInt(g.retransmitted_segments)),
          numCell(g.data_segments === 0 ? null : (100 * g.retransmitted_segments) / g.data_segments, g.data_segments === 0 ? '–' : `${((100 * g.retransmitted_segments) / g.data_segments).toFixed(2)} %`),
        ),
      ),
    ),
  );
  section('retrans-section', 'Retransmissions', el('p', { class: 'hint' }, 'Segments the senders in each group sent, and how many of them were sent again.'), sortable(retrans));
  if (model.worstFlows.length > 0) {
    const cols = ['flow', 'group', 'samples', 'p50', 'p99', 'max', 'data segs', 'retrans'];
    const worst = el(
      'table',
      { class: 'data', id: 'worst' },
      el('thead', {}, el('tr', {}, ...cols.map((t) => el('th', {}, t)))),
      el(
        'tbody',
        {},
        ...model.worstFlows.map((f) =>
          el(
            'tr',
            {},
            el('td', {}, f.flow),
            el('td', {}, f.group),
            numCell(f.samples, fmtInt(f.samples)),
            numCell(f.p50_us, fmtUs(f.p50_us)),
            numCell(f.p99_us, fmtUs(f.p99_us)),
            numCell(f.max_us, fmtUs(f.max_us)),
            numCell(f.data_segments, fmtInt(f.data_segments)),
            numCell(f.retransmitted_segments, fmtInt(f.retransmitted_segments)),
          ),
        ),
      ),
    );
    section(
      'worst-section',
      'Worst flows by p99',
      el('p', { class: 'hint' }, "Each flow's p50/p99 here are exact (nearest rank over its samples); segment counts as of its last sample."),
      sortable(worst),
    );
  }
}

// ---------- samples over time ----------

interface Points {
  tSec: Float64Array;
  rttUs: Float64Array;
  kind: Uint8Array;
  flow: Uint32Array;
  segFrame: Float64Array;
  ackFrame: Float64Array;
  tNs: Float64Array;
  rttNs: Float64Array;
}

async function decodePoints(s: SeriesModel): Promise<Points> {
  const p = s.points;
  const tNs = runningSum(await decode(p.tNs, Float64Array));
  const rttNs = await decode(p.rttNs, Float64Array);
  const ackFrame = runningSum(await decode(p.ackFrame, Float64Array));
  const segFrame = await decode(p.segFrame, Float64Array);
  for (let i = 0; i < p.count; i++) segFrame[i] = ackFrame[i]! - segFrame[i]!;
  const tSec = new Float64Array(p.count);
  const rttUs = new Float64Array(p.count);
  for (let i = 0; i < p.count; i++) {
    tSec[i] = s.baseSec + tNs[i]! / 1e9;
    rttUs[i] = Math.max(FLOOR_US, rttNs[i]! / 1000);
  }
  return { tSec, rttUs, tNs, rttNs, kind: await decode(p.kind, Uint8Array), flow: await decode(p.flow, Uint32Array), segFrame, ackFrame };
}

function frameText(s: SeriesModel, ref: number): string {
  const input = Math.floor(ref / FRAMES_PER_INPUT);
  const frame = ref % FRAMES_PER_INPUT;
  return s.inputs.length > 1 ? `${frame} in ${s.inputs[input]}` : String(frame);
}

/** State the tests read: which point is where (window.rttscanReport). */
const exposed: {
  ready: boolean;
  samples?: { count: number; shown: () => number[]; pixelOf: (i: number) => { x: number; y: number } | null; hovered: () => number };
  plots: Record<string, uPlot>;
} = { ready: false, plots: {} };
(window as unknown as { rttscanReport: typeof exposed }).rttscanReport = exposed;

function chartWidth(): number {
  return Math.max(400, Math.min(1600, document.getElementById('report')!.clientWidth - 20));
}

function renderSamples(s: SeriesModel, pts: Points): void {
  const groupKeys = model.groups.map((g) => g.key);
  const select = el('select', { id: 'group-select' }, el('option', { value: '' }, 'all groups'));
  for (const b of s.bins) if (b.group !== null) select.append(el('option', { value: String(b.group) }, groupKeys[b.group]!));
  const d = s.decimation;
  const note =
    d.kept < d.total
      ? `${fmtInt(d.kept)} of ${fmtInt(d.total)} samples drawn: in each of ${fmtInt(d.columns)} time columns the fastest and slowest sample of each kind, and every sample above the p99 (${fmtUs(d.p99Us)})${d.outliersCut ? ', of which only the slowest fit' : ''}.`
      : `All ${fmtInt(d.total)} samples drawn.`;
  const tooltip = el('div', { id: 'tooltip', class: 'tooltip' });
  const holder = el('div', { id: 'samples-chart' });
  section(
    'samples-section',
    'RTT samples over capture time',
    el('p', { class: 'hint' }, `${note} Lines: p50 and p99 of each of ${s.bins[0]!.tSec.length} time bins (exact, nearest rank; gaps where a bin has no sample). Drag to zoom (x and y), wheel to zoom time, Shift+drag to pan, double-click to reset; click a legend entry to hide a kind.`),
    el('label', {}, 'show ', select),
    holder,
    tooltip,
  );

  let visible: number[] = [];
  const kindData = (): Array<[number[], number[]]> => {
    const group = select.value === '' ? null : Number(select.value);
    visible = [];
    const out: Array<[number[], number[]]> = KIND_NAMES.map(() => [[], []]);
    for (let i = 0; i < pts.tSec.length; i++) {
      if (group !== null && s.flowGroups[pts.flow[i]!] !== group) continue;
      visible.push(i);
      const k = out[pts.kind[i]!]!;
      k[0].push(pts.tSec[i]!);
      k[1].push(pts.rttUs[i]!);
    }
    return out;
  };
  const binsOf = (): SeriesModel['bins'][number] => s.bins.find((b) => String(b.group ?? '') === select.value) ?? s.bins[0]!;
  const lineData = (): Array<[number[], Array<number | null>]> => {
    const b = binsOf();
    const t = b.tSec.map((x) => s.baseSec + x);
    return [
      [t, b.p50Us.map((v) => (v === null ? null : Math.max(FLOOR_US, v)))],
      [t, b.p99Us.map((v) => (v === null ? null : Math.max(FLOOR_US, v)))],
    ];
  };
  const data = (): uPlot.AlignedData => [null, ...kindData(), ...lineData()] as unknown as uPlot.AlignedData;

  // Pixel grid of the drawn points, for hover: cell -> indices into pts.
  let grid = new Map<number, number[]>();
  const cellOf = (x: number, y: number): number => Math.floor(x / HOVER_PX) * 65536 + Math.floor(y / HOVER_PX);
  const pxOf = (u: uPlot, i: number): { x: number; y: number } => ({ x: u.valToPos(pts.tSec[i]!, 'x'), y: u.valToPos(pts.rttUs[i]!, 'y') });

  const drawPoints = (u: uPlot, seriesIdx: number): null => {
    const kind = seriesIdx - 1;
    if (kind === 0) grid = new Map();
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const size = Math.max(2, Math.round(2.5 * devicePixelRatio));
    ctx.save();
    ctx.beginPath();
    ctx.rect(left, top, width, height);
    ctx.clip();
    ctx.fillStyle = KIND_COLORS[kind]!;
    const xMin = u.scales.x!.min!;
    const xMax = u.scales.x!.max!;
    for (const i of visible) {
      if (pts.kind[i] !== kind) continue;
      const t = pts.tSec[i]!;
      if (t < xMin || t > xMax) continue;
      const x = u.valToPos(t, 'x', true);
      const y = u.valToPos(pts.rttUs[i]!, 'y', true);
      if (y < top || y > top + height) continue;
      ctx.fillRect(x - size / 2, y - size / 2, size, size);
      // The grid is in CSS pixels relative to the plotting area, as the cursor is.
      const cx = (x - left) / devicePixelRatio;
      const cy = (y - top) / devicePixelRatio;
      const cell = cellOf(cx, cy);
      const list = grid.get(cell);
      if (list === undefined) grid.set(cell, [i]);
      else list.push(i);
    }
    ctx.restore();
    return null;
  };

  let hovered = -1;
  const nearest = (u: uPlot, left: number, top: number): number => {
    let best = -1;
    let bestD = HOVER_PX * HOVER_PX;
    const cx = Math.floor(left / HOVER_PX);
    const cy = Math.floor(top / HOVER_PX);
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const i of grid.get((cx + dx) * 65536 + (cy + dy)) ?? []) {
          if (!u.series[pts.kind[i]! + 1]!.show) continue;
          const p = pxOf(u, i);
          const dist = (p.x - left) ** 2 + (p.y - top) ** 2;
          if (dist < bestD || (dist === bestD && i < best)) {
            bestD = dist;
            best = i;
          }
        }
      }
    }
    return best;
  };

  const showTooltip = (u: uPlot): void => {
    const { left, top } = u.cursor;
    hovered = left === undefined || top === undefined || left < 0 ? -1 : nearest(u, left, top);
    if (hovered < 0) {
      tooltip.style.display = 'none';
      return;
    }
    const i = hovered;
    const p = pxOf(u, i);
    tooltip.replaceChildren(
      el('div', { class: 'tt-flow', 'data-field': 'flow' }, s.flows[pts.flow[i]!]!),
      el('div', {}, el('b', { 'data-field': 'rtt', 'data-value': (pts.rttNs[i]! / 1000).toFixed(3) }, `${(pts.rttNs[i]! / 1000).toFixed(3)} µs`), ` (${fmtUs(pts.rttNs[i]! / 1000)}) `, el('span', { 'data-field': 'kind' }, KIND_NAMES[pts.kind[i]!]!)),
      el('div', {}, 'ACK at ', el('span', { 'data-field': 'time' }, isoNs(s.baseSec, pts.tNs[i]!))),
      el('div', {}, 'segment frame ', el('span', { 'data-field': 'seg-frame' }, frameText(s, pts.segFrame[i]!)), ', ACK frame ', el('span', { 'data-field': 'ack-frame' }, frameText(s, pts.ackFrame[i]!))),
    );
    const rect = u.over.getBoundingClientRect();
    tooltip.style.display = 'block';
    tooltip.style.left = `${window.scrollX + rect.left + p.x + 12}px`;
    tooltip.style.top = `${window.scrollY + rect.top + p.y + 12}px`;
  };

  const opts: uPlot.Options = {
    mode: 2,
    width: chartWidth(),
    height: 420,
    scales: { x: { time: true }, y: { distr: 3, range: logPadded } },
    tzDate: utc,
    axes: [{}, logUsAxis('RTT')],
    legend: { live: false },
    cursor: { drag: { x: true, y: true, uni: 20 }, points: { show: false }, dataIdx: (_u, _s, i) => i },
    series: [
      {},
      ...KIND_NAMES.map((name, k) => ({ label: name, stroke: KIND_COLORS[k]!, fill: KIND_COLORS[k]!, paths: drawPoints as unknown as uPlot.Series.PathBuilder, points: { show: false } })),
      { label: 'p50', stroke: '#000', width: 1.5, paths: uPlot.paths.linear!(), points: { show: false }, spanGaps: false },
      { label: 'p99', stroke: '#d62728', width: 1.5, paths: uPlot.paths.linear!(), points: { show: false }, spanGaps: false },
    ],
    hooks: { setCursor: [showTooltip] },
  };
  const u = new uPlot(opts, data(), holder);
  exposed.plots.samples = u;
  select.addEventListener('change', () => u.setData(data()));
  enableWheelAndPan(u);
  exposed.samples = {
    count: pts.tSec.length,
    shown: () => visible.slice(),
    pixelOf: (i) => {
      const p = pxOf(u, i);
      const r = u.over.getBoundingClientRect();
      return Number.isFinite(p.x) && Number.isFinite(p.y) ? { x: r.left + p.x, y: r.top + p.y } : null;
    },
    hovered: () => hovered,
  };
}

/** Wheel zooms capture time around the cursor; Shift+drag pans. */
function enableWheelAndPan(u: uPlot): void {
  const over = u.over;
  over.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      const { min, max } = u.scales.x as { min: number; max: number };
      const at = u.posToVal(e.offsetX, 'x');
      const f = e.deltaY < 0 ? 0.75 : 1 / 0.75;
      u.setScale('x', { min: at - (at - min) * f, max: at + (max - at) * f });
    },
    { passive: false },
  );
  over.addEventListener(
    'mousedown',
    (e) => {
      if (!e.shiftKey) return;
      e.stopPropagation();
      e.preventDefault();
      const x0 = e.clientX;
      const { min, max } = u.scales.x as { min: number; max: number };
      const perPx = (max - min) / u.bbox.width * devicePixelRatio;
      const move = (m: MouseEvent): void => {
        const dt = (m.clientX - x0) * perPx;
        u.setScale('x', { min: min - dt, max: max - dt });
      };
      const up = (): void => {
        document.removeEventListener('mousemove', move);
        document.removeEventListener('mouseup', up);
      };
      document.addEventListener('mousemove', move);
      document.addEventListener('mouseup', up);
    },
    true,
  );
}

// ---------- distributions ----------

/** Histograms on one log RTT axis: each as the fraction of its samples per bin, a step line. */
function renderHistograms(): void {
  const hs = model.histograms.filter((h) => h.counts.length > 0);
  const holder = el('div', { id: 'histogram-chart' });
  section(
    'histogram-section',
    'Distribution',
    el('p', { class: 'hint' }, `Fraction of each group's samples per bin (${hs[0]?.perDecade ?? 20} bins per decade of RTT, from the DDSketch). Below: the log2 buckets, as bcc tcprtt prints them (--histogram).`),
    holder,
    model.histograms.length > 2 ? el('details', {}, el('summary', {}, 'log2 buckets (bcc tcprtt)'), el('pre', { id: 'bcc' }, model.bcc)) : el('pre', { id: 'bcc' }, model.bcc),
  );
  if (hs.length === 0) return;
  const perDecade = hs[0]!.perDecade;
  const first = Math.min(...hs.map((h) => h.firstBin));
  const last = Math.max(...hs.map((h) => h.firstBin + h.counts.length - 1));
  const edges: number[] = [];
  for (let b = first; b <= last + 1; b++) edges.push(10 ** (b / perDecade));
  const series = hs.map((h) => {
    const total = h.counts.reduce((a, b) => a + b, 0) + h.zeroCount;
    const ys: Array<number | null> = edges.map((_, i) => {
      const b = first + i;
      const at = b - h.firstBin;
      if (i === edges.length - 1) return null;
      return at >= 0 && at < h.counts.length ? h.counts[at]! / total : 0;
    });
    return ys;
  });
  const u = new uPlot(
    {
      width: chartWidth(),
      height: 300,
      scales: { x: { time: false, distr: 3 }, y: { range: (_u, _min, max) => [0, max * 1.05] } },
      axes: [logUsAxis('RTT'), { label: 'fraction', size: 60 }],
      legend: { live: false },
      series: [{ label: 'RTT', value: (_u, v) => (v == null ? '' : fmtUs(v)) }, ...hs.map((h: LogHistogram, i) => ({ label: h.key, stroke: GROUP_COLORS[i % GROUP_COLORS.length]!, width: 1.5, paths: uPlot.paths.stepped!({ align: 1 }), points: { show: false } }))],
    },
    [edges, ...series] as uPlot.AlignedData,
    holder,
  );
  exposed.plots.histogram = u;
}

// ---------- merge: one span per summary ----------

function renderSpans(): void {
  const holder = el('div', { id: 'spans-chart' });
  section('spans-section', 'p50 and p99 of each summary over its span', el('p', { class: 'hint' }, 'Summaries hold no samples, so a merge shows each summary as one step over its capture span (from its DDSketch).'), holder);
  const xs: number[] = [];
  const p50: Array<number | null> = [];
  const p99: Array<number | null> = [];
  for (const s of [...model.spans].sort((a, b) => a.startSec - b.startSec)) {
    xs.push(s.startSec, s.endSec, s.endSec);
    p50.push(s.p50Us, s.p50Us, null);
    p99.push(s.p99Us, s.p99Us, null);
  }
  const u = new uPlot(
    {
      width: chartWidth(),
      height: 300,
      scales: { x: { time: true }, y: { distr: 3, range: logPadded } },
      tzDate: utc,
      axes: [{}, logUsAxis('RTT')],
      legend: { live: false },
      series: [{}, { label: 'p50', stroke: '#000', width: 2 }, { label: 'p99', stroke: '#d62728', width: 2 }],
    },
    [xs, p50, p99] as uPlot.AlignedData,
    holder,
  );
  exposed.plots.spans = u;
}

// ---------- TCP-RT ----------

function renderTcprt(): void {
  const t = model.tcprt!;
  const s = section('tcprt-section', 'TCP-RT: server and total time per port', el('p', { class: 'hint' }, 'Each R/P task: server time (request end to response start) and total time, over capture time and as distributions.'));
  const baseSec = t.baseSec;
  t.ports.forEach((p, i) => {
    const over = el('div', { id: `tcprt-time-${p.port}` });
    const dist = el('div', { id: `tcprt-dist-${p.port}` });
    s.append(el('h3', {}, `port ${p.port}: ${fmtInt(p.startSec.length)} tasks`), over, dist);
    const x = p.startSec.map((v) => baseSec + v);
    const clamp = (v: number): number => Math.max(1, v);
    exposed.plots[`tcprt-time-${i}`] = new uPlot(
      {
        mode: 2,
        width: chartWidth(),
        height: 260,
        scales: { x: { time: true }, y: { distr: 3, range: logPadded } },
        tzDate: utc,
        axes: [{}, logUsAxis('time')],
        legend: { live: false },
        series: [
          {},
          { label: 'server', stroke: '#2ca02c', fill: '#2ca02c', paths: uPlot.paths.points!(), points: { show: true, size: 4 } },
          { label: 'total', stroke: '#1f77b4', fill: '#1f77b4', paths: uPlot.paths.points!(), points: { show: true, size: 4 } },
        ],
      },
      [null, [x, p.serverUs.map(clamp)], [x, p.totalUs.map(clamp)]] as unknown as uPlot.AlignedData,
      over,
    );
    // Distributions: 20 bins per decade of µs.
    const values = [p.serverUs, p.totalUs].map((vs) => vs.map((v) => Math.floor(Math.log10(clamp(v)) * 20)));
    let lo = Infinity;
    let hi = -Infinity;
    for (const bins of values) {
      for (const b of bins) {
        if (b < lo) lo = b;
        if (b > hi) hi = b;
      }
    }
    const edges: number[] = [];
    for (let b = lo; b <= hi + 1; b++) edges.push(10 ** (b / 20));
    const counts = values.map((bins) => {
      const c: Array<number | null> = edges.map(() => 0);
      for (const b of bins) c[b - lo]!++;
      c[c.length - 1] = null;
      return c;
    });
    exposed.plots[`tcprt-dist-${i}`] = new uPlot(
      {
        width: chartWidth(),
        height: 220,
        scales: { x: { time: false, distr: 3 }, y: { range: (_u, _min, max) => [0, max * 1.05 + 1] } },
        axes: [logUsAxis('time'), { label: 'tasks', size: 60 }],
        legend: { live: false },
        series: [{}, { label: 'server', stroke: '#2ca02c', paths: uPlot.paths.stepped!({ align: 1 }), points: { show: false } }, { label: 'total', stroke: '#1f77b4', paths: uPlot.paths.stepped!({ align: 1 }), points: { show: false } }],
      },
      [edges, ...counts] as uPlot.AlignedData,
      dist,
    );
  });
  s.append(el('details', {}, el('summary', {}, 'per-port stats (--json tcprt)'), el('pre', {}, JSON.stringify(t.summary, null, 2))));
}

// ---------- page ----------

async function main(): Promise<void> {
  renderHeader();
  const series = model.series;
  if (series !== null && series.points.count > 0) renderSamples(series, await decodePoints(series));
  else if (model.spans.length > 0) renderSpans();
  renderHistograms();
  renderTables();
  if (model.tcprt !== null) renderTcprt();
  exposed.ready = true;
  document.body.dataset.readyMs = String(performance.now());
  document.body.dataset.ready = '1';
}

main().catch((err: unknown) => {
  console.error(err);
  document.getElementById('report')!.append(el('p', { class: 'error' }, `This page could not be drawn: ${String(err)}`));
});
