import type { ThresholdResult } from '../scenario/thresholds.js';
import type { RunReport, SimulatorHealth } from './types.js';

/** Timer lag (p99, ms) past which a wall-time run no longer measures the network but the simulator. */
export const LAG_BUDGET_MS = 100;

/**
 * The verdict of a run: pass when every threshold passes; when one fails while the simulator itself
 * ran late (windows lost to its lag, or its timers late past LAG_BUDGET_MS at p99), inconclusive, with
 * why — a failure then may be the simulator's own, and is never reported as the network's.
 */
export function verdictOf(
  thresholds: readonly ThresholdResult[],
  health: SimulatorHealth,
): Pick<RunReport, 'verdict' | 'inconclusive'> {
  if (thresholds.every((t) => t.pass)) return { verdict: 'pass' };
  const why: string[] = [];
  if (health.windowsLate > 0)
    why.push(
      `${health.windowsLate} receive window${health.windowsLate === 1 ? '' : 's'} lost to the simulator's own lag`,
    );
  if (health.timerLagMs.p99 > LAG_BUDGET_MS)
    why.push(`its timers ran ${health.timerLagMs.p99} ms late at p99 (budget ${LAG_BUDGET_MS} ms)`);
  if (why.length === 0) return { verdict: 'fail' };
  return {
    verdict: 'inconclusive',
    inconclusive: `thresholds failed while the simulator could not keep up (${why.join('; ')}): the failure may be its own, not the network's. Run with fewer devices, on an idle machine, with --workers or shards, or in virtual time.`,
  };
}
