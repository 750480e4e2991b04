import { describe, expect, it } from 'vitest';
import { DutyCycleTracker } from '../../simulator/device/duty-cycle.js';
import { REGIONS } from '../../simulator/region/index.js';

const EU = REGIONS.EU868;
// EU868 sub-bands (ETSI EN 300 220 as TTS's frequency plans give them): 868.0–868.6 MHz at 1 %,
// 869.4–869.65 MHz at 10 %, 863–865 MHz at 0.1 %.
const G1 = 868_100_000;
const G1_OTHER = 868_500_000;
const G3 = 869_525_000;
const G0 = 864_100_000;

describe('DutyCycleTracker', () => {
  it('closes a sub-band for airtime · (1/dc − 1) and leaves the others open', () => {
    const d = new DutyCycleTracker(EU, true);
    expect(d.availableAt(G1)).toBe(0);
    d.record(G1, 1_000_000, 50_000);
    // 1 %: 50 ms on air, 4.95 s off after its end.
    expect(d.availableAt(G1)).toBeCloseTo(1_050_000 + 4_950_000, 3);
    expect(d.availableAt(G1_OTHER)).toBeCloseTo(6_000_000, 3); // the same sub-band
    expect(d.availableAt(G3)).toBe(0);
    expect(d.availableAt(G0)).toBe(0);
  });

  it('keeps every sub-band used apart, the first and those after it', () => {
    const d = new DutyCycleTracker(EU, true);
    d.record(G1, 0, 10_000); // 1 %: ready at 1 s
    d.record(G3, 0, 10_000); // 10 %: ready at 100 ms
    d.record(G0, 0, 10_000); // 0.1 %: ready at 10 s
    expect(d.availableAt(G1)).toBeCloseTo(1_000_000, 3);
    expect(d.availableAt(G3)).toBeCloseTo(100_000, 3);
    expect(d.availableAt(G0)).toBeCloseTo(10_000_000, 3);
    // A later frame in a second sub-band moves only that one.
    d.record(G3, 2_000_000, 10_000);
    expect(d.availableAt(G3)).toBeCloseTo(2_100_000, 3);
    expect(d.availableAt(G1)).toBeCloseTo(1_000_000, 3);
    d.record(G1, 3_000_000, 20_000);
    expect(d.availableAt(G1)).toBeCloseTo(5_000_000, 3);
    expect(d.availableAt(G0)).toBeCloseTo(10_000_000, 3);
  });

  it('counts nothing where the region does not enforce it, but still applies DutyCycleReq', () => {
    const d = new DutyCycleTracker(EU, false);
    d.record(G1, 0, 50_000);
    expect(d.availableAt(G1)).toBe(0);
    d.aggregated = 1 / 2 ** 4; // MaxDCycle 4 (LoRaWAN 1.1 §5.4)
    d.record(G3, 1_000_000, 10_000);
    expect(d.availableAt(G1)).toBeCloseTo(1_010_000 + 150_000, 3);
  });

  it('takes the later of the sub-band and the aggregated limit', () => {
    const d = new DutyCycleTracker(EU, true);
    d.aggregated = 1 / 2; // 50 %: off as long as on air
    d.record(G3, 0, 100_000); // the sub-band at 10 % is the stricter: 900 ms
    expect(d.availableAt(G3)).toBeCloseTo(1_000_000, 3);
    expect(d.availableAt(G1)).toBeCloseTo(200_000, 3); // only the aggregated limit here
  });

  it('leaves a frequency outside every sub-band to the aggregated limit alone', () => {
    const d = new DutyCycleTracker(EU, true);
    d.record(G1, 0, 10_000);
    expect(d.availableAt(902_300_000)).toBe(0);
    d.record(902_300_000, 0, 10_000);
    expect(d.availableAt(G1)).toBeCloseTo(1_000_000, 3);
  });
});
