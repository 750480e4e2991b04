import { describe, expect, it } from 'vitest';
import type { GatewayUplink } from '../../network/udp-frontend.js';
import { UplinkDedup } from '../../network/uplink-dedup.js';
import { VirtualScheduler } from '../../simulator/time/scheduler.js';

function copy(bytes: number[], gatewayEui: string): GatewayUplink {
  return { phyPayload: Uint8Array.from(bytes), gatewayEui } as unknown as GatewayUplink;
}

function setup() {
  const sched = new VirtualScheduler();
  const counters = { uplinks: 0, duplicates: 0, lateDuplicates: 0 };
  const delivered: string[][] = [];
  const dedup = new UplinkDedup(sched, { dedupWindowUs: 200_000, cooldownUs: 1_000_000 }, counters, (c) =>
    delivered.push(c.map((u) => u.gatewayEui)),
  );
  return { sched, counters, delivered, dedup };
}

describe('UplinkDedup', () => {
  it('gathers the copies of a frame for the window, then drops late ones until the cooldown ends', () => {
    const { sched, counters, delivered, dedup } = setup();
    dedup.offer(copy([0x40, 1, 2, 3], 'A'));
    sched.advanceBy(100_000);
    dedup.offer(copy([0x40, 1, 2, 3], 'B'));
    dedup.offer(copy([0x40, 1, 2, 4], 'C')); // another frame
    sched.advanceBy(150_000);
    expect(delivered).toEqual([['A', 'B']]);
    dedup.offer(copy([0x40, 1, 2, 3], 'D')); // after the window: late
    sched.advanceBy(100_000);
    expect(delivered).toEqual([['A', 'B'], ['C']]);
    expect(counters).toEqual({ uplinks: 2, duplicates: 1, lateDuplicates: 1 });
    sched.advanceBy(1_100_000);
    dedup.offer(copy([0x40, 1, 2, 3], 'E')); // the cooldown is over: the same bytes are a frame again
    sched.advanceBy(300_000);
    expect(delivered.at(-1)).toEqual(['E']);
    expect(counters.uplinks).toBe(3);
  });

  it('forgets cooldowns that ended, however many frames a second pass through', () => {
    const { sched, dedup } = setup();
    for (let i = 0; i < 20_000; i++) {
      dedup.offer(copy([0x40, i & 0xff, i >> 8, 7], 'A'));
      sched.advanceBy(1_000); // a thousand frames a second
    }
    sched.advanceBy(300_000);
    // About the last second's frames (~1,000) still cool down; the 19,000 before were cut.
    expect(dedup.coolingDown).toBeGreaterThan(900);
    expect(dedup.coolingDown).toBeLessThan(1_300);
  });
});
