import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import type { LagFigures, SimulatorHealth } from '../report/types.js';
import { WallScheduler, type Scheduler } from '../time/scheduler.js';

/** Node's event-loop delay sampling interval, ms: each sample is the interval plus the delay. */
const LOOP_RESOLUTION_MS = 10;
const ms = (ns: number) => Math.round(Math.max(0, ns / 1e6 - LOOP_RESOLUTION_MS) * 10) / 10;

/**
 * Watches the simulator's own timekeeping from the start of traffic to the end of the drain: wall
 * time, CPU, its timers' lag (WallScheduler) and node's event-loop delay, for the report's
 * `simulator` block and the `simulator_lag_p99` metric.
 */
export class HealthWatch {
  private readonly wallStartMs = performance.now();
  private readonly cpuStart = process.cpuUsage();
  private readonly simStartUs: number;
  private readonly loop: IntervalHistogram | undefined;

  constructor(private readonly scheduler: Scheduler) {
    this.simStartUs = scheduler.now();
    if (scheduler instanceof WallScheduler) {
      this.loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
      this.loop.enable();
    }
  }

  /** The timers' lag so far, ms (0 in virtual time). */
  timerLagMs(): LagFigures {
    return this.scheduler instanceof WallScheduler
      ? this.scheduler.lag.figuresMs()
      : { p50: 0, p99: 0, max: 0 };
  }

  /** Stops watching (the windows lost to lag are counted by the devices: the report adds them). */
  finish(): Omit<SimulatorHealth, 'windowsLate'> {
    this.loop?.disable();
    return this.soFar();
  }

  /** The figures so far, watching on (a live report). */
  soFar(): Omit<SimulatorHealth, 'windowsLate'> {
    const wallMs = Math.max(1, performance.now() - this.wallStartMs);
    const cpu = process.cpuUsage(this.cpuStart);
    const simMs = (this.scheduler.now() - this.simStartUs) / 1000;
    const loop = this.loop;
    const wall = this.scheduler instanceof WallScheduler;
    return {
      clock: wall ? 'wall' : 'virtual',
      wallMs: Math.round(wallMs),
      speed: Math.round((simMs / wallMs) * 100) / 100,
      cpuShare: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100) / 100,
      timerLagMs: this.timerLagMs(),
      eventLoopLagMs:
        loop && loop.count > 0
          ? { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) }
          : { p50: 0, p99: 0, max: 0 },
      timersLate: this.scheduler instanceof WallScheduler ? this.scheduler.lag.timersLate : 0,
    };
  }
}
