import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { RunReport } from './types.js';
import { formatDuration } from '../scenario/duration.js';
import { formatMetric, keyFigures } from './summary.js';
import { makeParentDirs } from '../io/output-dir.js';

const require = createRequire(import.meta.url);

/** uPlot (MIT, github.com/leeoniya/uPlot) inlined, so the page opens offline and from an attachment. */
function uplotAssets(): { js: string; css: string } {
  const js = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  return { js, css };
}

const esc = (s: unknown): string =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** JSON inside a <script> element: `</script>` and `<!--` in a value must not end or confuse it. */
const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');

function table(head: string[], rows: unknown[][], cls = ''): string {
  if (rows.length === 0) return '<p class="none">none</p>';
  return `<table class="${cls}"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

/** The plots, drawn in the browser from the embedded report. Each plot marks itself when drawn. */
const PLOTS_SCRIPT = String.raw`
(function () {
  const r = JSON.parse(document.getElementById('report-data').textContent);
  const t = r.timeline, d = r.distributions, step = t.bucketMs / 1000;
  const secs = t.uplinksSent.map((_, i) => i * step);
  const perS = (a) => a.map((n) => n / step);
  let cumulative = 0;
  const joined = t.joinAccepts.map((n) => (cumulative += n));
  const width = () => Math.min(1000, document.querySelector('main').clientWidth - 16);
  const bars = uPlot.paths.bars({ size: [0.9, 60] });
  // Fixed-bin distributions span every value a radio could report; show the part that holds data.
  const binned = (b) => {
    const xs = b.counts.map((_, i) => b.start + i * b.width);
    let lo = b.counts.findIndex((c) => c > 0), hi = b.counts.length - 1;
    while (hi > 0 && b.counts[hi] === 0) hi--;
    if (lo < 0) return [[], []];
    lo = Math.max(0, lo - 2); hi = Math.min(b.counts.length - 1, hi + 2);
    return [xs.slice(lo, hi + 1), b.counts.slice(lo, hi + 1)];
  };
  const axes = (x, y) => [{ label: x }, { label: y, size: 60 }];
  const plots = {
    'uplink-rate': {
      data: [secs, perS(t.uplinksSent), perS(t.uplinksDelivered)],
      opts: { scales: { x: { time: false } }, axes: axes('seconds since traffic started', 'uplinks/s'),
        series: [{}, { label: 'sent', stroke: '#1f77b4' }, { label: 'delivered', stroke: '#2ca02c' }] },
    },
    'latency-time': {
      data: [secs, t.latencyP50Ms, t.latencyP99Ms, t.latencyMaxMs],
      opts: { scales: { x: { time: false } }, axes: axes('seconds since traffic started', 'ms'),
        series: [{}, { label: 'p50', stroke: '#1f77b4' }, { label: 'p99', stroke: '#d62728' },
          { label: 'max', stroke: '#999', dash: [4, 4] }] },
    },
    'latency-histogram': {
      data: [d.latencyMs.edgesMs, d.latencyMs.counts],
      opts: { scales: { x: { time: false, distr: 3 } }, axes: axes('latency, ms (log scale)', 'uplinks'),
        series: [{}, { label: 'uplinks', fill: '#1f77b480', stroke: '#1f77b4', paths: bars }] },
    },
    'join-timeline': {
      data: [secs, perS(t.joinRequests), perS(t.joinAccepts), joined],
      opts: { scales: { x: { time: false }, joined: {} },
        axes: [...axes('seconds since traffic started', 'per second'), { scale: 'joined', side: 1, label: 'joined', size: 60 }],
        series: [{}, { label: 'Join-requests/s', stroke: '#ff7f0e' }, { label: 'JoinAccepts/s', stroke: '#2ca02c' },
          { label: 'joined', stroke: '#9467bd', scale: 'joined' }] },
    },
    'rssi': {
      data: binned(d.rssiDbm),
      opts: { scales: { x: { time: false } }, axes: axes('RSSI, dBm', 'receptions'),
        series: [{}, { label: 'receptions', fill: '#8c564b80', stroke: '#8c564b', paths: bars }] },
    },
    'snr': {
      data: binned(d.snrDb),
      opts: { scales: { x: { time: false } }, axes: axes('SNR, dB', 'receptions'),
        series: [{}, { label: 'receptions', fill: '#17becf80', stroke: '#17becf', paths: bars }] },
    },
  };
  let drawn = 0;
  for (const [id, p] of Object.entries(plots)) {
    const el = document.getElementById(id);
    new uPlot({ width: width(), height: 280, ...p.opts }, p.data, el.querySelector('.plot'));
    el.dataset.drawn = 'true';
    drawn++;
  }
  document.body.dataset.plots = String(drawn);
})();
`;

const FIGURES: [string, string][] = [
  ['uplink-rate', 'Uplinks per second: sent by devices, delivered to the application'],
  ['latency-time', 'End-to-end latency over time (radio transmit → application MQTT)'],
  ['latency-histogram', 'Latency distribution'],
  ['join-timeline', 'Joins: Join-requests and JoinAccepts per second, devices joined'],
  ['rssi', 'RSSI of uplinks at the gateways'],
  ['snr', 'SNR of uplinks at the gateways'],
];

/** A self-contained HTML page for a run report: tables, plus plots drawn by an inlined uPlot. */
export function htmlReport(r: RunReport): string {
  const m = r.metrics;
  const { js, css } = uplotAssets();
  const key: [string, unknown][] = [...keyFigures(r), ['devices not provisioned', m.devices_not_provisioned]];

  const fleetCols = [...new Set(Object.values(r.fleets).flatMap((f) => Object.keys(f)))];
  const gwCols = [...new Set(Object.values(r.gateways).flatMap((g) => Object.keys(g)))];
  const title = `lorafleet — ${r.scenario}: ${r.verdict.toUpperCase()}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="lorafleet">
<title>${esc(title)}</title>
<style>${css}</style>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #222; }
header { padding: 12px 16px; color: #fff; background: ${r.verdict === 'pass' ? '#2e7d32' : r.verdict === 'fail' ? '#c62828' : '#8d6e00'}; }
header h1 { margin: 0; font-size: 20px; }
main { padding: 8px 16px; max-width: 1040px; }
table { border-collapse: collapse; margin: 4px 0 12px; }
td, th { border-bottom: 1px solid #ddd; padding: 3px 10px; text-align: left; font-variant-numeric: tabular-nums; }
td.pass, .verdict-pass { color: #2e7d32; font-weight: 600; }
td.fail, .verdict-fail { color: #c62828; font-weight: 600; }
figure { margin: 12px 0 24px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
.none { color: #777; }
</style>
</head>
<body>
<header><h1>${esc(title)}</h1>
<div>seed ${esc(r.seed)} · ${esc(r.target)} target · ${esc(r.time)} time · ${esc(formatDuration(r.durationMs))}${r.interrupted ? ' · interrupted' : ''}</div></header>
<main>
<h2>Thresholds</h2>
${
  r.thresholds.length === 0
    ? '<p class="none">none set</p>'
    : `<table id="thresholds"><thead><tr><th>verdict</th><th>threshold</th><th>actual</th></tr></thead><tbody>${r.thresholds
        .map(
          (t) =>
            `<tr><td class="${t.pass ? 'pass' : 'fail'}">${t.pass ? 'PASS' : 'FAIL'}</td><td>${esc(t.text)}</td><td>${esc(formatMetric(t.actual, t.metric))}</td></tr>`,
        )
        .join('')}</tbody></table>`
}
<h2>Key figures</h2>
${table(['', ''], key, 'key')}
${FIGURES.map(([id, caption]) => `<figure id="${id}"><figcaption>${esc(caption)}</figcaption><div class="plot"></div></figure>`).join('\n')}
<h2>Fleets</h2>
${table(
  ['fleet', ...fleetCols],
  Object.entries(r.fleets).map(([k, f]) => [k, ...fleetCols.map((c) => f[c] ?? '')]),
)}
<h2>Gateways</h2>
${table(
  ['gateway', ...gwCols],
  Object.entries(r.gateways).map(([k, g]) => [k, ...gwCols.map((c) => g[c] ?? '')]),
)}
<h2>What the network said</h2>
${table(
  ['count', 'reason'],
  Object.entries(r.diagnostics.reasons)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => [n, k]),
)}
<h2>Where devices saw the network break the spec</h2>
${table(
  ['count', 'violation'],
  Object.entries(r.violations)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => [n, k]),
)}
${table(
  ['device', 'kind', 'detail'],
  r.violationSamples.map((v) => [v.device, v.kind, v.detail]),
)}
</main>
<script type="application/json" id="report-data">${scriptJson({ timeline: r.timeline, distributions: r.distributions })}</script>
<script>${js.replace(/<\/script/gi, '<\\/script')}</script>
<script>${PLOTS_SCRIPT}</script>
</body>
</html>
`;
}

export function writeHtmlReport(file: string, r: RunReport): void {
  makeParentDirs(file);
  writeFileSync(file, htmlReport(r));
}
