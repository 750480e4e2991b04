import { VirtualScheduler, type Scheduler } from '../time/scheduler.js';

export interface PumpOptions {
  scheduler: Scheduler;
  /**
   * Everything the run talks to lives on the scheduler (the embedded network in process): virtual time
   * then runs from one timer to the next with no wall-clock wait, and the result depends on nothing
   * but the events themselves.
   */
  closed?: boolean;
  /** Until when (scheduler µs) frames are in flight: virtual time then moves in small steps. */
  busyUntilUs: () => number;
  /**
   * A count that grows while the network is still taking in or answering traffic (datagrams received,
   * uplinks delivered): virtual time waits for it to settle, up to 50 ms a step.
   */
  activity?: () => number;
  /** Called about once a simulated second. */
  onSecond?: () => void;
}

/** Virtual time moves this far at a time while frames are in flight (a receive window is 20 ms wide). */
const BUSY_STEP_US = 20_000;
/** …and jumps at most this far when nothing is on air. */
const IDLE_STEP_US = 1_000_000;

/** Wall time a closed run computes before it lets the event loop in (signals, progress, scrapes), ms. */
const SLICE_MS = 25;

/**
 * Moves a run's clock forward. In virtual time it advances the scheduler with real I/O between steps,
 * so that a network on loopback sockets answers inside the devices' receive windows; in wall time it
 * only waits.
 */
export class Pump {
  private lastSecondUs = 0;

  constructor(private readonly o: PumpOptions) {}

  /** Until `untilUs` (scheduler µs), or until `stop()` holds. */
  async runUntil(untilUs: number, stop: () => boolean = () => false): Promise<void> {
    const { scheduler } = this.o;
    while (scheduler.now() < untilUs && !stop()) {
      if (scheduler instanceof VirtualScheduler && this.o.closed) await this.slice(scheduler, untilUs);
      else if (scheduler instanceof VirtualScheduler) await this.step(scheduler, untilUs);
      else await sleepMs(100);
      if (scheduler.now() - this.lastSecondUs >= 1_000_000) {
        this.lastSecondUs = scheduler.now();
        this.o.onSecond?.();
      }
    }
  }

  /**
   * A closed run: timer after timer, up to each simulated second (progress reads the same state at the
   * same instants on any machine), for at most SLICE_MS of wall time; then the event loop has its turn.
   */
  private async slice(scheduler: VirtualScheduler, untilUs: number): Promise<void> {
    const sliceEnd = performance.now() + SLICE_MS;
    do {
      const second = Math.min(untilUs, this.lastSecondUs + 1_000_000);
      const next = scheduler.nextAt();
      scheduler.advanceTo(next === undefined ? second : Math.min(second, next));
      if (scheduler.now() >= second) break;
    } while (performance.now() < sliceEnd);
    await new Promise((r) => setImmediate(r));
  }

  private async step(scheduler: VirtualScheduler, untilUs: number): Promise<void> {
    const now = scheduler.now();
    const busy = now < this.o.busyUntilUs();
    const next = scheduler.nextAt() ?? untilUs;
    const step = busy ? BUSY_STEP_US : Math.max(BUSY_STEP_US, Math.min(next - now, IDLE_STEP_US));
    scheduler.advanceTo(Math.min(untilUs, now + step));
    await sleepMs(busy ? 1 : 0);
    // A network answers in wall time: while it is still taking in datagrams or publishing uplinks,
    // virtual time waits for it, so that a heavy load shows as load and not as virtual seconds of
    // latency and missed PUSH_ACKs.
    const activity = this.o.activity;
    if (activity && busy) {
      for (let k = 0; k < 50; k++) {
        const mark = activity();
        await sleepMs(1);
        if (activity() === mark) break;
      }
    }
  }
}

const sleepMs = (ms: number) => new Promise((r) => setTimeout(r, ms));
