import { afterAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../simulator/engine/run.js';
import { parseScenario } from '../../simulator/scenario/load.js';
import { tempDirs } from '../helpers/reruns.js';

const { tmp, cleanup } = tempDirs('lorafleet-network-thread-');
afterAll(cleanup);

const scenario = parseScenario(
  [
    'name: own-thread',
    'seed: 11',
    'duration: 8s',
    'drain: 4s',
    'time: wall',
    'target: { type: embedded }',
    'gateways: { count: 2, placement: { type: grid, spacing: 1500 } }',
    'load: { join_window: 2s }',
    'fleets:',
    '  - { name: meters, model: compact, count: 100, activation: abp, lorawan_version: 1.0.3, data_rate: 5, interval: 8s, jitter: 1s, payload: { type: counter, size: 12 }, positions: { type: random, radius: 800 } }',
    '  - { name: sensors, count: 6, activation: otaa, lorawan_version: 1.0.3, data_rate: 5, interval: 3s, confirmed: 1, positions: { type: random, radius: 300 } }',
    'thresholds: [ "join_success_ratio == 1", "delivery_ratio >= 0.99", "confirmed_ack_ratio == 1" ]',
  ].join('\n'),
  'own-thread.yaml',
);

describe('a wall-time run with the embedded network on its own thread', () => {
  it('registers by message, joins, delivers and acknowledges as on one thread, and reports what the network counted', async () => {
    const r = await runScenario(scenario, { stateDir: tmp(), networkThread: true });
    expect(r.verdict).toBe('pass');
    expect(r.metrics.devices_otaa_joined).toBe(6);
    expect(r.metrics.uplinks_delivered).toBe(r.metrics.uplinks_sent);
    expect(r.metrics.uplinks_sent).toBeGreaterThan(100);
    // Confirmed uplinks of the OTAA sensors were acknowledged: downlinks came back from the thread.
    expect(r.violations['downlink-outside-window']).toBeUndefined();
    const network = r.network as { udp: { pushData: number; rxpk: number }; dataUplinks: number };
    // Counted on the thread, read after traffic: every delivered uplink passed its NS.
    expect(network.udp.pushData).toBeGreaterThan(0);
    expect(network.dataUplinks).toBeGreaterThanOrEqual(r.metrics.uplinks_delivered);
    expect(r.uplinkLosses.network).toBe(0);
  }, 60_000);
});
