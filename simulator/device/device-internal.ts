import type { JoinReqType } from '../../crypto/join-crypto.js';
import type { DevAddr } from '../../crypto/types.js';
import type { SessionKeys } from '../lorawan/frame-security.js';
import type { CryptoVersion } from '../lorawan/types.js';
import type { UplinkFramer } from '../lorawan/uplink-framer.js';
import type { TimerHandle } from '../time/scheduler.js';

// What a VirtualDevice's modules (session, join, uplink, windows, downlink) share of its state.

/** Counters are reserved this far ahead on disk, so a frame costs a write only every so often. */
export const FCNT_RESERVE = 64;
export const NONCE_RESERVE = 16;
/** A sticky answer repeated in this many uplinks without any downlink is reported as unacknowledged. */
export const STICKY_LIMIT = 8;
export const U16 = 0x10000;

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
  framer: UplinkFramer;
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
  /** A valid downlink for this device arrived in RX1 or RX2. */
  received: boolean;
  acked: boolean;
  locked: boolean;
  join?: { devNonce: number; joinReqType: JoinReqType; rejoinType?: number };
  timers: TimerHandle[];
}
