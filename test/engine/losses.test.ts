import { afterAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../simulator/engine/run.js';
import { summaryText } from '../../simulator/report/summary.js';
import { parseScenario } from '../../simulator/scenario/load.js';
import { tempDirs } from '../helpers/reruns.js';
import { loadScenario } from '../../simulator/scenario/load.js';

const { tmp, cleanup } = tempDirs('lorafleet-losses-');
afterAll(cleanup);

/** Six devices 45–60 km from two gateways 2 km apart, and thirty at SF12 within 800 m of them. */
const lossy = (collisions: boolean) =>
  parseScenario(
    [
      'name: lossy',
      'seed: 11',
      'duration: 60s',
      'drain: 5s',
      'time: virtual',
      `radio: { collisions: ${collisions} }`,
      'gateways: { count: 2, placement: { type: grid, spacing: 2000 } }',
      'fleets:',
      '  - { name: far, count: 6, activation: abp, lorawan_version: 1.0.3, data_rate: 5, interval: 10s, positions: { type: list, positions: [ { x: 60000, y: 0 }, { x: 0, y: 60000 }, { x: -60000, y: 0 }, { x: 0, y: -60000 }, { x: 45000, y: 45000 }, { x: -45000, y: -45000 } ] } }',
      '  - { name: dense, count: 30, activation: abp, lorawan_version: 1.0.3, data_rate: 0, interval: 4s, positions: { type: random, radius: 800 } }',
      'thresholds: [ "delivery_ratio >= 0.1" ]',
    ].join('\n'),
    'lossy.yaml',
  );

describe('losses explained: every uplink not delivered has a reason', () => {
  it('out of range of every gateway, or collided at every gateway that heard it', async () => {
    const r = await runScenario(lossy(true), { stateDir: tmp() });
    const l = r.uplinkLosses;
    expect(l['out-of-range'] + l.collided + l.refused + l.network).toBe(r.metrics.uplinks_lost);
    expect(r.metrics.uplinks_lost).toBeGreaterThan(10);
    // The far fleet is heard by no gateway: each of its uplinks is lost for that reason.
    expect(l['out-of-range']).toBe(r.fleets.far!.uplinks);
    expect(l.collided).toBeGreaterThan(0);
    expect(l.network).toBe(0); // the embedded network delivers what a gateway received
    expect(summaryText(r)).toMatch(
      /why lost +\d+ out of range of every gateway; \d+ collided at every gateway that heard it/,
    );
  }, 60_000);

  it('without collisions on the air, only the far fleet loses uplinks', async () => {
    const r = await runScenario(lossy(false), { stateDir: tmp() });
    expect(r.uplinkLosses).toEqual({
      'out-of-range': r.fleets.far!.uplinks,
      collided: 0,
      refused: 0,
      network: 0,
    });
    expect(r.metrics.uplinks_lost).toBe(r.fleets.far!.uplinks);
  }, 60_000);

  it("puts the network's own downlink collisions down as downlink losses, not spec violations", async () => {
    // In the quickstart, Join-accepts of devices that joined together meet at the gateways (TX_ACK
    // COLLISION_PACKET) or at a device busy with another device's Join-accept.
    const r = await runScenario(loadScenario('scenarios/quickstart.yaml'), {
      virtualTime: true,
      stateDir: tmp(),
    });
    expect(r.verdict).toBe('pass');
    expect(r.metrics.joins_requested).toBeGreaterThan(r.metrics.joins_accepted); // some were lost
    expect(r.violations).toEqual({});
    const d = r.downlinkLosses;
    expect(d['gateway-refused'] + d['device-busy']).toBeGreaterThan(0);
    expect(d['outside-window']).toBe(0);
    expect(summaryText(r)).toMatch(
      /downlinks lost +\d+ refused by the gateway \(TX_ACK error\), never on air/,
    );
    expect(summaryText(r)).not.toMatch(/devices saw the network/);
  }, 60_000);
});
