import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from 'node:crypto';
import { CryptoInputError } from './errors.js';
import type { AES128Key } from './types.js';

/**
 * Everything node:crypto needs for one key, made once and reused for every frame of a session:
 * creating a cipher costs several microseconds, an `update` on an existing one a fraction of that.
 *
 * The ECB ciphers never see `final()`, so they stay usable forever. The CBC cipher carries its
 * chaining value from call to call; `cmac` in aes-cmac.ts cancels it out (see there).
 */
export interface KeySchedule {
  readonly ecbEncrypt: Cipher;
  ecbDecrypt: Decipher | undefined;
  /** Absent for a transient key: its CMAC chains ECB blocks instead (see aes-cmac.ts). */
  readonly cbc: Cipher | undefined;
  /** The CBC cipher's current chaining value: the last ciphertext block it produced. */
  readonly cbcState: Uint8Array;
  /** RFC 4493 subkeys, computed on first use (a transient AppSKey never needs them). */
  k1: Uint8Array | undefined;
  k2: Uint8Array | undefined;
}

/**
 * A key used for a frame or two and then dropped, as a device of a million-device fleet uses its
 * session keys: its schedule is one ECB cipher, without the CBC cipher a long session amortises, and
 * dies with the key object. Every function of lorafleet/crypto accepts it and gives the same bytes.
 */
class TransientKey extends Uint8Array {
  /** Its schedule lives on the key itself: a WeakMap entry per frame costs more than the cipher. */
  schedule: KeySchedule | undefined;
}

/** A transient copy of 16 key bytes (see TransientKey). */
export function transientKey(bytes: Uint8Array): AES128Key {
  checkKey(bytes);
  const k = new TransientKey(16);
  k.set(bytes);
  return k as unknown as AES128Key;
}

/**
 * Gives a transient key new bytes and drops its schedule: a fleet reuses a few key objects for all
 * its devices instead of allocating them per frame. Refuses a key that transientKey did not make.
 */
export function rekeyTransient(key: AES128Key, bytes: Uint8Array): void {
  if (!(key instanceof TransientKey)) throw new CryptoInputError('key', key, 'a key made by transientKey');
  checkKey(bytes);
  key.set(bytes);
  key.schedule = undefined;
}

/** RFC 4493 §2.3 subkeys of a schedule, made on first use. */
export function cmacSubkeys(s: KeySchedule): { k1: Uint8Array; k2: Uint8Array } {
  if (s.k1 === undefined || s.k2 === undefined) cmacSubkeysFrom(s, s.ecbEncrypt.update(ZERO_BLOCK));
  return { k1: s.k1!, k2: s.k2! };
}

/** RFC 4493 §2.3 subkeys from L = AES-128(K, 0¹²⁸), stored on the schedule. */
export function cmacSubkeysFrom(s: KeySchedule, l: Uint8Array): void {
  s.k1 = shiftLeftXorRb(l);
  s.k2 = shiftLeftXorRb(s.k1);
}

// Keyed by the key object itself: AES128Key values are copied on construction and never mutated.
const schedules = new WeakMap<Uint8Array, KeySchedule>();
const ZERO_BLOCK = new Uint8Array(16);

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== 16) {
    throw new CryptoInputError('key', key, 'a 16-byte AES-128 key');
  }
}

export function keySchedule(key: Uint8Array): KeySchedule {
  if (key instanceof TransientKey)
    return (key.schedule ??= {
      ecbEncrypt: createCipheriv('aes-128-ecb', key, null).setAutoPadding(false),
      ecbDecrypt: undefined,
      cbc: undefined,
      cbcState: new Uint8Array(16),
      k1: undefined,
      k2: undefined,
    });
  let s = schedules.get(key);
  if (s !== undefined) return s;
  checkKey(key);
  const ecbEncrypt = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  const cbc = createCipheriv('aes-128-cbc', key, ZERO_BLOCK).setAutoPadding(false);
  s = { ecbEncrypt, ecbDecrypt: undefined, cbc, cbcState: new Uint8Array(16), k1: undefined, k2: undefined };
  schedules.set(key, s);
  return s;
}

// RFC 4493 §2.3: doubling in GF(2^128), Rb = 0x87.
function shiftLeftXorRb(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  for (let i = 0; i < 15; i++) out[i] = ((input[i]! << 1) | (input[i + 1]! >>> 7)) & 0xff;
  out[15] = (input[15]! << 1) & 0xff;
  if (input[0]! & 0x80) out[15]! ^= 0x87;
  return out;
}

function checkBlocks(data: Uint8Array, field: string): void {
  if (data.length === 0 || data.length % 16 !== 0) {
    throw new CryptoInputError(field, data, 'a non-empty multiple of 16 bytes');
  }
}

/** AES-128 encryption of one or more 16-byte blocks, each on its own (ECB). */
export function aes128Encrypt(key: Uint8Array, blocks: Uint8Array): Uint8Array {
  checkBlocks(blocks, 'blocks');
  return keySchedule(key).ecbEncrypt.update(blocks);
}

/** AES-128 decryption of one or more 16-byte blocks, each on its own (ECB). */
export function aes128Decrypt(key: Uint8Array, blocks: Uint8Array): Uint8Array {
  checkBlocks(blocks, 'blocks');
  const s = keySchedule(key);
  s.ecbDecrypt ??= createDecipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  return s.ecbDecrypt.update(blocks);
}
