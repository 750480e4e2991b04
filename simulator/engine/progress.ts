import type { ViolationCounts, ViolationKind } from '../lorawan/violations.js';
import type { Progress, ProgressBreakdown } from '../report/types.js';
import type { CompactFleetRun } from './compact-fleets.js';
import { runCounts, type CountSources } from './run-counts.js';

/** The live figures of a run so far, for the progress line and exporters. */
export function progressOf(
  o: CountSources & {
    timeMs: number;
    elapsedMs: number;
    durationMs: number;
    timerLagP99Ms: number;
    /** By fleet, gateway and reason; its `reasons` (gateway paths left out) are the refusals. */
    breakdown: ProgressBreakdown;
  },
): Progress {
  let joined = 0;
  const violations: ViolationCounts = {};
  const refusals = Object.values(o.breakdown.reasons).reduce((a, n) => a + n, 0);
  let errors = refusals;
  for (const e of o.devices.values()) {
    if (e.dev.joined) joined++;
    for (const [k, n] of Object.entries(e.dev.violations) as [ViolationKind, number][]) {
      violations[k] = (violations[k] ?? 0) + n;
      errors += n;
    }
  }
  const compactDevices = o.compact.reduce((a: number, c: CompactFleetRun) => a + c.plans.length, 0);
  const live = o.verifier.live();
  return {
    timeMs: o.timeMs,
    elapsedMs: o.elapsedMs,
    durationMs: o.durationMs,
    joined: joined + compactDevices,
    devices: o.devices.size + compactDevices,
    counts: runCounts(o),
    latencyP50Ms: live.p50,
    latencyP99Ms: live.p99,
    errors,
    refusals,
    violations,
    timerLagP99Ms: o.timerLagP99Ms,
    breakdown: o.breakdown,
  };
}
