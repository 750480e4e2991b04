import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Rng,
  hashContinue,
  hashString,
  stableNormal,
  stableNormalOfPair,
} from '../../simulator/random/rng.js';

describe('Rng', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 20 }, () => a.nextUint32());
    expect(Array.from({ length: 20 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it('has plausible moments: uniform mean ½, normal mean 0 and σ 1, exponential mean as asked', () => {
    const r = new Rng('moments');
    const n = 50_000;
    let u = 0;
    let s = 0;
    let s2 = 0;
    let e = 0;
    for (let i = 0; i < n; i++) {
      u += r.next();
      const z = r.normal();
      s += z;
      s2 += z * z;
      e += r.exponential(30);
    }
    expect(u / n).toBeCloseTo(0.5, 2);
    expect(s / n).toBeCloseTo(0, 1);
    expect(Math.sqrt(s2 / n)).toBeCloseTo(1, 1);
    expect(e / n).toBeGreaterThan(29);
    expect(e / n).toBeLessThan(31);
  });

  it('int stays within its bounds and reaches both ends', () => {
    const r = new Rng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = r.int(3, 9);
      expect(v).toBeGreaterThanOrEqual(3);
      expect(v).toBeLessThanOrEqual(9);
      seen.add(v);
    }
    expect(seen.size).toBe(7);
  });

  it('stable variates depend only on seed and key, not on call order', () => {
    const first = stableNormal(1, 'dev-1|gw-1', 7);
    stableNormal(1, 'dev-2|gw-1', 7);
    expect(stableNormal(1, 'dev-1|gw-1', 7)).toBe(first);
    expect(stableNormal(2, 'dev-1|gw-1', 7)).not.toBe(first);
  });

  it("property: a link's shadowing from the seed hashed once is the one from its key string", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.nat()), fc.string(), fc.string(), (seed, a, b) => {
        const seedHash = hashString(`${seed}/`);
        expect(stableNormalOfPair(seedHash, a, b, 6)).toBe(stableNormal(seed, `${a}|${b}`, 6));
        expect(hashContinue(hashString(a), b)).toBe(hashString(a + b));
      }),
      { numRuns: 1000 },
    );
  });

  it('draws the same numbers from the same seed as it always has (a run replays on any version)', () => {
    const draws = (seed: number | string) => {
      const r = new Rng(seed);
      return [r.nextUint32(), r.nextUint32(), Math.round(r.normal() * 1e9)];
    };
    expect([draws('seed-42'), draws(0), draws(4294967295)]).toEqual([
      [3694812969, 710670817, 912866738],
      [3809008728, 1133695204, -516986436],
      [835879718, 1921286648, 1700154459],
    ]);
  });
});
