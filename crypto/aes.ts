import { createDecipheriv, type Decipher } from 'node:crypto';
import { encryptBlocks, encryptState, expandKey128, state, type RoundKeys } from './aes-block.js';
import { CryptoInputError } from './errors.js';
import type { AES128Key } from './types.js';

/**
 * What lorafleet keeps of a key: its AES-128 round keys (aes-block.ts), expanded once, and the RFC 4493
 * subkeys of its CMAC, made on first use. Decryption (a Join-Accept on the network side, once per
 * join) goes through node:crypto.
 */
export interface KeySchedule {
  readonly rk: RoundKeys;
  /** K1 in words 0–3, K2 in words 4–7 (RFC 4493 §2.3), valid when `hasSubkeys`. */
  readonly subkeys: Int32Array;
  hasSubkeys: boolean;
  ecbDecrypt: Decipher | undefined;
}

/**
 * A key whose bytes a fleet changes from frame to frame (rekeyTransient), as a device of a
 * million-device fleet uses its session keys: its schedule lives on the key object and is expanded
 * again in place after a rekey, so a frame allocates nothing for its keys. Every function of
 * lorafleet/crypto accepts it and gives the same bytes.
 */
class TransientKey extends Uint8Array {
  schedule: KeySchedule | undefined;
  stale = true;
}

/** A transient copy of 16 key bytes (see TransientKey). */
export function transientKey(bytes: Uint8Array): AES128Key {
  checkKey(bytes);
  const k = new TransientKey(16);
  k.set(bytes);
  return k as unknown as AES128Key;
}

/**
 * Gives a transient key the 16 bytes at `bytes[offset…]`: a fleet reuses a few key objects for all its
 * devices instead of allocating them per frame. Refuses a key that transientKey did not make.
 */
export function rekeyTransient(key: AES128Key, bytes: Uint8Array, offset = 0): void {
  if (!(key instanceof TransientKey)) throw new CryptoInputError('key', key, 'a key made by transientKey');
  if (!(bytes instanceof Uint8Array) || !Number.isInteger(offset) || offset < 0 || offset + 16 > bytes.length)
    throw new CryptoInputError('key', bytes, `16 key bytes from offset ${offset}`);
  for (let i = 0; i < 16; i++) key[i] = bytes[offset + i]!;
  key.stale = true;
}

/**
 * Schedules of the keys used last, by the key object itself (AES128Key values are copied on
 * construction and never mutated), oldest first. Bounded: a network holding a million sessions, or a
 * fleet of full-behaviour devices, would otherwise keep some 600 bytes a key for as long as the key
 * lives; a key used again after its schedule left is expanded again (well under a microsecond). A
 * schedule that leaves is never reused: whoever still holds it keeps correct round keys.
 */
const schedules = new Map<Uint8Array, KeySchedule>();
export const KEY_SCHEDULES_KEPT = 16_384;
/**
 * The cached keys in the order they came, as a ring: the oldest leaves by its slot. (A Map's own
 * first key is slow to find once entries have been deleted from its front: its iterator walks over
 * every deleted slot until the next rehash.)
 */
const order: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(KEY_SCHEDULES_KEPT).fill(
  undefined,
);
let oldest = 0;

function checkKey(key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== 16) {
    throw new CryptoInputError('key', key, 'a 16-byte AES-128 key');
  }
}

const newSchedule = (key: Uint8Array): KeySchedule => ({
  rk: expandKey128(key),
  subkeys: new Int32Array(8),
  hasSubkeys: false,
  ecbDecrypt: undefined,
});

export function keySchedule(key: Uint8Array): KeySchedule {
  if (key instanceof TransientKey) {
    if (!key.stale) return key.schedule!;
    key.stale = false;
    const s = key.schedule;
    if (s === undefined) return (key.schedule = newSchedule(key));
    expandKey128(key, s.rk);
    s.hasSubkeys = false;
    s.ecbDecrypt = undefined;
    return s;
  }
  let s = schedules.get(key);
  if (s !== undefined) return s;
  checkKey(key);
  s = newSchedule(key);
  const leaving = order[oldest];
  if (leaving !== undefined) schedules.delete(leaving);
  order[oldest] = key;
  oldest = (oldest + 1) % KEY_SCHEDULES_KEPT;
  schedules.set(key, s);
  return s;
}

/** RFC 4493 §2.3 subkeys K1 (words 0–3) and K2 (words 4–7) of a schedule, made on first use. */
export function cmacSubkeys(s: KeySchedule): Int32Array {
  if (s.hasSubkeys) return s.subkeys;
  state.fill(0);
  encryptState(s.rk);
  // L = AES-128(K, 0¹²⁸); K1 = L·x, K2 = K1·x in GF(2^128) with Rb = 0x87.
  const k = s.subkeys;
  double(state, 0, k, 0);
  double(k, 0, k, 4);
  s.hasSubkeys = true;
  return k;
}

function double(src: Int32Array, from: number, out: Int32Array, to: number): void {
  const carry = src[from]! >>> 31;
  for (let i = 0; i < 3; i++) out[to + i] = ((src[from + i]! << 1) | (src[from + i + 1]! >>> 31)) >>> 0;
  out[to + 3] = ((src[from + 3]! << 1) ^ (carry ? 0x87 : 0)) >>> 0;
}

function checkBlocks(data: Uint8Array, field: string): void {
  if (data.length === 0 || data.length % 16 !== 0) {
    throw new CryptoInputError(field, data, 'a non-empty multiple of 16 bytes');
  }
}

/** AES-128 encryption of one or more 16-byte blocks, each on its own (ECB). */
export function aes128Encrypt(key: Uint8Array, blocks: Uint8Array): Uint8Array {
  checkBlocks(blocks, 'blocks');
  return encryptBlocks(keySchedule(key).rk, blocks, new Uint8Array(blocks.length));
}

/** AES-128 decryption of one or more 16-byte blocks, each on its own (ECB). */
export function aes128Decrypt(key: Uint8Array, blocks: Uint8Array): Uint8Array {
  checkBlocks(blocks, 'blocks');
  const s = keySchedule(key);
  s.ecbDecrypt ??= createDecipheriv('aes-128-ecb', key, null).setAutoPadding(false);
  return new Uint8Array(s.ecbDecrypt.update(blocks));
}
