import { decodeBase64 } from '../simulator/semtech-udp/packets.js';

/** A received packet as the network keeps it, once every field has been checked. */
export interface CheckedRxPk {
  phyPayload: Uint8Array;
  /** The base64 text as received: copies of one frame in one datagram are found by it. */
  data: string;
  tmst: number;
  /** GPS ms of the reception, from a GPS-locked gateway (its clock is then absolute, as class B needs). */
  tmms?: number;
  /** Hz. */
  frequency: number;
  datr: string | number;
  codr?: string;
  rssi: number;
  snr: number;
  channel: number;
}

/** Why an rxpk was dropped: the network's `malformed` counter is kept by these. */
export type RxPkRefusal =
  | 'rxpk.not-object'
  | 'rxpk.data'
  | 'rxpk.size'
  | 'rxpk.tmst'
  | 'rxpk.freq'
  | 'rxpk.datr'
  | 'rxpk.codr'
  | 'rxpk.rssi'
  | 'rxpk.lsnr'
  | 'rxpk.chan'
  | 'rxpk.stat';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const isIn = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max;

/** LoRa "SF7BW125" (SF5–12, 125/250/500 kHz), LR-FHSS "M0CW137"-style, or an FSK bit rate. */
const LORA_DATR = /^SF([5-9]|1[0-2])BW(125|250|500)$/;
const LRFHSS_DATR = /^M\d{1,2}CW\d{2,4}$/;

/**
 * Checks one `rxpk` entry of a PUSH_DATA field by field (Semtech packet forwarder PROTOCOL.TXT §4,
 * value ranges of SX1301/SX1302): anything a gateway would never send is refused by reason, so that
 * one hostile datagram cannot throw in the network. `skip`: a CRC-failed packet, dropped as TTS does.
 */
export function checkRxPk(rx: unknown): CheckedRxPk | { refused: RxPkRefusal } | 'skip' {
  if (!isObject(rx)) return { refused: 'rxpk.not-object' };
  if (rx.stat !== undefined) {
    if (!isInt(rx.stat, -1, 1)) return { refused: 'rxpk.stat' };
    if (rx.stat !== 1) return 'skip';
  }
  if (typeof rx.data !== 'string' || rx.data.length > 400) return { refused: 'rxpk.data' };
  let phy: Uint8Array;
  try {
    phy = decodeBase64(rx.data, 'rxpk.data');
  } catch {
    return { refused: 'rxpk.data' };
  }
  if (phy.length === 0 || phy.length > 255) return { refused: 'rxpk.data' };
  if (rx.size !== undefined && rx.size !== phy.length) return { refused: 'rxpk.size' };
  if (!isInt(rx.tmst, 0, 0xffffffff)) return { refused: 'rxpk.tmst' };
  if (!isIn(rx.freq, 100, 1100)) return { refused: 'rxpk.freq' };
  const datr = rx.datr;
  const datrOk =
    typeof datr === 'string' ? LORA_DATR.test(datr) || LRFHSS_DATR.test(datr) : isIn(datr, 500, 300_000);
  if (!datrOk) return { refused: 'rxpk.datr' };
  if (rx.codr !== undefined && (typeof rx.codr !== 'string' || !/^(4\/[5-8]|OFF|1\/3|2\/3)$/.test(rx.codr)))
    return { refused: 'rxpk.codr' };
  const rsig = Array.isArray(rx.rsig) && isObject(rx.rsig[0]) ? rx.rsig[0] : undefined;
  const rssi = rx.rssi ?? rsig?.rssic ?? -200;
  const snr = rx.lsnr ?? rsig?.lsnr ?? 0;
  // Wide bounds (a simulated device next to the antenna reads far above a real concentrator's),
  // but finite numbers: NaN, strings and 1e300 are refused.
  if (!isIn(rssi, -250, 100)) return { refused: 'rxpk.rssi' };
  if (!isIn(snr, -100, 100)) return { refused: 'rxpk.lsnr' };
  const chan = rx.chan ?? 0;
  if (!isInt(chan, 0, 255)) return { refused: 'rxpk.chan' };
  // Every field set, in one order: one object shape for every reception (a conditional spread makes
  // several, and the network's uplink path slower for it).
  return {
    phyPayload: phy,
    data: rx.data,
    tmst: rx.tmst,
    // A GPS time before 2000 or past 2100 is no GPS lock: left out.
    tmms: isInt(rx.tmms, 630_000_000_000, 3_800_000_000_000) ? rx.tmms : undefined,
    frequency: Math.round(rx.freq * 1e6),
    datr: datr as string | number,
    codr: typeof rx.codr === 'string' ? rx.codr : undefined,
    rssi,
    snr,
    channel: chan,
  };
}
