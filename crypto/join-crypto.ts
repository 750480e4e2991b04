import { aes128Decrypt, aes128Encrypt } from './aes.js';
import { aesCmac } from './aes-cmac.js';
import { writeReversed, writeUint16LE } from './blocks.js';
import { CryptoInputError } from './errors.js';
import type { AES128Key, EUI64 } from './types.js';

/**
 * MICs and encryption of the join procedure. Inputs are the exact on-air byte strings (MHDR
 * included, MIC excluded), so the codec serialises once and crypto never re-encodes fields.
 */

/** JoinReqType of the OptNeg Join-accept MIC (LoRaWAN 1.1 Table 13). */
export type JoinReqType = 'JoinRequest' | 'RejoinRequest0' | 'RejoinRequest1' | 'RejoinRequest2';
const JOIN_REQ_TYPE_BYTE: Record<JoinReqType, number> = {
  JoinRequest: 0xff,
  RejoinRequest0: 0x00,
  RejoinRequest1: 0x01,
  RejoinRequest2: 0x02,
};

function mic(key: AES128Key, msg: Uint8Array): Uint8Array {
  return aesCmac(key, msg).slice(0, 4);
}

/** LoRaWAN 1.1 §6.2.2: cmac(NwkKey, MHDR | JoinEUI | DevEUI | DevNonce); 1.0.x uses AppKey. */
export function joinRequestMic(key: AES128Key, msg: Uint8Array): Uint8Array {
  return mic(key, msg);
}

/**
 * LoRaWAN 1.1 §6.2.4.4: Rejoin-request MIC over MHDR | RejoinType | … | RJcount.
 * Types 0 and 2 use SNwkSIntKey, type 1 uses JSIntKey; the caller picks the key.
 */
export function rejoinRequestMic(key: AES128Key, msg: Uint8Array): Uint8Array {
  return mic(key, msg);
}

/**
 * Join-accept MIC for LoRaWAN 1.0.x, and for 1.1 with OptNeg = 0 (1.1 §6.2.3):
 * cmac(AppKey or NwkKey, MHDR | JoinNonce | NetID | DevAddr | DLSettings | RxDelay | CFList).
 */
export function joinAcceptMic10(key: AES128Key, msg: Uint8Array): Uint8Array {
  return mic(key, msg);
}

/**
 * Join-accept MIC with OptNeg = 1 (LoRaWAN 1.1 §6.2.3):
 * cmac(JSIntKey, JoinReqType | JoinEUI | DevNonce | MHDR | JoinNonce | … | CFList).
 * `devNonce` is the DevNonce for a Join-request, or the RJcount of the Rejoin-request answered.
 */
export function joinAcceptMic11(
  jsIntKey: AES128Key,
  joinReqType: JoinReqType,
  joinEui: EUI64,
  devNonce: number,
  msg: Uint8Array,
): Uint8Array {
  const input = new Uint8Array(11 + msg.length);
  input[0] = JOIN_REQ_TYPE_BYTE[joinReqType];
  writeReversed(input, 1, joinEui);
  writeUint16LE(input, 9, devNonce);
  input.set(msg, 11);
  return mic(jsIntKey, input);
}

function checkJoinAcceptBody(body: Uint8Array): void {
  if (body.length !== 16 && body.length !== 32) {
    throw new CryptoInputError('Join-accept', body, '16 or 32 bytes after the MHDR');
  }
}

/**
 * Network side: the Join-accept body (fields | MIC) is encrypted with AES *decrypt* so that a device
 * needs only the AES encrypt primitive (LoRaWAN 1.1 §6.2.3). Key: AppKey (1.0), NwkKey (1.1 answer to
 * a Join-request) or JSEncKey (1.1 answer to a Rejoin-request).
 */
export function encryptJoinAccept(key: AES128Key, body: Uint8Array): Uint8Array {
  checkJoinAcceptBody(body);
  return aes128Decrypt(key, body);
}

/** Device side: recovers fields | MIC from the encrypted Join-accept body (AES encrypt). */
export function decryptJoinAccept(key: AES128Key, encrypted: Uint8Array): Uint8Array {
  checkJoinAcceptBody(encrypted);
  return aes128Encrypt(key, encrypted);
}
