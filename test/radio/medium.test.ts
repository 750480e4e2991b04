import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { distance } from '../../simulator/radio/geometry.js';
import { RadioMedium, type Transmission } from '../../simulator/radio/medium.js';
import { DEFAULT_PATH_LOSS, noiseFloor, pathLoss } from '../../simulator/radio/propagation.js';
import { Rng } from '../../simulator/random/rng.js';
import { loraDemodulationFloor } from '../../simulator/region/demodulation.js';

const noShadow = { ...DEFAULT_PATH_LOSS, shadowingSigma: 0 };

function tx(from: string, over: Partial<Transmission> = {}): Transmission {
  return {
    from,
    frequency: 868_100_000,
    modulation: 'LORA',
    spreadingFactor: 7,
    bandwidth: 125_000,
    eirp: 14,
    startUs: 0,
    airtimeUs: 50_000,
    ...over,
  };
}

function medium(opts: { collisions?: boolean; shadowing?: boolean; seed?: number } = {}) {
  const m = new RadioMedium({
    pathLoss: opts.shadowing ? DEFAULT_PATH_LOSS : noShadow,
    collisions: opts.collisions ?? false,
    seed: opts.seed ?? 1,
    rng: new Rng(opts.seed ?? 1),
  });
  return m;
}

describe('geometry', () => {
  it('measures metres on a plane and great-circle distance on the globe', () => {
    expect(distance({ x: 0, y: 0 }, { x: 3, y: 4 })).toBe(5);
    // Paris–London is about 344 km.
    const d = distance({ lat: 48.8566, lon: 2.3522 }, { lat: 51.5074, lon: -0.1278 });
    expect(d / 1000).toBeGreaterThan(340);
    expect(d / 1000).toBeLessThan(348);
    expect(() => distance({ x: 0, y: 0 }, { lat: 0, lon: 0 })).toThrowError(/mix/);
  });
});

describe('propagation', () => {
  it('path loss grows with distance, by 10·n dB per decade', () => {
    let last = -Infinity;
    for (let d = 1; d < 100_000; d *= 1.7) {
      const pl = pathLoss(noShadow, d);
      expect(pl).toBeGreaterThan(last);
      last = pl;
    }
    expect(pathLoss(noShadow, 10_000) - pathLoss(noShadow, 1000)).toBeCloseTo(23.2, 6);
  });

  it('noise floor of a 125 kHz receiver with a 6 dB noise figure is about −117 dBm', () => {
    expect(noiseFloor(125_000, 6)).toBeCloseTo(-117.03, 1);
  });

  it('demodulation floors step 2.5 dB per spreading factor', () => {
    expect(loraDemodulationFloor(7)).toBe(-7.5);
    expect(loraDemodulationFloor(12)).toBe(-20);
  });
});

describe('RadioMedium', () => {
  const gw = (id: string, x: number) => ({ id, position: { x, y: 0 }, antennaGain: 3, noiseFigure: 6 });
  const dev = (id: string, x: number) => ({ id, position: { x, y: 0 }, antennaGain: 0, noiseFigure: 6 });

  it('senses the carrier at a gateway: the strongest signal on the channel at that moment, its own excluded', () => {
    const m = medium();
    m.addGateway(gw('g', 0));
    m.addGateway(gw('g2', 50));
    m.addDevice(dev('near', 100));
    m.addDevice(dev('far', 3000));
    expect(m.carrierRssi('g', 868_100_000, 0)).toBe(-Infinity);
    m.uplink(tx('far', { startUs: 0, airtimeUs: 100_000 }));
    m.uplink(tx('near', { startUs: 20_000, airtimeUs: 50_000 }));
    const near = m.linkRssi(tx('near'), dev('near', 100), gw('g', 0));
    const far = m.linkRssi(tx('far'), dev('far', 3000), gw('g', 0));
    expect(m.carrierRssi('g', 868_100_000, 10_000)).toBeCloseTo(far, 9);
    expect(m.carrierRssi('g', 868_100_000, 30_000)).toBeCloseTo(near, 9);
    expect(m.carrierRssi('g', 868_100_000, 100_000)).toBe(-Infinity);
    expect(m.carrierRssi('g', 868_300_000, 30_000)).toBe(-Infinity);
    // A gateway does not sense its own transmission; another gateway's it does.
    m.downlink(tx('g', { startUs: 200_000, airtimeUs: 50_000 }), []);
    expect(m.carrierRssi('g', 868_100_000, 210_000)).toBe(-Infinity);
    expect(m.carrierRssi('g2', 868_100_000, 210_000)).toBeCloseTo(
      m.linkRssi(tx('g'), gw('g', 0), gw('g2', 50)),
      9,
    );
    // Thousands of frames later, the ones long over are gone and the answer is unchanged.
    for (let i = 0; i < 5000; i++) m.uplink(tx('far', { startUs: 1_000_000 + i * 1000, airtimeUs: 500 }));
    expect(m.carrierRssi('g', 868_100_000, 30_000)).toBe(-Infinity);
    expect(m.carrierRssi('g', 868_100_000, 1_000_000 + 4999 * 1000 + 100)).toBeCloseTo(far, 9);
  });

  it('gives each gateway that hears an uplink its own RSSI and SNR; far gateways do not hear it', () => {
    const m = medium();
    m.addGateway(gw('near', 500));
    m.addGateway(gw('mid', 3000));
    m.addGateway(gw('far', 200_000));
    m.addDevice(dev('d', 0));
    const rx = m.uplink(tx('d'));
    expect(rx.map((r) => r.to)).toEqual(['near', 'mid']);
    expect(rx[0]!.rssi).toBeCloseTo(14 - pathLoss(noShadow, 500) + 3, 6);
    expect(rx[0]!.rssi).toBeGreaterThan(rx[1]!.rssi);
    expect(rx[0]!.snr - rx[1]!.snr).toBeCloseTo(rx[0]!.rssi - rx[1]!.rssi, 6);
    expect(m.counters.belowFloor).toBe(1);
  });

  it('a slower spreading factor reaches further', () => {
    const m = medium();
    m.addGateway(gw('g', 12_000));
    m.addDevice(dev('d', 0));
    expect(m.uplink(tx('d', { spreadingFactor: 7 }))).toHaveLength(0);
    expect(m.uplink(tx('d', { spreadingFactor: 12 }))).toHaveLength(1);
  });

  it('the same seed gives the same receptions (shadowing included); another seed differs', () => {
    const run = (seed: number) => {
      const m = medium({ shadowing: true, seed });
      for (let i = 0; i < 10; i++) m.addGateway(gw(`g${i}`, 1000 + i * 900));
      m.addDevice(dev('d', 0));
      return m.uplink(tx('d', { spreadingFactor: 9 })).map((r) => [r.to, r.rssi]);
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(run(6));
  });

  it('downlinks reach the devices near the gateway', () => {
    const m = medium();
    m.addGateway(gw('g', 0));
    m.addDevice(dev('near', 800));
    m.addDevice(dev('far', 500_000));
    const rx = m.downlink(tx('g', { eirp: 27 }));
    expect(rx.map((r) => r.to)).toEqual(['near']);
  });

  describe('collisions (capture effect)', () => {
    function setup() {
      const m = medium({ collisions: true });
      m.addGateway(gw('g', 0));
      m.addDevice(dev('strong', 300));
      m.addDevice(dev('weak', 3000));
      m.addDevice(dev('twin', -300));
      return m;
    }

    it('overlapping packets on the same frequency and SF of similar power both die', () => {
      const m = setup();
      const [a] = m.uplink(tx('strong'));
      const [b] = m.uplink(tx('twin', { startUs: 10_000 }));
      expect(a!.lost).toBe('collision');
      expect(b!.lost).toBe('collision');
      expect(m.counters.collisions).toBe(2);
    });

    it('the stronger packet survives when it is 6 dB above the other', () => {
      const m = setup();
      const [weak] = m.uplink(tx('weak'));
      const [strong] = m.uplink(tx('strong', { startUs: 20_000 }));
      expect(strong!.rssi - weak!.rssi).toBeGreaterThan(6);
      expect(weak!.lost).toBe('collision');
      expect(strong!.lost).toBeUndefined();
    });

    it('another SF, another frequency, or no overlap in time do not collide', () => {
      const m = setup();
      const [a] = m.uplink(tx('strong'));
      const [b] = m.uplink(tx('twin', { spreadingFactor: 8 }));
      const [c] = m.uplink(tx('twin', { frequency: 868_300_000 }));
      const [d] = m.uplink(tx('twin', { startUs: 50_000 }));
      for (const r of [a, b, c, d]) expect(r!.lost).toBeUndefined();
    });

    it('is off by default', () => {
      const m = medium();
      m.addGateway(gw('g', 0));
      m.addDevice(dev('a', 300));
      m.addDevice(dev('b', -300));
      const [a] = m.uplink(tx('a'));
      const [b] = m.uplink(tx('b'));
      expect(a!.lost ?? b!.lost).toBeUndefined();
    });
  });
});

describe('links too far to hear', () => {
  it('property: skipping links beyond the most favourable shadowing hears exactly what every link would', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: -40_000, max: 40_000 }), fc.integer({ min: -40_000, max: 40_000 })),
          {
            minLength: 1,
            maxLength: 30,
          },
        ),
        fc.integer({ min: 7, max: 12 }),
        fc.nat(1000),
        (gateways, sf, seed) => {
          const m = medium({ shadowing: true, seed });
          const nodes = gateways.map(([x, y], i) => ({
            id: `gw-${i}`,
            position: { x, y },
            antennaGain: 3,
            noiseFigure: 6,
          }));
          for (const n of nodes) m.addGateway(n);
          const device = { id: 'dev', position: { x: 0, y: 0 }, antennaGain: 0, noiseFigure: 6 };
          m.addDevice(device);
          const t = tx('dev', { spreadingFactor: sf });
          // Every link worked out in full: what the medium hears must be exactly this.
          const floor = loraDemodulationFloor(sf);
          const heard = nodes
            .map((n) => ({ to: n.id, rssi: m.linkRssi(t, device, n), noise: noiseFloor(125_000, 6) }))
            .filter((r) => r.rssi - r.noise >= floor)
            .map((r) => ({ to: r.to, rssi: r.rssi }));
          expect(m.uplink(t).map((r) => ({ to: r.to, rssi: r.rssi }))).toEqual(heard);
        },
      ),
      { numRuns: 300 },
    );
  });
});
