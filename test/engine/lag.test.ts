import { afterAll, describe, expect, it } from 'vitest';
import { exitCodeOf } from '../../simulator/cli/errors.js';
import { runScenario } from '../../simulator/engine/run.js';
import type { ViolationKind } from '../../simulator/lorawan/violations.js';
import { summaryText } from '../../simulator/report/summary.js';
import { parseScenario } from '../../simulator/scenario/load.js';
import { tempDirs } from '../helpers/reruns.js';

const { tmp, cleanup } = tempDirs('lorafleet-lag-');
afterAll(cleanup);

const scenario = parseScenario(
  [
    'name: stalled',
    'seed: 7',
    'duration: 14s',
    'drain: 3s',
    'time: wall',
    'target: { type: embedded }',
    'gateways: { count: 1 }',
    'load: { join_window: 3s }',
    'fleets:',
    '  - { name: sensors, count: 6, activation: otaa, lorawan_version: 1.0.3, data_rate: 5, interval: 4s, positions: { type: random, radius: 300 } }',
    'thresholds: [ "join_success_ratio == 1", "rx_window_miss == 0" ]',
  ].join('\n'),
  'stalled.yaml',
);

/** What a missed receive window is counted as when it is the network's. */
const WINDOW_KINDS: ViolationKind[] = ['join-accept-missing', 'downlink-outside-window'];

describe('wall time that knows its own lag', () => {
  it('puts every window missed during an 8 s stall of its own event loop down to the simulator', async () => {
    // The stall comes half a second into traffic, while the fleet is joining: every Join-accept of
    // that second is due inside it, so the network's answers reach the gateway too late.
    const r = await runScenario(scenario, { stateDir: tmp(), stall: { atMs: 500, forMs: 8000 } });

    expect(r.metrics.simulator_late).toBeGreaterThan(0);
    for (const k of WINDOW_KINDS) expect(r.violations[k], k).toBeUndefined();
    expect(r.metrics.rx_window_miss).toBe(0);
    expect(r.simulator).toMatchObject({ clock: 'wall', windowsLate: r.metrics.simulator_late });
    expect(r.simulator.timerLagMs.max).toBeGreaterThan(7000);
    expect(r.simulator.timersLate).toBeGreaterThan(0);
    expect(r.metrics.simulator_lag_p99).toBe(r.simulator.timerLagMs.p99);

    // The joins it cost fail a threshold: no verdict on the network, exit 2, and the summary says why.
    expect(r.thresholds.some((t) => !t.pass)).toBe(true);
    expect(r.verdict).toBe('inconclusive');
    expect(exitCodeOf(r)).toBe(2);
    expect(r.inconclusive).toMatch(/receive windows? lost to the simulator's own lag/);
    const text = summaryText(r);
    expect(text).toMatch(/verdict: INCONCLUSIVE/);
    expect(text).toMatch(/windows lost to its own lag\s+\d+ \(simulator_late, not the network's\)/);
    expect(text).not.toMatch(/devices saw the network/);
  }, 60_000);

  it('without the stall the same scenario passes: the fleet itself fits its network', async () => {
    // In virtual time, where the simulator cannot be late: the failure above was the stall's alone.
    const r = await runScenario(scenario, { stateDir: tmp(), virtualTime: true });
    expect(r.verdict).toBe('pass');
    expect(r.metrics.devices_otaa_joined).toBe(6);
    expect(r.metrics.simulator_late).toBe(0);
    expect(r.simulator).toMatchObject({ clock: 'virtual', windowsLate: 0, timersLate: 0 });
  }, 60_000);
});
