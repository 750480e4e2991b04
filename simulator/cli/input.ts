import { aes128Key, eui64, uintField, type AES128Key, type EUI64 } from '../../crypto/types.js';
import { UsageError } from './errors.js';

/** Bytes from hex (spaces/colons allowed) or base64, whichever the text is. */
export function parseBytes(text: string, what: string): Uint8Array {
  const s = text.trim();
  const hex = s.replace(/[\s:]/g, '');
  if (/^(?:[0-9a-fA-F]{2})+$/.test(hex)) return Uint8Array.from(Buffer.from(hex, 'hex'));
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(s) && s.length % 4 === 0)
    return Uint8Array.from(Buffer.from(s, 'base64'));
  const shown = s.length > 40 ? `${s.slice(0, 40)}…` : s;
  throw new UsageError(`${what}: expected hex or base64, got "${shown}"`);
}

export function optKey(value: unknown, option: string): AES128Key | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return aes128Key(String(value), `--${option}`);
}

export function optEui(value: unknown, option: string): EUI64 | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return eui64(String(value), `--${option}`);
}

/** An integer option given in decimal, or in hex with a 0x prefix. */
export function optInt(value: unknown, option: string, bits: 16 | 24 | 32): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const s = String(value).trim();
  const n = /^0x[0-9a-f]+$/i.test(s)
    ? Number.parseInt(s.slice(2), 16)
    : /^\d+$/.test(s)
      ? Number(s)
      : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > 2 ** bits - 1) {
    throw new UsageError(
      `--${option}: expected an integer from 0 to ${2 ** bits - 1} (decimal or 0x hex), got "${s}"`,
    );
  }
  return n;
}

/** A hex identifier of fixed width (DevNonce "F18E", JoinNonce "376338", NetID "000013"). */
export function optHexUint(value: unknown, option: string, bits: 16 | 24 | 32): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return uintField(String(value), `--${option}`, bits);
}
