import { bytesToHex } from '../../crypto/types.js';

/** Uppercase hex as The Things Stack writes bytes, and fixed-width hex for numeric identifiers. */
export const hex = (b: Uint8Array): string => bytesToHex(b);
export const hexUint = (n: number, bytes: number): string =>
  n
    .toString(16)
    .toUpperCase()
    .padStart(bytes * 2, '0');
