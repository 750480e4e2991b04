import { UdpPacketError } from './errors.js';

/**
 * Semtech UDP packet-forwarder protocol, version 2 (packet_forwarder PROTOCOL.TXT rev 1.4; sx1302_hal
 * PROTOCOL.md rev 1.6). Every datagram: version(1) | token(2) | identifier(1) | …; gateway-sent ones
 * then carry the gateway EUI (8 bytes, most significant first — not reversed like LoRaWAN EUIs).
 */
export const PROTOCOL_VERSION = 2;

export const PACKET_TYPES = [
  'PUSH_DATA',
  'PUSH_ACK',
  'PULL_DATA',
  'PULL_RESP',
  'PULL_ACK',
  'TX_ACK',
] as const;
export type PacketType = (typeof PACKET_TYPES)[number];

/** One received packet, as a forwarder reports it in PUSH_DATA `rxpk`. */
export interface RxPk {
  time?: string;
  tmms?: number;
  tmst: number;
  chan: number;
  rfch: number;
  /** MHz */
  freq: number;
  stat: 1 | 0 | -1;
  modu: 'LORA' | 'FSK';
  datr: string | number;
  codr?: string;
  rssi: number;
  lsnr?: number;
  size: number;
  data: string;
  rsig?: Record<string, unknown>[];
}

/** Gateway status, sent every stat interval in PUSH_DATA `stat`. */
export interface Stat {
  time: string;
  lati?: number;
  long?: number;
  alti?: number;
  rxnb: number;
  rxok: number;
  rxfw: number;
  ackr: number;
  dwnb: number;
  txnb: number;
}

/** A transmit request, PULL_RESP `txpk`. */
export interface TxPk {
  imme?: boolean;
  tmst?: number;
  tmms?: number;
  /** MHz */
  freq: number;
  rfch: number;
  powe?: number;
  modu: 'LORA' | 'FSK';
  datr: string | number;
  codr?: string;
  fdev?: number;
  ipol?: boolean;
  prea?: number;
  size: number;
  data: string;
  ncrc?: boolean;
}

/** A LoRa `datr` ("SF7BW125"): spreading factor and bandwidth in Hz; undefined for any other form. */
export function parseLoRaDatr(
  datr: string | number,
): { spreadingFactor: number; bandwidthHz: number } | undefined {
  const m = /^SF(\d+)BW(\d+)$/.exec(String(datr));
  return m ? { spreadingFactor: Number(m[1]), bandwidthHz: Number(m[2]) * 1000 } : undefined;
}

export const TX_ACK_ERRORS = [
  'NONE',
  'TOO_LATE',
  'TOO_EARLY',
  'COLLISION_PACKET',
  'COLLISION_BEACON',
  'TX_FREQ',
  'TX_POWER',
  'GPS_UNLOCKED',
  // The packet forwarder's answer to a request its JIT queue finds invalid (JIT_ERROR_INVALID).
  'UNKNOWN',
] as const;
export type TxAckError = (typeof TX_ACK_ERRORS)[number];

export interface TxPkAck {
  error?: TxAckError | string;
  warn?: string;
  value?: number;
}

export type UdpPacket =
  | {
      type: 'PUSH_DATA';
      version: number;
      token: number;
      gatewayEui: Uint8Array;
      body: { rxpk?: RxPk[]; stat?: Stat };
    }
  | { type: 'PUSH_ACK'; version: number; token: number }
  | { type: 'PULL_DATA'; version: number; token: number; gatewayEui: Uint8Array }
  | { type: 'PULL_RESP'; version: number; token: number; body: { txpk?: TxPk } }
  | { type: 'PULL_ACK'; version: number; token: number }
  | { type: 'TX_ACK'; version: number; token: number; gatewayEui: Uint8Array; body?: { txpk_ack?: TxPkAck } };

const TYPE_ID: Record<PacketType, number> = {
  PUSH_DATA: 0x00,
  PUSH_ACK: 0x01,
  PULL_DATA: 0x02,
  PULL_RESP: 0x03,
  PULL_ACK: 0x04,
  TX_ACK: 0x05,
};

/** The 4-byte header; the token is 2 opaque bytes, read and written big-endian so they round-trip. */
function header(version: number, token: number, type: PacketType, extra: number): Buffer {
  const b = Buffer.allocUnsafe(4 + extra);
  b[0] = version;
  b[1] = (token >>> 8) & 0xff;
  b[2] = token & 0xff;
  b[3] = TYPE_ID[type];
  return b;
}

export function encodeUdpPacket(p: UdpPacket): Buffer {
  switch (p.type) {
    case 'PUSH_ACK':
    case 'PULL_ACK':
      return header(p.version, p.token, p.type, 0);
    case 'PULL_DATA': {
      const b = header(p.version, p.token, p.type, 8);
      b.set(p.gatewayEui, 4);
      return b;
    }
    case 'PUSH_DATA':
      return withJson(header(p.version, p.token, p.type, 8), p.gatewayEui, JSON.stringify(p.body));
    case 'TX_ACK':
      return withJson(
        header(p.version, p.token, p.type, 8),
        p.gatewayEui,
        p.body === undefined ? '' : JSON.stringify(p.body),
      );
    case 'PULL_RESP':
      return Buffer.concat([header(p.version, p.token, p.type, 0), Buffer.from(JSON.stringify(p.body))]);
  }
}

function withJson(head: Buffer, eui: Uint8Array, json: string): Buffer {
  head.set(eui, 4);
  return json === '' ? head : Buffer.concat([head, Buffer.from(json)]);
}

/**
 * Decodes any datagram. Versions 1 and 2 are accepted (servers echo the version they receive); the
 * gateway side insists on 2 itself. Throws only UdpPacketError.
 */
export function decodeUdpPacket(buf: Uint8Array): UdpPacket {
  if (buf.length < 4) throw new UdpPacketError('truncated', `datagram of ${buf.length} bytes, a header is 4`);
  const version = buf[0]!;
  if (version !== 1 && version !== 2)
    throw new UdpPacketError('version', `protocol version ${version}, expected 2`);
  const token = (buf[1]! << 8) | buf[2]!;
  const id = buf[3]!;
  const type = PACKET_TYPES[[0, 1, 2, 3, 4, 5].indexOf(id)];
  if (type === undefined)
    throw new UdpPacketError('type', `unknown packet identifier 0x${id.toString(16).padStart(2, '0')}`);
  const needsEui = type === 'PUSH_DATA' || type === 'PULL_DATA' || type === 'TX_ACK';
  if (needsEui && buf.length < 12)
    throw new UdpPacketError('truncated', `${type} of ${buf.length} bytes has no gateway EUI`);
  const eui = () => Uint8Array.from(buf.subarray(4, 12));
  switch (type) {
    case 'PUSH_ACK':
    case 'PULL_ACK':
      return { type, version, token };
    case 'PULL_DATA':
      return { type, version, token, gatewayEui: eui() };
    case 'PUSH_DATA':
      return {
        type,
        version,
        token,
        gatewayEui: eui(),
        body: parseObject(buf, 12, type) as { rxpk?: RxPk[]; stat?: Stat },
      };
    case 'PULL_RESP':
      return { type, version, token, body: parseObject(buf, 4, type) as { txpk?: TxPk } };
    case 'TX_ACK': {
      // No JSON means success; Kerlink gateways send a lone 0x00 after the EUI.
      const rest = buf.subarray(12);
      if (rest.length === 0 || (rest.length === 1 && rest[0] === 0))
        return { type, version, token, gatewayEui: eui() };
      return {
        type,
        version,
        token,
        gatewayEui: eui(),
        body: parseObject(buf, 12, type) as { txpk_ack?: TxPkAck },
      };
    }
  }
}

function parseObject(buf: Uint8Array, offset: number, type: PacketType): Record<string, unknown> {
  let text = Buffer.from(buf.buffer, buf.byteOffset + offset, buf.length - offset).toString('utf8');
  // packet_forwarder null-terminates its buffers; tolerate a trailing NUL.
  if (text.endsWith('\0')) text = text.slice(0, -1);
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UdpPacketError('json', `${type} body is not JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new UdpPacketError('json', `${type} body is not a JSON object`);
  return v as Record<string, unknown>;
}

/** Strict base64 (standard alphabet, padding optional): Buffer.from would silently skip bad characters. */
export function decodeBase64(data: string, field: string): Uint8Array {
  if (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 === 1) {
    throw new UdpPacketError('field', `${field} is not base64`);
  }
  // A copy of its own (not a view of Buffer's shared pool), made as one memcpy.
  return new Uint8Array(Buffer.from(data, 'base64'));
}

/** `time` of an rxpk: ISO 8601 with microseconds, "2013-03-31T16:21:17.528002Z". */
export function rxpkTime(wallClockMs: number): string {
  const totalUs = Math.round(wallClockMs * 1000);
  const second = Math.floor(totalUs / 1e6);
  return `${rxpkTimePrefix(second)}${String(totalUs - second * 1e6).padStart(6, '0')}Z`;
}

/** `time` of an rxpk up to the second, "2013-03-31T16:21:17.", for a whole number of Unix seconds. */
function rxpkTimePrefix(unixSecond: number): string {
  // A gateway stamps thousands of frames a second: the date and time to the second are made once.
  if (unixSecond !== rxpkSecond.at) {
    rxpkSecond.at = unixSecond;
    rxpkSecond.prefix = new Date(unixSecond * 1000).toISOString().slice(0, 20);
  }
  return rxpkSecond.prefix;
}

const rxpkSecond = { at: Number.NaN, prefix: '' };

/** `time` of a stat object: "2014-01-12 08:59:28 GMT". */
export function statTime(wallClockMs: number): string {
  return `${new Date(wallClockMs).toISOString().slice(0, 19).replace('T', ' ')} GMT`;
}

/** GPS epoch 1980-01-06T00:00:00Z and the 18 leap seconds GPS time has run ahead of UTC since 2017. */
const GPS_EPOCH_MS = Date.UTC(1980, 0, 6);
const GPS_LEAP_SECONDS = 18;

/** `tmms`: GPS time in ms since the GPS epoch. */
export function gpsTimeMs(wallClockMs: number): number {
  return Math.floor(wallClockMs - GPS_EPOCH_MS + GPS_LEAP_SECONDS * 1000);
}

export function wallClockFromGpsMs(gpsMs: number): number {
  return gpsMs + GPS_EPOCH_MS - GPS_LEAP_SECONDS * 1000;
}
