import type { DataRate } from './types.js';
import { RegionError } from './errors.js';

/** LoRa coding rate 4/5 … 4/8 as Semtech's `codr` writes it. */
export type CodingRate = '4/5' | '4/6' | '4/7' | '4/8';

export interface LoRaModulation {
  spreadingFactor: number;
  /** Hz */
  bandwidth: number;
  codingRate?: CodingRate;
  preambleSymbols?: number;
  explicitHeader?: boolean;
  /** LoRaWAN uplinks carry a PHY CRC, downlinks do not. */
  crc?: boolean;
  /** Default: on when a symbol lasts 16 ms or more (SF11/SF12 at 125 kHz), as LoRaWAN radios set it. */
  lowDataRateOptimize?: boolean;
}

const CR: Record<CodingRate, number> = { '4/5': 1, '4/6': 2, '4/7': 3, '4/8': 4 };

/** T_sym = 2^SF / BW, in µs (Semtech AN1200.13 "LoRa Modem Designer's Guide" §4). */
export function loraSymbolDuration(spreadingFactor: number, bandwidth: number): number {
  return (2 ** spreadingFactor * 1e6) / bandwidth;
}

/** T_preamble = (n_preamble + 4.25) · T_sym, in µs. */
export function loraPreambleDuration(
  spreadingFactor: number,
  bandwidth: number,
  preambleSymbols = 8,
): number {
  return (preambleSymbols + 4.25) * loraSymbolDuration(spreadingFactor, bandwidth);
}

function ldro(m: LoRaModulation): boolean {
  return m.lowDataRateOptimize ?? loraSymbolDuration(m.spreadingFactor, m.bandwidth) >= 16_000;
}

/**
 * Payload symbols: 8 + max(ceil((8·PL − 4·SF + 28 + 16·CRC − 20·IH) / (4·(SF − 2·DE))) · (CR + 4), 0),
 * IH = 1 for an implicit header, DE = 1 with low-data-rate optimisation.
 */
export function loraPayloadSymbols(payloadSize: number, m: LoRaModulation): number {
  const sf = m.spreadingFactor;
  const ih = m.explicitHeader === false ? 1 : 0;
  const crc = m.crc === false ? 0 : 1;
  const de = ldro(m) ? 1 : 0;
  const cr = CR[m.codingRate ?? '4/5'];
  const n = Math.ceil((8 * payloadSize - 4 * sf + 28 + 16 * crc - 20 * ih) / (4 * (sf - 2 * de)));
  return 8 + Math.max(n * (cr + 4), 0);
}

/** LoRa time on air of a PHYPayload of `payloadSize` bytes, µs. */
export function loraTimeOnAir(payloadSize: number, m: LoRaModulation): number {
  const tSym = loraSymbolDuration(m.spreadingFactor, m.bandwidth);
  return (
    loraPreambleDuration(m.spreadingFactor, m.bandwidth, m.preambleSymbols ?? 8) +
    loraPayloadSymbols(payloadSize, m) * tSym
  );
}

/**
 * GFSK time on air, µs: preamble (5 bytes) + sync word (3) + length (1) + payload + CRC (2), at
 * `bitRate` bit/s — the frame LoRaWAN FSK data rates use (RP002 §2.x; LoRaMac-node RadioTimeOnAir).
 */
export function fskTimeOnAir(payloadSize: number, bitRate: number, preambleBytes = 5): number {
  return ((preambleBytes + 3 + 1 + payloadSize + 2) * 8 * 1e6) / bitRate;
}

/**
 * Time on air of a LoRaWAN frame at a region data rate, µs. Uplinks have a PHY CRC, downlinks not
 * (LoRaWAN 1.1 §4.1).
 */
export function timeOnAir(dataRate: DataRate, payloadSize: number, direction: 'up' | 'down' = 'up'): number {
  switch (dataRate.modulation) {
    case 'LORA':
      return loraTimeOnAir(payloadSize, {
        spreadingFactor: dataRate.spreadingFactor,
        bandwidth: dataRate.bandwidth,
        crc: direction === 'up',
      });
    case 'FSK':
      return fskTimeOnAir(payloadSize, dataRate.bitRate);
    default:
      throw new RegionError(
        'dataRate',
        dataRate.datr,
        'a LoRa or FSK data rate (LR-FHSS time on air is not modelled)',
      );
  }
}
