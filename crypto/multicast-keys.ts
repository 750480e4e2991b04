import { aes128Encrypt } from './aes.js';
import { writeUint32LE } from './blocks.js';
import type { AES128Key } from './types.js';

/**
 * Multicast session keys (LoRa Alliance TS005 "Remote Multicast Setup" §3.1.x, as LoRaMac-node's
 * LoRaMacCryptoDeriveMcRootKey / McSessionKeyPair compute them).
 */

function typeBlock(type: number): Uint8Array {
  const b = new Uint8Array(16);
  b[0] = type;
  return b;
}

/** McRootKey of a LoRaWAN 1.0.x device: aes128_encrypt(GenAppKey, 0x00 | pad16). */
export function deriveMcRootKey10(genAppKey: AES128Key): AES128Key {
  return aes128Encrypt(genAppKey, typeBlock(0x00)) as AES128Key;
}

/** McRootKey of a LoRaWAN 1.1 device: aes128_encrypt(AppKey, 0x20 | pad16). */
export function deriveMcRootKey11(appKey: AES128Key): AES128Key {
  return aes128Encrypt(appKey, typeBlock(0x20)) as AES128Key;
}

/** McKEKey = aes128_encrypt(McRootKey, 0x00 | pad16). */
export function deriveMcKEKey(mcRootKey: AES128Key): AES128Key {
  return aes128Encrypt(mcRootKey, typeBlock(0x00)) as AES128Key;
}

function mcAddrBlock(type: number, mcAddr: number): Uint8Array {
  const b = typeBlock(type);
  writeUint32LE(b, 1, mcAddr);
  return b;
}

/** McAppSKey = aes128_encrypt(McKey, 0x01 | McAddr | pad16). */
export function deriveMcAppSKey(mcKey: AES128Key, mcAddr: number): AES128Key {
  return aes128Encrypt(mcKey, mcAddrBlock(0x01, mcAddr)) as AES128Key;
}

/** McNwkSKey = aes128_encrypt(McKey, 0x02 | McAddr | pad16). */
export function deriveMcNwkSKey(mcKey: AES128Key, mcAddr: number): AES128Key {
  return aes128Encrypt(mcKey, mcAddrBlock(0x02, mcAddr)) as AES128Key;
}
