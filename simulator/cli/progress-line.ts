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
    `  latency p50 ${ms(p.latencyP50Ms)} p99 ${ms(p.latencyP99Ms)}  ${errorsText(p)}`
  );
}

/**
 * The errors so far and what they are: refusals and failures the network explained, and the spec violations the
 * devices saw by kind (the most frequent first); `short` for the terminal line, where room is scarce.
 */
export function errorsText(p: Progress, short = false): string {
  if (p.errors === 0) return 'errors 0';
  const kinds = Object.entries(p.violations).sort((a, b) => b[1] - a[1]);
  const spec = kinds.reduce((a, [, n]) => a + n, 0);
  const parts: string[] = [];
  if (p.refusals > 0) parts.push(`${p.refusals} from the network`);
  if (short) {
    if (spec > 0) parts.push(`${spec} spec`);
  } else for (const [k, n] of kinds.slice(0, 3)) parts.push(`${n} ${k}`);
  if (!short && kinds.length > 3) parts.push('…');
  return `errors ${p.errors} (${parts.join(', ')})`;
}
