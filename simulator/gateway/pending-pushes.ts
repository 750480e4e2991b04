import type { Scheduler, TimerHandle } from '../time/scheduler.js';

// A deadline not yet running (the datagram has not left), and one whose miss is being reported.
const UNSENT = Number.NaN;
const EXPIRING = -1;

/**
 * PUSH_DATA datagrams awaiting their PUSH_ACK, by token, in the order they left. Every one waits the
 * same time, so their deadlines come in order: one timer for the oldest instead of one a datagram
 * (tens of thousands of live timers in the scheduler's heap at a few thousand datagrams a second).
 */
export class PendingPushes {
  private readonly deadlines = new Map<number, number>();
  private timer: TimerHandle | undefined;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly timeoutUs: number,
    /** Called for each datagram whose PUSH_ACK did not come in time. */
    private readonly onMissing: (token: number) => void,
    /**
     * Report misses after the event loop's next I/O poll: an ACK already waiting in a real socket
     * while a late loop ran the timer is read first, so the simulator's lag is not the network's.
     */
    private readonly deferMisses: boolean,
  ) {}

  /** A datagram with this token is about to be sent (its timeout starts when `sent` is called). */
  sending(token: number): void {
    // A token reused while the old one is pending replaces it, at the end of the order.
    this.deadlines.delete(token);
    this.deadlines.set(token, UNSENT);
  }

  /** The datagram left: its PUSH_ACK is due within the timeout from now. */
  sent(token: number): void {
    const d = this.deadlines.get(token);
    if (d === undefined || !Number.isNaN(d)) return;
    this.deadlines.set(token, this.scheduler.now() + this.timeoutUs);
    if (this.timer === undefined) this.arm();
  }

  /** A PUSH_ACK for `token`: false when no datagram with that token is pending. */
  acked(token: number): boolean {
    return this.deadlines.delete(token);
  }

  clear(): void {
    if (this.timer !== undefined) this.scheduler.cancel(this.timer);
    this.timer = undefined;
    this.deadlines.clear();
  }

  private arm(): void {
    for (const d of this.deadlines.values()) {
      if (Number.isNaN(d) || d === EXPIRING) continue;
      this.timer = this.scheduler.at(d, this.expire);
      return;
    }
  }

  private readonly expire = (): void => {
    this.timer = undefined;
    const now = this.scheduler.now();
    const expired: number[] = [];
    for (const [token, d] of this.deadlines) {
      if (Number.isNaN(d) || d === EXPIRING) continue;
      if (d > now) break;
      this.deadlines.set(token, EXPIRING);
      expired.push(token);
    }
    const report = () => {
      for (const token of expired)
        if (this.deadlines.get(token) === EXPIRING) {
          this.deadlines.delete(token);
          this.onMissing(token);
        }
    };
    if (this.deferMisses) setImmediate(report);
    else report();
    this.arm();
  };
}
