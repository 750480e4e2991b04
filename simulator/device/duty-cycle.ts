import { dutyCycleOffTime, subBandFor } from '../region/duty-cycle.js';
import type { Region } from '../region/types.js';

/**
 * Per-sub-band time-off, as LoRaMac-node keeps it: after `airtime` µs in a sub-band with duty cycle dc,
 * that sub-band is closed for airtime·(1/dc − 1). DutyCycleReq adds an aggregated limit over all bands
 * (1/2^MaxDCycle, LoRaWAN 1.1 §5.4).
 */
export class DutyCycleTracker {
  /*
   * When each of the region's sub-bands opens again (µs). A device mostly transmits in one sub-band
   * (EU868's three default channels share one): that one is kept in two fields, any other in `others`
   * by index, made when a second sub-band is used. An idle device holds no time at all.
   */
  private band = -1;
  private bandReadyAt = 0;
  private others: number[] | undefined = undefined;
  private aggregatedReadyAt = 0;
  /** Aggregated duty cycle from DutyCycleReq: 1 = no extra limit. */
  aggregated = 1;

  constructor(
    private readonly region: Region,
    /** Off for regions whose rules do not ask devices to count (LoRaMac-node enables it for EU868 only). */
    readonly enforce: boolean,
  ) {}

  /** Earliest time (µs) a transmission may start on this frequency. */
  availableAt(frequency: number): number {
    if (!this.enforce || this.band < 0) return this.aggregatedReadyAt;
    const i = this.bandIndex(frequency);
    const readyAt = i < 0 ? 0 : i === this.band ? this.bandReadyAt : (this.others?.[i] ?? 0);
    return Math.max(readyAt, this.aggregatedReadyAt);
  }

  record(frequency: number, start: number, airtime: number): void {
    const end = start + airtime;
    if (this.enforce) {
      const i = this.bandIndex(frequency);
      const band = this.region.subBands[i];
      if (band !== undefined && band.dutyCycle < 1) {
        const readyAt = end + dutyCycleOffTime(airtime, band.dutyCycle);
        if (this.band < 0 || this.band === i) {
          this.band = i;
          this.bandReadyAt = readyAt;
        } else (this.others ??= [])[i] = readyAt;
      }
    }
    if (this.aggregated < 1) this.aggregatedReadyAt = end + dutyCycleOffTime(airtime, this.aggregated);
  }

  /** The index of the region's sub-band holding `frequency`, −1 for none. */
  private bandIndex(frequency: number): number {
    const band = subBandFor(this.region, frequency);
    return band === undefined ? -1 : this.region.subBands.indexOf(band);
  }
}

const HOUR_US = 3_600_000_000;

/**
 * Join-request back-off (LoRaWAN 1.1 §7 Table 17; RP002 "Retransmissions back-off"): aggregated
 * Join-request airtime since the device started may not exceed 36 s in the first hour, 36 s in the
 * next 10 hours, then 8.7 s per 24 hours.
 */
export class JoinBackoff {
  private readonly sent: { atUs: number; airtimeUs: number }[] = [];

  constructor(private readonly startedAt: number) {}

  private window(now: number): { from: number; budget: number } {
    const age = now - this.startedAt;
    if (age < HOUR_US) return { from: this.startedAt, budget: 36_000_000 };
    if (age < 11 * HOUR_US) return { from: this.startedAt + HOUR_US, budget: 36_000_000 };
    return { from: now - 24 * HOUR_US, budget: 8_700_000 };
  }

  /** Whether a Join-request of `airtime` µs may start at `now`. */
  allows(now: number, airtime: number): boolean {
    const { from, budget } = this.window(now);
    let used = 0;
    for (const s of this.sent) if (s.atUs >= from) used += s.airtimeUs;
    return used + airtime <= budget;
  }

  /** The earliest time at or after `now` when a Join-request of `airtime` µs fits. */
  nextAllowed(now: number, airtime: number): number {
    if (this.allows(now, airtime)) return now;
    const age = now - this.startedAt;
    if (age < HOUR_US) return this.nextAllowed(this.startedAt + HOUR_US, airtime);
    if (age < 11 * HOUR_US) return this.nextAllowed(this.startedAt + 11 * HOUR_US, airtime);
    // In the 24-hour sliding window: wait until enough old requests drop out of it.
    for (const s of this.sent) {
      const t = s.atUs + 24 * HOUR_US;
      if (t > now && this.allows(t, airtime)) return t;
    }
    return now + 24 * HOUR_US;
  }

  record(at: number, airtime: number): void {
    this.sent.push({ atUs: at, airtimeUs: airtime });
    // Keep one day of history: nothing older ever counts again.
    while (this.sent.length > 0 && this.sent[0]!.atUs < at - 25 * HOUR_US) this.sent.shift();
  }

  /** Airtime used in the window that applies at `now`, µs. */
  used(now: number): number {
    const { from } = this.window(now);
    return this.sent.filter((s) => s.atUs >= from).reduce((a, s) => a + s.airtimeUs, 0);
  }
}
