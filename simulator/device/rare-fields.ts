import type { MacCommand } from '../lorawan/mac/fields.js';
import type { ViolationCounts, ViolationKind } from '../lorawan/violations.js';
import type { ClassBState } from './class-b.js';
import { NONE } from './device-internal.js';
import type { MacAnswer } from './mac/index.js';

/**
 * What a device holds only once something uncommon happened to it: a violation, a MAC command to
 * answer, a confirmed frame, a class B session. A device of a large fleet that only sends never does,
 * so these twelve fields live in one record made at the first change away from its default, read
 * through accessors on the device's prototype (~90 bytes fewer a device).
 */
export interface RareDeviceFields {
  /** What the network did wrong, by kind (one shared empty record until the first). */
  violations: Readonly<ViolationCounts>;
  /** The last few violations, with details. */
  recentViolations: readonly { at: number; kind: ViolationKind; detail: string }[];
  lastLinkCheck: { margin: number; gwCnt: number } | undefined;
  /**
   * The GPS time DeviceTimeAns gave, and `atUs`, the end of the uplink it refers to (LoRaWAN 1.0.4
   * §5.9: the time at the end of the uplink transmission that carried DeviceTimeReq).
   */
  lastDeviceTime: { gpsEpochSeconds: number; fractionalSecondUnits: number; atUs: number } | undefined;
  // These lists are replaced, never changed: a device shares one empty array for all of them.
  pendingAnswers: readonly MacAnswer[];
  stickyAnswers: readonly MacAnswer[];
  stickyUplinks: number;
  extraRequests: readonly MacCommand[];
  ackDownlink: number | undefined;
  lastConfirmedFCntUp: number | undefined;
  lastDownlinkSnr: number;
  /** Class B: beacon tracking and ping slots (undefined for class A and C). */
  classB: ClassBState | undefined;
}

const DEFAULTS: Readonly<RareDeviceFields> = Object.freeze({
  violations: Object.freeze({}),
  recentViolations: NONE,
  lastLinkCheck: undefined,
  lastDeviceTime: undefined,
  pendingAnswers: NONE,
  stickyAnswers: NONE,
  stickyUplinks: 0,
  extraRequests: NONE,
  ackDownlink: undefined,
  lastConfirmedFCntUp: undefined,
  lastDownlinkSnr: 0,
  classB: undefined,
});

/** The shared empty violation record: a device that has none holds this one. */
export const NO_VIOLATIONS: Readonly<ViolationCounts> = DEFAULTS.violations;

/** An object that keeps its rare fields in `rareFields` (undefined: all at their defaults). */
export interface HoldsRareFields {
  rareFields: RareDeviceFields | undefined;
}

/**
 * Defines the rare fields as accessors on `proto`: a read of a device without the record gives the
 * default; a write of the default to such a device changes nothing (an uplink resets its answer lists
 * to the empty one every time), any other write makes the record.
 */
export function defineRareFields(proto: HoldsRareFields): void {
  for (const k of Object.keys(DEFAULTS) as (keyof RareDeviceFields)[]) {
    Object.defineProperty(proto, k, {
      configurable: false,
      enumerable: true,
      get(this: HoldsRareFields): unknown {
        return (this.rareFields ?? DEFAULTS)[k];
      },
      set(this: HoldsRareFields, v: unknown): void {
        if (this.rareFields === undefined) {
          if (v === DEFAULTS[k]) return;
          this.rareFields = { ...DEFAULTS };
        }
        (this.rareFields as unknown as Record<string, unknown>)[k] = v;
      },
    });
  }
}
