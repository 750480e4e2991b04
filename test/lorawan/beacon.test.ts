import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  beaconCrc,
  beaconLength,
  decodeBeacon,
  encodeBeacon,
  nextBeaconGpsMs,
} from '../../simulator/lorawan/beacon.js';
import { CodecError } from '../../simulator/lorawan/errors.js';

interface Vector {
  description: string;
  spreadingFactor: number;
  bytes: string;
  gpsTimeS: number;
  infoDesc: number;
  info: string;
}
const vectors = JSON.parse(
  readFileSync(new URL('../vectors/beacon.json', import.meta.url), 'utf8'),
) as Vector[];
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('the class B beacon frame', () => {
  it.each(vectors.map((v) => [v.description.slice(0, 40), v] as const))('reads and writes %s…', (_d, v) => {
    const bytes = Uint8Array.from(Buffer.from(v.bytes, 'hex'));
    const b = decodeBeacon(bytes, v.spreadingFactor);
    expect(b.gpsTimeS).toBe(v.gpsTimeS);
    expect(b.timeCrcOk).toBe(true);
    expect(b.gwSpecificCrcOk).toBe(true);
    expect(b.gwSpecific.infoDesc).toBe(v.infoDesc);
    expect(hex(b.gwSpecific.info)).toBe(v.info);
    const info = Uint8Array.from(Buffer.from(v.info, 'hex'));
    expect(hex(encodeBeacon({ gpsTimeS: v.gpsTimeS, infoDesc: v.infoDesc, info }, v.spreadingFactor))).toBe(
      v.bytes,
    );
    // The coordinates the Info bytes stand for write the same bytes back.
    const { latitude, longitude } = b.gwSpecific;
    expect(hex(encodeBeacon({ gpsTimeS: v.gpsTimeS, latitude, longitude }, v.spreadingFactor))).toBe(v.bytes);
  });

  it('flags a damaged Time or GwSpecific by its own CRC', () => {
    const bytes = Uint8Array.from(Buffer.from(vectors[0]!.bytes, 'hex'));
    bytes[3]! ^= 0x01;
    expect(decodeBeacon(bytes, 9)).toMatchObject({ timeCrcOk: false, gwSpecificCrcOk: true });
    bytes[3]! ^= 0x01;
    bytes[10]! ^= 0x80;
    expect(decodeBeacon(bytes, 9)).toMatchObject({ timeCrcOk: true, gwSpecificCrcOk: false });
  });

  it('computes CRC-16 with polynomial 0x1021 from 0 (the check value of "123456789" is 0x31C3)', () => {
    expect(beaconCrc(Buffer.from('123456789'))).toBe(0x31c3);
  });

  it('round-trips any time and position at SF9, SF10 and SF12, to the 24-bit resolution', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(9, 10, 12),
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.double({ min: -90, max: 90, noNaN: true }),
        fc.double({ min: -180, max: 180, noNaN: true }),
        (sf, t, lat, lng) => {
          const bytes = encodeBeacon({ gpsTimeS: t, latitude: lat, longitude: lng }, sf);
          expect(bytes.length).toBe(beaconLength(sf));
          const b = decodeBeacon(bytes, sf);
          expect(b).toMatchObject({ gpsTimeS: t, timeCrcOk: true, gwSpecificCrcOk: true });
          expect(Math.abs(b.gwSpecific.latitude! - lat)).toBeLessThanOrEqual(90 / 2 ** 23);
          expect(Math.abs(b.gwSpecific.longitude! - lng)).toBeLessThanOrEqual(180 / 2 ** 23);
        },
      ),
    );
  });

  it('refuses a frame of the wrong length, and a layout the specification does not give', () => {
    expect(() => decodeBeacon(new Uint8Array(16), 9)).toThrow(CodecError);
    expect(() => decodeBeacon(new Uint8Array(17), 7)).toThrow(CodecError);
    expect(beaconLength(12)).toBe(23);
  });

  it('goes out every 128 s of GPS time', () => {
    expect(nextBeaconGpsMs(0)).toBe(0);
    expect(nextBeaconGpsMs(1)).toBe(128_000);
    expect(nextBeaconGpsMs(3422683136 * 1000 - 5)).toBe(3422683136 * 1000);
  });
});
