import type { LoRaWANVersion } from '../lorawan/types.js';

/**
 * One simulated device as the scenario describes it: identity, activation, keys — what lorafleet
 * registers on a network and what the device model starts from.
 * Hex strings are uppercase, as TTS writes them.
 */
export interface DeviceSpec {
  deviceId: string;
  devEui: string;
  joinEui?: string;
  activation: 'otaa' | 'abp';
  lorawanVersion: LoRaWANVersion;
  frequencyPlanId: string;
  supportsClassC?: boolean;
  supportsClassB?: boolean;
  /** Class B: 0–7, a ping slot every 2^n s. */
  pingSlotPeriodicity?: number;
  appKey?: string;
  nwkKey?: string;
  devAddr?: string;
  fNwkSIntKey?: string;
  sNwkSIntKey?: string;
  nwkSEncKey?: string;
  appSKey?: string;
  /** ABP receive settings, so the NS has nothing to negotiate (`rx1_delay` with `desired_rx1_delay`). */
  rx1Delay?: number;
  resetsFCnt?: boolean;
  /**
   * ABP: the counters the device's session has reached, registered with the NS session
   * (`session.last_f_cnt_up`, `last_n_f_cnt_down`, `last_a_f_cnt_down`) so that a session created
   * anew continues them.
   */
  counters?: { fCntUp: number; nFCntDown?: number; aFCntDown?: number };
  factoryPresetFrequencies?: number[];
  /** Server addresses written into IS and JS, as the seed does (a deployment's own host). */
  serverAddress?: string;
}
