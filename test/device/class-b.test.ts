import { describe, expect, it } from 'vitest';
import { classBPingOffset } from '../../crypto/ping-slot.js';
import { encodeBeacon } from '../../simulator/lorawan/beacon.js';
import { decodePHYPayload } from '../../simulator/lorawan/phy-payload.js';
import type { UplinkDataFrame } from '../../simulator/lorawan/data-frame.js';
import { loraTimeOnAir } from '../../simulator/region/airtime.js';
import { abpConfig, DeviceHarness } from '../helpers/device-harness.js';

const BEACON_HZ = 869_525_000; // EU868 beacon and ping-slot channel, DR3 (SF9)
const PERIOD_US = 128_000_000;
/** GPS seconds of the first beacon the tests send: a multiple of 128. */
const GPS0 = 1_400_000_000 - (1_400_000_000 % 128);

function beaconAt(h: DeviceHarness, startUs: number, gpsS: number): void {
  const phy = encodeBeacon({ gpsTimeS: gpsS, latitude: 52.1, longitude: 4.3 }, 9);
  const airtimeUs = loraTimeOnAir(phy.length, {
    spreadingFactor: 9,
    bandwidth: 125_000,
    preambleSymbols: 10,
    crc: false,
  });
  h.sched.at(startUs, () =>
    h.device.hearBeacon({
      phyPayload: phy,
      frequency: BEACON_HZ,
      datr: 'SF9BW125',
      startUs,
      airtimeUs,
      rssi: -90,
      snr: 5,
    }),
  );
}

/**
 * DeviceTimeAns for the uplink just sent, on a GPS clock where GPS0 falls at scheduler time `t0Us`
 * (the time at the end of that uplink, LoRaWAN 1.0.4 §5.9); `skewS` makes the network wrong by that much.
 */
function timeAns(h: DeviceHarness, t0Us: number, skewS = 0) {
  const gps = GPS0 + (h.device.transmittingUntil - t0Us) / 1e6 + skewS;
  const s = Math.floor(gps);
  return {
    name: 'DeviceTimeAns' as const,
    gpsEpochSeconds: s,
    fractionalSecondUnits: Math.round((gps - s) * 256),
  };
}

/** A class B ABP device (a ping slot every second) that heard a beacon and had PingSlotInfoReq answered. */
function activeClassB(): { h: DeviceHarness; beaconUs: number } {
  const h = new DeviceHarness(abpConfig({ deviceClass: 'B', pingSlotPeriodicity: 0 })).start();
  h.abpSession();
  const up = h.sendUplink(2, Uint8Array.of(1));
  expect(h.openUplink(up).mac.map((c) => c.name)).toEqual(['PingSlotInfoReq', 'DeviceTimeReq']);
  const beaconUs = 10_000_000;
  h.downlink(up, { mac: [{ name: 'PingSlotInfoAns' }, timeAns(h, beaconUs)] });
  h.advance(3000);
  beaconAt(h, beaconUs, GPS0);
  h.advance(11_000);
  expect(h.eventsOf('class-b')).toEqual([{ type: 'class-b', active: true }]);
  return { h, beaconUs };
}

const uplinkFCtrl = (h: DeviceHarness) =>
  (decodePHYPayload(h.last('data').phyPayload) as UplinkDataFrame).fCtrl;

describe('a class B device', () => {
  it('announces its periodicity until the network answers, then sets ClassB once it has a beacon', () => {
    const h = new DeviceHarness(abpConfig({ deviceClass: 'B', pingSlotPeriodicity: 3 })).start();
    h.abpSession();
    const first = h.sendUplink(2, Uint8Array.of(1));
    expect(h.openUplink(first).mac).toContainEqual({ name: 'PingSlotInfoReq', periodicity: 3 });
    h.advance(10_000);
    const again = h.sendUplink(2, Uint8Array.of(2)); // no answer yet: asked again
    expect(h.openUplink(again).mac).toContainEqual({ name: 'PingSlotInfoReq', periodicity: 3 });
    expect(h.openUplink(again).mac).toContainEqual({ name: 'DeviceTimeReq' });
    // Without GPS time the device does not know when a beacon is due: it hears none.
    beaconAt(h, h.sched.now() + 1_000_000, GPS0 - 128);
    h.advance(2_000);
    const t0Us = 200_000_000; // where GPS0 falls, by the network's DeviceTimeAns
    h.downlink(again, { mac: [{ name: 'PingSlotInfoAns' }, timeAns(h, t0Us)] });
    h.advance(10_000);
    const third = h.sendUplink(2, Uint8Array.of(3));
    expect(h.openUplink(third).mac.map((c) => c.name)).toEqual([]);
    expect(uplinkFCtrl(h).classB).toBe(false); // no beacon yet
    expect(h.device.counters.beaconsReceived).toBe(0);
    // A frame that looks like a beacon 1 s off the GPS grid: the device is not listening then.
    beaconAt(h, t0Us - 1_000_000, GPS0);
    beaconAt(h, t0Us, GPS0);
    h.advance(t0Us / 1000 - h.sched.now() / 1000 + 20_000);
    h.sendUplink(2, Uint8Array.of(4));
    expect(uplinkFCtrl(h).classB).toBe(true);
    expect(h.device.counters.beaconsReceived).toBe(1);
  });

  it('receives a downlink in a ping slot, and flags one between its slots', () => {
    const { h, beaconUs } = activeClassB();
    const offset = classBPingOffset(GPS0, h.session!.devAddr, 32);
    // The fourth slot of this beacon period: BEACON_RESERVED (2.12 s) + (offset + 3 × 32) × 30 ms.
    const slotUs = beaconUs + 2_120_000 + (offset + 3 * 32) * 30_000;
    h.deliverAtTime(slotUs, h.buildDownlink({ fPort: 10, payload: Uint8Array.of(0xab) }), BEACON_HZ, 3);
    h.advance(20_000);
    expect(h.eventsOf('downlink').at(-1)).toMatchObject({ window: 'PING', fPort: 10 });
    // Half a second later: no ping slot of this device (they are 32 × 30 ms = 960 ms apart).
    h.deliverAtTime(
      slotUs + 500_000 + 960_000,
      h.buildDownlink({ fPort: 10, payload: Uint8Array.of(0xcd) }),
      BEACON_HZ,
      3,
    );
    h.advance(5_000);
    expect(h.device.violations['downlink-outside-window']).toBe(1);
    // A slot in a later beacon period, with that period's offset.
    const later = classBPingOffset(GPS0 + 128 * 3, h.session!.devAddr, 32);
    beaconAt(h, beaconUs + PERIOD_US, GPS0 + 128);
    beaconAt(h, beaconUs + 2 * PERIOD_US, GPS0 + 256);
    beaconAt(h, beaconUs + 3 * PERIOD_US, GPS0 + 384);
    const slot3 = beaconUs + 3 * PERIOD_US + 2_120_000 + later * 30_000;
    h.deliverAtTime(slot3, h.buildDownlink({ fPort: 11, payload: Uint8Array.of(1) }), BEACON_HZ, 3);
    h.advance(400_000);
    expect(h.eventsOf('downlink').at(-1)).toMatchObject({ window: 'PING', fPort: 11 });
    expect(h.device.counters.beaconsReceived).toBe(4);
  });

  it('goes back to class A two hours after its last beacon, and to class B with the next one', () => {
    const { h, beaconUs } = activeClassB();
    h.sendUplink(2, Uint8Array.of(8)); // ClassB set: the network follows the ping slots from now on
    expect(uplinkFCtrl(h).classB).toBe(true);
    h.advance(10_000);
    // Between uplinks, a downlink the network could not place is a ping slot it missed, not an answer.
    h.device.notScheduled('data');
    expect(h.device.counters.pingSlotNotScheduled).toBe(1);
    expect(h.device.counters.downlinksNotScheduled).toBe(0);
    beaconAt(h, beaconUs + PERIOD_US, GPS0 + 128);
    h.advance(2 * 3600_000 + 300_000);
    // 2 h = 56.25 beacon periods: the 57th beacon missed after the last one is past two hours: class A.
    expect(h.device.counters.beaconsMissed).toBe(57);
    expect(h.device.counters.classBFallbacks).toBe(1);
    expect(h.eventsOf('class-b').map((e) => e.active)).toEqual([true, false]);
    // Until its next uplink says so, the network cannot know: a ping-slot frame now is the device's miss.
    const pingFrame = () => h.buildDownlink({ fPort: 10, payload: Uint8Array.of(0xee) });
    h.deliverAtTime(h.sched.now() + 1_000_000, pingFrame(), BEACON_HZ, 3);
    h.advance(1_500);
    expect(h.device.counters.pingSlotMissed).toBe(1);
    expect(h.eventsOf('ping-slot-missed')).toEqual([{ type: 'ping-slot-missed', cause: 'beacon-lost' }]);
    expect(h.device.violations['downlink-outside-window'] ?? 0).toBe(0);
    h.sendUplink(2, Uint8Array.of(9));
    expect(uplinkFCtrl(h).classB).toBe(false);
    // Told, the network must stop: the same frame now breaks the spec.
    h.advance(10_000);
    h.deliverAtTime(h.sched.now() + 1_000_000, pingFrame(), BEACON_HZ, 3);
    h.advance(1_500);
    expect(h.device.violations['downlink-outside-window']).toBe(1);
    expect(h.device.counters.pingSlotMissed).toBe(1);
    // Found again where its clock, set by DeviceTimeAns, puts the beacon.
    const n = 60;
    beaconAt(h, beaconUs + n * PERIOD_US, GPS0 + 128 * n);
    h.advance(beaconUs / 1000 + n * 128_000 - h.sched.now() / 1000 + 1000);
    expect(h.eventsOf('class-b').map((e) => e.active)).toEqual([true, false, true]);
    h.sendUplink(2, Uint8Array.of(10));
    expect(uplinkFCtrl(h).classB).toBe(true);
  });

  it('never finds the beacon when the network tells the wrong GPS time', () => {
    const h = new DeviceHarness(abpConfig({ deviceClass: 'B', pingSlotPeriodicity: 0 })).start();
    h.abpSession();
    const up = h.sendUplink(2, Uint8Array.of(1));
    const beaconUs = 10_000_000;
    h.downlink(up, { mac: [{ name: 'PingSlotInfoAns' }, timeAns(h, beaconUs, 2)] });
    h.advance(3000);
    for (let k = 0; k < 3; k++) beaconAt(h, beaconUs + k * PERIOD_US, GPS0 + 128 * k);
    h.advance((beaconUs + 3 * PERIOD_US) / 1000);
    expect(h.device.counters.beaconsReceived).toBe(0);
    expect(h.eventsOf('class-b')).toEqual([]);
  });

  it('follows the beacon to the frequency BeaconFreqReq gives, and no longer hears it on the old one', () => {
    const { h, beaconUs } = activeClassB();
    const up = h.sendUplink(2, Uint8Array.of(5));
    h.downlink(up, { mac: [{ name: 'BeaconFreqReq', frequencyHz: 869_500_000 }] });
    h.advance(5000);
    const next = h.sendUplink(2, Uint8Array.of(6));
    expect(h.openUplink(next).mac).toContainEqual({ name: 'BeaconFreqAns', beaconFrequencyOk: true });
    const heard = h.device.counters.beaconsReceived;
    beaconAt(h, beaconUs + PERIOD_US, GPS0 + 128); // the old channel: not listened to any more
    h.advance(PERIOD_US / 1000);
    expect(h.device.counters.beaconsReceived).toBe(heard);
    const phy = encodeBeacon({ gpsTimeS: GPS0 + 256 }, 9);
    const at = beaconUs + 2 * PERIOD_US;
    h.sched.at(at, () =>
      h.device.hearBeacon({
        phyPayload: phy,
        frequency: 869_500_000,
        datr: 'SF9BW125',
        startUs: at,
        airtimeUs: 150_000,
        rssi: -90,
        snr: 5,
      }),
    );
    h.advance(PERIOD_US / 1000);
    expect(h.device.counters.beaconsReceived).toBe(heard + 1);
  });
});
