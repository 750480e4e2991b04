import { describe, expect, it } from 'vitest';
import { errorsText, progressLine } from '../../simulator/cli/progress-line.js';
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
    refusals: 1,
    violations: { 'fcnt-gap': 2 },
    ...over,
  });

describe('the live progress line', () => {
  it('gives uplinks/s since the previous line, delivery, latency and errors', () => {
    expect(progressLine(at(10_000, 40), at(5_000, 20))).toBe(
      '[10s/60s] joined 8/10  4.0 uplinks/s  delivered 39/40  latency p50 250ms p99 1202ms  errors 3 (1 from the network, 2 fcnt-gap)',
    );
  });

  it('breaks the errors down: the network refusals, then the violations by kind, most first', () => {
    const p = at(10_000, 40, {
      errors: 9,
      refusals: 0,
      violations: { 'bad-mic': 1, 'fcnt-gap': 5, 'join-accept-missing': 2, 'unexpected-ack': 1 },
    });
    expect(errorsText(p)).toBe('errors 9 (5 fcnt-gap, 2 join-accept-missing, 1 bad-mic, …)');
    expect(errorsText(p, true)).toBe('errors 9 (9 spec)');
    expect(errorsText(at(10_000, 40, { errors: 4, refusals: 4, violations: {} }), true)).toBe(
      'errors 4 (4 from the network)',
    );
  });

  it('measures the first line from the start, and shows no latency before the first delivery', () => {
    expect(progressLine(at(4_000, 2, { latencyP50Ms: null, latencyP99Ms: null, errors: 0 }), undefined)).toBe(
      '[4s/60s] joined 8/10  0.5 uplinks/s  delivered 1/2  latency p50 - p99 -  errors 0',
    );
  });
});
