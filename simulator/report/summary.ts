import { writeFileSync } from 'node:fs';
import type { RunReport } from './types.js';
import { KEY_FIGURES, formatMetricValue } from '../metrics/registry.js';
import { formatDuration } from '../scenario/duration.js';
import { DOWNLINK_LOSS_REASONS, UPLINK_LOSS_REASONS } from '../metrics/losses.js';
import { makeParentDirs } from '../io/output-dir.js';

/** A metric's value as people read it: latencies as durations, ratios as percentages. */
export const formatMetric = (v: number | null | undefined, metric: string): string =>
  formatMetricValue(v, metric, formatDuration);

/** The key figures (metrics/registry.ts KEY_FIGURES) as label and text rows. */
export function keyFigures(r: RunReport): [string, string][] {
  return KEY_FIGURES.map((f) => [f.label, f.metrics.map((k) => formatMetric(r.metrics[k], k)).join(' / ')]);
}

/** The end-of-run table: key figures, then every threshold and its verdict, then what went wrong. */
export function summaryText(r: RunReport): string {
  const m = r.metrics;
  const lines: string[] = [];
  lines.push(
    `lorafleet — ${r.scenario} (seed ${r.seed}, ${r.target} target, ${r.time} time, ${formatDuration(r.durationMs)}${r.shard ? `, shard ${r.shard.index}/${r.shard.count}` : ''}${r.merged ? `, merged from ${r.merged.shards} shards` : ''}${r.workers ? `, ${r.workers} worker threads` : ''}${r.interrupted ? ', interrupted' : ''})`,
  );
  lines.push('');
  const rows = keyFigures(r);
  const refused = r.diagnostics.notProvisioned;
  if (m.devices_not_provisioned)
    rows.unshift([
      'devices not provisioned',
      `${m.devices_not_provisioned} (${refused[0]!.device}: ${refused[0]!.error})`,
    ]);
  const w = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) lines.push(`  ${k.padEnd(w)}  ${v}`);
  const losses = lossText(r);
  if (losses) lines.push(`  ${'why lost'.padEnd(w)}  ${losses}`);
  const downLosses = reasonText(r.downlinkLosses, DOWNLINK_LOSS_REASONS);
  if (downLosses) lines.push(`  ${'downlinks lost'.padEnd(w)}  ${downLosses}`);
  lines.push('');
  if (r.thresholds.length > 0) {
    lines.push('  thresholds');
    const tw = Math.max(...r.thresholds.map((t) => t.text.length));
    for (const t of r.thresholds)
      lines.push(
        `    ${t.pass ? 'PASS' : 'FAIL'}  ${t.text.padEnd(tw)}  (actual ${formatMetric(t.actual, t.metric)})`,
      );
    lines.push('');
  }
  const reasons = Object.entries(r.diagnostics.reasons);
  if (reasons.length > 0) {
    lines.push('  the network said');
    for (const [k, n] of reasons.sort((a, b) => b[1] - a[1]).slice(0, 10))
      lines.push(`    ${String(n).padStart(6)}  ${k}`);
    lines.push('');
  }
  const v = Object.entries(r.violations);
  if (v.length > 0) {
    lines.push('  devices saw the network');
    for (const [k, n] of v.sort((a, b) => b[1] - a[1])) lines.push(`    ${String(n).padStart(6)}  ${k}`);
    lines.push('');
  }
  if (r.firmware) lines.push(...firmwareLines(r.firmware));
  lines.push(...healthLines(r.simulator), '');
  lines.push(`verdict: ${r.verdict.toUpperCase()}`);
  if (r.inconclusive) lines.push(`  ${r.inconclusive}`);
  return lines.join('\n');
}

/** What the firmware devices did: MAC each way, data rates per fleet, joins (nothing when none). */
function firmwareLines(f: RunReport['firmware']): string[] {
  const byCount = (m: Record<string, number>) =>
    Object.entries(m)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  const rows: [string, string][] = [];
  if (Object.keys(f.mac.fromNetwork).length > 0)
    rows.push(['MAC from the network', byCount(f.mac.fromNetwork)]);
  if (Object.keys(f.mac.fromDevices).length > 0)
    rows.push(['MAC from the devices', byCount(f.mac.fromDevices)]);
  if (Object.keys(f.mac.refused ?? {}).length > 0) rows.push(['MAC refused', byCount(f.mac.refused)]);
  if (f.mac.stickyRepeats > 0) rows.push(['sticky repeats', `${f.mac.stickyRepeats} uplinks`]);
  const drs = Object.entries(f.dataRates).map(
    ([fleet, m]) =>
      `${fleet} ${Object.entries(m)
        .sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true }))
        .map(([dr, n]) => `${dr} ${n}`)
        .join(' ')}`,
  );
  if (drs.length > 0) rows.push(['data rates', drs.join(' · ')]);
  const c = f.confirmed;
  if (c && c.acked + c.unacked + c.retransmissions > 0)
    rows.push([
      'confirmed uplinks',
      `${c.acked} acknowledged, ${c.unacked} not; ${c.retransmissions} retransmissions`,
    ]);
  if (Object.keys(f.downlinksByWindow ?? {}).length > 0)
    rows.push([
      'downlinks by window',
      `${byCount(f.downlinksByWindow)}${f.classCDevices > 0 ? ` (${f.classCDevices} class C devices)` : ''}`,
    ]);
  const j = f.joinRequests;
  if (j.devices > 0) {
    const per = Object.entries(j.perDevice ?? {})
      .sort((a, b) => Number(a[0]) - Number(b[0]))
      .map(([n, d]) => `${d}×${n}`)
      .join(' ');
    rows.push([
      'Join-requests',
      `${j.total} for ${j.devices} OTAA devices (at most ${j.max} for one)${per ? `; devices × requests: ${per}` : ''}`,
    ]);
  }
  if (rows.length === 0) return [];
  const w = Math.max(...rows.map(([k]) => k.length));
  return ['  firmware behaviour', ...rows.map(([k, v]) => `    ${k.padEnd(w)}  ${v}`), ''];
}

/** Why the lost uplinks were lost (empty when nothing was). */
function lossText(r: RunReport): string {
  return reasonText(r.uplinkLosses, UPLINK_LOSS_REASONS);
}

/** Counts by reason as one line, in the reasons' words (empty when all are 0). */
function reasonText<K extends string>(
  counts: Partial<Record<K, number>> | undefined,
  words: Record<K, string>,
): string {
  return (Object.entries(counts ?? {}) as [K, number][])
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${words[k] ?? k}`)
    .join('; ');
}

/** The simulator's own health: whether it kept up, so that its lag is never read as the network's. */
function healthLines(h: RunReport['simulator']): string[] {
  const lag = (l: { p50: number; p99: number; max: number }) => `${l.p50} / ${l.p99} / ${l.max} ms`;
  const lines = ['  simulator health'];
  if (h.clock === 'virtual') {
    lines.push(
      `    virtual time at ${h.speed}× wall time (${(h.wallMs / 1000).toFixed(1)} s), CPU ${Math.round(h.cpuShare * 100)} % of a core`,
    );
    return lines;
  }
  lines.push(
    `    timer lag p50 / p99 / max       ${lag(h.timerLagMs)}`,
    `    event-loop lag p50 / p99 / max  ${lag(h.eventLoopLagMs)}`,
    `    timers late (> 20 ms)           ${h.timersLate}`,
    `    windows lost to its own lag     ${h.windowsLate} (simulator_late, not the network's)`,
    `    CPU                             ${Math.round(h.cpuShare * 100)} % of a core`,
  );
  return lines;
}

export function writeJsonReport(file: string, r: RunReport): void {
  makeParentDirs(file);
  writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
}
