import type { RouterConfigMsg } from '../basic-station/messages.js';
import type { Region } from '../region/types.js';

/** Why a Basics Station kept a downlink off the air. */
export type StationTxRefusal = 'duty-cycle' | 'channel-busy' | 'dwell-time';

export const STATION_TX_REFUSALS: readonly StationTxRefusal[] = ['duty-cycle', 'channel-busy', 'dwell-time'];

/** A frame about to go on air, in the gateway's scheduler µs. */
export interface StationTx {
  frequency: number;
  startUs: number;
  airtimeUs: number;
}

/**
 * How long a transmission closes its band or channel: until start + airtime × `rate` (a 1 % duty cycle
 * is rate 100). Basics Station (s2e.c) books EU863 per band — 869.4–869.65 MHz 10 %, 868.0–868.6 and
 * 869.7–870.0 MHz 1 %, the rest 0.1 % — and KR920 (2 %) and AS923JP (10 %) per channel.
 */
type DutyCycle = { kind: 'eu863-bands' } | { kind: 'per-channel'; rate: number };

function eu863Band(frequency: number): { key: string; rate: number } {
  if (frequency >= 869_400_000 && frequency <= 869_650_000) return { key: 'deci', rate: 10 };
  if (
    (frequency >= 868_000_000 && frequency <= 868_600_000) ||
    (frequency >= 869_700_000 && frequency <= 870_000_000)
  )
    return { key: 'centi', rate: 100 };
  return { key: 'milli', rate: 1000 };
}

/** The longest a single downlink may last where a dwell-time limit applies (RP002: 400 ms). */
export const DWELL_LIMIT_US = 400_000;
/** AS923 Japan's listen-before-talk threshold (ARIB STD-T108), dBm. */
const AS923JP_CCA_DBM = -80;

/**
 * The checks a Basics Station makes before a downlink leaves, where its region needs them: duty cycle,
 * clear-channel assessment (KR920 and AS923JP: listen before talk) and a dwell-time limit (AS923).
 * router_config's `nodc`, `nocca` and `nodwell` turn each off; TTS sends all three true, other LNSs may
 * not, and a gateway that honours them drops frames a network then never sees transmitted.
 */
export class StationTxRules {
  private readonly blockedUntilUs = new Map<string, number>();

  private constructor(
    private readonly dutyCycle: DutyCycle | undefined,
    private readonly ccaThresholdDbm: number | undefined,
    private readonly dwellLimitUs: number | undefined,
  ) {}

  /** The rules router_config sets for `region` (the station's region name decides, as in s2e.c). */
  static of(m: RouterConfigMsg, region: Region): StationTxRules {
    const name = m.region.toUpperCase();
    const cca =
      name === 'KR920'
        ? (region.lbt?.rssiThreshold ?? -65)
        : name === 'AS923JP'
          ? AS923JP_CCA_DBM
          : undefined;
    const dc: DutyCycle | undefined =
      name === 'EU863'
        ? { kind: 'eu863-bands' }
        : name === 'KR920'
          ? { kind: 'per-channel', rate: 50 }
          : name === 'AS923JP'
            ? { kind: 'per-channel', rate: 10 }
            : undefined;
    const dwell = name.startsWith('AS923') ? DWELL_LIMIT_US : undefined;
    return new StationTxRules(
      m.nodc === true ? undefined : dc,
      m.nocca === true ? undefined : cca,
      m.nodwell === true ? undefined : dwell,
    );
  }

  /** Whether any check is on (a station with none never holds a frame back). */
  get active(): boolean {
    return (
      this.dutyCycle !== undefined || this.ccaThresholdDbm !== undefined || this.dwellLimitUs !== undefined
    );
  }

  /**
   * Why `tx` may not go on air now, or undefined. `carrierRssi` is what the concentrator hears on the
   * channel at the start, dBm.
   */
  check(
    tx: StationTx,
    carrierRssi: (frequency: number, atUs: number) => number,
  ): StationTxRefusal | undefined {
    if (this.dwellLimitUs !== undefined && tx.airtimeUs > this.dwellLimitUs) return 'dwell-time';
    const slot = this.slot(tx.frequency);
    if (slot !== undefined && tx.startUs < (this.blockedUntilUs.get(slot.key) ?? -Infinity))
      return 'duty-cycle';
    if (this.ccaThresholdDbm !== undefined && carrierRssi(tx.frequency, tx.startUs) > this.ccaThresholdDbm)
      return 'channel-busy';
    return undefined;
  }

  /** `tx` went on air: its band or channel is closed for airtime × rate. */
  sent(tx: StationTx): void {
    const slot = this.slot(tx.frequency);
    if (slot !== undefined) this.blockedUntilUs.set(slot.key, tx.startUs + tx.airtimeUs * slot.rate);
  }

  private slot(frequency: number): { key: string; rate: number } | undefined {
    const dc = this.dutyCycle;
    if (dc === undefined) return undefined;
    return dc.kind === 'eu863-bands' ? eu863Band(frequency) : { key: String(frequency), rate: dc.rate };
  }
}
