import { parseDuration } from './duration.js';
import type { Scenario } from './types.js';

/** Uplinks per second of the whole scenario with every device active (Σ count / interval). */
export function fullUplinkRate(s: Scenario): number {
  return s.fleets.reduce((a, f) => a + f.count / (parseDuration(f.interval)! / 1000), 0);
}

/** A stage's target as a share of active devices: `"50%"`, or a rate `"200/s"` of the full rate. */
export function stageShare(target: string, fullRate: number): number {
  const rate = /^(\d+(?:\.\d+)?)\/s$/.exec(target);
  if (rate) return fullRate === 0 ? 0 : Math.min(1, Number(rate[1]) / fullRate);
  return Number(target.replace('%', '')) / 100;
}

export interface Stage {
  /** µs */
  durationUs: number;
  share: number;
}

export function stagesOf(s: Scenario): Stage[] {
  const full = fullUplinkRate(s);
  return s.load.stages.map((st) => ({
    durationUs: parseDuration(st.duration)! * 1000,
    share: stageShare(st.target, full),
  }));
}

/**
 * The share of devices active `tUs` after traffic starts: each stage ramps linearly from the share
 * the previous one reached (0 at the start) to its own, like k6's ramping executors; after the last
 * stage its share holds. No stages: every device is active.
 */
export function activeShareAt(stages: readonly Stage[], tUs: number): number {
  if (stages.length === 0) return 1;
  let from = 0;
  let prev = 0;
  for (const st of stages) {
    if (tUs < from + st.durationUs) return prev + (st.share - prev) * ((tUs - from) / st.durationUs);
    from += st.durationUs;
    prev = st.share;
  }
  return prev;
}
