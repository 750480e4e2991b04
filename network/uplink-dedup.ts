import type { Scheduler, TimerHandle } from '../simulator/time/scheduler.js';
import type { GatewayUplink } from './udp-frontend.js';

export interface UplinkDedupCounters {
  /** Frames taken (first copies). */
  uplinks: number;
  /** Copies gathered with a first one inside the dedup window. */
  duplicates: number;
  /** Copies after the window, within the cooldown: dropped. */
  lateDuplicates: number;
}

/**
 * Gathers the copies of a frame that several gateways forwarded (TTS's deduplication window), then
 * hands them over together; copies arriving after that, within the cooldown, are dropped.
 */
export class UplinkDedup {
  private readonly pending = new Map<string, { copies: GatewayUplink[]; timer: TimerHandle }>();
  /** Keys in the order their cooldown began: all last as long, so the expired ones lead. */
  private readonly cooldown = new Map<string, number>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly o: { dedupWindowUs: number; cooldownUs: number },
    private readonly counters: UplinkDedupCounters,
    private readonly deliver: (copies: GatewayUplink[]) => void,
  ) {}

  /** Frames whose late copies are still dropped. */
  get coolingDown(): number {
    return this.cooldown.size;
  }

  offer(u: GatewayUplink): void {
    // One character per byte: the same frame gives the same key, another frame another. Not a Buffer
    // over `phyPayload.buffer`: a small array lives on the heap, and its `.buffer` copies it out first.
    const key = String.fromCharCode.apply(null, u.phyPayload as unknown as number[]);
    const p = this.pending.get(key);
    if (p !== undefined) {
      this.counters.duplicates++;
      p.copies.push(u);
      return;
    }
    const cool = this.cooldown.get(key);
    if (cool !== undefined && this.scheduler.now() < cool) {
      this.counters.lateDuplicates++;
      return;
    }
    this.counters.uplinks++;
    const copies = [u];
    const timer = this.scheduler.after(this.o.dedupWindowUs, () => {
      this.pending.delete(key);
      this.coolDown(key);
      this.deliver(copies);
    });
    this.pending.set(key, { copies, timer });
  }

  /** Expired cooldowns are cut from the front (a scan of them all per frame made a join storm quadratic). */
  private coolDown(key: string): void {
    const now = this.scheduler.now();
    this.cooldown.delete(key);
    this.cooldown.set(key, now + this.o.cooldownUs);
    for (const [k, until] of this.cooldown) {
      if (until > now) break;
      this.cooldown.delete(k);
    }
  }
}
