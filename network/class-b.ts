import { classBPingOffset } from '../crypto/ping-slot.js';
import { BEACON_PERIOD_S, BEACON_RESERVED_MS, PING_SLOT_MS } from '../simulator/lorawan/beacon.js';
import { gpsTimeMs } from '../simulator/semtech-udp/packets.js';
import type { Scheduler } from '../simulator/time/scheduler.js';
import { pingSlotFrequency } from '../simulator/region/class-b.js';
import type { Region } from '../simulator/region/types.js';
import { getPath } from './paths.js';
import type { DeviceEntry } from './registry.js';

/**
 * A class B device's ping slots as the network computes them (LoRaWAN L2 1.0.4 §13.1): the beacon
 * period starts when GPS time mod 128 s is 0; slot n of it starts BEACON_RESERVED + n × 30 ms later,
 * for n = pingOffset + k × pingPeriod, pingOffset from the beacon time and the DevAddr.
 *
 * Yields each slot from `fromUs` on (scheduler µs, and the beacon time of its period, GPS s), over
 * this beacon period and the next.
 */
export function* pingSlots(
  scheduler: Scheduler,
  devAddr: number,
  periodicity: number,
  fromUs: number,
): Generator<{ atUs: number; beaconTimeS: number }> {
  const now = scheduler.now();
  const gpsNow = gpsTimeMs(scheduler.wallClockMs(now));
  const periodMs = BEACON_PERIOD_S * 1000;
  const pingPeriod = 2 ** (5 + periodicity);
  const first = Math.floor(gpsNow / periodMs) * periodMs;
  for (let beaconMs = first; beaconMs <= first + periodMs; beaconMs += periodMs) {
    const offset = classBPingOffset(beaconMs / 1000, devAddr, pingPeriod);
    for (let n = offset; n < 4096; n += pingPeriod) {
      const atUs = now + (beaconMs + BEACON_RESERVED_MS + n * PING_SLOT_MS - gpsNow) * 1000;
      if (atUs >= fromUs) yield { atUs, beaconTimeS: beaconMs / 1000 };
    }
  }
}

/** In class B for the NS: it registered so, announced its periodicity, and its last uplink said ClassB. */
export function classBActive(d: DeviceEntry): boolean {
  const s = d.session;
  return (
    s?.classB === true &&
    s.pingSlotPeriodicity !== undefined &&
    getPath(d.ns ?? {}, 'supports_class_b') === true
  );
}

/** Where a device's ping slots are: its mac_settings, else the region's (RP002 channel and DR). */
export function pingSlotChannel(
  d: DeviceEntry,
  region: Region,
  beaconTimeS: number,
): { frequency: number; dr: number } {
  const ns = d.ns ?? {};
  const f = getPath(ns, 'mac_settings.ping_slot_frequency');
  const dr = getPath(ns, 'mac_settings.ping_slot_data_rate_index');
  return {
    frequency:
      typeof f === 'number' && f > 0 ? f : pingSlotFrequency(region, beaconTimeS, d.session!.devAddr),
    dr: typeof dr === 'number' ? dr : region.beacon.dataRate,
  };
}
