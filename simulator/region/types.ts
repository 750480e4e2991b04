/**
 * The common shape of a region (LoRaWAN Regional Parameters RP002-1.0.x). Each region file is a
 * literal table of this shape; functions exist only where regions really behave differently (RX1
 * frequency, channel-mask semantics), as in lorawan-stack's pkg/band.
 */

export type RegionId =
  | 'EU868'
  | 'US915'
  | 'AU915'
  | 'AS923-1'
  | 'AS923-2'
  | 'AS923-3'
  | 'AS923-4'
  | 'IN865'
  | 'KR920'
  | 'CN470'
  | 'RU864';

export type DataRate =
  | {
      readonly modulation: 'LORA';
      readonly spreadingFactor: number;
      /** Hz */
      readonly bandwidth: number;
      /** Semtech UDP `datr`, e.g. "SF7BW125". */
      readonly datr: string;
      readonly maxMacPayload: MaxPayload;
    }
  | {
      readonly modulation: 'FSK';
      readonly bitRate: number;
      readonly datr: number;
      readonly maxMacPayload: MaxPayload;
    }
  | {
      readonly modulation: 'LR-FHSS';
      /** Occupied channel width, Hz. */
      readonly ocw: number;
      readonly codingRate: '1/3' | '2/3';
      readonly datr: string;
      readonly maxMacPayload: MaxPayload;
    };

/**
 * Maximum MACPayload size M (FRMPayload max N = M − 8 with empty FOpts), without and with the 400 ms
 * dwell-time limit; `dwell` null means the data rate may not be used under dwell time.
 */
export interface MaxPayload {
  readonly noDwell: number;
  readonly dwell: number | null;
}

export interface Channel {
  /** Hz */
  readonly frequency: number;
  readonly minDr: number;
  readonly maxDr: number;
}

/** A regulatory sub-band: an aggregated duty-cycle limit and a maximum EIRP. */
export interface SubBand {
  readonly minFrequency: number;
  readonly maxFrequency: number;
  /** Fraction of time on air, e.g. 0.01 for 1 %; 1 means no limit. */
  readonly dutyCycle: number;
  /** dBm */
  readonly maxEirp: number;
}

/**
 * How LinkADRReq ChMask/ChMaskCntl and a CFList of channel masks address channels:
 * 'dynamic' — up to 16 channels, ChMaskCntl 0 and 6 (EU-like regions);
 * 'fixed-72' — US915/AU915, 64 × 125 kHz + 8 × 500 kHz, ChMaskCntl 0–7;
 * 'fixed-96' — CN470 (RP001 plan), 96 × 125 kHz, ChMaskCntl 0–6.
 */
export type ChannelPlanKind = 'dynamic' | 'fixed-72' | 'fixed-96';

export interface Region {
  readonly id: RegionId;
  /** RP002 name, e.g. "EU863-870". */
  readonly name: string;
  /** The Things Stack band id, e.g. "EU_863_870" (the `band-id` of its frequency plans). */
  readonly bandId: string;
  /** Indexed by DR; undefined for RFU data rates. */
  readonly dataRates: readonly (DataRate | undefined)[];
  /** The uplink channels a device has at boot, by channel index. */
  readonly defaultChannels: readonly Channel[];
  /** Channel indices a device may send a Join-request on. */
  readonly joinChannels: readonly number[];
  readonly maxChannels: number;
  readonly channelPlan: ChannelPlanKind;
  /** Fixed-plan regions: downlink channels, RX1 channel = uplink channel index mod their count. */
  readonly downlinkChannels?: readonly Channel[];
  /** [uplink DR][RX1DROffset] → RX1 DR; RX1DROffset values beyond the row are invalid. */
  readonly rx1DataRate: readonly (readonly number[])[];
  /** The same with the downlink dwell-time limit on (AS923). */
  readonly rx1DataRateDwell?: readonly (readonly number[])[];
  readonly rx2: { readonly frequency: number; readonly dataRate: number };
  /** RECEIVE_DELAY1/2, JOIN_ACCEPT_DELAY1/2 in ms. */
  readonly receiveDelay1: number;
  readonly receiveDelay2: number;
  readonly joinAcceptDelay1: number;
  readonly joinAcceptDelay2: number;
  readonly adrAckLimit: number;
  readonly adrAckDelay: number;
  /** ACK_TIMEOUT (RETRANSMIT_TIMEOUT) range in ms: a retransmission waits a random time in it. */
  readonly ackTimeout: readonly [number, number];
  /** Default max EIRP, dBm. */
  readonly maxEirp: number;
  /** TXPower index → dB below max EIRP (0, −2, −4, …). */
  readonly txPowerOffsets: readonly number[];
  readonly subBands: readonly SubBand[];
  /** Dwell-time limits at boot (400 ms), until TxParamSetupReq changes them. */
  readonly dwellTime: { readonly uplink: boolean; readonly downlink: boolean };
  readonly txParamSetupReq: boolean;
  readonly cfListType: 'frequencies' | 'channel-mask';
  readonly maxAdrDataRate: number;
  /** The data rate LoRaMac-node starts at. */
  readonly defaultDataRate: number;
  readonly beacon: { readonly dataRate: number; readonly frequencies: readonly number[] };
  readonly pingSlotFrequencies: readonly number[];
  /** Listen-before-talk a device must do (KR920; optional in some AS923 plans). */
  readonly lbt?: { readonly rssiThreshold: number; readonly carrierSenseMs: number };
  /** MAX_FCNT_GAP (LoRaWAN ≤ 1.0.3). */
  readonly maxFCntGap: number;
}

/** LoRa data rate helper for the tables. */
export function lora(
  spreadingFactor: number,
  bandwidthKHz: number,
  noDwell: number,
  dwell: number | null = noDwell,
): DataRate {
  return {
    modulation: 'LORA',
    spreadingFactor,
    bandwidth: bandwidthKHz * 1000,
    datr: `SF${spreadingFactor}BW${bandwidthKHz}`,
    maxMacPayload: { noDwell, dwell },
  };
}

export function fsk(bitRate: number, noDwell: number, dwell: number | null = noDwell): DataRate {
  return { modulation: 'FSK', bitRate, datr: bitRate, maxMacPayload: { noDwell, dwell } };
}

export function lrFhss(
  ocwKHz: number,
  codingRate: '1/3' | '2/3',
  noDwell: number,
  dwell: number | null = noDwell,
): DataRate {
  return {
    modulation: 'LR-FHSS',
    ocw: ocwKHz * 1000,
    codingRate,
    datr: `M0CW${ocwKHz}`,
    maxMacPayload: { noDwell, dwell },
  };
}

/** Evenly spaced channels: `count` channels from `first` Hz, `step` Hz apart. */
export function channelRange(
  first: number,
  step: number,
  count: number,
  minDr: number,
  maxDr: number,
): Channel[] {
  return Array.from({ length: count }, (_, i) => ({ frequency: first + i * step, minDr, maxDr }));
}

/**
 * RX1 DR = upDR − offset, kept within [floor, ceiling]: the common table of EU-like regions. Where
 * RX1DROffset values stand for a raise rather than a drop (AS923: 6 → +1, 7 → +2), `drop` maps the
 * offset to what is subtracted.
 */
export function subtractiveRx1(
  drCount: number,
  offsets: number,
  floor = 0,
  ceiling = Number.POSITIVE_INFINITY,
  drop: (offset: number) => number = (o) => o,
): number[][] {
  return Array.from({ length: drCount }, (_, dr) =>
    Array.from({ length: offsets }, (_, o) => Math.min(ceiling, Math.max(floor, dr - drop(o)))),
  );
}

/** The RP002 common timing and ADR constants (RP002 §2.x "default settings"). */
export const COMMON = {
  receiveDelay1: 1000,
  receiveDelay2: 2000,
  joinAcceptDelay1: 5000,
  joinAcceptDelay2: 6000,
  adrAckLimit: 64,
  adrAckDelay: 32,
  ackTimeout: [1000, 3000] as const,
  maxFCntGap: 16384,
} as const;
