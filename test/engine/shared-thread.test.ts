import { describe, expect, it } from 'vitest';
import { SharedThreadUplinks } from '../../simulator/engine/shared-thread.js';
import { VirtualScheduler } from '../../simulator/time/scheduler.js';

/** A clock whose loop ran late over the given spells [fromUs, toUs] (what a WallScheduler records). */
class LateClock extends VirtualScheduler {
  constructor(private readonly spells: [number, number][]) {
    super(0);
  }
  override lateBetween(fromUs: number, toUs: number): boolean {
    return this.spells.some(([a, b]) => a <= toUs && b >= fromUs);
  }
}

describe('SharedThreadUplinks', () => {
  it('puts down to the simulator an uplink whose loop ran late in the two seconds after it, not before or later', () => {
    const clock = new LateClock([[5_000_000, 5_300_000]]);
    const late: string[] = [];
    const shared = new SharedThreadUplinks(clock, (id, fCnt) => late.push(`${id}/${fCnt}`));
    for (const [id, startUs] of [
      ['before', 2_000_000], // its take-in time ended at 4 s, before the spell
      ['during', 4_000_000], // the spell came 1 s after it, while the network was taking it in
      ['inside', 5_100_000],
      ['after', 5_400_000],
    ] as const) {
      clock.advanceTo(startUs);
      shared.heardAt(id, 1, startUs);
    }
    clock.advanceTo(6_000_000);
    shared.heardAt('last', 1, 6_000_000);
    // Uplinks still inside their take-in time are not judged yet…
    expect(late).toEqual(['during/1']);
    clock.advanceTo(9_000_000);
    shared.settleAll();
    // …and at the end of traffic every one is.
    expect(late).toEqual(['during/1', 'inside/1']);
  });

  it("puts down to the simulator an uplink heard while the embedded network's own thread stalled", () => {
    // Virtual clock at epoch 0: scheduler µs / 1000 are the wall-clock ms the network thread reports.
    const clock = new LateClock([]);
    const late: string[] = [];
    const stalls: [number, number][] = [[10_500, 10_800]];
    const shared = new SharedThreadUplinks(
      clock,
      (id) => late.push(id),
      (fromMs, toMs) => stalls.some(([a, b]) => a <= toMs && b >= fromMs),
    );
    for (const [id, startUs] of [
      ['long-before', 7_000_000],
      ['taking-in', 9_000_000],
      ['after', 11_000_000],
    ] as const) {
      clock.advanceTo(startUs);
      shared.heardAt(id, 1, startUs);
    }
    clock.advanceTo(20_000_000);
    shared.settleAll();
    expect(late).toEqual(['taking-in']);
  });

  it('judges each uplink once, in order, however many are heard', () => {
    const clock = new LateClock([[1_000_000, 1_000_001]]);
    const late: number[] = [];
    const shared = new SharedThreadUplinks(clock, (_id, fCnt) => late.push(fCnt));
    for (let i = 0; i < 20_000; i++) {
      clock.advanceTo(i * 500);
      shared.heardAt('d', i, i * 500);
    }
    shared.settleAll();
    shared.settleAll();
    // Uplinks starting from 2 s before the spell up to its end.
    const expected = Array.from({ length: 20_000 }, (_, i) => i).filter((i) => i * 500 <= 1_000_001);
    expect(late).toEqual(expected);
  });
});
