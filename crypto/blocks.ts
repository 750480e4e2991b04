/** Little-endian writers for the fixed 16-byte blocks of LoRaWAN crypto (A, B0, B1, key-derivation). */

export function writeUint16LE(buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = value & 0xff;
  buf[offset + 1] = (value >>> 8) & 0xff;
}

export function writeUint24LE(buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = value & 0xff;
  buf[offset + 1] = (value >>> 8) & 0xff;
  buf[offset + 2] = (value >>> 16) & 0xff;
}

export function writeUint32LE(buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = value & 0xff;
  buf[offset + 1] = (value >>> 8) & 0xff;
  buf[offset + 2] = (value >>> 16) & 0xff;
  buf[offset + 3] = (value >>> 24) & 0xff;
}

/** Writes a display-order (MSB-first) byte string reversed, as it goes on air. */
export function writeReversed(buf: Uint8Array, offset: number, msbFirst: Uint8Array): void {
  const n = msbFirst.length;
  for (let i = 0; i < n; i++) buf[offset + i] = msbFirst[n - 1 - i]!;
}
