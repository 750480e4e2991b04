import { CodecError, EncodeError } from './errors.js';

/**
 * Bounds-checked little-endian reads: every read names the field, so a short buffer becomes a
 * CodecError that says what was missing where, never a RangeError or `undefined`.
 */
export class ByteReader {
  offset: number;

  constructor(
    readonly bytes: Uint8Array,
    offset = 0,
    readonly end = bytes.length,
  ) {
    this.offset = offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  need(n: number, field: string): void {
    if (this.end - this.offset < n) {
      throw new CodecError(field, this.offset, `needs ${n} byte(s), ${this.end - this.offset} left`);
    }
  }

  u8(field: string): number {
    this.need(1, field);
    return this.bytes[this.offset++]!;
  }

  u16(field: string): number {
    this.need(2, field);
    const b = this.bytes;
    const o = this.offset;
    this.offset += 2;
    return b[o]! | (b[o + 1]! << 8);
  }

  u24(field: string): number {
    this.need(3, field);
    const b = this.bytes;
    const o = this.offset;
    this.offset += 3;
    return b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16);
  }

  u32(field: string): number {
    this.need(4, field);
    const b = this.bytes;
    const o = this.offset;
    this.offset += 4;
    return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
  }

  /** A copy of the next n bytes. */
  take(n: number, field: string): Uint8Array {
    this.need(n, field);
    const out = this.bytes.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** The next n bytes reversed: little-endian on air → display order (MSB first). */
  takeReversed(n: number, field: string): Uint8Array {
    const out = this.take(n, field);
    out.reverse();
    return out;
  }
}

export function checkUint(field: string, value: unknown, bits: number): number {
  const max = 2 ** bits - 1;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new EncodeError(field, value, `an integer from 0 to ${max}`);
  }
  return value;
}

export function checkBytes(field: string, value: unknown, min: number, max: number): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length < min || value.length > max) {
    const len = value instanceof Uint8Array ? `${value.length} bytes` : typeof value;
    throw new EncodeError(field, len, min === max ? `${min} bytes` : `${min} to ${max} bytes`);
  }
  return value;
}
