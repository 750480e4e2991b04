import { CodecError, EncodeError } from './errors.js';

/**
 * The class B beacon (LoRaWAN L2 1.0.4 §13; RP002 gives each region its beacon data rate and channel).
 * Gateways broadcast it every 128 s at GPS-aligned times; it carries the GPS time and, in GwSpecific,
 * what the gateway says of itself (InfoDesc 0–2: the coordinates of antenna 1–3).
 */

/** LoRaWAN 1.0.4 §12.2 (Class B timing). */
export const BEACON_PERIOD_S = 128;
export const BEACON_RESERVED_MS = 2120;
export const BEACON_GUARD_MS = 3000;
export const BEACON_WINDOW_MS = 122_880;
/** A ping slot is 30 ms; a beacon window holds 4096 of them. */
export const PING_SLOT_MS = 30;
/** Without a beacon for this long a device leaves class B (§12.1: 120 minutes). */
export const BEACON_LESS_OPERATION_S = 7200;

/**
 * Frame layout by spreading factor: RFU bytes before Time and after GwSpecific. §13.2 gives SF9 (EU868
 * and most regions, 17 bytes), SF10 (19) and SF12 (US915/AU915 at 500 kHz, 23).
 */
const LAYOUT: Readonly<Record<number, readonly [rfu1: number, rfu2: number]>> = {
  9: [2, 0],
  10: [3, 1],
  12: [5, 3],
};

export interface BeaconGwSpecific {
  /** 0, 1, 2: Info holds the coordinates of antenna 1, 2, 3; other values are network-specific. */
  infoDesc: number;
  /** Degrees, as encoded (24-bit, north positive): only when InfoDesc is 0–2. */
  latitude?: number;
  longitude?: number;
  /** The 6 Info bytes as sent. */
  info: Uint8Array;
}

export interface Beacon {
  /** Seconds since the GPS epoch (1980-01-06), modulo 2^32. */
  gpsTimeS: number;
  /** Whether the CRC over RFU and Time holds: a device uses the time only then. */
  timeCrcOk: boolean;
  gwSpecific: BeaconGwSpecific;
  gwSpecificCrcOk: boolean;
}

/** CRC-16 with the CCITT polynomial 0x1021, initial value 0 (§13.2), stored little-endian. */
export function beaconCrc(bytes: Uint8Array): number {
  let c = 0;
  for (const b of bytes) {
    c ^= b << 8;
    for (let i = 0; i < 8; i++) c = c & 0x8000 ? ((c << 1) ^ 0x1021) & 0xffff : (c << 1) & 0xffff;
  }
  return c;
}

function layout(spreadingFactor: number, field: string): readonly [number, number] {
  const l = LAYOUT[spreadingFactor];
  if (l === undefined)
    throw new EncodeError(field, spreadingFactor, 'a beacon spreading factor: 9, 10 or 12');
  return l;
}

/** The frame length of a beacon at a spreading factor. */
export function beaconLength(spreadingFactor: number): number {
  const [a, b] = layout(spreadingFactor, 'spreadingFactor');
  return a + 4 + 2 + 7 + b + 2;
}

const LAT_SCALE = 2 ** 23 / 90;
const LNG_SCALE = 2 ** 23 / 180;

function int24(b: Uint8Array, at: number): number {
  const v = b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16);
  return v & 0x800000 ? v - 0x1000000 : v;
}

function putInt24(b: Uint8Array, at: number, v: number): void {
  const u = v < 0 ? v + 0x1000000 : v;
  b[at] = u & 0xff;
  b[at + 1] = (u >> 8) & 0xff;
  b[at + 2] = (u >> 16) & 0xff;
}

export function encodeBeacon(
  b: { gpsTimeS: number; infoDesc?: number; latitude?: number; longitude?: number; info?: Uint8Array },
  spreadingFactor: number,
): Uint8Array {
  const [rfu1, rfu2] = layout(spreadingFactor, 'spreadingFactor');
  if (!Number.isInteger(b.gpsTimeS) || b.gpsTimeS < 0)
    throw new EncodeError('Time', b.gpsTimeS, 'whole GPS seconds');
  const out = new Uint8Array(beaconLength(spreadingFactor));
  const time = b.gpsTimeS % 2 ** 32;
  new DataView(out.buffer).setUint32(rfu1, time, true);
  const crc1 = beaconCrc(out.subarray(0, rfu1 + 4));
  out[rfu1 + 4] = crc1 & 0xff;
  out[rfu1 + 5] = crc1 >> 8;
  const g = rfu1 + 6;
  const infoDesc = b.infoDesc ?? 0;
  if (!Number.isInteger(infoDesc) || infoDesc < 0 || infoDesc > 255)
    throw new EncodeError('InfoDesc', infoDesc, '0–255');
  out[g] = infoDesc;
  if (b.info !== undefined) {
    if (b.info.length !== 6) throw new EncodeError('Info', b.info.length, '6 bytes');
    out.set(b.info, g + 1);
  } else {
    const lat = b.latitude ?? 0;
    const lng = b.longitude ?? 0;
    if (!(Math.abs(lat) <= 90) || !(Math.abs(lng) <= 180))
      throw new EncodeError('Info', [lat, lng], 'latitude ±90, longitude ±180');
    putInt24(out, g + 1, Math.max(-(2 ** 23), Math.min(2 ** 23 - 1, Math.round(lat * LAT_SCALE))));
    putInt24(out, g + 4, Math.max(-(2 ** 23), Math.min(2 ** 23 - 1, Math.round(lng * LNG_SCALE))));
  }
  const crc2 = beaconCrc(out.subarray(g, g + 7 + rfu2));
  out[g + 7 + rfu2] = crc2 & 0xff;
  out[g + 8 + rfu2] = crc2 >> 8;
  return out;
}

/** Reads a beacon received at `spreadingFactor`; a frame of the wrong length is a CodecError. */
export function decodeBeacon(bytes: Uint8Array, spreadingFactor: number): Beacon {
  const l = LAYOUT[spreadingFactor];
  if (l === undefined)
    throw new CodecError('Beacon', 0, `no beacon layout at SF${spreadingFactor}`, spreadingFactor);
  const [rfu1, rfu2] = l;
  if (bytes.length !== beaconLength(spreadingFactor))
    throw new CodecError(
      'Beacon',
      bytes.length,
      `expected ${beaconLength(spreadingFactor)} bytes at SF${spreadingFactor}`,
    );
  const crcAt = (at: number) => bytes[at]! | (bytes[at + 1]! << 8);
  const g = rfu1 + 6;
  const infoDesc = bytes[g]!;
  const info = bytes.slice(g + 1, g + 7);
  return {
    gpsTimeS: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(rfu1, true),
    timeCrcOk: beaconCrc(bytes.subarray(0, rfu1 + 4)) === crcAt(rfu1 + 4),
    gwSpecific: {
      infoDesc,
      info,
      ...(infoDesc <= 2
        ? { latitude: int24(bytes, g + 1) / LAT_SCALE, longitude: int24(bytes, g + 4) / LNG_SCALE }
        : {}),
    },
    gwSpecificCrcOk: beaconCrc(bytes.subarray(g, g + 7 + rfu2)) === crcAt(g + 7 + rfu2),
  };
}

/** The next beacon at or after `gpsTimeMs` (ms since the GPS epoch): beacons go out when Time mod 128 = 0. */
export function nextBeaconGpsMs(gpsTimeMs: number): number {
  const period = BEACON_PERIOD_S * 1000;
  return Math.ceil(gpsTimeMs / period) * period;
}
