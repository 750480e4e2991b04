import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { RunReport } from './types.js';
import { makeParentDirs } from '../io/output-dir.js';
import { esc, plotData, reportSections, titleOf, type LiveState } from './html-sections.js';
import { FIGURES, PLOTS_SCRIPT } from './html-plots.js';
import { LIVE_SCRIPT } from './html-live.js';

const require = createRequire(import.meta.url);

/** uPlot (MIT, github.com/leeoniya/uPlot) inlined, so the page opens offline and from an attachment. */
function uplotAssets(): { js: string; css: string } {
  const js = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
  const css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  return { js, css };
}

/** JSON inside a <script> element: `</script>` and `<!--` in a value must not end or confuse it. */
export const scriptJson = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; color: #222; }
header { padding: 12px 16px; color: #fff; background: #555; }
header[data-verdict="pass"] { background: #2e7d32; }
header[data-verdict="fail"] { background: #c62828; }
header[data-verdict="inconclusive"] { background: #8d6e00; }
header[data-verdict="running"] { background: #1565c0; }
header h1 { margin: 0; font-size: 20px; }
main { padding: 8px 16px; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 0 32px; }
table { border-collapse: collapse; margin: 4px 0 12px; }
td, th { border-bottom: 1px solid #ddd; padding: 3px 10px; text-align: left; font-variant-numeric: tabular-nums; }
td.pass { color: #2e7d32; font-weight: 600; }
td.fail { color: #c62828; font-weight: 600; }
figure { margin: 12px 0 24px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
.none { color: #777; }
#devices input { font: inherit; padding: 3px 6px; width: 240px; }
#device-table tbody tr { cursor: pointer; }
#device-table tbody tr:hover, #device-table tbody tr.selected { background: #e3f2fd; }
#device-log { font: 12px/1.5 ui-monospace, monospace; white-space: pre; overflow-x: auto; }
`;

/**
 * The report page: its sections (html-sections.ts) and plots drawn by an inlined uPlot. Written at
 * the end of a run (self-contained, opens offline), and served by the live dashboard (`live`), which
 * replaces the sections and redraws the plots as the run's server-sent events come in.
 */
export function htmlReport(r: RunReport, live?: LiveState): string {
  const { js, css } = uplotAssets();
  const s = reportSections(r, live);
  const section = (id: string) => `<section id="s-${id}">${s[id] ?? ''}</section>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="lorafleet">
<title>${esc(titleOf(r, live))}</title>
<style>${css}</style>
<style>${STYLE}</style>
</head>
<body${live ? ' data-live="true"' : ''}>
<header id="s-header" data-verdict="${live ? 'running' : esc(r.verdict)}">${s.header}</header>
<main>
<div class="columns">${section('thresholds')}${section('key-figures')}</div>
${FIGURES.map(([id, caption]) => `<figure id="${id}"${id === 'adr-time' ? ' hidden' : ''}><figcaption>${esc(caption)}</figcaption><div class="plot"></div></figure>`).join('\n')}
${live ? DEVICES_SECTION : ''}
<div class="columns">${section('losses')}${section('network-said')}</div>
${section('firmware')}
${section('fleets-gateways')}
</main>
<script type="application/json" id="report-data">${scriptJson(plotData(r))}</script>
<script>${js.replace(/<\/script/gi, '<\\/script')}</script>
<script>${PLOTS_SCRIPT}</script>
${live ? `<script>${LIVE_SCRIPT}</script>` : ''}
</body>
</html>
`;
}

/** The live page's device table (search, then a device's own frame log), filled by LIVE_SCRIPT. */
const DEVICES_SECTION = `<section id="devices">
<h2>Devices</h2>
<p><input id="device-search" type="search" placeholder="search devices, e.g. meters-1" aria-label="search devices"> <span id="device-count"></span></p>
<table id="device-table"><thead><tr><th>device</th><th>fleet</th><th>joined</th><th>uplinks</th><th>downlinks</th><th>violations</th><th>last RSSI</th><th>last SNR</th></tr></thead><tbody></tbody></table>
<h3 id="device-log-title">Select a device to follow its frames</h3>
<div id="device-log"></div>
</section>`;

export function writeHtmlReport(file: string, r: RunReport): void {
  makeParentDirs(file);
  writeFileSync(file, htmlReport(r));
}
