import { LagMonitor } from './lag.js';

/**
 * Time, injected. Devices, gateways and the network read `now()` and set timers through a Scheduler,
 * so the same code runs in wall time (real runs) and in virtual time (tests run an hour in seconds).
 * Times are microseconds since the scheduler's epoch — the unit of a gateway's `tmst` counter.
 */
export interface Scheduler {
  /** Microseconds since this scheduler's epoch. */
  now(): number;
  /** Calls `fn` at `atUs` (or as soon as possible if that has passed). */
  at(atUs: number, fn: () => void): TimerHandle;
  /** Calls `fn` `delayUs` from now. */
  after(delayUs: number, fn: () => void): TimerHandle;
  cancel(handle: TimerHandle): void;
  /** Wall-clock time (ms since 1970) that corresponds to `now()`: for `time` fields and reports. */
  wallClockMs(atUs?: number): number;
  /**
   * Whether the simulator itself ran late (a timer more than COSTS_WINDOWS_AFTER_US behind) between these
   * instants: a receive window missed then is the simulator's, not the network's. Virtual time never is.
   */
  lateBetween(fromUs: number, toUs: number): boolean;
  /**
   * The clock's own time, µs — in wall time the real moment even inside a late timer (where now() is
   * the time the timer was due); in virtual time the same as now(). For measuring lag, never for plans.
   */
  clockNow(): number;
}

export interface TimerHandle {
  readonly at: number;
  /** Set when the timer has fired or been cancelled. */
  done: boolean;
}

interface Timer extends TimerHandle {
  readonly seq: number;
  fn: () => void;
}

/**
 * A min-heap of timers ordered by (time, insertion order): one queue drives a whole fleet, with no
 * per-device setTimeout. Both schedulers below use it.
 */
export class TimerQueue {
  private heap: Timer[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  push(at: number, fn: () => void): Timer {
    const t: Timer = { at, fn, seq: this.seq++, done: false };
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
    return t;
  }

  /** The earliest live timer, without removing it (cancelled ones are discarded on the way). */
  peek(): Timer | undefined {
    while (this.heap.length > 0 && this.heap[0]!.done) this.pop();
    return this.heap[0];
  }

  pop(): Timer | undefined {
    const h = this.heap;
    if (h.length === 0) return undefined;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/**
 * Virtual time: nothing happens until the owner advances it. `advanceTo` runs every timer due up to
 * that instant, in order, with `now()` equal to each timer's time while it runs.
 */
export class VirtualScheduler implements Scheduler {
  private t = 0;
  private readonly queue = new TimerQueue();

  constructor(private readonly epochMs = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.t;
  }

  at(atUs: number, fn: () => void): TimerHandle {
    return this.queue.push(Math.max(atUs, this.t), fn);
  }

  after(delayUs: number, fn: () => void): TimerHandle {
    return this.at(this.t + delayUs, fn);
  }

  cancel(handle: TimerHandle): void {
    handle.done = true;
  }

  wallClockMs(atUs = this.t): number {
    return this.epochMs + atUs / 1000;
  }

  lateBetween(_fromUs: number, _toUs: number): boolean {
    return false;
  }

  clockNow(): number {
    return this.t;
  }

  /** The time of the next pending timer, if any. */
  nextAt(): number | undefined {
    return this.queue.peek()?.at;
  }

  get pending(): number {
    return this.queue.size;
  }

  /** Runs all timers due at or before `toUs`, then sets now to `toUs`. Returns how many ran. */
  advanceTo(toUs: number): number {
    let ran = 0;
    for (let next = this.queue.peek(); next !== undefined && next.at <= toUs; next = this.queue.peek()) {
      this.queue.pop();
      this.t = Math.max(this.t, next.at);
      next.done = true;
      next.fn();
      ran++;
    }
    this.t = Math.max(this.t, toUs);
    return ran;
  }

  advanceBy(deltaUs: number): number {
    return this.advanceTo(this.t + deltaUs);
  }
}

/**
 * Wall time: microseconds from the monotonic clock since construction, with one Node timer armed for the
 * earliest pending timer (re-armed as the queue changes) instead of one setTimeout per timer.
 */
/** Longest run of timers before the event loop gets a turn (µs of wall time). */
const SLICE_US = 2_000;

export class WallScheduler implements Scheduler {
  private readonly queue = new TimerQueue();
  // performance.now(): monotonic like process.hrtime, without a BigInt a reading (it is read a timer).
  private readonly originMs = performance.now();
  private readonly originWallMs = Date.now();
  /** How late this scheduler's timers ran: the simulator's own lag. */
  readonly lag = new LagMonitor();
  private armed: NodeJS.Timeout | undefined;
  /** The next slice of overdue timers, after the loop has read its sockets (see fire()). */
  private continuing: NodeJS.Immediate | undefined;
  private armedAt = Number.POSITIVE_INFINITY;
  private stopped = false;

  /** While a timer runs: the time it was due (see now()). */
  private dueUs: number | undefined;

  /**
   * Microseconds since construction — except inside a timer, where it is the time the timer was due,
   * as in virtual time: what the simulated world plans (a frame's start, a window, the `tmst` of a
   * reception) keeps to its plan even when the event loop runs the timer late, and the lateness is
   * measured (`lag`) instead of moving the world with it.
   */
  now(): number {
    return this.dueUs ?? this.wallNow();
  }

  clockNow(): number {
    return this.wallNow();
  }

  private wallNow(): number {
    return (performance.now() - this.originMs) * 1000;
  }

  at(atUs: number, fn: () => void): TimerHandle {
    const t = this.queue.push(atUs, fn);
    if (atUs < this.armedAt) this.arm();
    return t;
  }

  after(delayUs: number, fn: () => void): TimerHandle {
    return this.at(this.now() + delayUs, fn);
  }

  cancel(handle: TimerHandle): void {
    handle.done = true;
  }

  wallClockMs(atUs = this.now()): number {
    return this.originWallMs + atUs / 1000;
  }

  lateBetween(fromUs: number, toUs: number): boolean {
    return this.lag.lateBetween(fromUs, toUs);
  }

  /** Stops firing timers (pending ones are dropped) so the process can exit. */
  stop(): void {
    this.stopped = true;
    if (this.armed) clearTimeout(this.armed);
    if (this.continuing) clearImmediate(this.continuing);
    this.armed = undefined;
    this.continuing = undefined;
  }

  private arm(): void {
    if (this.stopped) return;
    if (this.armed) clearTimeout(this.armed);
    const next = this.queue.peek();
    if (next === undefined) {
      this.armed = undefined;
      this.armedAt = Number.POSITIVE_INFINITY;
      return;
    }
    this.armedAt = next.at;
    const delayMs = Math.max(0, (next.at - this.wallNow()) / 1000);
    this.armed = setTimeout(() => this.fire(), delayMs);
  }

  private fire(): void {
    this.armed = undefined;
    this.continuing = undefined;
    // Timers that these timers set are armed once, at the end, not one Node timer each.
    this.armedAt = Number.NEGATIVE_INFINITY;
    const now = this.wallNow();
    const sliceEndUs = now + SLICE_US;
    let sliced = false;
    try {
      for (
        let next = this.queue.peek();
        next !== undefined && next.at <= now + 500;
        next = this.queue.peek()
      ) {
        // Timers due within 0.5 ms run now: setTimeout has millisecond resolution.
        const ranAt = this.wallNow();
        if (ranAt > sliceEndUs) {
          // The loop is behind: let it read its sockets (libuv reads at most 32 datagrams a socket a
          // turn) before the next slice, instead of running every overdue timer first while datagrams
          // overflow the socket buffers.
          sliced = true;
          this.continuing = setImmediate(() => this.fire());
          return;
        }
        this.queue.pop();
        next.done = true;
        this.lag.record(next.at, ranAt);
        this.dueUs = next.at;
        try {
          next.fn();
        } finally {
          this.dueUs = undefined;
        }
        if (this.stopped) return;
      }
    } finally {
      if (!sliced) this.arm();
    }
  }
}
