import { describe, expect, it } from 'vitest';
import { aes128Key, bytesToHex, type DevAddr } from '../../crypto/types.js';
import { ByteSlab } from '../../simulator/device/byte-slab.js';
import { VirtualDevice } from '../../simulator/device/device.js';
import { StateStore } from '../../simulator/device/state-store.js';
import type { DeviceTransmission } from '../../simulator/device/types.js';
import { deviceConfigFor } from '../../simulator/engine/firmware-fleet.js';
import { openDataFrame, sessionKeys10, type SessionKeys } from '../../simulator/lorawan/frame-security.js';
import { Rng } from '../../simulator/random/rng.js';
import { REGIONS } from '../../simulator/region/index.js';
import { expand } from '../../simulator/scenario/expand.js';
import { parseScenario } from '../../simulator/scenario/load.js';
import { VirtualScheduler } from '../../simulator/time/scheduler.js';

const plans = expand(
  parseScenario(
    [
      'name: configs',
      'seed: configs-1',
      'duration: 1m',
      'gateways: { count: 1 }',
      'fleets:',
      '  - { name: abp10, count: 3, activation: abp, lorawan_version: 1.0.3, data_rate: 5, interval: 1m, payload: { type: counter, size: 4 } }',
      '  - { name: abp11, count: 2, activation: abp, lorawan_version: 1.1, interval: 1m, payload: { type: counter, size: 4 } }',
      '  - { name: otaa11, count: 2, activation: otaa, lorawan_version: 1.1, class: C, interval: 1m, payload: { type: counter, size: 4 } }',
    ].join('\n'),
    'configs.yaml',
  ),
).devices;

const specKeys = (i: number): SessionKeys => {
  const sp = plans[i]!.spec;
  const k = (h: string | undefined) => aes128Key(h!);
  return sp.lorawanVersion === '1.1'
    ? {
        fNwkSIntKey: k(sp.fNwkSIntKey),
        sNwkSIntKey: k(sp.sNwkSIntKey),
        nwkSEncKey: k(sp.nwkSEncKey),
        appSKey: k(sp.appSKey),
      }
    : sessionKeys10(k(sp.fNwkSIntKey), k(sp.appSKey));
};

describe('deviceConfigFor (the engine configuring the device model)', () => {
  it("gives each device its scenario identity and settings, its fleet's shared by all of them", () => {
    const slab = new ByteSlab(64);
    const configs = plans.map((p) => deviceConfigFor(p, REGIONS.EU868, true, slab));
    configs.forEach((c, i) => {
      const sp = plans[i]!.spec;
      expect(c.id).toBe(sp.deviceId);
      expect(bytesToHex(c.devEui)).toBe(sp.devEui.toUpperCase());
      expect([c.activation, c.version]).toEqual([sp.activation, sp.lorawanVersion]);
      expect(c.region).toBe(REGIONS.EU868);
    });
    expect(configs.map((c) => c.deviceClass)).toEqual(['A', 'A', 'A', 'A', 'A', 'C', 'C']);
    expect(configs[0]!.dataRate).toBe(5);
    // A fleet's settings are one object; a device holds its identity and keys.
    expect(Object.getPrototypeOf(configs[0])).toBe(Object.getPrototypeOf(configs[2]));
    expect(Object.getPrototypeOf(configs[0])).not.toBe(Object.getPrototypeOf(configs[3]));
    expect(Object.keys(configs[0]!)).toEqual(['id', 'devAddr', 'sessionKeys']);
    const otaa = configs[5]!;
    if (otaa.activation !== 'otaa' || otaa.version !== '1.1') throw new Error('expected OTAA 1.1');
    expect(bytesToHex(otaa.appKey)).toBe(plans[5]!.spec.appKey!.toUpperCase());
    expect(bytesToHex(otaa.nwkKey)).toBe(plans[5]!.spec.nwkKey!.toUpperCase());
  });

  it('makes ABP devices whose frames open under their scenario keys, devices interleaved', () => {
    const scheduler = new VirtualScheduler(0);
    const sent: DeviceTransmission[] = [];
    const store = StateStore.memory();
    const slab = new ByteSlab(64);
    const abp = [0, 1, 2, 3, 4];
    const devices = abp.map(
      (i) =>
        new VirtualDevice(
          deviceConfigFor(plans[i]!, REGIONS.EU868, true, slab),
          scheduler,
          { transmit: (tx) => sent.push(tx) },
          new Rng(i),
          store,
        ),
    );
    for (const d of devices) d.start();
    for (let round = 0; round < 2; round++) {
      devices.forEach((d, j) => d.send(1 + j, Uint8Array.of(round, j)));
      scheduler.advanceBy(600e6); // past the windows and the duty cycle
    }
    expect(sent).toHaveLength(10);
    for (const tx of sent) {
      const i = abp.find((k) => plans[k]!.spec.deviceId === tx.deviceId)!;
      const d = devices[abp.indexOf(i)]!;
      const opened = openDataFrame(tx.phyPayload, specKeys(i), {
        version: d.session!.version,
        fCnt: tx.fCnt!,
        txDr: tx.dataRate,
        txCh: tx.channel,
      });
      expect(opened.micValid).toBe(true);
      expect(opened.frame.fPort).toBe(1 + abp.indexOf(i));
      expect(d.describe()).toMatchObject({
        id: plans[i]!.spec.deviceId,
        devEui: plans[i]!.spec.devEui.toUpperCase(),
        devAddr: plans[i]!.spec.devAddr!.toUpperCase(),
      });
      expect(d.devAddr).toBe(Number.parseInt(plans[i]!.spec.devAddr!, 16) as DevAddr);
    }
  });
});
