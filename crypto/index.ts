/**
 * lorafleet/crypto — the cryptography of LoRaWAN 1.0.x and 1.1 as pure, synchronous functions.
 * Bytes in, bytes out; node:crypto (AES-NI) underneath with one cached cipher set per key.
 */
export { LorafleetError, CryptoInputError } from './errors.js';
export {
  type AES128Key,
  type EUI64,
  type DevAddr,
  type NetID,
  type Direction,
  aes128Key,
  aes128Keys,
  eui64,
  devAddr,
  netId,
  uintField,
  hexToBytes,
  bytesToHex,
} from './types.js';
export { aes128Encrypt, aes128Decrypt, transientKey, rekeyTransient } from './aes.js';
export { aesCmac } from './aes-cmac.js';
export {
  type JoinReqType,
  joinRequestMic,
  rejoinRequestMic,
  joinAcceptMic10,
  joinAcceptMic11,
  encryptJoinAccept,
  decryptJoinAccept,
} from './join-crypto.js';
export {
  type SessionKeys10,
  type SessionKeys11,
  deriveSessionKeys10,
  deriveSessionKeys11,
  deriveJSIntKey,
  deriveJSEncKey,
} from './key-derivation.js';
export {
  type FOptsCounter,
  cryptFRMPayload,
  cryptFRMPayloadInPlace,
  frmPayloadKeystreams,
  cryptFOpts,
  cryptFOptsInPlace,
  dataMic10,
  dataUplinkMic11,
  dataDownlinkMic11,
} from './frame-crypto.js';
export {
  deriveMcRootKey10,
  deriveMcRootKey11,
  deriveMcKEKey,
  deriveMcAppSKey,
  deriveMcNwkSKey,
} from './multicast-keys.js';
export { classBPingOffset } from './ping-slot.js';
