import { describe, expect, it } from 'vitest';
import {
  defineRareFields,
  NO_VIOLATIONS,
  type HoldsRareFields,
  type RareDeviceFields,
} from '../../simulator/device/rare-fields.js';

class Holder implements HoldsRareFields {
  rareFields: RareDeviceFields | undefined = undefined;
  declare stickyUplinks: number;
  declare pendingAnswers: RareDeviceFields['pendingAnswers'];
  declare lastDownlinkSnr: number;
  declare violations: RareDeviceFields['violations'];
  declare classB: RareDeviceFields['classB'];
}
defineRareFields(Holder.prototype);

describe('rare device fields', () => {
  it('read as their defaults while a device holds no record', () => {
    const h = new Holder();
    expect([h.stickyUplinks, h.lastDownlinkSnr, h.classB, h.pendingAnswers]).toEqual([0, 0, undefined, []]);
    expect(h.violations).toBe(NO_VIOLATIONS);
    expect(h.rareFields).toBeUndefined();
  });

  it('make no record for a write of the default (an uplink resets its lists every time)', () => {
    const h = new Holder();
    h.stickyUplinks = 0;
    h.classB = undefined;
    const shared = h.pendingAnswers;
    h.pendingAnswers = shared; // the shared empty list itself
    expect(h.rareFields).toBeUndefined();
    // A fresh empty array is not the shared one: that write is kept, as any other would be.
    const fresh: RareDeviceFields['pendingAnswers'] = [];
    h.pendingAnswers = fresh;
    expect(h.rareFields).toBeDefined();
    expect(h.pendingAnswers).toBe(fresh);
  });

  it('keep a write, then every later one, per device', () => {
    const a = new Holder();
    const b = new Holder();
    a.stickyUplinks++;
    a.stickyUplinks++;
    a.lastDownlinkSnr = -7.5;
    expect([a.stickyUplinks, a.lastDownlinkSnr]).toEqual([2, -7.5]);
    a.stickyUplinks = 0; // back to the default, in the record
    expect(a.stickyUplinks).toBe(0);
    expect([b.stickyUplinks, b.lastDownlinkSnr, b.rareFields]).toEqual([0, 0, undefined]);
  });

  it('are not own properties to shadow (a class field without `declare` would hide them)', () => {
    const h = new Holder();
    expect(Object.keys(h)).toEqual(['rareFields']);
  });
});
