import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Binned, LogBinned } from '../../simulator/metrics/distribution.js';
import { RunMetrics } from '../../simulator/metrics/run-metrics.js';

const S = 1_000_000; // µs

describe('RunMetrics', () => {
  it('puts each observation in the bucket of its time since traffic started', () => {
    const m = new RunMetrics(60_000);
    m.start(100 * S);
    m.uplinkSent(100 * S);
    m.uplinkSent(100.999 * S);
    m.uplinkSent(103.5 * S);
    m.uplinkDelivered(104.2 * S, 250);
    m.uplinkDelivered(104.9 * S, 1000);
    m.joinRequest(100.1 * S);
    m.joinAccept(106 * S);
    const t = m.timeline();
    expect(t.bucketMs).toBe(1000);
    expect(t.uplinksSent).toEqual([2, 0, 0, 1, 0, 0, 0]);
    expect(t.uplinksDelivered).toEqual([0, 0, 0, 0, 2, 0, 0]);
    expect(t.joinRequests).toEqual([1, 0, 0, 0, 0, 0, 0]);
    expect(t.joinAccepts).toEqual([0, 0, 0, 0, 0, 0, 1]);
    expect(t.latencyP50Ms[4]).toBeCloseTo(250, -1);
    expect(t.latencyMaxMs[4]).toBeCloseTo(1000, -1);
    expect(t.latencyP99Ms[3]).toBeNull();
  });

  it('widens its buckets for long runs so a plot keeps about 600 points', () => {
    expect(new RunMetrics(10 * 60_000).bucketMs).toBe(1000);
    expect(new RunMetrics(3600_000).bucketMs).toBe(6000);
    expect(new RunMetrics(24 * 3600_000).bucketMs).toBe(144_000);
  });

  it('tells its listeners about every observation', () => {
    const m = new RunMetrics(1000);
    const seen: string[] = [];
    m.listen({
      uplinkSent: () => seen.push('sent'),
      delivered: (ms) => seen.push(`delivered ${ms}`),
      joinRequest: () => seen.push('join-request'),
      joinAccept: () => seen.push('join-accept'),
    });
    m.joinRequest(0);
    m.joinAccept(0);
    m.uplinkSent(0);
    m.uplinkDelivered(0, 42);
    expect(seen).toEqual(['join-request', 'join-accept', 'sent', 'delivered 42']);
  });

  it('counts receptions into RSSI and SNR distributions that hold every value', () => {
    const m = new RunMetrics(1000);
    m.reception(-120.4, -7.25);
    m.reception(-400, 99); // outside the bins: kept, in the edge bins
    const d = m.distributions();
    expect(d.rssiDbm.counts.reduce((a, b) => a + b)).toBe(2);
    expect(d.rssiDbm.counts[Math.floor((-120.4 - d.rssiDbm.start) / d.rssiDbm.width)]).toBe(1);
    expect(d.rssiDbm.counts[0]).toBe(1);
    expect(d.snrDb.counts[Math.floor((-7.25 - d.snrDb.start) / d.snrDb.width)]).toBe(1);
    expect(d.snrDb.counts.at(-1)).toBe(1);
  });
});

describe('distributions merge exactly', () => {
  it('Binned: adding two equals recording both into one', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -160, max: 0, noNaN: true })),
        fc.array(fc.double({ min: -160, max: 0, noNaN: true })),
        (a, b) => {
          const one = new Binned(-150, 1, 140);
          const x = new Binned(-150, 1, 140);
          const y = new Binned(-150, 1, 140);
          for (const v of a) {
            one.record(v);
            x.record(v);
          }
          for (const v of b) {
            one.record(v);
            y.record(v);
          }
          x.add(y.toJSON());
          expect([...x.counts]).toEqual([...one.counts]);
        },
      ),
    );
  });

  it('Binned refuses to merge different bins', () => {
    expect(() => new Binned(-150, 1, 140).add(new Binned(-150, 0.5, 140).toJSON())).toThrow(/different bins/);
  });

  it('LogBinned survives its trimmed JSON form and merges', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3_600_000 }), { minLength: 1 }),
        fc.array(fc.integer({ min: 1, max: 3_600_000 })),
        (a, b) => {
          const one = new LogBinned();
          const x = new LogBinned();
          const y = new LogBinned();
          for (const v of a) {
            one.record(v);
            x.record(v);
          }
          for (const v of b) {
            one.record(v);
            y.record(v);
          }
          const merged = LogBinned.fromJSON(x.toJSON());
          merged.add(LogBinned.fromJSON(y.toJSON()));
          expect([...merged.counts]).toEqual([...one.counts]);
          // Every value lies in the bin whose lower edge is at or below it, 4.7 % wide.
          const j = one.toJSON();
          for (const v of a) {
            const i = j.edgesMs.findLastIndex((e) => e <= v * 1.0005);
            expect(i).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThan(j.edgesMs[i]! * 10 ** (1 / j.binsPerDecade) * 1.001);
          }
        },
      ),
    );
  });
});
