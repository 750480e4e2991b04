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
      'simulator-late': 0,
    });
    expect(r.metrics.uplinks_lost).toBe(r.fleets.far!.uplinks);
  }, 60_000);

  it('puts Join-accepts the network could not schedule, or no device could hear, down as downlink losses', async () => {
    // The quickstart's 100 joins in 12 s through 3 gateways: a join storm. Like TTS, the network
    // refuses a path whose gateway is already sending (RX1, then RX2 at SF12 for over a second) and
    // tells the device it did not schedule the Join-accept; some Join-accepts go out through a far
    // gateway the device cannot hear. Neither is a spec violation.
    const storm = loadScenario('scenarios/quickstart.yaml');
    storm.gateways.count = 3;
    storm.load.join_window = '12s';
    const r = await runScenario(storm, { virtualTime: true, stateDir: tmp() });
    expect(r.metrics.join_success_ratio).toBe(1);
    expect(r.metrics.joins_requested).toBeGreaterThan(r.metrics.joins_accepted); // some were lost
    expect(r.violations).toEqual({});
    const d = r.downlinkLosses;
    const said = (name: string) => r.diagnostics.reasons[`${name}: tx_schedule`] ?? 0;
    // Each schedule failure the network named reached its device, which then expected nothing more.
    expect(said('ns.down.join.schedule.fail')).toBeGreaterThan(0);
    expect(d['not-scheduled']).toBe(said('ns.down.join.schedule.fail') + said('ns.down.data.schedule.fail'));
    expect(d['too-weak']).toBeGreaterThan(0);
    expect(d['outside-window']).toBe(0);
    expect(summaryText(r)).toMatch(/downlinks lost .*\d+ never sent: no gateway had room for it/);
    expect(summaryText(r)).not.toMatch(/devices saw the network/);
  }, 60_000);

  it('does not send, nor count lost, an uplink the duty cycle held past the end of traffic', async () => {
    // Six devices asked for an uplink every 2 s under a 1 % duty cycle (61.7 ms on air: 6 s off): the
    // last one asked for before the end would leave in the drain's last moments.
    const s = parseScenario(
      [
        'name: deferred',
        'seed: 5',
        'duration: 8s',
        'drain: 3s',
        'time: virtual',
        'gateways: { count: 2 }',
        'fleets:',
        '  - { name: abp, count: 6, activation: abp, lorawan_version: 1.0.3, data_rate: 5, interval: 2s, confirmed: 0.5 }',
        'thresholds: [ "delivery_ratio == 1" ]',
      ].join('\n'),
      'deferred.yaml',
    );
    const r = await runScenario(s, { stateDir: tmp() });
    expect(r.fleets.abp!.uplinks_not_sent_after_traffic).toBeGreaterThan(0);
    expect(r.metrics.uplinks_lost).toBe(0);
    expect(r.verdict).toBe('pass');
  }, 60_000);
});

/** Twelve confirmed class C devices behind one gateway, downlinks queued every 15 s: downlinks compete. */
const crowdedClassC = (seed: string) =>
  parseScenario(
    [
      'name: cc-crowded',
      `seed: ${seed}`,
      'duration: 4m',
      'drain: 10s',
      'time: virtual',
      'gateways: { count: 1 }',
      'fleets:',
      '  - { name: cc, count: 12, activation: otaa, class: C, data_rate: 5, confirmed: 1, interval: 20s,',
      '      positions: { type: random, radius: 800 },',
      "      downlinks: { per_device: 12, f_port: 9, payload: { type: hex, value: 'AB' }, after: 15s } }",
    ].join('\n'),
    'cc-crowded.yaml',
  );

describe('class C downlinks competing with class A answers, as TTS orders them', () => {
  // Seed 1 once had a class C frame sent inside the RX1 window of an uplink the network had already
  // received, seed 2 a class A answer overtaking a class C frame with an earlier FCnt (fcnt-gap):
  // the NS now takes no window before its last downlink and sends class C after RX2 (TTS's
  // LastDownlinkAt and nextUnconfirmedNetworkInitiatedDownlinkAt).
  it.each(['1', '2'])(
    'seed %s: no violation, every downlink not received explained',
    async (seed) => {
      const r = await runScenario(crowdedClassC(seed), { stateDir: tmp() });
      expect(r.violations).toEqual({});
      const f = r.fleets.cc!;
      expect(f.downlinks_missed).toBe(0);
      expect(r.metrics.downlinks_received).toBeGreaterThanOrEqual(0.9 * r.metrics.downlinks_scheduled);
      // One gateway cannot carry all of it: some answers never left, and the devices know why.
      expect(f.downlinks_not_scheduled).toBeGreaterThan(0);
    },
    60_000,
  );
});
