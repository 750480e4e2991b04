export type { AES128Key, EUI64, DevAddr, NetID, Direction } from '../../crypto/types.js';
export { aes128Key, eui64, devAddr, netId, hexToBytes, bytesToHex } from '../../crypto/types.js';

/** The LoRaWAN L2 versions lorafleet speaks; 1.0.x versions differ in MAC details, not in crypto. */
export const LORAWAN_VERSIONS = ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4', '1.1'] as const;
export type LoRaWANVersion = (typeof LORAWAN_VERSIONS)[number];

/** The crypto family of a version: 1.1 has split network keys, B1 MICs, encrypted FOpts. */
export type CryptoVersion = '1.0' | '1.1';

export function cryptoVersion(v: LoRaWANVersion): CryptoVersion {
  return v === '1.1' ? '1.1' : '1.0';
}
