import type { Region } from './types.js';

/*
 * Class B channels (RP002-1.0.x): where a region has one beacon channel (EU868, AS923…) beacons and
 * ping slots stay on it; where it has several (US915, AU915, CN470), both hop every beacon period:
 * the beacon on floor(BeaconTime / 128) mod n, a device's ping slots on (DevAddr + floor(BeaconTime /
 * 128)) mod n (RP002 §2.5.x "Class B beacon"; CN470's plans are taken the same way here).
 */

const PERIOD_S = 128;

export function beaconFrequency(region: Region, beaconTimeS: number): number {
  const f = region.beacon.frequencies;
  return f[Math.floor(beaconTimeS / PERIOD_S) % f.length]!;
}

export function pingSlotFrequency(region: Region, beaconTimeS: number, devAddr: number): number {
  const f = region.pingSlotFrequencies;
  return f[(devAddr + Math.floor(beaconTimeS / PERIOD_S)) % f.length]!;
}
