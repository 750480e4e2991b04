import type { Region, SubBand } from './types.js';

/** The regulatory sub-band a frequency falls in, if the region defines one. */
export function subBandFor(region: Region, frequency: number): SubBand | undefined {
  for (const b of region.subBands) if (frequency >= b.minFrequency && frequency <= b.maxFrequency) return b;
  return undefined;
}

/**
 * How long a transmitter must stay silent in a sub-band after `airtime` µs in it, so that its
 * aggregated duty cycle holds: T_off = T_air · (1 / dc − 1) (ETSI EN 300 220 style, as LoRaMac-node's
 * band time-off).
 */
export function dutyCycleOffTime(airtime: number, dutyCycle: number): number {
  if (dutyCycle >= 1) return 0;
  return airtime * (1 / dutyCycle - 1);
}
