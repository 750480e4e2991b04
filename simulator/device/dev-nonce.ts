import type { Rng } from '../random/rng.js';
import type { LoRaWANVersion } from '../lorawan/types.js';

/**
 * DevNonce policy by version. LoRaWAN 1.0.0–1.0.3: a random 16-bit value the network remembers "a
 * certain number" of (1.0.2 §6.2.4); lorafleet never repeats one of the last `HISTORY` it used.
 * 1.0.4 and 1.1: a counter from 0 that only grows and is never reused for a JoinEUI (1.0.4 §6.2.5,
 * 1.1 §6.2.5); the Join Server rejects a DevNonce not greater than the last.
 */
export const RANDOM_DEV_NONCE_HISTORY = 64;

export function devNonceIsCounter(version: LoRaWANVersion): boolean {
  return version === '1.0.4' || version === '1.1';
}

/** The next random DevNonce not among `used` (most recent last). */
export function nextRandomDevNonce(rng: Rng, used: readonly number[]): number {
  const recent = new Set(used.slice(-RANDOM_DEV_NONCE_HISTORY));
  for (;;) {
    const n = rng.nextUint32() & 0xffff;
    if (!recent.has(n)) return n;
  }
}
