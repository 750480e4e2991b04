import type { MacCommand } from '../simulator/lorawan/mac/fields.js';
import { dataRate } from '../simulator/region/channels.js';
import { loraDemodulationFloor } from '../simulator/region/demodulation.js';
import type { Region } from '../simulator/region/types.js';

/** The NS's ADR margin, dB: TTS's default (`ns` ADR margin 15). */
export const ADR_MARGIN_DB = 15;
/** Uplinks whose best SNR the decision looks at, newest last (TTS: up to 20). */
const HISTORY = 20;
/** Uplinks at the current data rate and power before the network judges the link. */
const MIN_UPLINKS = 3;
/** Uplinks to wait for a LinkADRAns before the request is forgotten and may be sent again. */
const ANSWER_WITHIN = 3;
/** dB of margin one step takes (Semtech's ADR: NStep = SNRmargin / 3): a data rate up, or a TXPower index down. */
const DB_PER_STEP = 3;

/** What the NS knows of a device's ADR: the link's recent SNR and the settings it last accepted. */
export interface AdrState {
  /** Best SNR over the gateways of each recent ADR uplink, dB. */
  snr: number[];
  dataRate: number;
  txPowerIndex: number;
  /** A LinkADRReq sent and not yet answered, and the uplinks since. */
  pending?: { dataRate: number; txPowerIndex: number; uplinks: number };
  /** The device refused a LinkADRReq: no more for this session (TTS marks it and stops). */
  refused?: boolean;
}

/**
 * An uplink with the ADR bit set, as the NS sees it (LoRaWAN 1.1 §4.3.1.1; the algorithm in the spirit
 * of TTS's `pkg/networkserver/mac/adr.go`): remembers its best SNR, and returns the LinkADRReq to
 * send when the margin over what the data rate needs allows a faster data rate or less power, or
 * needs more power. Only for dynamic channel plans (EU-like), whose mask is the session's channels.
 */
export function adrUplink(
  region: Region,
  st: AdrState,
  up: { dataRate: number; snr: number; channels: number },
): MacCommand | undefined {
  if (st.refused || region.channelPlan !== 'dynamic') return undefined;
  if (up.dataRate !== st.dataRate) {
    // The device moved by itself (ADR back-off, a rejoin): judge the link anew at its new rate.
    st.dataRate = up.dataRate;
    st.snr = [];
  }
  if (st.pending !== undefined) {
    if (++st.pending.uplinks <= ANSWER_WITHIN) return undefined;
    st.pending = undefined; // lost on the way: judge again
  }
  st.snr.push(up.snr);
  if (st.snr.length > HISTORY) st.snr.shift();
  if (st.snr.length < MIN_UPLINKS) return undefined;
  const dr = dataRate(region, st.dataRate);
  if (dr.modulation !== 'LORA') return undefined;
  const margin = Math.max(...st.snr) - loraDemodulationFloor(dr.spreadingFactor) - ADR_MARGIN_DB;
  let steps = Math.trunc(margin / DB_PER_STEP);
  let next = st.dataRate;
  let power = st.txPowerIndex;
  const maxPower = region.txPowerOffsets.length - 1;
  while (steps > 0 && next < region.maxAdrDataRate) {
    next++;
    steps--;
  }
  while (steps > 0 && power < maxPower) {
    power++;
    steps--;
  }
  while (steps < 0 && power > 0) {
    power--;
    steps++;
  }
  if (next === st.dataRate && power === st.txPowerIndex) return undefined;
  st.pending = { dataRate: next, txPowerIndex: power, uplinks: 0 };
  return {
    name: 'LinkADRReq',
    dataRate: next,
    txPower: power,
    chMask: up.channels >= 16 ? 0xffff : (1 << up.channels) - 1,
    chMaskCntl: 0,
    nbTrans: 1,
  } as MacCommand;
}

/** The device's LinkADRAns: what it accepted becomes the state; a refusal stops ADR for the session. */
export function adrAnswer(
  st: AdrState,
  ans: { powerAck: boolean; dataRateAck: boolean; channelMaskAck: boolean },
): 'accepted' | 'refused' | 'unsolicited' {
  const p = st.pending;
  if (p === undefined) return 'unsolicited';
  st.pending = undefined;
  if (ans.powerAck && ans.dataRateAck && ans.channelMaskAck) {
    st.dataRate = p.dataRate;
    st.txPowerIndex = p.txPowerIndex;
    st.snr = [];
    return 'accepted';
  }
  st.refused = true;
  return 'refused';
}
