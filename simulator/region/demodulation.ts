/**
 * Lowest SNR at which a LoRa packet still demodulates, by spreading factor (Semtech SX1276/SX1301
 * datasheets: −7.5 dB at SF7, 2.5 dB lower per SF step, −20 dB at SF12).
 */
export function loraDemodulationFloor(spreadingFactor: number): number {
  return -7.5 - 2.5 * (spreadingFactor - 7);
}

/** SNR an FSK 50 kbit/s receiver needs (a demodulator without LoRa's processing gain). */
export const FSK_DEMODULATION_FLOOR = 6;
