import { afterAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../simulator/engine/run.js';
import { parseScenario } from '../../simulator/scenario/load.js';
import { tempDirs } from '../helpers/reruns.js';

const { tmp, cleanup } = tempDirs('lorafleet-class-b-');
afterAll(cleanup);

const scenario = (beacon: boolean) =>
  parseScenario(
    [
      'name: class-b',
      'seed: 3',
      'duration: 10m',
      'drain: 10s',
      'time: virtual',
      `gateways: { count: 2, beacon: ${beacon} }`,
      'load: { join_window: 10s }',
      'fleets:',
      '  - { name: pinged, count: 8, activation: otaa, lorawan_version: 1.0.4, class: B, ping_slot_periodicity: 2,',
      '      data_rate: 5, interval: 2m, positions: { type: random, radius: 800 },',
      "      downlinks: { per_device: 3, f_port: 10, payload: { type: hex, value: '01FF' }, after: 150s } }",
      'thresholds: [ "join_success_ratio == 1", "downlink_delivery_ratio >= 0.9", "rx_window_miss == 0", "ping_slot_downlinks >= 1", "beacons_missed == 0" ]',
    ].join('\n'),
    'class-b.yaml',
  );

describe('class B against the embedded network', () => {
  it('follows the beacons, announces its ping slots and receives downlinks in them', async () => {
    const r = await runScenario(scenario(true), { stateDir: tmp() });
    expect(r.verdict).toBe('pass');
    expect(r.violations).toEqual({});
    const f = r.fleets.pinged!;
    // Ten minutes: four or five beacons, the first once DeviceTimeAns told the device when; every
    // one due after that heard, this close to the gateways.
    expect(f.beacons_received).toBeGreaterThanOrEqual(8 * 3);
    expect(f.beacons_missed).toBe(0);
    expect(r.firmware.mac.fromDevices.PingSlotInfoReq).toBeGreaterThanOrEqual(8);
    expect(r.firmware.mac.fromNetwork.PingSlotInfoAns).toBeGreaterThanOrEqual(8);
    // Downlinks queued between uplinks went out in ping slots, not only in class A windows.
    expect(r.metrics.downlinks_by_window.PING).toBeGreaterThan(0);
    // The same figures as metrics, for thresholds and Prometheus.
    expect(r.metrics.ping_slot_downlinks).toBe(r.metrics.downlinks_by_window.PING);
    expect(r.metrics.beacons_received).toBe(f.beacons_received);
    expect(r.metrics.ping_slot_missed_by_device).toBe(f.ping_slot_missed);
    expect(r.metrics.ping_slot_missed_by_network).toBe(f.ping_slot_not_scheduled);
    // Every beacon heard, close to gateways with room: no slot missed on either side.
    expect(r.metrics.ping_slot_missed_by_device + r.metrics.ping_slot_missed_by_network).toBe(0);
    expect(r.thresholds.map((t) => t.pass)).toEqual([true, true, true, true, true]);
  }, 60_000);

  it('refuses class B without gateways that beacon, naming the field', () => {
    expect(() => scenario(false)).toThrow(/fleets\[0\]\.class: expected gateways that beacon/);
  });

  it("hops the beacon and the ping slots over US915's eight channels", async () => {
    const s = scenario(true);
    s.frequency_plan = 'US_902_928_FSB_2';
    s.fleets[0]!.data_rate = 3;
    const r = await runScenario(s, { stateDir: tmp() });
    expect(r.verdict).toBe('pass');
    expect(r.violations).toEqual({});
    expect(r.metrics.beacons_received).toBeGreaterThanOrEqual(8 * 3);
    expect(r.metrics.beacons_missed).toBe(0);
    expect(r.metrics.ping_slot_downlinks).toBeGreaterThan(0);
  }, 60_000);
});
