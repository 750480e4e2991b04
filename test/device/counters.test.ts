import { describe, expect, it } from 'vitest';
import { newDeviceCounters } from '../../simulator/device/counters.js';
import type { DeviceCounters } from '../../simulator/device/types.js';

// Every counter a device has, by name: the type makes this list complete (a missing or unknown name
// fails to compile).
const ALL = {
  joinRequests: 0,
  joinAccepts: 0,
  rejoinRequests: 0,
  uplinks: 0,
  retransmissions: 0,
  confirmedAcked: 0,
  confirmedUnacked: 0,
  downlinks: 0,
  downlinksMissed: 0,
  badMic: 0,
  replays: 0,
  undecodable: 0,
  payloadTooLong: 0,
  dutyCycleWaits: 0,
  foreignJoinAccepts: 0,
  downlinksLostBusy: 0,
  downlinksRefusedByGateway: 0,
  downlinksNotScheduled: 0,
  downlinksTooWeak: 0,
  notSentAfterTraffic: 0,
  uplinksUnheard: 0,
  beaconsReceived: 0,
  beaconsMissed: 0,
  classBFallbacks: 0,
  pingSlotMissed: 0,
  pingSlotNotScheduled: 0,
  stickyRepeats: 0,
  simulatorLate: 0,
} satisfies Record<keyof DeviceCounters, 0>;
const NAMES = Object.keys(ALL) as (keyof DeviceCounters)[];

describe('device counters', () => {
  it('start at zero, every one of them', () => {
    const c = newDeviceCounters();
    for (const k of NAMES) expect(c[k], k).toBe(0);
  });

  it('count each kind on its own, and one device never moves another', () => {
    const a = newDeviceCounters();
    const b = newDeviceCounters();
    NAMES.forEach((k, i) => {
      for (let n = 0; n <= i; n++) a[k]++;
    });
    NAMES.forEach((k, i) => expect(a[k], k).toBe(i + 1));
    for (const k of NAMES) expect(b[k], k).toBe(0);
    b.badMic += 5;
    expect([a.badMic, b.badMic, newDeviceCounters().badMic]).toEqual([NAMES.indexOf('badMic') + 1, 5, 0]);
  });

  it('are matched by name as a plain record is', () => {
    const c = newDeviceCounters();
    c.uplinks = 3;
    c.simulatorLate = 2;
    expect(c).toMatchObject({ uplinks: 3, simulatorLate: 2, badMic: 0 });
  });
});
