import { describe, expect, it, vi } from 'vitest';
import { VirtualScheduler, WallScheduler } from '../../simulator/time/scheduler.js';

describe('VirtualScheduler', () => {
  it('runs timers in time order (ties in insertion order) with now() at each timer', () => {
    const s = new VirtualScheduler();
    const log: string[] = [];
    s.at(300, () => log.push(`c@${s.now()}`));
    s.at(100, () => log.push(`a@${s.now()}`));
    s.at(100, () => log.push(`b@${s.now()}`));
    const h = s.at(200, () => log.push('cancelled'));
    s.cancel(h);
    expect(s.advanceTo(250)).toBe(2);
    expect(log).toEqual(['a@100', 'b@100']);
    expect(s.now()).toBe(250);
    s.advanceTo(1000);
    expect(log).toEqual(['a@100', 'b@100', 'c@300']);
  });

  it('lets timers schedule timers, and runs those that fall within the same advance', () => {
    const s = new VirtualScheduler();
    let ticks = 0;
    const tick = () => {
      ticks++;
      s.after(1_000_000, tick);
    };
    s.after(1_000_000, tick);
    s.advanceTo(3600 * 1_000_000); // an hour of one-second ticks
    expect(ticks).toBe(3600);
  });

  it('never runs a timer in the past: one set before now fires at now', () => {
    const s = new VirtualScheduler();
    s.advanceTo(500);
    let at = -1;
    s.at(100, () => (at = s.now()));
    s.advanceTo(500);
    expect(at).toBe(500);
  });

  it('maps virtual time to wall-clock time from its epoch', () => {
    const s = new VirtualScheduler(Date.UTC(2026, 0, 1));
    s.advanceTo(1_500_000);
    expect(new Date(s.wallClockMs()).toISOString()).toBe('2026-01-01T00:00:01.500Z');
  });
});

describe('WallScheduler', () => {
  it('fires timers in order after their delay, from one armed Node timer', async () => {
    const s = new WallScheduler();
    const log: number[] = [];
    const start = s.now();
    s.after(30_000, () => log.push(2));
    s.after(10_000, () => log.push(1));
    const c = s.after(20_000, () => log.push(99));
    s.cancel(c);
    await new Promise<void>((resolve) => s.after(40_000, resolve));
    expect(log).toEqual([1, 2]);
    expect(s.now() - start).toBeGreaterThanOrEqual(39_000);
    s.stop();
  });

  it('runs a backlog of overdue timers in slices, giving the event loop a turn between them', async () => {
    const s = new WallScheduler();
    const order: string[] = [];
    const busy = (ms: number) => {
      const end = performance.now() + ms;
      while (performance.now() < end);
    };
    const due: number[] = [];
    const at = s.now() + 1_000;
    for (let i = 0; i < 20; i++)
      s.at(at, () => {
        // Queued by the first timer: without slices it would run only after the twentieth.
        if (i === 0) setImmediate(() => order.push('loop'));
        due.push(s.now());
        busy(0.5);
        order.push(`t${i}`);
      });
    await new Promise<void>((resolve) => s.at(at + 1, resolve));
    const timers = order.filter((o) => o !== 'loop');
    expect(timers).toEqual(Array.from({ length: 20 }, (_, i) => `t${i}`));
    expect(order.indexOf('loop')).toBeGreaterThan(0);
    expect(order.indexOf('loop')).toBeLessThan(order.indexOf('t19'));
    // Each ran at its due time as the world sees it, however late the loop ran it.
    expect(new Set(due)).toEqual(new Set([at]));
    s.stop();
  });

  it('arms one Node timer for all the timers a timer sets, not one each', async () => {
    const s = new WallScheduler();
    const ran: number[] = [];
    const armed = vi.spyOn(globalThis, 'setTimeout');
    try {
      await new Promise<void>((resolve) =>
        s.after(1_000, () => {
          // Set from the earliest to the latest, then the other way: each would be the next due.
          for (let i = 50; i > 0; i--) s.after(i * 100, () => ran.push(i));
          for (let i = 51; i <= 100; i++) s.after(5_000 + i * 100, () => ran.push(i));
          s.after(20_000, resolve);
        }),
      );
      expect(ran).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      // One arm at the end of the timer that set the hundred and a few as they come due (at most one
      // a fire of timers 0.5 ms apart); one Node timer a timer set would be over fifty.
      expect(armed.mock.calls.length).toBeLessThan(40);
    } finally {
      armed.mockRestore();
      s.stop();
    }
  });
});
