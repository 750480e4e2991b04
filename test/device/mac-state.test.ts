import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualDevice } from '../../simulator/device/device.js';
import { initialMacState, macSnapshot, restoreMac } from '../../simulator/device/mac-state.js';
import { StateStore } from '../../simulator/device/state-store.js';
import { Rng } from '../../simulator/random/rng.js';
import { VirtualScheduler } from '../../simulator/time/scheduler.js';
import { abpConfig } from '../helpers/device-harness.js';
import { REGIONS } from '../../simulator/region/index.js';

describe('macSnapshot (what the state store keeps of a device MAC state)', () => {
  it('gives devices in the same MAC state one frozen snapshot, and another state its own', () => {
    const a = initialMacState(REGIONS.EU868, { dataRate: 5 });
    const b = initialMacState(REGIONS.EU868, { dataRate: 5 });
    expect(macSnapshot(a)).toBe(macSnapshot(b));
    expect(Object.isFrozen(macSnapshot(a))).toBe(true);
    b.txPower = 3;
    const changed = macSnapshot(b);
    expect(changed).not.toBe(macSnapshot(a));
    expect(changed.txPower).toBe(3);
    expect(macSnapshot(a).txPower).toBe(0);
  });

  it('restores to the state it was taken from, for any MAC state', () => {
    fc.assert(
      fc.property(
        fc.record({
          dataRate: fc.integer({ min: 0, max: 5 }),
          txPower: fc.integer({ min: 0, max: 7 }),
          nbTrans: fc.integer({ min: 1, max: 15 }),
          rx1Delay: fc.integer({ min: 1, max: 15 }),
          rx1DrOffset: fc.integer({ min: 0, max: 5 }),
          rx2DataRate: fc.integer({ min: 0, max: 7 }),
          adr: fc.boolean(),
          adrAckCnt: fc.nat({ max: 100 }),
          maxDutyCycle: fc.integer({ min: 0, max: 15 }),
        }),
        (fields) => {
          const m = Object.assign(initialMacState(REGIONS.EU868, {}), fields);
          const back = initialMacState(REGIONS.EU868, {});
          restoreMac(back, macSnapshot(m));
          expect(back).toEqual(m);
        },
      ),
    );
  });
});

describe('a device violation record', () => {
  it('is its own: a violation counted on one device leaves the others at none', () => {
    const scheduler = new VirtualScheduler(0);
    const make = (id: string) =>
      new VirtualDevice(
        abpConfig({ id }),
        scheduler,
        { transmit: () => undefined },
        new Rng(id),
        StateStore.memory(),
      );
    const [a, b] = [make('a'), make('b')];
    a.violation('bad-mic', 'first');
    a.violation('bad-mic', 'second');
    a.violation('fcnt-replay', 'third');
    expect(a.violations).toEqual({ 'bad-mic': 2, 'fcnt-replay': 1 });
    expect(b.violations).toEqual({});
    expect(make('c').violations).toEqual({});
  });
});
