import { aes128Encrypt } from './aes.js';
import { writeUint32LE } from './blocks.js';
import { CryptoInputError } from './errors.js';
import type { AES128Key } from './types.js';

const ZERO_KEY = new Uint8Array(16) as AES128Key;

/**
 * Class B ping-slot offset (LoRaWAN 1.1 §14.1.2): Rand = aes128_encrypt(0^16, BeaconTime | DevAddr |
 * pad16), pingOffset = (Rand[0] + 256·Rand[1]) mod pingPeriod, pingPeriod = 2^12 / pingNb.
 */
export function classBPingOffset(beaconTime: number, devAddr: number, pingPeriod: number): number {
  if (!Number.isInteger(pingPeriod) || pingPeriod < 32 || pingPeriod > 4096) {
    throw new CryptoInputError('pingPeriod', pingPeriod, 'an integer from 32 to 4096');
  }
  const block = new Uint8Array(16);
  writeUint32LE(block, 0, beaconTime);
  writeUint32LE(block, 4, devAddr);
  const rand = aes128Encrypt(ZERO_KEY, block);
  return (rand[0]! + 256 * rand[1]!) % pingPeriod;
}
