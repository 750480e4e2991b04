import { aes128Encrypt } from './aes.js';
import { writeReversed, writeUint16LE, writeUint24LE } from './blocks.js';
import type { AES128Key, EUI64 } from './types.js';

/**
 * Session-key derivation.
 *
 * Every key is AES-128-encrypt(root key, type | fields | zero padding), fields little-endian.
 * Which root key and which fields depends on the version: LoRaWAN 1.0.x uses AppKey with
 * JoinNonce | NetID | DevNonce; 1.1 with OptNeg = 1 uses NwkKey/AppKey with JoinNonce | JoinEUI | DevNonce.
 */

export interface SessionKeys10 {
  nwkSKey: AES128Key;
  appSKey: AES128Key;
}

export interface SessionKeys11 {
  fNwkSIntKey: AES128Key;
  sNwkSIntKey: AES128Key;
  nwkSEncKey: AES128Key;
  appSKey: AES128Key;
}

function legacyBlock(type: number, joinNonce: number, netId: number, devNonce: number): Uint8Array {
  const b = new Uint8Array(16);
  b[0] = type;
  writeUint24LE(b, 1, joinNonce);
  writeUint24LE(b, 4, netId);
  writeUint16LE(b, 7, devNonce);
  return b;
}

// LoRaWAN 1.0.2 §6.2.5: NwkSKey = aes128_encrypt(AppKey, 0x01 | AppNonce | NetID | DevNonce | pad16),
// AppSKey likewise with 0x02. A 1.1 device told OptNeg = 0 derives the same from NwkKey (1.1 §6.2.3).
export function deriveSessionKeys10(
  appKey: AES128Key,
  joinNonce: number,
  netId: number,
  devNonce: number,
): SessionKeys10 {
  return {
    nwkSKey: aes128Encrypt(appKey, legacyBlock(0x01, joinNonce, netId, devNonce)) as AES128Key,
    appSKey: aes128Encrypt(appKey, legacyBlock(0x02, joinNonce, netId, devNonce)) as AES128Key,
  };
}

function block11(type: number, joinNonce: number, joinEui: EUI64, devNonce: number): Uint8Array {
  const b = new Uint8Array(16);
  b[0] = type;
  writeUint24LE(b, 1, joinNonce);
  writeReversed(b, 4, joinEui);
  writeUint16LE(b, 12, devNonce);
  return b;
}

/**
 * LoRaWAN 1.1 §6.2.3 (OptNeg = 1). After a Rejoin-request the "DevNonce" slot carries the RJcount
 * that the accepted rejoin used (RJcount0 for types 0/2, RJcount1 for type 1).
 */
export function deriveSessionKeys11(
  nwkKey: AES128Key,
  appKey: AES128Key,
  joinNonce: number,
  joinEui: EUI64,
  devNonce: number,
): SessionKeys11 {
  return {
    fNwkSIntKey: aes128Encrypt(nwkKey, block11(0x01, joinNonce, joinEui, devNonce)) as AES128Key,
    appSKey: aes128Encrypt(appKey, block11(0x02, joinNonce, joinEui, devNonce)) as AES128Key,
    sNwkSIntKey: aes128Encrypt(nwkKey, block11(0x03, joinNonce, joinEui, devNonce)) as AES128Key,
    nwkSEncKey: aes128Encrypt(nwkKey, block11(0x04, joinNonce, joinEui, devNonce)) as AES128Key,
  };
}

function devEuiBlock(type: number, devEui: EUI64): Uint8Array {
  const b = new Uint8Array(16);
  b[0] = type;
  writeReversed(b, 1, devEui);
  return b;
}

/** LoRaWAN 1.1 §6.1.1.3: JSIntKey signs Join-accepts (OptNeg) and Rejoin type 1. A lifetime key. */
export function deriveJSIntKey(nwkKey: AES128Key, devEui: EUI64): AES128Key {
  return aes128Encrypt(nwkKey, devEuiBlock(0x06, devEui)) as AES128Key;
}

/** LoRaWAN 1.1 §6.1.1.3: JSEncKey encrypts Join-accepts that answer a Rejoin-request. */
export function deriveJSEncKey(nwkKey: AES128Key, devEui: EUI64): AES128Key {
  return aes128Encrypt(nwkKey, devEuiBlock(0x05, devEui)) as AES128Key;
}
