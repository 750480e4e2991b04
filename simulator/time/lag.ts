import { build, type Histogram } from 'hdr-histogram-js';

/**
 * A timer that runs more than this late has let a frame or a receive window slip: 20 ms is the
 * receive-window tolerance a device gives the network (LoRaWAN 1.1 §3.3.1: the window must be long
 * enough to detect a preamble; lorafleet's devices accept ±20 ms).
 */
export const LATE_AFTER_US = 20_000;

/**
 * A timer this late could have cost a receive window: the tightest path — an uplink forwarded, the
 * network's 200 ms de-duplication, a PULL_RESP at least 32 ms before RX1 at 1 s — leaves over 700 ms,
 * and 100 ms of lag (queued timers and I/O behind it included) is where the simulator's share of
 * that slack stops being negligible. Shorter lags are counted (`timersLate`) but never take a missed
 * window from the network's account.
 */
export const COSTS_WINDOWS_AFTER_US = 100_000;

/** Late spells are kept this long (scheduler µs): longer than any receive window waits (join RX2, 6 s). */
const KEEP_US = 30_000_000;

/**
 * How late the simulator's own timers run in wall time: every timer's lag (when it ran minus when it
 * was due) in a histogram, and the spells when some ran more than LATE_AFTER_US late, so that a
 * receive window missed during one is put down to the simulator, never to the network.
 */
export class LagMonitor {
  private readonly lagUs: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });
  /** [due, ran] of timers late enough to cost a window, oldest first; merged when they overlap. */
  private spells: [number, number][] = [];
  /** Timers that ran more than LATE_AFTER_US late. */
  timersLate = 0;

  /** A timer due at `dueUs` ran at `ranUs` (scheduler µs). */
  record(dueUs: number, ranUs: number): void {
    const lag = Math.max(0, ranUs - dueUs);
    this.lagUs.recordValue(Math.max(1, Math.round(lag)));
    if (lag <= LATE_AFTER_US) return;
    this.timersLate++;
    if (lag <= COSTS_WINDOWS_AFTER_US) return;
    const last = this.spells[this.spells.length - 1];
    if (last !== undefined && dueUs <= last[1]) last[1] = Math.max(last[1], ranUs);
    else this.spells.push([dueUs, ranUs]);
    while (this.spells.length > 0 && this.spells[0]![1] < ranUs - KEEP_US) this.spells.shift();
  }

  /** Whether a timer late enough to cost a window ran in [fromUs, toUs] (its late spell overlaps it). */
  lateBetween(fromUs: number, toUs: number): boolean {
    for (let i = this.spells.length - 1; i >= 0; i--) {
      const [due, ran] = this.spells[i]!;
      if (ran < fromUs) return false;
      if (due <= toUs) return true;
    }
    return false;
  }

  /** Lag percentiles, ms (0 when no timer ran). */
  figuresMs(): { p50: number; p99: number; max: number } {
    const h = this.lagUs;
    if (h.totalCount === 0) return { p50: 0, p99: 0, max: 0 };
    // A percentile is its bucket's upper bound: never above the largest lag seen.
    const ms = (us: number) => Math.round(Math.min(us, h.maxValue) / 100) / 10;
    return { p50: ms(h.getValueAtPercentile(50)), p99: ms(h.getValueAtPercentile(99)), max: ms(h.maxValue) };
  }
}
