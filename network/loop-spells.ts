/**
 * When an event loop could not read its sockets, from periodic ticks: a tick that came more than
 * `stallMs` late (one callback ran long), or a window in which the loop was busy more than
 * `saturated` of the time (no callback long, but no time left: datagrams queue in the kernel and
 * overflow it). Spells are [from, to] ms, merged when they touch, kept for `keepMs`.
 */
export class LoopSpells {
  readonly spells: [number, number][] = [];
  private expectedAt: number;
  private windowAt: number;

  constructor(
    nowMs: number,
    private readonly o: {
      tickMs: number;
      stallMs: number;
      windowMs: number;
      saturated: number;
      keepMs: number;
    },
  ) {
    this.expectedAt = nowMs + o.tickMs;
    this.windowAt = nowMs;
  }

  /**
   * A tick at `nowMs`; `busyShare()` gives the loop's utilization since the last window closed (asked
   * only when one closes).
   */
  tick(nowMs: number, busyShare: () => number): void {
    if (nowMs - this.expectedAt > this.o.stallMs) this.add(this.expectedAt, nowMs);
    this.expectedAt = nowMs + this.o.tickMs;
    if (nowMs - this.windowAt >= this.o.windowMs) {
      if (busyShare() > this.o.saturated) this.add(this.windowAt, nowMs);
      this.windowAt = nowMs;
    }
    while (this.spells.length > 0 && this.spells[0]![1] < nowMs - this.o.keepMs) this.spells.shift();
  }

  private add(from: number, to: number): void {
    const last = this.spells[this.spells.length - 1];
    if (last !== undefined && from <= last[1]) last[1] = Math.max(last[1], to);
    else this.spells.push([from, to]);
  }
}
