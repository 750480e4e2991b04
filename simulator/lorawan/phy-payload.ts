import { ByteReader } from './bytes.js';
import { decodeDataFrame, encodeDataFrame, type DataFrame, type DataFrameInput } from './data-frame.js';
import { CodecError, EncodeError } from './errors.js';
import { decodeJoinAcceptFrame, encodeJoinAcceptFrame, type JoinAcceptFrame } from './join-accept.js';
import {
  decodeJoinRequest,
  encodeJoinRequest,
  type JoinRequest,
  type JoinRequestInput,
} from './join-request.js';
import { decodeMHDR, encodeMHDR } from './mhdr.js';
import {
  decodeRejoinRequest,
  encodeRejoinRequest,
  type RejoinRequest,
  type RejoinRequestInput,
} from './rejoin-request.js';

/** Proprietary frame (MType 111): an opaque payload; the last 4 bytes are read as a MIC. */
export interface Proprietary {
  mType: 'Proprietary';
  major: number;
  payload: Uint8Array;
  mic: Uint8Array;
}

/** Any LoRaWAN PHYPayload, discriminated on `mType` (and on `rejoinType` for rejoins). */
export type PHYPayload = JoinRequest | JoinAcceptFrame | RejoinRequest | DataFrame | Proprietary;

/** The largest PHYPayload any region allows is 255 bytes (LoRa's maximum). */
export const MAX_PHY_PAYLOAD = 255;

/**
 * Decodes the structure of a PHYPayload, no keys needed. Throws only CodecError, whatever the input:
 * the network side feeds it bytes from the air.
 */
export function decodePHYPayload(bytes: Uint8Array): PHYPayload {
  if (!(bytes instanceof Uint8Array)) throw new CodecError('PHYPayload', 0, 'expected bytes');
  if (bytes.length === 0) throw new CodecError('PHYPayload', 0, 'is empty');
  if (bytes.length > MAX_PHY_PAYLOAD) {
    throw new CodecError(
      'PHYPayload',
      MAX_PHY_PAYLOAD,
      `is at most ${MAX_PHY_PAYLOAD} bytes, got ${bytes.length}`,
    );
  }
  const { mType, major } = decodeMHDR(bytes[0]!);
  switch (mType) {
    case 'JoinRequest':
      return decodeJoinRequest(bytes, major);
    case 'JoinAccept':
      return decodeJoinAcceptFrame(bytes, major);
    case 'RejoinRequest':
      return decodeRejoinRequest(bytes, major);
    case 'Proprietary': {
      if (bytes.length < 5) throw new CodecError('PHYPayload', 0, `a proprietary frame is at least 5 bytes`);
      const r = new ByteReader(bytes, 1);
      return { mType, major, payload: r.take(bytes.length - 5, 'payload'), mic: r.take(4, 'MIC') };
    }
    default:
      return decodeDataFrame(bytes, mType, major);
  }
}

type ProprietaryInput = { mType: 'Proprietary'; major?: number; payload: Uint8Array; mic?: Uint8Array };
export type PHYPayloadInput =
  | ({ mType: 'JoinRequest' } & JoinRequestInput)
  | { mType: 'JoinAccept'; major?: number; encrypted: Uint8Array }
  | ({ mType: 'RejoinRequest' } & RejoinRequestInput)
  | DataFrameInput
  | ProprietaryInput;

/** Encodes a PHYPayload's structure as given (no encryption, MIC copied from the input or left zero). */
export function encodePHYPayload(p: PHYPayloadInput): Uint8Array {
  switch (p.mType) {
    case 'JoinRequest':
      return encodeJoinRequest(p);
    case 'JoinAccept':
      return encodeJoinAcceptFrame(p);
    case 'RejoinRequest':
      return encodeRejoinRequest(p);
    case 'Proprietary': {
      const out = new Uint8Array(1 + p.payload.length + 4);
      out[0] = encodeMHDR('Proprietary', p.major ?? 0);
      out.set(p.payload, 1);
      if (p.mic !== undefined) out.set(p.mic.subarray(0, 4), out.length - 4);
      if (out.length > MAX_PHY_PAYLOAD) throw new EncodeError('PHYPayload', out.length, 'at most 255 bytes');
      return out;
    }
    default:
      return encodeDataFrame(p);
  }
}
