import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AirtimeLog,
  DUTY_CYCLE_WINDOW_US,
  type Emission,
  GatewaySchedule,
  QUEUE_DELAY_US,
  SCHEDULE_TIME_LONG_US,
  SCHEDULE_TIME_SHORT_US,
} from '../../network/gateway-schedule.js';
import { EU868 } from '../../simulator/region/eu868.js';

const RX1 = 868_100_000; // EU868 sub-band 868.0–868.6 MHz: 1 %
const RX2 = 869_525_000; // 869.4–869.65 MHz: 10 %
const S = 1_000_000;

describe("a gateway's schedule, as TTS's gateway server keeps it", () => {
  it('refuses a frame that starts too soon to reach the gateway in time', () => {
    const g = new GatewaySchedule(EU868, true);
    expect(g.at(0, SCHEDULE_TIME_SHORT_US - 1, 50_000, RX1, 'HIGHEST')).toBe('too_late');
    expect(g.at(0, SCHEDULE_TIME_SHORT_US, 50_000, RX1, 'HIGHEST')).toBeUndefined();
  });

  it('refuses a frame overlapping another, or closer to it than the concentrator needs between two', () => {
    const g = new GatewaySchedule(EU868, true);
    expect(g.at(0, 5 * S, 100_000, RX1, 'HIGHEST')).toBeUndefined();
    // Overlapping on another frequency is still one radio.
    expect(g.at(0, 5 * S + 50_000, 100_000, RX2, 'HIGHEST')).toBe('conflict');
    expect(g.at(0, 5 * S + 100_000 + QUEUE_DELAY_US - 1, 10_000, RX1, 'HIGHEST')).toBe('conflict');
    expect(g.at(0, 5 * S - QUEUE_DELAY_US - 10_000 + 1, 10_000, RX1, 'HIGHEST')).toBe('conflict');
    expect(g.at(0, 5 * S + 100_000 + QUEUE_DELAY_US, 10_000, RX1, 'HIGHEST')).toBeUndefined();
    expect(g.at(0, 5 * S - QUEUE_DELAY_US - 10_000, 10_000, RX1, 'HIGHEST')).toBeUndefined();
    expect(g.planned(0)).toBe(3);
  });

  it("keeps each sub-band's duty cycle over an hour, less for lower priorities", () => {
    // 1 % of an hour is 36 s on air: 36 one-second frames at the highest priority, 70 % of it at NORMAL.
    const fill = (g: GatewaySchedule, priority: 'HIGHEST' | 'NORMAL') => {
      let n = 0;
      for (let k = 0; k < 100; k++) if (g.at(0, (k + 1) * 2 * S, S, RX1, priority) === undefined) n++;
      return n;
    };
    expect(fill(new GatewaySchedule(EU868, true), 'HIGHEST')).toBe(36);
    expect(fill(new GatewaySchedule(EU868, true), 'NORMAL')).toBe(25);
    // A gateway registered without duty-cycle enforcement is held by conflicts only.
    expect(fill(new GatewaySchedule(EU868, false), 'NORMAL')).toBe(100);

    const g = new GatewaySchedule(EU868, true);
    fill(g, 'HIGHEST');
    expect(g.at(0, 300 * S, S, RX1, 'HIGHEST')).toBe('duty_cycle');
    // RX2's sub-band has its own budget, and the first hour's frames leave the window after an hour.
    expect(g.at(0, 301 * S, S, RX2, 'HIGHEST')).toBeUndefined();
    const later = 2 * S + DUTY_CYCLE_WINDOW_US + 200 * S;
    expect(g.at(later - S, later, S, RX1, 'HIGHEST')).toBeUndefined();
  });

  it('places a frame "as soon as possible" in the first gap that fits, never over another', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ startMs: fc.integer({ min: 0, max: 5000 }), ms: fc.integer({ min: 1, max: 1500 }) }),
          {
            maxLength: 20,
          },
        ),
        fc.integer({ min: 1, max: 1500 }),
        (frames, ms) => {
          const g = new GatewaySchedule(EU868, false);
          const placed: { s: number; e: number }[] = [];
          for (const f of frames) {
            const s = SCHEDULE_TIME_SHORT_US + f.startMs * 1000;
            if (g.at(0, s, f.ms * 1000, RX2, 'HIGHEST') === undefined) placed.push({ s, e: s + f.ms * 1000 });
          }
          const start = g.anytime(0, ms * 1000, RX2, 'NORMAL');
          expect(typeof start).toBe('number');
          const s = start as number;
          const e = s + ms * 1000;
          expect(s).toBeGreaterThanOrEqual(SCHEDULE_TIME_LONG_US);
          for (const p of placed) expect(e + QUEUE_DELAY_US <= p.s || p.e + QUEUE_DELAY_US <= s).toBe(true);
          // Nothing earlier would have fitted: it starts at the earliest moment or just after a frame.
          const atEdge = s === SCHEDULE_TIME_LONG_US || placed.some((p) => p.e + QUEUE_DELAY_US === s);
          expect(atEdge).toBe(true);
        },
      ),
    );
  });

  it('places "as soon as possible" after the duty cycle frees up, and gives up beyond an hour', () => {
    const g = new GatewaySchedule(EU868, true);
    for (let k = 0; k < 36; k++) expect(g.at(0, (k + 1) * 2 * S, S, RX1, 'HIGHEST')).toBeUndefined();
    const start = g.anytime(0, S, RX1, 'HIGHEST');
    // The first frame (2–3 s) leaves the window an hour after it ended.
    expect(start).toBe(3 * S + DUTY_CYCLE_WINDOW_US);
    expect(g.anytime(0, 40 * S, RX1, 'HIGHEST')).toBe('duty_cycle');
  });
});

describe('AirtimeLog: the airtime of a window from running sums', () => {
  /** Disjoint emissions (as one gateway's are), inserted in any order, and windows anywhere. */
  const emissions = fc
    .array(fc.tuple(fc.integer({ min: 1, max: 5_000_000 }), fc.integer({ min: 1, max: 3_000_000 })), {
      maxLength: 150,
    })
    .chain((gapsAndLengths) => {
      let t = 0;
      const list: Emission[] = gapsAndLengths.map(([gap, len]) => {
        const e = { startUs: t + gap, endUs: t + gap + len };
        t = e.endUs;
        return e;
      });
      return fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length });
    });
  const naive = (list: Emission[], from: number, to: number) =>
    list.reduce((s, e) => s + Math.max(0, Math.min(e.endUs, to) - Math.max(e.startUs, from)), 0);

  it('property: equals the sum over every emission, for any window, after inserts and drops', () => {
    fc.assert(
      fc.property(
        emissions,
        fc.array(fc.tuple(fc.integer({ min: -1_000_000, max: 700_000_000 }), fc.nat(400_000_000)), {
          minLength: 1,
          maxLength: 20,
        }),
        fc.integer({ min: 0, max: 700_000_000 }),
        (list, windows, dropAt) => {
          const log = new AirtimeLog();
          for (const e of list) log.insert(e);
          for (const [from, len] of windows)
            expect(log.within(from, from + len)).toBe(naive(list, from, from + len));
          log.dropBefore(dropAt);
          const kept = log.list;
          expect(kept.every((e, i) => i === 0 || kept[i - 1]!.startUs < e.startUs)).toBe(true);
          for (const [from, len] of windows)
            expect(log.within(from, from + len)).toBe(naive(kept, from, from + len));
        },
      ),
      { numRuns: 300 },
    );
  });
});
