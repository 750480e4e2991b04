import type { DevAddr, NetID } from '../../crypto/types.js';
import { ByteReader, checkBytes, checkUint } from './bytes.js';
import { decodeCFList, encodeCFList, type CFList } from './cflist.js';
import { CodecError, EncodeError } from './errors.js';
import { encodeMHDR } from './mhdr.js';

/** A Join-accept as carried on air: MHDR in clear, then 16 or 32 encrypted bytes (MIC inside). */
export interface JoinAcceptFrame {
  mType: 'JoinAccept';
  major: number;
  encrypted: Uint8Array;
}

/** DLSettings (LoRaWAN 1.1 §6.2.3): OptNeg (1.1; RFU in 1.0.x), RX1DROffset, RX2 data rate. */
export interface DLSettings {
  optNeg: boolean;
  rx1DrOffset: number;
  rx2DataRate: number;
}

/** The decrypted Join-accept fields: JoinNonce | NetID | DevAddr | DLSettings | RxDelay | [CFList]. */
export interface JoinAcceptPayload {
  joinNonce: number;
  netId: NetID;
  devAddr: DevAddr;
  dlSettings: DLSettings;
  /** The RxDelay byte; bits 3..0 are Del (seconds, 0 meaning 1), bits 7..4 RFU. See rxDelaySeconds. */
  rxDelay: number;
  cfList?: CFList;
}

/** RX1 delay in seconds from an RxDelay / RXTimingSetupReq byte: Del 0 means 1 s. */
export function rxDelaySeconds(rxDelay: number): number {
  return rxDelay & 0x0f || 1;
}

export function decodeJoinAcceptFrame(bytes: Uint8Array, major: number): JoinAcceptFrame {
  if (bytes.length !== 17 && bytes.length !== 33) {
    throw new CodecError('PHYPayload', 0, `a Join-accept is 17 or 33 bytes, got ${bytes.length}`);
  }
  return { mType: 'JoinAccept', major, encrypted: bytes.slice(1) };
}

export function encodeJoinAcceptFrame(f: { encrypted: Uint8Array; major?: number }): Uint8Array {
  const enc = f.encrypted;
  if (!(enc instanceof Uint8Array) || (enc.length !== 16 && enc.length !== 32)) {
    throw new EncodeError(
      'JoinAccept.encrypted',
      enc instanceof Uint8Array ? enc.length : enc,
      '16 or 32 bytes',
    );
  }
  const out = new Uint8Array(1 + enc.length);
  out[0] = encodeMHDR('JoinAccept', f.major ?? 0);
  out.set(enc, 1);
  return out;
}

/** Decodes the 12 (or 28, with CFList) plaintext bytes that follow the MHDR. */
export function decodeJoinAcceptPayload(
  bytes: Uint8Array,
  offset = 0,
  end = bytes.length,
): JoinAcceptPayload {
  const len = end - offset;
  if (len !== 12 && len !== 28) {
    throw new CodecError('JoinAcceptPayload', offset, `is 12 or 28 bytes, got ${len}`);
  }
  const r = new ByteReader(bytes, offset, end);
  const joinNonce = r.u24('JoinNonce');
  const netId = r.u24('NetID') as NetID;
  const devAddr = r.u32('DevAddr') as DevAddr;
  const dl = r.u8('DLSettings');
  const rxDelay = r.u8('RxDelay');
  const payload: JoinAcceptPayload = {
    joinNonce,
    netId,
    devAddr,
    dlSettings: { optNeg: (dl & 0x80) !== 0, rx1DrOffset: (dl >>> 4) & 0x07, rx2DataRate: dl & 0x0f },
    rxDelay,
  };
  if (r.remaining > 0) payload.cfList = decodeCFList(r);
  return payload;
}

export function encodeDLSettings(d: DLSettings): number {
  checkUint('DLSettings.rx1DrOffset', d.rx1DrOffset, 3);
  checkUint('DLSettings.rx2DataRate', d.rx2DataRate, 4);
  return (d.optNeg ? 0x80 : 0) | (d.rx1DrOffset << 4) | d.rx2DataRate;
}

export function encodeJoinAcceptPayload(p: JoinAcceptPayload): Uint8Array {
  const out = new Uint8Array(p.cfList === undefined ? 12 : 28);
  const jn = checkUint('JoinNonce', p.joinNonce, 24);
  const nid = checkUint('NetID', p.netId, 24);
  const addr = checkUint('DevAddr', p.devAddr, 32);
  out.set([jn & 0xff, (jn >>> 8) & 0xff, jn >>> 16, nid & 0xff, (nid >>> 8) & 0xff, nid >>> 16], 0);
  out.set([addr & 0xff, (addr >>> 8) & 0xff, (addr >>> 16) & 0xff, addr >>> 24], 6);
  out[10] = encodeDLSettings(p.dlSettings);
  out[11] = checkUint('RxDelay', p.rxDelay, 8);
  if (p.cfList !== undefined) out.set(encodeCFList(p.cfList), 12);
  return out;
}

/**
 * A Join-accept in clear, as the network builds it before encryption: MHDR | payload | MIC.
 * Returns the whole PHYPayload; the MIC (when given) fills the last 4 bytes.
 */
export function encodePlainJoinAccept(p: JoinAcceptPayload, mic?: Uint8Array, major = 0): Uint8Array {
  const payload = encodeJoinAcceptPayload(p);
  const out = new Uint8Array(1 + payload.length + 4);
  out[0] = encodeMHDR('JoinAccept', major);
  out.set(payload, 1);
  if (mic !== undefined) out.set(checkBytes('MIC', mic, 4, 4), out.length - 4);
  return out;
}

export function decodePlainJoinAccept(bytes: Uint8Array): { payload: JoinAcceptPayload; mic: Uint8Array } {
  if (bytes.length !== 17 && bytes.length !== 33) {
    throw new CodecError('PHYPayload', 0, `a Join-accept is 17 or 33 bytes, got ${bytes.length}`);
  }
  return { payload: decodeJoinAcceptPayload(bytes, 1, bytes.length - 4), mic: bytes.slice(bytes.length - 4) };
}
