import type { Progress } from '../report/types.js';

/**
 * One line of live progress: joins, uplinks/s (in scenario time, since the previous line), delivery,
 * latency and errors so far.
 */
export function progressLine(p: Progress, prev: Progress | undefined): string {
  const dt = prev ? (p.elapsedMs - prev.elapsedMs) / 1000 : p.elapsedMs / 1000;
  const sent = p.counts.uplinksSent;
  const rate = dt > 0 ? (sent - (prev?.counts.uplinksSent ?? 0)) / dt : 0;
  const ms = (v: number | null) => (v === null ? '-' : `${Math.round(v)}ms`);
  return (
    `[${(p.elapsedMs / 1000).toFixed(0)}s/${(p.durationMs / 1000).toFixed(0)}s] joined ${p.joined}/${p.devices}` +
    `  ${rate.toFixed(1)} uplinks/s  delivered ${p.counts.uplinksDelivered}/${sent}` +
    `  latency p50 ${ms(p.latencyP50Ms)} p99 ${ms(p.latencyP99Ms)}  errors ${p.errors}`
  );
}
