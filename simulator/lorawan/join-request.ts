import type { EUI64 } from '../../crypto/types.js';
import { ByteReader, checkBytes, checkUint } from './bytes.js';
import { CodecError } from './errors.js';
import { encodeMHDR } from './mhdr.js';

/** Join-request: MHDR | JoinEUI(8) | DevEUI(8) | DevNonce(2) | MIC (LoRaWAN 1.1 §6.2.2). */
export interface JoinRequest {
  mType: 'JoinRequest';
  major: number;
  joinEui: EUI64;
  devEui: EUI64;
  devNonce: number;
  mic: Uint8Array;
}

export const JOIN_REQUEST_LENGTH = 23;

export function decodeJoinRequest(bytes: Uint8Array, major: number): JoinRequest {
  if (bytes.length !== JOIN_REQUEST_LENGTH) {
    throw new CodecError(
      'PHYPayload',
      0,
      `a Join-request is ${JOIN_REQUEST_LENGTH} bytes, got ${bytes.length}`,
    );
  }
  const r = new ByteReader(bytes, 1);
  return {
    mType: 'JoinRequest',
    major,
    joinEui: r.takeReversed(8, 'JoinEUI') as EUI64,
    devEui: r.takeReversed(8, 'DevEUI') as EUI64,
    devNonce: r.u16('DevNonce'),
    mic: r.take(4, 'MIC'),
  };
}

export type JoinRequestInput = Omit<JoinRequest, 'mType' | 'major' | 'mic'> & {
  major?: number;
  mic?: Uint8Array;
};

/** The 23 bytes; the MIC covers the first 19. */
export function encodeJoinRequest(f: JoinRequestInput): Uint8Array {
  const buf = new Uint8Array(JOIN_REQUEST_LENGTH);
  buf[0] = encodeMHDR('JoinRequest', f.major ?? 0);
  writeEuiLE(buf, 1, checkBytes('JoinEUI', f.joinEui, 8, 8));
  writeEuiLE(buf, 9, checkBytes('DevEUI', f.devEui, 8, 8));
  const n = checkUint('DevNonce', f.devNonce, 16);
  buf[17] = n & 0xff;
  buf[18] = n >>> 8;
  if (f.mic !== undefined) buf.set(checkBytes('MIC', f.mic, 4, 4), 19);
  return buf;
}

export function writeEuiLE(buf: Uint8Array, offset: number, eui: Uint8Array): void {
  for (let i = 0; i < 8; i++) buf[offset + i] = eui[7 - i]!;
}
