import type { ByteReader } from '../bytes.js';
import { checkUint } from '../bytes.js';
import { EncodeError } from '../errors.js';
import type { LoRaWANVersion } from '../types.js';
import type { MacCommandName, MacDirection, MacFields } from './fields.js';

/** How one MAC command is carried: its CID, who sends it, its payload length and codec. */
export interface MacCommandSpec<N extends MacCommandName = MacCommandName> {
  readonly cid: number;
  readonly name: N;
  readonly direction: MacDirection;
  /** Payload length in bytes, CID excluded. */
  readonly length: number;
  /** The first LoRaWAN version that defines it (class B commands: the version whose class B chapter does). */
  readonly since: LoRaWANVersion;
  readonly classB?: boolean;
  readonly deprecated?: boolean;
  decode(r: ByteReader): MacFields[N];
  encode(f: MacFields[N], out: Uint8Array, offset: number): void;
}

export function spec<N extends MacCommandName>(s: MacCommandSpec<N>): MacCommandSpec<N> {
  return s;
}

/** Commands with no payload. */
export function empty<N extends MacCommandName>(
  cid: number,
  name: N,
  direction: MacDirection,
  since: LoRaWANVersion,
  extra: { classB?: boolean; deprecated?: boolean } = {},
): MacCommandSpec<N> {
  return {
    cid,
    name,
    direction,
    length: 0,
    since,
    ...extra,
    decode: () => ({}) as MacFields[N],
    encode: () => undefined,
  };
}

// Field helpers: each checks its range and names the field, so encoding bad input says what is wrong.

export function uint(name: string, field: string, value: number, bits: number): number {
  return checkUint(`${name}.${field}`, value, bits);
}

export function bit(value: boolean, position: number): number {
  return value ? 1 << position : 0;
}

export function isSet(byte: number, position: number): boolean {
  return (byte & (1 << position)) !== 0;
}

/** Frequencies travel as 24-bit little-endian multiples of 100 Hz. */
export function readFrequency(r: ByteReader, field: string): number {
  return r.u24(field) * 100;
}

export function writeFrequency(name: string, hz: number, out: Uint8Array, o: number): void {
  if (typeof hz !== 'number' || !Number.isInteger(hz) || hz < 0 || hz % 100 !== 0 || hz / 100 > 0xffffff) {
    throw new EncodeError(`${name}.frequencyHz`, hz, 'a frequency in Hz, a multiple of 100 below 1677721600');
  }
  const v = hz / 100;
  out[o] = v & 0xff;
  out[o + 1] = (v >>> 8) & 0xff;
  out[o + 2] = v >>> 16;
}
