import type { Region } from '../simulator/region/types.js';

/**
 * One gateway's transmissions as The Things Stack's gateway server plans them
 * (pkg/gatewayserver/scheduling): the GS, not the gateway, refuses a downlink that would overlap
 * another, come too late, or exceed the sub-band's duty cycle. The figures below are TTS's defaults,
 * read from that package (scheduler.go, sub_band.go).
 */

/** TTS's `TxSchedulePriority`, lowest first. */
export const TX_PRIORITIES = [
  'LOWEST',
  'LOW',
  'BELOW_NORMAL',
  'NORMAL',
  'ABOVE_NORMAL',
  'HIGH',
  'HIGHEST',
] as const;
export type TxSchedulePriority = (typeof TX_PRIORITIES)[number];

/** Share of a sub-band's duty cycle a priority may use (`DefaultDutyCycleCeilings`). */
const CEILINGS: Record<TxSchedulePriority, number> = {
  LOWEST: 0.4,
  LOW: 0.5,
  BELOW_NORMAL: 0.6,
  NORMAL: 0.7,
  ABOVE_NORMAL: 0.8,
  HIGH: 0.9,
  HIGHEST: 1,
};

/** The window over which duty cycle is enforced (`DutyCycleWindow`). */
export const DUTY_CYCLE_WINDOW_US = 3_600_000_000;
/** What a concentrator needs between two queued frames (`QueueDelay`, from the packet forwarder's JIT queue). */
export const QUEUE_DELAY_US = 30_000;
/** Less lead than this before a frame starts and it is too late to send it (`ScheduleTimeShort`). */
export const SCHEDULE_TIME_SHORT_US = 100_000 + QUEUE_DELAY_US;
/** Where "as soon as possible" starts: class C downlinks (`ScheduleTimeLong`). */
export const SCHEDULE_TIME_LONG_US = 300_000 + QUEUE_DELAY_US;

/** Why the GS could not place a frame on a gateway: TTS's error names. */
export type ScheduleRefusal = 'conflict' | 'too_late' | 'duty_cycle';

export interface Emission {
  startUs: number;
  endUs: number;
}

interface SubBandUse {
  minFrequency: number;
  maxFrequency: number;
  dutyCycle: number;
  /** Emissions of the last duty-cycle window. */
  emissions: AirtimeLog;
}

/** Index of the first emission starting at or after `t` (emissions sorted by start). */
function firstFrom(list: Emission[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.startUs < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insert(list: Emission[], e: Emission): void {
  list.splice(firstFrom(list, e.startUs), 0, e);
}

/**
 * A sub-band's emissions by start, with running sums of their airtime, so that the airtime of an hour
 * takes two binary searches instead of a walk over every frame of it (a join storm asks thousands of
 * times a second). The emissions of one gateway never overlap: at most one straddles each end of a
 * window.
 */
export class AirtimeLog {
  readonly list: Emission[] = [];
  /** cum[i]: airtime of list[0 … i). */
  private cum: number[] = [0];

  insert(e: Emission): void {
    const i = firstFrom(this.list, e.startUs);
    const d = e.endUs - e.startUs;
    this.list.splice(i, 0, e);
    this.cum.splice(i + 1, 0, this.cum[i]! + d);
    for (let k = i + 2; k < this.cum.length; k++) this.cum[k]! += d;
  }

  /** µs on air within [from, to). */
  within(from: number, to: number): number {
    const i = firstFrom(this.list, from);
    const j = firstFrom(this.list, to);
    let sum = j > i ? this.cum[j]! - this.cum[i]! : 0;
    const before = this.list[i - 1];
    if (before !== undefined) sum += Math.max(0, Math.min(before.endUs, to) - from);
    if (j > i) sum -= Math.max(0, this.list[j - 1]!.endUs - to);
    return sum;
  }

  /** Forgets emissions that started before `t` (once there are enough of them to be worth it). */
  dropBefore(t: number): void {
    const k = firstFrom(this.list, t);
    if (k <= 64) return;
    this.list.splice(0, k);
    const base = this.cum[k]!;
    this.cum = this.cum.slice(k).map((c) => c - base);
  }
}

export class GatewaySchedule {
  private emissions: Emission[] = [];
  private readonly subBands: SubBandUse[];

  constructor(region: Region, enforceDutyCycle: boolean) {
    // Without enforcement TTS uses one sub-band over every frequency with a duty cycle of 1.
    this.subBands = enforceDutyCycle
      ? region.subBands.map((b) => ({ ...b, emissions: new AirtimeLog() }))
      : [
          {
            minFrequency: 0,
            maxFrequency: Number.MAX_SAFE_INTEGER,
            dutyCycle: 1,
            emissions: new AirtimeLog(),
          },
        ];
  }

  /** Places a frame of `durationUs` at `startUs`, or says why not (`ScheduleAt`). */
  at(
    nowUs: number,
    startUs: number,
    durationUs: number,
    frequency: number,
    priority: TxSchedulePriority,
  ): ScheduleRefusal | undefined {
    this.forget(nowUs);
    if (startUs - nowUs < SCHEDULE_TIME_SHORT_US) return 'too_late';
    const e = { startUs, endUs: startUs + durationUs };
    if (this.conflicts(e)) return 'conflict';
    const band = this.subBand(frequency);
    if (band !== undefined && !this.withinDutyCycle(band, e, priority)) return 'duty_cycle';
    insert(this.emissions, e);
    band?.emissions.insert(e);
    return undefined;
  }

  /**
   * Places a frame at the first time from `SCHEDULE_TIME_LONG_US` on that conflicts with nothing and
   * keeps the duty cycle (`ScheduleAnytime`); its start, or why none was found within the window.
   */
  anytime(
    nowUs: number,
    durationUs: number,
    frequency: number,
    priority: TxSchedulePriority,
  ): number | ScheduleRefusal {
    this.forget(nowUs);
    const band = this.subBand(frequency);
    let startUs = nowUs + SCHEDULE_TIME_LONG_US;
    for (let i = firstFrom(this.emissions, startUs - 10_000_000); ;) {
      const e = { startUs, endUs: startUs + durationUs };
      // Past every emission that conflicts, in start order.
      while (i < this.emissions.length && this.emissions[i]!.startUs < e.endUs + QUEUE_DELAY_US) {
        const o = this.emissions[i]!;
        if (o.endUs + QUEUE_DELAY_US > e.startUs) {
          e.startUs = o.endUs + QUEUE_DELAY_US;
          e.endUs = e.startUs + durationUs;
        }
        i++;
      }
      if (band === undefined || this.withinDutyCycle(band, e, priority)) {
        insert(this.emissions, e);
        band?.emissions.insert(e);
        return e.startUs;
      }
      if (e.startUs - nowUs > DUTY_CYCLE_WINDOW_US) return 'duty_cycle';
      // Not enough duty cycle left here: try after the next emission of this sub-band leaves the window.
      const next = band.emissions.list.find((o) => o.endUs + DUTY_CYCLE_WINDOW_US > e.startUs);
      startUs = next === undefined ? e.startUs + DUTY_CYCLE_WINDOW_US : next.endUs + DUTY_CYCLE_WINDOW_US;
    }
  }

  /** Frames planned from `nowUs` on (for tests and the report). */
  planned(nowUs: number): number {
    return this.emissions.filter((e) => e.endUs > nowUs).length;
  }

  private conflicts(e: Emission): boolean {
    for (let i = firstFrom(this.emissions, e.startUs - 10_000_000); i < this.emissions.length; i++) {
      const o = this.emissions[i]!;
      if (o.startUs >= e.endUs + QUEUE_DELAY_US) break;
      if (o.endUs + QUEUE_DELAY_US > e.startUs) return true;
    }
    return false;
  }

  private subBand(frequency: number): SubBandUse | undefined {
    return this.subBands.find((b) => frequency >= b.minFrequency && frequency <= b.maxFrequency);
  }

  /** The duty cycle of the window ending with the frame and of the one starting with it (`SubBand.Schedule`). */
  private withinDutyCycle(b: SubBandUse, e: Emission, priority: TxSchedulePriority): boolean {
    if (b.dutyCycle >= 1) return true;
    const usable = b.dutyCycle * CEILINGS[priority];
    const d = e.endUs - e.startUs;
    for (const to of [e.endUs, e.startUs + DUTY_CYCLE_WINDOW_US]) {
      const used = (b.emissions.within(to - DUTY_CYCLE_WINDOW_US, to) + d) / DUTY_CYCLE_WINDOW_US;
      if (used > usable) return false;
    }
    return true;
  }

  /** Drops what no longer matters: ended frames, and sub-band use older than the window. */
  private forget(nowUs: number): void {
    const ended = firstFrom(this.emissions, nowUs - 10_000_000);
    if (ended > 64) this.emissions.splice(0, ended);
    for (const b of this.subBands) {
      b.emissions.dropBefore(nowUs - DUTY_CYCLE_WINDOW_US - 10_000_000);
    }
  }
}
