import type { JoinReqType } from '../../crypto/join-crypto.js';
import type { AES128Key, DevAddr } from '../../crypto/types.js';
import type { SessionKeys } from '../lorawan/frame-security.js';
import type { CryptoVersion } from '../lorawan/types.js';
import type { TimerHandle } from '../time/scheduler.js';
import type { JoinBackoff } from './duty-cycle.js';
import { DeviceConfigError } from './errors.js';
import type { DeviceConfig, OtaaConfig } from './types.js';

// What a VirtualDevice's modules (session, join, uplink, windows, downlink) share of its state.

/** Counters are reserved this far ahead on disk, so a frame costs a write only every so often. */
export const FCNT_RESERVE = 64;
export const NONCE_RESERVE = 16;
/** A sticky answer repeated in this many uplinks without any downlink is reported as unacknowledged. */
export const STICKY_LIMIT = 8;
export const U16 = 0x10000;
/** The empty list a device's lists start as (they are replaced, never changed: one for every device). */
export const NONE: readonly never[] = Object.freeze([]);

/** The device's OTAA configuration: only an OTAA device joins or rejoins. */
export function otaaConfigOf(dev: { config: DeviceConfig }): OtaaConfig {
  const c = dev.config;
  if (c.activation !== 'otaa') throw new DeviceConfigError(c.id, 'activation', 'an ABP device does not join');
  return c;
}

/**
 * The root keys by role: NwkKey signs joins and roots the network's keys, AppKey roots AppSKey. A
 * 1.0.x device has one AppKey in both roles (1.1 §6.1.1.3; LoRaMac-node keeps it as NWK_KEY too).
 */
export function rootKeys(c: OtaaConfig): { nwkKey: AES128Key; appKey: AES128Key } {
  return { nwkKey: c.version === '1.1' ? c.nwkKey : c.appKey, appKey: c.appKey };
}

/**
 * What only an OTAA device keeps (an ABP device, never joining, holds none of it): its join attempts
 * and back-off, its DevNonce counter, and the 1.1 rejoin state.
 */
export interface OtaaState {
  /** Join attempts so far (the US915/AU915 join data rates alternate by it). */
  attempt: number;
  nextJoin: TimerHandle | undefined;
  readonly backoff: JoinBackoff;
  /** Counter DevNonce policy: the next value, in memory (the store holds a bound above it). */
  devNonceNext: number | undefined;
  /** LoRaWAN 1.1 §6.1.1.3: the Join Server's keys for this device, derived once. */
  readonly jsIntKey: AES128Key | undefined;
  readonly jsEncKey: AES128Key | undefined;
  /** Replaced, never changed. */
  forcedRejoins: readonly TimerHandle[];
  uplinksSinceRejoin: number;
  lastRejoinAt: number;
}

export interface Session {
  devAddr: DevAddr;
  keys: SessionKeys;
  /** Negotiated: 1.1 only with a 1.1 device and OptNeg set (or 1.1 ABP). */
  version: CryptoVersion;
  netId?: number;
  fCntUp: number;
  fCntUpBound: number;
  nFCntDown?: number;
  aFCntDown?: number;
  rekeyPending: boolean;
  rekeyUplinks: number;
  resetPending: boolean;
  /** ResetInd was confirmed in this session: the network replaced its MAC state (1.1 ABP). */
  resetConfirmed?: boolean;
  rjCount0: number;
}

export interface RxWindow {
  name: 'RX1' | 'RX2';
  open: number;
  frequency: number;
  dataRate: number;
}

export interface AppUplink {
  fPort: number;
  payload: Uint8Array;
  confirmed: boolean;
}

export interface Cycle {
  kind: 'data' | 'join' | 'rejoin';
  attempt: number;
  maxAttempts: number;
  confirmed: boolean;
  fCnt?: number;
  app?: AppUplink;
  macBytes?: Uint8Array;
  rx1?: RxWindow;
  rx2?: RxWindow;
  /** End of this cycle's first transmission, and of its latest one (scheduler µs). */
  firstTxEnd?: number;
  txEnd?: number;
  /** A valid downlink for this device arrived in RX1 or RX2. */
  received: boolean;
  acked: boolean;
  locked: boolean;
  /**
   * This cycle's answer was lost on the way: a gateway refused to send it (TX_ACK error), or it came
   * while the radio was busy with another frame, the network said it could not schedule it on any
   * gateway, the gateway it chose was too far for the device to hear it, or the uplink itself reached
   * no gateway. A missing answer is then a downlink loss, not the network withholding it.
   */
  answerLost?: 'gateway-refused' | 'device-busy' | 'not-scheduled' | 'too-weak' | 'uplink-lost';
  join?: { devNonce: number; joinReqType: JoinReqType; rejoinType?: number };
  timers: TimerHandle[];
}
