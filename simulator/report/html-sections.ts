import type { LiveState, RunReport } from './types.js';

export type { LiveState };
import { formatDuration } from '../scenario/duration.js';
import { formatMetric, keyFigures } from './summary.js';
import { firmwareOf } from './firmware.js';
import { DOWNLINK_LOSS_REASONS, UPLINK_LOSS_REASONS } from '../metrics/losses.js';

/*
 * The sections of the report page, rendered from a report: the same functions serve the HTML report
 * written at the end and each update of the live dashboard, so the two cannot drift apart.
 */

export const esc = (s: unknown): string =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

function table(head: string[], rows: unknown[][], id = ''): string {
  if (rows.length === 0) return '<p class="none">none</p>';
  return `<table${id ? ` id="${id}"` : ''}><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

const byCount = (m: Record<string, number>): [string, number][] =>
  Object.entries(m).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));

const clock = (ms: number) => {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/** The page's title line: the verdict, or where a live run is. */
export function titleOf(r: RunReport, live?: LiveState): string {
  const state = live
    ? `RUNNING (${live.phase} ${clock(live.elapsedMs)}/${clock(live.durationMs)})`
    : r.verdict.toUpperCase();
  return `lorafleet — ${r.scenario}: ${state}`;
}

function header(r: RunReport, live?: LiveState): string {
  return `<h1>${esc(titleOf(r, live))}</h1>
<div>seed ${esc(r.seed)} · ${esc(r.target)} target · ${esc(r.time)} time · ${esc(formatDuration(r.durationMs))}${r.interrupted ? ' · interrupted' : ''}${r.inconclusive ? ` · ${esc(r.inconclusive)}` : ''}</div>`;
}

function thresholds(r: RunReport, live?: LiveState): string {
  if (r.thresholds.length === 0) return '<h2>Thresholds</h2><p class="none">none set</p>';
  return `<h2>Thresholds${live ? ' (so far)' : ''}</h2><table id="thresholds"><thead><tr><th>verdict</th><th>threshold</th><th>actual</th></tr></thead><tbody>${r.thresholds
    .map(
      (t) =>
        `<tr><td class="${t.pass ? 'pass' : 'fail'}">${t.pass ? 'PASS' : 'FAIL'}</td><td>${esc(t.text)}</td><td>${esc(formatMetric(t.actual, t.metric))}</td></tr>`,
    )
    .join('')}</tbody></table>`;
}

function keyFiguresSection(r: RunReport): string {
  const key: [string, unknown][] = [
    ...keyFigures(r),
    ['devices not provisioned', r.metrics.devices_not_provisioned],
  ];
  return `<h2>Key figures</h2>${table(['', ''], key, 'key-figures')}`;
}

function losses(r: RunReport, live?: LiveState): string {
  const up = Object.entries(r.uplinkLosses ?? {}).map(([k, n]) => [
    n,
    UPLINK_LOSS_REASONS[k as keyof typeof UPLINK_LOSS_REASONS] ?? k,
  ]);
  const onAir = live?.transmissionsLost;
  const upText = onAir
    ? `<h3>Transmissions lost on air so far (an uplink counts as lost when the run ends)</h3>${table(
        ['count', 'reason'],
        Object.entries(onAir).map(([k, n]) => [
          n,
          UPLINK_LOSS_REASONS[k as keyof typeof UPLINK_LOSS_REASONS] ?? k,
        ]),
        'uplink-losses',
      )}`
    : `<h3>Uplinks not delivered (${esc(r.metrics.uplinks_lost ?? 0)}), by why</h3>${table(['count', 'reason'], up, 'uplink-losses')}`;
  const down = Object.entries(r.downlinkLosses ?? {}).map(([k, n]) => [
    n,
    DOWNLINK_LOSS_REASONS[k as keyof typeof DOWNLINK_LOSS_REASONS] ?? k,
  ]);
  return `<h2>Losses explained</h2>
${upText}
<h3>Frames for devices that did not reach them, by why</h3>${table(['count', 'reason'], down, 'downlink-losses')}`;
}

function firmware(r: RunReport): string {
  if (r.firmware === undefined) return '';
  const f = firmwareOf(r.firmware);
  const names = [
    ...new Set([
      ...Object.keys(f.mac.fromNetwork),
      ...Object.keys(f.mac.fromDevices),
      ...Object.keys(f.mac.refused),
      ...Object.keys(f.mac.pendingAtEnd ?? {}),
    ]),
  ].sort();
  const mac = names.map((n) => [
    n,
    f.mac.fromNetwork[n] ?? '',
    f.mac.fromDevices[n] ?? '',
    f.mac.refused[n] ?? '',
    f.mac.pendingAtEnd?.[n] ?? '',
  ]);
  const drs = [...new Set(Object.values(f.dataRates).flatMap((m) => Object.keys(m)))].sort((a, b) =>
    a.localeCompare(b, 'en', { numeric: true }),
  );
  const rates = Object.entries(f.dataRates).map(([fleet, m]) => [fleet, ...drs.map((d) => m[d] ?? '')]);
  const other: [string, unknown][] = [
    ['confirmed uplinks acknowledged / not', `${f.confirmed.acked} / ${f.confirmed.unacked}`],
    ['retransmissions', f.confirmed.retransmissions],
    ['uplinks repeating a sticky MAC answer', f.mac.stickyRepeats],
    ...byCount(f.downlinksByWindow).map(([w, n]): [string, unknown] => [`downlinks received in ${w}`, n]),
    ['class C devices', f.classCDevices],
    [
      'OTAA devices / Join-requests / most for one',
      `${f.joinRequests.devices} / ${f.joinRequests.total} / ${f.joinRequests.max}`,
    ],
  ];
  const joins = Object.entries(f.joinRequests.perDevice)
    .sort((a, b) => Number(a[0]) - Number(b[0]))
    .map(([n, d]) => [n, d]);
  return `<h2>Firmware behaviour</h2>
<h3>MAC commands</h3>${table(['command', 'from the network', 'from the devices', 'refused by the devices', 'unsent at the end'], mac, 'mac-commands')}
<h3>Data frames by data rate</h3>${table(['fleet', ...drs], rates, 'data-rates')}
${table(['', ''], other, 'firmware-figures')}
<h3>Join-requests a device needed</h3>${table(['Join-requests', 'devices'], joins, 'join-attempts')}`;
}

function fleetsAndGateways(r: RunReport): string {
  const fleetCols = [...new Set(Object.values(r.fleets).flatMap((f) => Object.keys(f)))];
  const gwCols = [...new Set(Object.values(r.gateways).flatMap((g) => Object.keys(g)))];
  return `<h2>Fleets</h2>${table(
    ['fleet', ...fleetCols],
    Object.entries(r.fleets).map(([k, f]) => [k, ...fleetCols.map((c) => f[c] ?? '')]),
    'fleets',
  )}
<h2>Gateways</h2>${table(
    ['gateway', ...gwCols],
    Object.entries(r.gateways).map(([k, g]) => [k, ...gwCols.map((c) => g[c] ?? '')]),
    'gateways',
  )}`;
}

function networkSaid(r: RunReport): string {
  return `<h2>What the network said</h2>${table(
    ['count', 'reason'],
    byCount(r.diagnostics.reasons).map(([k, n]) => [n, k]),
  )}
<h2>Where devices saw the network break the spec</h2>${table(
    ['count', 'violation'],
    byCount(r.violations as Record<string, number>).map(([k, n]) => [n, k]),
  )}
${table(
  ['device', 'kind', 'detail'],
  r.violationSamples.map((v) => [v.device, v.kind, v.detail]),
)}`;
}

/** Every section of the page by element id (`s-<id>`), as HTML with every value escaped. */
export function reportSections(r: RunReport, live?: LiveState): Record<string, string> {
  return {
    header: header(r, live),
    thresholds: thresholds(r, live),
    'key-figures': keyFiguresSection(r),
    losses: losses(r, live),
    firmware: firmware(r),
    'fleets-gateways': fleetsAndGateways(r),
    'network-said': networkSaid(r),
  };
}

/** What the page's plots are drawn from. */
export function plotData(r: RunReport): unknown {
  return {
    timeline: r.timeline,
    distributions: r.distributions,
    ...(r.firmware ? { adr: r.firmware.adrOverTime } : {}),
  };
}
