import { CryptoInputError } from './errors.js';

/**
 * Distinct types for the identifiers and keys of LoRaWAN, so that a DevEUI cannot be passed where a
 * JoinEUI's key is expected by accident of argument order.
 *
 * Byte-string types (keys, EUIs) hold bytes in display order (MSB first, as The Things Stack prints
 * them); the codec reverses EUIs on the way to and from the air, where they are little-endian
 * (LoRaWAN 1.1 §1.2 "octet order for all multi-octet fields is little endian").
 * Numeric identifiers (DevAddr, NetID, nonces, counters) are plain unsigned integers.
 */
export type AES128Key = Uint8Array & { readonly __brand: 'AES128Key' };
export type EUI64 = Uint8Array & { readonly __brand: 'EUI64' };
export type DevAddr = number & { readonly __brand: 'DevAddr' };
export type NetID = number & { readonly __brand: 'NetID' };

/** 'up' = Dir 0 (end-device → network), 'down' = Dir 1, as in the A and B0 blocks. */
export type Direction = 'up' | 'down';

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Parses hex (spaces, colons and dashes between bytes allowed) into bytes of an exact length. */
export function hexToBytes(hex: string, field: string, length?: number): Uint8Array {
  const clean = hex.replace(/[\s:-]/g, '');
  if (!HEX.test(clean)) throw new CryptoInputError(field, hex, 'hexadecimal digits in pairs');
  const bytes = Uint8Array.from(Buffer.from(clean, 'hex'));
  if (length !== undefined && bytes.length !== length) {
    throw new CryptoInputError(field, hex, `${length} bytes of hex (${length * 2} digits)`);
  }
  return bytes;
}

/** Character codes of each byte's two upper-case hex digits. */
const HEX_CODES = Array.from({ length: 256 }, (_, b) =>
  [...b.toString(16).toUpperCase().padStart(2, '0')].map((c) => c.charCodeAt(0)),
).flat();

/**
 * Upper-case hex. Short values (EUIs, keys) from character codes in one call, which makes a flat
 * string (`+=` makes a rope of small pieces that a device keeping its EUIs as hex would hold on to), and
 * not through a Buffer over the array's `.buffer`, which for a small array copies it off the heap first.
 */
export function bytesToHex(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n > 32) return Buffer.from(bytes.buffer, bytes.byteOffset, n).toString('hex').toUpperCase();
  const codes = new Array<number>(2 * n);
  for (let i = 0; i < n; i++) {
    codes[2 * i] = HEX_CODES[2 * bytes[i]!]!;
    codes[2 * i + 1] = HEX_CODES[2 * bytes[i]! + 1]!;
  }
  return String.fromCharCode.apply(null, codes);
}

function fixedBytes(value: string | Uint8Array, field: string, length: number): Uint8Array {
  if (typeof value === 'string') return hexToBytes(value, field, length);
  if (!(value instanceof Uint8Array) || value.length !== length) {
    throw new CryptoInputError(field, value, `${length} bytes`);
  }
  // A copy: keys index the cipher cache, so they must not change under it.
  return Uint8Array.from(value);
}

export function aes128Key(value: string | Uint8Array, field = 'key'): AES128Key {
  return fixedBytes(value, field, 16) as AES128Key;
}

/**
 * Several keys copied into one 16-byte-aligned buffer, each a view of it: the same bytes and the same
 * results as aes128Key one by one, without a buffer per key (a network holding a session per device
 * for millions of devices feels each one). `fields` name the values in errors.
 */
export function aes128Keys(values: readonly (string | Uint8Array)[], fields: readonly string[]): AES128Key[] {
  const all = new Uint8Array(16 * values.length);
  values.forEach((v, i) => all.set(fixedBytes(v, fields[i] ?? 'key', 16), 16 * i));
  return values.map((_, i) => all.subarray(16 * i, 16 * i + 16) as AES128Key);
}

export function eui64(value: string | Uint8Array, field = 'EUI'): EUI64 {
  return fixedBytes(value, field, 8) as EUI64;
}

function unsigned(value: string | number, field: string, bits: number): number {
  const max = 2 ** bits - 1;
  if (typeof value === 'string') {
    const bytes = hexToBytes(value, field, bits / 8);
    let n = 0;
    for (const b of bytes) n = n * 256 + b;
    return n;
  }
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new CryptoInputError(field, value, `an integer from 0 to ${max}`);
  }
  return value;
}

/** DevAddr from 8 hex digits (MSB first, "26011F2A") or a 32-bit unsigned integer. */
export function devAddr(value: string | number, field = 'DevAddr'): DevAddr {
  return unsigned(value, field, 32) as DevAddr;
}

/** A DevAddr as TTS and the packet tools write it: 8 upper-case hex digits, MSB first ("26011F2A"). */
export function devAddrHex(value: number): string {
  return (value >>> 0).toString(16).toUpperCase().padStart(8, '0');
}

/** NetID from 6 hex digits or a 24-bit unsigned integer. */
export function netId(value: string | number, field = 'NetID'): NetID {
  return unsigned(value, field, 24) as NetID;
}

/** An unsigned integer of `bits` bits given as MSB-first hex or a number (DevNonce 16, JoinNonce 24). */
export function uintField(value: string | number, field: string, bits: 16 | 24 | 32): number {
  return unsigned(value, field, bits);
}
