import {
  joinAcceptMic10,
  joinAcceptMic11,
  joinRequestMic,
  rejoinRequestMic,
  type JoinReqType,
} from '../../crypto/join-crypto.js';
import { decryptJoinAccept, encryptJoinAccept } from '../../crypto/join-crypto.js';
import {
  cryptFOptsInPlace,
  cryptFRMPayloadInPlace,
  dataDownlinkMic11,
  dataMic10,
  dataUplinkMic11,
  type FOptsCounter,
} from '../../crypto/frame-crypto.js';
import type { AES128Key, Direction, EUI64 } from '../../crypto/types.js';
import { decodeDataFrame, encodeDataFrame, type DataFrame, type DataFrameInput } from './data-frame.js';
import { CodecError } from './errors.js';
import {
  decodeJoinAcceptPayload,
  encodeJoinAcceptFrame,
  encodePlainJoinAccept,
  type JoinAcceptPayload,
} from './join-accept.js';
import { encodeJoinRequest, type JoinRequestInput } from './join-request.js';
import { decodeMHDR, isUplinkData } from './mhdr.js';
import { encodeRejoinRequest, type RejoinRequestInput } from './rejoin-request.js';
import type { CryptoVersion } from './types.js';

/**
 * Session keys in LoRaWAN 1.1 names. A 1.0.x session has one NwkSKey, which plays all three network
 * roles (as LoRaMac-node and brocaar/lorawan model it): use sessionKeys10.
 */
export interface SessionKeys {
  fNwkSIntKey: AES128Key;
  sNwkSIntKey: AES128Key;
  nwkSEncKey: AES128Key;
  appSKey: AES128Key;
}

export function sessionKeys10(nwkSKey: AES128Key, appSKey: AES128Key): SessionKeys {
  return { fNwkSIntKey: nwkSKey, sNwkSIntKey: nwkSKey, nwkSEncKey: nwkSKey, appSKey };
}

/** What a data MIC needs beyond the frame bytes. */
export interface FrameSecurity {
  version: CryptoVersion;
  /** The full 32-bit counter of this frame (its low 16 bits are on air). */
  fCnt: number;
  /** 1.1, ACK set: the FCnt (mod 2^16) of the confirmed frame being acknowledged. */
  confFCnt?: number;
  /** 1.1 uplinks: data-rate index and channel index of this transmission (they enter B1). */
  txDr?: number;
  txCh?: number;
}

function direction(mType: DataFrameInput['mType']): Direction {
  return isUplinkData(mType) ? 'up' : 'down';
}

/** 1.1 FOpts keystream constant: FCntUp up; NFCntDown without FPort or FPort 0; AFCntDown otherwise. */
function fOptsCounter(dir: Direction, fPort: number | null): FOptsCounter {
  if (dir === 'up') return 'FCntUp';
  return fPort === null || fPort === 0 ? 'NFCntDown' : 'AFCntDown';
}

/**
 * Computes the MIC over frame[0, length - 4) and writes it to `out[outOffset…]`: in place for a frame
 * being built, into a scratch array for a frame being checked.
 */
function computeMic(
  frame: Uint8Array,
  dir: Direction,
  devAddr: number,
  keys: SessionKeys,
  sec: FrameSecurity,
  out: Uint8Array,
  outOffset: number,
): void {
  const len = frame.length - 4;
  if (sec.version === '1.0') {
    dataMic10(
      dir === 'up' ? keys.fNwkSIntKey : keys.sNwkSIntKey,
      dir,
      devAddr,
      sec.fCnt,
      frame,
      len,
      out,
      outOffset,
    );
    return;
  }
  // ConfFCnt enters the MIC only when the frame carries ACK (1.1 §4.4); the caller sets it then.
  const confFCnt = sec.confFCnt ?? 0;
  if (dir === 'up') {
    const { fNwkSIntKey: f, sNwkSIntKey: s } = keys;
    dataUplinkMic11(
      f,
      s,
      confFCnt,
      sec.txDr ?? 0,
      sec.txCh ?? 0,
      devAddr,
      sec.fCnt,
      frame,
      len,
      out,
      outOffset,
    );
  } else {
    dataDownlinkMic11(keys.sNwkSIntKey, confFCnt, devAddr, sec.fCnt, frame, len, out, outOffset);
  }
}

const micScratch = new Uint8Array(4);

/**
 * Builds a secured data frame from plaintext FOpts and FRMPayload: encrypts FRMPayload (AppSKey, or
 * NwkSEncKey on FPort 0), encrypts FOpts in 1.1, and appends the MIC. `frame.fCnt` may be the full
 * counter; `sec.fCnt` is what the crypto uses.
 */
export function buildDataFrame(frame: DataFrameInput, keys: SessionKeys, sec: FrameSecurity): Uint8Array {
  const buf = encodeDataFrame(frame);
  const dir = direction(frame.mType);
  const addr = frame.devAddr;
  const fOptsEnd = 8 + frame.fOpts.length;
  if (frame.fPort !== null && frame.frmPayload.length > 0) {
    const key = frame.fPort === 0 ? keys.nwkSEncKey : keys.appSKey;
    cryptFRMPayloadInPlace(key, dir, addr, sec.fCnt, buf, fOptsEnd + 1, buf.length - 4);
  }
  if (sec.version === '1.1' && frame.fOpts.length > 0) {
    cryptFOptsInPlace(keys.nwkSEncKey, dir, addr, sec.fCnt, fOptsCounter(dir, frame.fPort), buf, 8, fOptsEnd);
  }
  buildDataFrameMic(buf, dir, addr, keys, sec);
  return buf;
}

/** Writes the MIC into the last 4 bytes of an otherwise finished (encrypted) data frame. */
export function buildDataFrameMic(
  buf: Uint8Array,
  dir: Direction,
  devAddr: number,
  keys: SessionKeys,
  sec: FrameSecurity,
): void {
  computeMic(buf, dir, devAddr, keys, sec, buf, buf.length - 4);
}

export interface OpenedDataFrame {
  /** The frame as on air (FOpts and FRMPayload still encrypted where they were). */
  frame: DataFrame;
  /** FOpts in clear (1.1 decrypted; 1.0 as sent). */
  fOpts: Uint8Array;
  /** FRMPayload in clear. */
  frmPayload: Uint8Array;
  micValid: boolean;
}

/** Checks the MIC of a decoded data frame. A mismatch is a value, not an exception. */
export function dataFrameMicValid(
  bytes: Uint8Array,
  frame: DataFrame,
  keys: SessionKeys,
  sec: FrameSecurity,
): boolean {
  computeMic(bytes, direction(frame.mType), frame.devAddr, keys, sec, micScratch, 0);
  return micEquals(micScratch, bytes);
}

/** Decodes, verifies and decrypts a data frame. Throws CodecError only when the bytes are not a data frame. */
export function openDataFrame(bytes: Uint8Array, keys: SessionKeys, sec: FrameSecurity): OpenedDataFrame {
  if (bytes.length === 0) throw new CodecError('PHYPayload', 0, 'is empty');
  // No radio carries more (PHYPayload ≤ 255 bytes); the AES layer would refuse it untyped.
  if (bytes.length > 255) throw new CodecError('PHYPayload', 255, `is ${bytes.length} bytes, at most 255`);
  const { mType, major } = decodeMHDR(bytes[0]!);
  if (
    mType === 'JoinRequest' ||
    mType === 'JoinAccept' ||
    mType === 'RejoinRequest' ||
    mType === 'Proprietary'
  ) {
    throw new CodecError('MHDR.MType', 0, `expected a data frame, got ${mType}`, mType);
  }
  const frame = decodeDataFrame(bytes, mType, major);
  const micValid = dataFrameMicValid(bytes, frame, keys, sec);
  const dir = direction(frame.mType);
  const fOpts = Uint8Array.from(frame.fOpts);
  if (sec.version === '1.1' && fOpts.length > 0) {
    cryptFOptsInPlace(
      keys.nwkSEncKey,
      dir,
      frame.devAddr,
      sec.fCnt,
      fOptsCounter(dir, frame.fPort),
      fOpts,
      0,
      fOpts.length,
    );
  }
  const frmPayload = Uint8Array.from(frame.frmPayload);
  if (frame.fPort !== null && frmPayload.length > 0) {
    const key = frame.fPort === 0 ? keys.nwkSEncKey : keys.appSKey;
    cryptFRMPayloadInPlace(key, dir, frame.devAddr, sec.fCnt, frmPayload, 0, frmPayload.length);
  }
  return { frame, fOpts, frmPayload, micValid };
}

// --- Join procedure -------------------------------------------------------------------------------

/** A Join-request with its MIC: key = AppKey (1.0.x) or NwkKey (1.1). */
export function buildJoinRequest(f: JoinRequestInput, key: AES128Key): Uint8Array {
  const buf = encodeJoinRequest(f);
  buf.set(joinRequestMic(key, buf.subarray(0, 19)), 19);
  return buf;
}

export function joinRequestMicValid(bytes: Uint8Array, key: AES128Key): boolean {
  return micEquals(joinRequestMic(key, bytes.subarray(0, bytes.length - 4)), bytes);
}

/** A Rejoin-request with its MIC: key = SNwkSIntKey (types 0, 2) or JSIntKey (type 1). */
export function buildRejoinRequest(f: RejoinRequestInput, key: AES128Key): Uint8Array {
  const buf = encodeRejoinRequest(f);
  buf.set(rejoinRequestMic(key, buf.subarray(0, buf.length - 4)), buf.length - 4);
  return buf;
}

export function rejoinRequestMicValid(bytes: Uint8Array, key: AES128Key): boolean {
  return micEquals(rejoinRequestMic(key, bytes.subarray(0, bytes.length - 4)), bytes);
}

/**
 * Context of an OptNeg Join-accept MIC (LoRaWAN 1.1 §6.2.3): which request it answers, that
 * request's JoinEUI, and its DevNonce (or RJcount for a rejoin).
 */
export interface JoinAcceptMicContext {
  joinReqType: JoinReqType;
  joinEui: EUI64;
  devNonce: number;
}

/**
 * Network side: MIC then encrypt a Join-accept. With `dlSettings.optNeg` set (1.1 network answering a
 * 1.1 device) `micKey` is JSIntKey and `ctx` is required; otherwise `micKey` is AppKey (1.0) / NwkKey.
 * `encKey`: AppKey (1.0), NwkKey (1.1 answer to a Join-request), JSEncKey (answer to a rejoin).
 */
export function buildJoinAccept(
  payload: JoinAcceptPayload,
  encKey: AES128Key,
  micKey: AES128Key,
  ctx?: JoinAcceptMicContext,
): Uint8Array {
  const plain = encodePlainJoinAccept(payload);
  const signed = plain.subarray(0, plain.length - 4);
  plain.set(joinAcceptMicFor(payload.dlSettings.optNeg, signed, micKey, ctx), plain.length - 4);
  return encodeJoinAcceptFrame({ encrypted: encryptJoinAccept(encKey, plain.subarray(1)) });
}

function joinAcceptMicFor(
  optNeg: boolean,
  signed: Uint8Array,
  micKey: AES128Key,
  ctx: JoinAcceptMicContext | undefined,
): Uint8Array {
  if (!optNeg) return joinAcceptMic10(micKey, signed);
  if (ctx === undefined) {
    throw new CodecError(
      'JoinAccept',
      0,
      'an OptNeg Join-accept MIC needs JoinReqType, JoinEUI and DevNonce',
    );
  }
  return joinAcceptMic11(micKey, ctx.joinReqType, ctx.joinEui, ctx.devNonce, signed);
}

export interface OpenedJoinAccept {
  payload: JoinAcceptPayload;
  mic: Uint8Array;
  /** MHDR | fields: what the MIC covers (after the OptNeg prefix, when there is one). */
  signed: Uint8Array;
}

/** Device side: decrypts a Join-accept PHYPayload (AppKey in 1.0, NwkKey or JSEncKey in 1.1). */
export function openJoinAccept(bytes: Uint8Array, key: AES128Key): OpenedJoinAccept {
  if (bytes.length !== 17 && bytes.length !== 33) {
    throw new CodecError('PHYPayload', 0, `a Join-accept is 17 or 33 bytes, got ${bytes.length}`);
  }
  const { mType } = decodeMHDR(bytes[0]!);
  if (mType !== 'JoinAccept')
    throw new CodecError('MHDR.MType', 0, `expected JoinAccept, got ${mType}`, mType);
  const plain = new Uint8Array(bytes.length);
  plain[0] = bytes[0]!;
  plain.set(decryptJoinAccept(key, bytes.subarray(1)), 1);
  return {
    payload: decodeJoinAcceptPayload(plain, 1, plain.length - 4),
    mic: plain.slice(plain.length - 4),
    signed: plain.subarray(0, plain.length - 4),
  };
}

/**
 * Verifies an opened Join-accept: with OptNeg the key is JSIntKey and `ctx` is needed (without it the
 * MIC cannot be checked and the answer is false); without OptNeg the key is AppKey / NwkKey.
 */
export function joinAcceptMicValid(
  opened: OpenedJoinAccept,
  micKey: AES128Key,
  ctx?: JoinAcceptMicContext,
): boolean {
  if (opened.payload.dlSettings.optNeg && ctx === undefined) return false;
  return micEquals(
    joinAcceptMicFor(opened.payload.dlSettings.optNeg, opened.signed, micKey, ctx),
    opened.mic,
  );
}

/**
 * A Join-accept opened by its receiver, and its MIC checked: the one way lorafleet opens one
 * (LoRaWAN 1.0.4 §6.2.6, 1.1 §6.2.3). A 1.0 receiver ignores OptNeg (an RFU bit to it); a 1.1 one
 * checks an OptNeg accept with JSIntKey over the request it answers — `micValid` is null when the
 * caller lacks that key or request.
 */
export function openJoinAcceptAs(
  bytes: Uint8Array,
  receiver: {
    version: '1.0' | '1.1';
    /** 1.0: AppKey; 1.1: NwkKey for a Join-request, JSEncKey for a Rejoin-request. */
    decryptKey: AES128Key;
    /** The MIC key of an accept without OptNeg: AppKey (1.0) or NwkKey (1.1). */
    micKey: AES128Key;
    jsIntKey?: AES128Key | undefined;
  },
  request?: JoinAcceptMicContext,
): { opened: OpenedJoinAccept; optNeg: boolean; micValid: boolean | null } {
  const opened = openJoinAccept(bytes, receiver.decryptKey);
  const optNeg = receiver.version === '1.1' && opened.payload.dlSettings.optNeg;
  if (!optNeg)
    return {
      opened,
      optNeg,
      micValid: micEquals(joinAcceptMicFor(false, opened.signed, receiver.micKey, undefined), opened.mic),
    };
  if (receiver.jsIntKey === undefined || request === undefined) return { opened, optNeg, micValid: null };
  return { opened, optNeg, micValid: joinAcceptMicValid(opened, receiver.jsIntKey, request) };
}

function micEquals(mic: Uint8Array, frameOrMic: Uint8Array): boolean {
  const o = frameOrMic.length - 4;
  return (
    mic[0] === frameOrMic[o] &&
    mic[1] === frameOrMic[o + 1] &&
    mic[2] === frameOrMic[o + 2] &&
    mic[3] === frameOrMic[o + 3]
  );
}
