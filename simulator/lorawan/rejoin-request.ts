import type { EUI64, NetID } from '../../crypto/types.js';
import { ByteReader, checkBytes, checkUint } from './bytes.js';
import { CodecError, EncodeError } from './errors.js';
import { writeEuiLE } from './join-request.js';
import { encodeMHDR } from './mhdr.js';

/**
 * Rejoin-request (LoRaWAN 1.1 §6.2.4):
 * type 0/2: MHDR | RejoinType | NetID(3) | DevEUI(8) | RJcount0(2) | MIC  (19 bytes)
 * type 1:   MHDR | RejoinType | JoinEUI(8) | DevEUI(8) | RJcount1(2) | MIC  (24 bytes)
 */
export type RejoinRequest =
  | {
      mType: 'RejoinRequest';
      major: number;
      rejoinType: 0 | 2;
      netId: NetID;
      devEui: EUI64;
      rjCount: number;
      mic: Uint8Array;
    }
  | {
      mType: 'RejoinRequest';
      major: number;
      rejoinType: 1;
      joinEui: EUI64;
      devEui: EUI64;
      rjCount: number;
      mic: Uint8Array;
    };

export function decodeRejoinRequest(bytes: Uint8Array, major: number): RejoinRequest {
  const r = new ByteReader(bytes, 1);
  const rejoinType = r.u8('RejoinType');
  const expected = rejoinType === 1 ? 24 : 19;
  if (rejoinType > 2)
    throw new CodecError('RejoinType', 1, `must be 0, 1 or 2, got ${rejoinType}`, rejoinType);
  if (bytes.length !== expected) {
    throw new CodecError(
      'PHYPayload',
      0,
      `a type ${rejoinType} Rejoin-request is ${expected} bytes, got ${bytes.length}`,
    );
  }
  if (rejoinType === 1) {
    const joinEui = r.takeReversed(8, 'JoinEUI') as EUI64;
    const devEui = r.takeReversed(8, 'DevEUI') as EUI64;
    return {
      mType: 'RejoinRequest',
      major,
      rejoinType,
      joinEui,
      devEui,
      rjCount: r.u16('RJcount1'),
      mic: r.take(4, 'MIC'),
    };
  }
  const netId = r.u24('NetID') as NetID;
  const devEui = r.takeReversed(8, 'DevEUI') as EUI64;
  return {
    mType: 'RejoinRequest',
    major,
    rejoinType: rejoinType as 0 | 2,
    netId,
    devEui,
    rjCount: r.u16('RJcount0'),
    mic: r.take(4, 'MIC'),
  };
}

type Input<T> = T extends unknown
  ? Omit<T, 'mType' | 'major' | 'mic'> & { major?: number; mic?: Uint8Array }
  : never;
export type RejoinRequestInput = Input<RejoinRequest>;

export function encodeRejoinRequest(f: RejoinRequestInput): Uint8Array {
  const type1 = f.rejoinType === 1;
  if (f.rejoinType !== 0 && f.rejoinType !== 1 && f.rejoinType !== 2) {
    throw new EncodeError('RejoinType', f.rejoinType, '0, 1 or 2');
  }
  const buf = new Uint8Array(type1 ? 24 : 19);
  buf[0] = encodeMHDR('RejoinRequest', f.major ?? 0);
  buf[1] = f.rejoinType;
  let o = 2;
  if (f.rejoinType === 1) {
    writeEuiLE(buf, o, checkBytes('JoinEUI', f.joinEui, 8, 8));
    o += 8;
  } else {
    const n = checkUint('NetID', f.netId, 24);
    buf[o++] = n & 0xff;
    buf[o++] = (n >>> 8) & 0xff;
    buf[o++] = n >>> 16;
  }
  writeEuiLE(buf, o, checkBytes('DevEUI', f.devEui, 8, 8));
  o += 8;
  const c = checkUint('RJcount', f.rjCount, 16);
  buf[o++] = c & 0xff;
  buf[o++] = c >>> 8;
  if (f.mic !== undefined) buf.set(checkBytes('MIC', f.mic, 4, 4), o);
  return buf;
}
