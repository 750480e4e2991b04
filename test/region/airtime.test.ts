import { describe, expect, it } from 'vitest';
import {
  fskTimeOnAir,
  loraPayloadSymbols,
  loraPreambleDuration,
  loraSymbolDuration,
  loraTimeOnAir,
  REGIONS,
  timeOnAir,
  type CodingRate,
} from '../../simulator/region/index.js';
import { loadVectors } from '../helpers/vectors.js';

type V = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('airtime.json', () => {
  it.each(loadVectors<V>('airtime').map((v) => [v.description as string, v]))('%s', (_d, v) => {
    const m = {
      spreadingFactor: v.sf,
      bandwidth: v.bandwidthKHz * 1000,
      codingRate: v.codingRate as CodingRate,
      explicitHeader: v.explicitHeader,
      crc: v.crc,
      lowDataRateOptimize: v.lowDataRateOptimize,
      preambleSymbols: v.preambleSymbols,
    };
    switch (v.function) {
      case 'loraAirtime':
        expect(loraTimeOnAir(v.payloadSize, m)).toBe(v.expectedMicroseconds);
        break;
      case 'loraSymbolDuration':
        expect(loraSymbolDuration(v.sf, v.bandwidthKHz * 1000)).toBe(v.expectedMicroseconds);
        break;
      case 'loraPreambleDuration':
        expect(loraPreambleDuration(v.sf, v.bandwidthKHz * 1000, v.preambleSymbols)).toBe(
          v.expectedMicroseconds,
        );
        break;
      case 'loraPayloadSymbols':
        expect(loraPayloadSymbols(v.payloadSize, m)).toBe(v.expectedSymbols);
        break;
      default:
        throw new Error(v.function);
    }
  });
});

describe('time on air', () => {
  // Worked by hand from the formula in Semtech AN1200.13 (explicit header, CR 4/5, 8-symbol preamble).
  it.each([
    // [SF, BW kHz, PHYPayload bytes, CRC, µs]
    [7, 125, 13, true, 46_336], // 12.25·1024 + (8 + 5·5)·1024
    [9, 125, 51, true, 328_704], // 12.25·4096 + (8 + 12·5)·4096
    [10, 125, 24, true, 370_688], // 12.25·8192 + (8 + 5·5)·8192
    [12, 125, 64, true, 2_793_472], // LDRO on: 12.25·32768 + (8 + 13·5)·32768 = 401408 + 2392064
    [7, 500, 13, false, 10_304], // downlink, no CRC: 12.25·256 + (8 + 4·5)·256 = 3136 + 7168
  ])('SF%i/%ikHz, %i bytes, CRC %s = %i µs', (sf, bw, size, crc, us) => {
    expect(loraTimeOnAir(size, { spreadingFactor: sf, bandwidth: bw * 1000, crc })).toBe(us);
  });

  it('turns low-data-rate optimisation on by itself for 16 ms symbols and longer', () => {
    const sf12 = { spreadingFactor: 12, bandwidth: 125_000 };
    expect(loraPayloadSymbols(64, sf12)).toBe(loraPayloadSymbols(64, { ...sf12, lowDataRateOptimize: true }));
    expect(loraPayloadSymbols(64, sf12)).not.toBe(
      loraPayloadSymbols(64, { ...sf12, lowDataRateOptimize: false }),
    );
    const sf10 = { spreadingFactor: 10, bandwidth: 125_000 };
    expect(loraPayloadSymbols(64, sf10)).toBe(
      loraPayloadSymbols(64, { ...sf10, lowDataRateOptimize: false }),
    );
  });

  it('computes FSK frames: preamble, sync word, length, payload and CRC at the bit rate', () => {
    expect(fskTimeOnAir(20, 50_000)).toBe(((5 + 3 + 1 + 20 + 2) * 8 * 1e6) / 50_000);
    expect(timeOnAir(REGIONS.EU868.dataRates[7]!, 20)).toBe(4960);
  });

  it('grows with payload size and with spreading factor', () => {
    for (let sf = 7; sf <= 12; sf++) {
      let last = 0;
      for (let n = 0; n <= 255; n += 5) {
        const t = loraTimeOnAir(n, { spreadingFactor: sf, bandwidth: 125_000 });
        expect(t).toBeGreaterThanOrEqual(last);
        last = t;
      }
      if (sf > 7) {
        expect(loraTimeOnAir(20, { spreadingFactor: sf, bandwidth: 125_000 })).toBeGreaterThan(
          loraTimeOnAir(20, { spreadingFactor: sf - 1, bandwidth: 125_000 }),
        );
      }
    }
  });

  // The dwell-time payload limits exist so that a frame stays under 400 ms: check the tables against
  // the formula. PHYPayload = MHDR + MACPayload (M) + MIC.
  it.each(['US915', 'AU915', 'AS923-1'] as const)(
    '%s: every DR allowed under dwell time fits 400 ms at its maximum payload',
    (id) => {
      const r = REGIONS[id];
      for (const d of r.dataRates) {
        if (d === undefined || d.modulation !== 'LORA' || d.bandwidth !== 125_000) continue;
        const m = d.maxMacPayload.dwell;
        if (m === null) {
          // Not allowed: even an empty frame would be too long.
          expect(timeOnAir(d, 13)).toBeGreaterThan(400_000);
          continue;
        }
        expect(timeOnAir(d, m + 5), `${d.datr} with M=${m}`).toBeLessThanOrEqual(400_000);
      }
    },
  );
});
