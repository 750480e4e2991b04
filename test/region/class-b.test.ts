import { describe, expect, it } from 'vitest';
import { beaconFrequency, pingSlotFrequency } from '../../simulator/region/class-b.js';
import { EU868 } from '../../simulator/region/eu868.js';
import { US915 } from '../../simulator/region/us915.js';

describe('class B channels', () => {
  it('keeps EU868 beacons and ping slots on 869.525 MHz', () => {
    for (const t of [0, 128, 1_400_000_000])
      expect([beaconFrequency(EU868, t), pingSlotFrequency(EU868, t, 0x26011f2a)]).toEqual([
        869_525_000, 869_525_000,
      ]);
  });

  it('hops US915 beacons every period over 8 channels, and ping slots by DevAddr too (RP002)', () => {
    // floor(BeaconTime / 128) mod 8: 923.3 MHz + 600 kHz × channel.
    expect([0, 1, 2, 7, 8].map((k) => beaconFrequency(US915, 128 * k))).toEqual([
      923_300_000, 923_900_000, 924_500_000, 927_500_000, 923_300_000,
    ]);
    // (DevAddr + floor(BeaconTime / 128)) mod 8.
    expect(pingSlotFrequency(US915, 128 * 3, 5)).toBe(923_300_000); // (5 + 3) mod 8 = 0
    expect(pingSlotFrequency(US915, 128 * 3, 6)).toBe(923_900_000);
  });
});
