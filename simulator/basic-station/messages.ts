import { LnsMessageError } from './errors.js';
import { parseEui } from './eui.js';

/**
 * The LoRa Basics Station LNS protocol (Semtech, "The LNS Protocol", station 2.0.x documentation):
 * JSON text records over WebSocket, each with a `msgtype`. Field names are the protocol's own.
 */

/** Radio metadata of every uplink: `xtime` is the concentrator's µs clock, its session in bits 48–62. */
export interface UpInfo {
  rctx: number;
  xtime: number;
  gpstime: number;
  rssi: number;
  snr: number;
  /** UTC seconds (fractional) when the frame was received, where the station knows it. */
  rxtime?: number;
}

interface Radio {
  DR: number;
  Freq: number;
  upinfo: UpInfo;
}

export interface VersionMsg {
  msgtype: 'version';
  station: string;
  firmware?: string;
  package?: string;
  model: string;
  protocol: number;
  features?: string;
}

export interface JreqMsg extends Radio {
  msgtype: 'jreq';
  MHdr: number;
  JoinEui: string;
  DevEui: string;
  DevNonce: number;
  MIC: number;
}

export interface UpdfMsg extends Radio {
  msgtype: 'updf';
  MHdr: number;
  DevAddr: number;
  FCtrl: number;
  FCnt: number;
  FOpts: string;
  /** -1 when the frame has no FPort. */
  FPort: number;
  FRMPayload: string;
  MIC: number;
}

export interface PropdfMsg extends Radio {
  msgtype: 'propdf';
  /** The whole frame, hex. */
  FRMPayload: string;
}

export interface DntxedMsg {
  msgtype: 'dntxed';
  diid: number;
  DevEui: string;
  rctx: number;
  xtime: number;
  txtime: number;
  gpstime: number;
}

export interface TimesyncMsg {
  msgtype: 'timesync';
  txtime?: number;
  xtime?: number;
  gpstime?: number;
  MuxTime?: number;
}

/** What a station sends. */
export type UpstreamMsg = VersionMsg | JreqMsg | UpdfMsg | PropdfMsg | DntxedMsg | TimesyncMsg;

export interface DnmsgMsg {
  msgtype: 'dnmsg';
  DevEui: string;
  /** Device class: 0 A, 1 B, 2 C. */
  dC: number;
  diid: number;
  pdu: string;
  RxDelay?: number;
  RX1DR?: number;
  RX1Freq?: number;
  RX2DR?: number;
  RX2Freq?: number;
  /** Class B (dC 1): the data rate and frequency of the ping slot, sent at `gpstime`. */
  DR?: number;
  Freq?: number;
  priority: number;
  xtime?: number;
  rctx?: number;
  gpstime?: number;
  MuxTime?: number;
}

export interface RouterConfigMsg {
  msgtype: 'router_config';
  NetID?: number[] | null;
  JoinEui?: [number, number][] | null;
  region: string;
  hwspec: string;
  freq_range: [number, number];
  /** [SF, BW kHz, downlink only] per data rate; SF 0 for FSK, -1 for an unused index. */
  DRs: [number, number, number][];
  sx1301_conf?: Record<string, unknown>[];
  nocca?: boolean;
  nodc?: boolean;
  nodwell?: boolean;
  MuxTime?: number;
}

/** What an LNS sends. */
export type DownstreamMsg = DnmsgMsg | RouterConfigMsg | TimesyncMsg;

type Json = Record<string, unknown>;

function obj(text: string): Json {
  if (text.length > 65_536)
    throw new LnsMessageError('message', `${text.length} characters, more than any record`);
  let v: unknown;
  try {
    // A station's xtime carries its session in bits 48–62, past what a JSON number holds exactly:
    // read such a literal as text, and keep its 53 low bits (the µs clock and the session's low bits).
    v = JSON.parse(text.replace(/("xtime"\s*:\s*)(\d{16,19})\b/g, '$1"$2"'));
  } catch {
    throw new LnsMessageError('message', `not JSON: ${text.slice(0, 60)}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new LnsMessageError('message', 'not a JSON object');
  return v as Json;
}

function num(o: Json, k: string, opt?: { min?: number; max?: number; optional?: boolean }): number {
  const v = o[k];
  if (v === undefined && opt?.optional) return NaN;
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new LnsMessageError(k, `expected a number, got ${JSON.stringify(v)}`);
  if ((opt?.min !== undefined && v < opt.min) || (opt?.max !== undefined && v > opt.max))
    throw new LnsMessageError(k, `${v} out of range ${opt.min}…${opt.max}`);
  return v;
}

function int(o: Json, k: string, min: number, max: number): number {
  const raw = o[k];
  if (k === 'xtime' && typeof raw === 'string' && /^\d{16,19}$/.test(raw))
    return Number(BigInt.asUintN(53, BigInt(raw)));
  const v = num(o, k, { min, max });
  if (!Number.isInteger(v)) throw new LnsMessageError(k, `expected an integer, got ${v}`);
  return v;
}

function hex(o: Json, k: string, maxBytes: number): string {
  const v = o[k] ?? '';
  if (typeof v !== 'string' || v.length > maxBytes * 2 || !/^([0-9a-fA-F]{2})*$/.test(v))
    throw new LnsMessageError(k, `expected hex bytes, got ${JSON.stringify(v).slice(0, 60)}`);
  return v.toUpperCase();
}

const I32 = [-0x8000_0000, 0x7fff_ffff] as const;
/** xtime: 63 bits at most; JSON numbers hold 53 exactly, which is what a station sends. */
const XTIME_MAX = Number.MAX_SAFE_INTEGER;

function radio(o: Json): Radio {
  const u = o.upinfo;
  if (typeof u !== 'object' || u === null || Array.isArray(u))
    throw new LnsMessageError('upinfo', 'expected an object');
  const up = u as Json;
  const rxtime = num(up, 'rxtime', { optional: true });
  return {
    DR: int(o, 'DR', 0, 15),
    Freq: int(o, 'Freq', 100_000_000, 3_000_000_000),
    upinfo: {
      rctx: up.rctx === undefined ? 0 : int(up, 'rctx', 0, XTIME_MAX),
      xtime: int(up, 'xtime', 0, XTIME_MAX),
      gpstime: up.gpstime === undefined ? 0 : int(up, 'gpstime', 0, XTIME_MAX),
      rssi: num(up, 'rssi', { min: -200, max: 200 }),
      snr: num(up, 'snr', { min: -50, max: 50 }),
      ...(Number.isNaN(rxtime) ? {} : { rxtime }),
    },
  };
}

/** Reads a station's record; anything malformed is an LnsMessageError naming the field and value. */
export function parseUpstream(text: string): UpstreamMsg {
  const o = obj(text);
  switch (o.msgtype) {
    case 'version':
      return {
        msgtype: 'version',
        station: String(o.station ?? '').slice(0, 120),
        model: String(o.model ?? '').slice(0, 120),
        protocol: int(o, 'protocol', 0, 255),
        ...(typeof o.firmware === 'string' ? { firmware: o.firmware.slice(0, 120) } : {}),
        ...(typeof o.package === 'string' ? { package: o.package.slice(0, 120) } : {}),
        ...(typeof o.features === 'string' ? { features: o.features.slice(0, 240) } : {}),
      };
    case 'jreq':
      return {
        msgtype: 'jreq',
        MHdr: int(o, 'MHdr', 0, 255),
        JoinEui: parseEui(o.JoinEui, 'JoinEui'),
        DevEui: parseEui(o.DevEui, 'DevEui'),
        DevNonce: int(o, 'DevNonce', 0, 0xffff),
        MIC: int(o, 'MIC', ...I32),
        ...radio(o),
      };
    case 'updf':
      return {
        msgtype: 'updf',
        MHdr: int(o, 'MHdr', 0, 255),
        DevAddr: int(o, 'DevAddr', ...I32),
        FCtrl: int(o, 'FCtrl', 0, 255),
        FCnt: int(o, 'FCnt', 0, 0xffff),
        FOpts: hex(o, 'FOpts', 15),
        FPort: int(o, 'FPort', -1, 255),
        FRMPayload: hex(o, 'FRMPayload', 255),
        MIC: int(o, 'MIC', ...I32),
        ...radio(o),
      };
    case 'propdf':
      return { msgtype: 'propdf', FRMPayload: hex(o, 'FRMPayload', 255), ...radio(o) };
    case 'dntxed':
      return {
        msgtype: 'dntxed',
        diid: int(o, 'diid', 0, XTIME_MAX),
        DevEui: o.DevEui === undefined ? '0000000000000000' : parseEui(o.DevEui, 'DevEui'),
        rctx: o.rctx === undefined ? 0 : int(o, 'rctx', 0, XTIME_MAX),
        xtime: o.xtime === undefined ? 0 : int(o, 'xtime', 0, XTIME_MAX),
        txtime: o.txtime === undefined ? 0 : num(o, 'txtime'),
        gpstime: o.gpstime === undefined ? 0 : int(o, 'gpstime', 0, XTIME_MAX),
      };
    case 'timesync':
      return { msgtype: 'timesync', txtime: num(o, 'txtime') };
    default:
      throw new LnsMessageError(
        'msgtype',
        `not one a station sends: ${JSON.stringify(o.msgtype)?.slice(0, 40)}`,
      );
  }
}

/** Reads an LNS's record (what a station does with what its server sends). */
export function parseDownstream(text: string): DownstreamMsg {
  const o = obj(text);
  switch (o.msgtype) {
    case 'dnmsg': {
      const opt = (k: string, min: number, max: number) =>
        o[k] === undefined ? {} : { [k]: int(o, k, min, max) };
      return {
        msgtype: 'dnmsg',
        DevEui: o.DevEui === undefined ? '0000000000000000' : parseEui(o.DevEui, 'DevEui'),
        dC: o.dC === undefined ? 0 : int(o, 'dC', 0, 2),
        diid: int(o, 'diid', 0, XTIME_MAX),
        pdu: hex(o, 'pdu', 255),
        priority: o.priority === undefined ? 0 : int(o, 'priority', 0, 255),
        ...opt('RxDelay', 0, 15),
        ...opt('RX1DR', 0, 15),
        ...opt('RX1Freq', 100_000_000, 3_000_000_000),
        ...opt('RX2DR', 0, 15),
        ...opt('RX2Freq', 100_000_000, 3_000_000_000),
        ...opt('DR', 0, 15),
        ...opt('Freq', 100_000_000, 3_000_000_000),
        ...opt('xtime', 0, XTIME_MAX),
        ...opt('rctx', 0, XTIME_MAX),
        ...opt('gpstime', 0, XTIME_MAX),
        ...(typeof o.MuxTime === 'number' ? { MuxTime: o.MuxTime } : {}),
      } as DnmsgMsg;
    }
    case 'router_config': {
      const drs = o.DRs;
      if (!Array.isArray(drs) || drs.length > 16 || !drs.every((d) => Array.isArray(d) && d.length === 3))
        throw new LnsMessageError('DRs', 'expected up to 16 [SF, BW, dnonly] triples');
      const range = o.freq_range;
      if (!Array.isArray(range) || range.length !== 2 || !range.every((f) => typeof f === 'number'))
        throw new LnsMessageError('freq_range', 'expected [min, max] in Hz');
      return {
        msgtype: 'router_config',
        region: String(o.region ?? ''),
        hwspec: String(o.hwspec ?? ''),
        freq_range: range as [number, number],
        DRs: drs as [number, number, number][],
        ...(Array.isArray(o.sx1301_conf) ? { sx1301_conf: o.sx1301_conf as Record<string, unknown>[] } : {}),
        nocca: o.nocca === true,
        nodc: o.nodc === true,
        nodwell: o.nodwell === true,
        ...(typeof o.MuxTime === 'number' ? { MuxTime: o.MuxTime } : {}),
      };
    }
    case 'timesync':
      return {
        msgtype: 'timesync',
        ...(typeof o.txtime === 'number' ? { txtime: o.txtime } : {}),
        ...(typeof o.xtime === 'number' ? { xtime: o.xtime } : {}),
        gpstime: int(o, 'gpstime', 0, XTIME_MAX),
        ...(typeof o.MuxTime === 'number' ? { MuxTime: o.MuxTime } : {}),
      };
    default:
      throw new LnsMessageError(
        'msgtype',
        `not one an LNS sends: ${JSON.stringify(o.msgtype)?.slice(0, 40)}`,
      );
  }
}
