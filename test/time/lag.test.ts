import { describe, expect, it } from 'vitest';
import { COSTS_WINDOWS_AFTER_US, LagMonitor, LATE_AFTER_US } from '../../simulator/time/lag.js';
import { VirtualScheduler, WallScheduler } from '../../simulator/time/scheduler.js';

describe('LagMonitor', () => {
  it('knows the spans in which timers ran late, and only those', () => {
    const m = new LagMonitor();
    m.record(1_000_000, 1_000_500); // on time
    m.record(2_000_000, 2_500_000); // 500 ms late
    m.record(2_100_000, 2_500_100); // inside the same spell
    m.record(9_000_000, 9_000_000 + LATE_AFTER_US); // exactly the tolerance: not late
    m.record(12_000_000, 12_000_000 + COSTS_WINDOWS_AFTER_US); // late, but too little to cost a window
    expect(m.timersLate).toBe(3);
    expect(m.lateBetween(11_000_000, 13_000_000)).toBe(false);
    expect(m.lateBetween(0, 1_999_999)).toBe(false);
    expect(m.lateBetween(2_400_000, 2_450_000)).toBe(true); // within [due, ran]
    expect(m.lateBetween(1_500_000, 2_000_000)).toBe(true);
    expect(m.lateBetween(2_500_101, 9_500_000)).toBe(false);
    const f = m.figuresMs();
    expect(Math.abs(f.max - 500.1)).toBeLessThan(1); // within the histogram's precision
    expect(f.p99).toBeLessThanOrEqual(f.max);
    expect(f.p50).toBeLessThan(101); // the median of 0.5, 20, 100, 500 and 500.1 ms
  });

  it('reports zeros before any timer ran', () => {
    expect(new LagMonitor().figuresMs()).toEqual({ p50: 0, p99: 0, max: 0 });
  });
});

describe('WallScheduler keeps the plan when it runs late', () => {
  it('gives a late timer the time it was due as now(), and measures how late it ran', async () => {
    const s = new WallScheduler();
    try {
      const due = s.now() + 5_000;
      const seen: number[] = [];
      let clock = 0;
      s.at(due, () => {
        seen.push(s.now());
        clock = s.clockNow(); // the real moment, for measuring the lag itself
        // A timer set from a late one is planned from its due time, not from when it ran.
        s.after(1_000, () => seen.push(s.now()));
      });
      // Block the event loop past the due time: the timer runs ~150 ms late.
      const until = performance.now() + 150;
      while (performance.now() < until);
      await new Promise((r) => setTimeout(r, 30));
      expect(seen).toEqual([due, due + 1_000]);
      expect(clock).toBeGreaterThan(due + 120_000);
      expect(s.lag.timersLate).toBeGreaterThanOrEqual(1);
      expect(s.lateBetween(due, due)).toBe(true);
      expect(s.lag.figuresMs().max).toBeGreaterThan(120);
      // Outside a timer, now() is the wall clock again: past the due time.
      expect(s.now()).toBeGreaterThan(due + 120_000);
    } finally {
      s.stop();
    }
  });

  it('is never late in virtual time', () => {
    const v = new VirtualScheduler();
    v.at(10, () => undefined);
    v.advanceTo(10_000_000);
    expect(v.lateBetween(0, 10_000_000)).toBe(false);
    expect(v.clockNow()).toBe(v.now());
  });
});
