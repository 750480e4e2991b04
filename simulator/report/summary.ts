import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RunReport } from './types.js';
import { KEY_FIGURES, formatMetricValue } from '../metrics/registry.js';
import { formatDuration } from '../scenario/duration.js';

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
  lines.push(`verdict: ${r.verdict.toUpperCase()}`);
  return lines.join('\n');
}

export function writeJsonReport(file: string, r: RunReport): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
}
