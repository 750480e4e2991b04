/**
 * Link budget. Log-distance path loss PL(d) = PL(d0) + 10·n·log10(d / d0) + X_σ, where X_σ is
 * log-normal shadowing. Defaults are the 868 MHz suburban fit of Petäjäjärvi et al., "On the
 * coverage of LPWANs: range evaluation and channel attenuation model for LoRa technology" (ITST 2015):
 * d0 = 1 km, PL(d0) = 128.95 dB, n = 2.32, σ = 7.08 dB.
 */
export interface PathLossModel {
  /** n */
  exponent: number;
  /** d0, metres */
  referenceDistance: number;
  /** PL(d0), dB */
  referenceLoss: number;
  /** σ of the shadowing, dB (0 turns it off). */
  shadowingSigma: number;
}

export const DEFAULT_PATH_LOSS: PathLossModel = {
  exponent: 2.32,
  referenceDistance: 1000,
  referenceLoss: 128.95,
  shadowingSigma: 7.08,
};

/** Mean path loss (no shadowing), dB. Distances below 1 m count as 1 m. */
export function pathLoss(model: PathLossModel, distanceM: number): number {
  return (
    model.referenceLoss + 10 * model.exponent * Math.log10(Math.max(distanceM, 1) / model.referenceDistance)
  );
}

/** Thermal noise floor of a receiver: −174 dBm/Hz + 10·log10(BW) + noise figure. */
export function noiseFloor(bandwidthHz: number, noiseFigureDb: number): number {
  return -174 + 10 * Math.log10(bandwidthHz) + noiseFigureDb;
}

/** LoRa captures the stronger of two packets on the same frequency and SF when it is this much stronger. */
export const CAPTURE_THRESHOLD_DB = 6;

/**
 * The LoRa SNR a gateway concentrator (SX1301/SX1302) reports, dB: its estimate saturates in the low
 * teens however strong the signal (packet forwarders' `lsnr` stays within about −20…+14 dB), so a
 * device next to the gateway does not show 40 dB. The medium keeps the true SNR for its own decisions.
 */
export const CONCENTRATOR_SNR_DB = { min: -20, max: 14 } as const;

export const concentratorSnr = (snrDb: number): number =>
  Math.min(CONCENTRATOR_SNR_DB.max, Math.max(CONCENTRATOR_SNR_DB.min, snrDb));
