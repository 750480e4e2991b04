import { describe, expect, it } from 'vitest';
import { progressLine } from '../../simulator/cli/progress-line.js';
import type { Progress } from '../../simulator/report/types.js';
import { counts, progress } from '../helpers/progress.js';

const at = (elapsedMs: number, uplinksSent: number, over: Partial<Progress> = {}): Progress =>
  progress({
    elapsedMs,
    joined: 8,
    counts: counts({ uplinksSent, uplinksDelivered: uplinksSent - 1, joinsRequested: 9 }),
    latencyP50Ms: 250.4,
    latencyP99Ms: 1201.6,
    errors: 3,
    ...over,
  });

describe('the live progress line', () => {
  it('gives uplinks/s since the previous line, delivery, latency and errors', () => {
    expect(progressLine(at(10_000, 40), at(5_000, 20))).toBe(
      '[10s/60s] joined 8/10  4.0 uplinks/s  delivered 39/40  latency p50 250ms p99 1202ms  errors 3',
    );
  });

  it('measures the first line from the start, and shows no latency before the first delivery', () => {
    expect(progressLine(at(4_000, 2, { latencyP50Ms: null, latencyP99Ms: null, errors: 0 }), undefined)).toBe(
      '[4s/60s] joined 8/10  0.5 uplinks/s  delivered 1/2  latency p50 - p99 -  errors 0',
    );
  });
});
