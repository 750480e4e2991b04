import type { DevAddr } from '../../crypto/types.js';
import { ByteReader, checkBytes, checkUint } from './bytes.js';
import { CodecError, EncodeError } from './errors.js';
import {
  decodeDownlinkFCtrl,
  decodeUplinkFCtrl,
  encodeDownlinkFCtrl,
  encodeUplinkFCtrl,
  type DownlinkFCtrl,
  type UplinkFCtrl,
} from './fctrl.js';
import { encodeMHDR, isUplinkData, type DataDownMType, type DataUpMType } from './mhdr.js';

/**
 * Data frames: MHDR | FHDR | [FPort | FRMPayload] | MIC (LoRaWAN 1.1 §4.3).
 * FHDR = DevAddr(4) | FCtrl(1) | FCnt(2, low 16 bits) | FOpts(0..15).
 *
 * These are the bytes as carried: `fOpts` and `frmPayload` are whatever is on air (encrypted where
 * the version encrypts them). frame-security.ts turns plaintext into these and back.
 */
interface DataFrameCommon {
  major: number;
  devAddr: DevAddr;
  /** The 16 bits on air. */
  fCnt: number;
  fOpts: Uint8Array;
  /** null when the frame carries no FPort (and so no FRMPayload). */
  fPort: number | null;
  frmPayload: Uint8Array;
  mic: Uint8Array;
}

export interface UplinkDataFrame extends DataFrameCommon {
  mType: DataUpMType;
  fCtrl: UplinkFCtrl;
}

export interface DownlinkDataFrame extends DataFrameCommon {
  mType: DataDownMType;
  fCtrl: DownlinkFCtrl;
}

export type DataFrame = UplinkDataFrame | DownlinkDataFrame;

/** MHDR + FHDR without FOpts + MIC. */
export const MIN_DATA_FRAME_LENGTH = 12;
/** FPort 224 is the LoRaWAN test/certification port; 225..255 are RFU (1.1 §4.3.2). */
export const FPORT_TEST = 224;

/** What an FPort carries (LoRaWAN 1.1 §4.3.2): 0 MAC commands, 1..223 application data, 224 the test protocol. */
export type FPortUse = 'none' | 'mac-commands' | 'application' | 'test' | 'rfu';

export function fPortUse(fPort: number | null): FPortUse {
  if (fPort === null) return 'none';
  if (fPort === 0) return 'mac-commands';
  if (fPort < FPORT_TEST) return 'application';
  return fPort === FPORT_TEST ? 'test' : 'rfu';
}

export function decodeDataFrame(
  bytes: Uint8Array,
  mType: DataUpMType | DataDownMType,
  major: number,
): DataFrame {
  if (bytes.length < MIN_DATA_FRAME_LENGTH) {
    throw new CodecError(
      'PHYPayload',
      bytes.length,
      `a data frame is at least ${MIN_DATA_FRAME_LENGTH} bytes, got ${bytes.length}`,
    );
  }
  const end = bytes.length - 4;
  const r = new ByteReader(bytes, 1, end);
  const devAddr = r.u32('FHDR.DevAddr') as DevAddr;
  const fCtrlByte = r.u8('FHDR.FCtrl');
  const fCnt = r.u16('FHDR.FCnt');
  const fOptsLen = fCtrlByte & 0x0f;
  const fOpts = r.take(fOptsLen, 'FHDR.FOpts');
  let fPort: number | null = null;
  let frmPayload: Uint8Array = new Uint8Array(0);
  if (r.remaining > 0) {
    const portOffset = r.offset;
    fPort = r.u8('FPort');
    // 1.1 §4.3.1.6: MAC commands go in FOpts or in an FPort-0 FRMPayload, never both.
    if (fPort === 0 && fOptsLen > 0) {
      throw new CodecError('FPort', portOffset, 'FPort 0 with FOpts present is not allowed', fPort);
    }
    frmPayload = r.take(r.remaining, 'FRMPayload');
  }
  const mic = bytes.slice(end);
  const common = { major, devAddr, fCnt, fOpts, fPort, frmPayload, mic };
  return isUplinkData(mType)
    ? { mType, fCtrl: decodeUplinkFCtrl(fCtrlByte), ...common }
    : { mType, fCtrl: decodeDownlinkFCtrl(fCtrlByte), ...common };
}

/** Fields for encoding: FCtrl's FOptsLen is taken from `fOpts`; fCnt may be the full 32-bit counter. */
export type DataFrameInput =
  | (Omit<UplinkDataFrame, 'fCtrl' | 'major' | 'mic'> & {
      fCtrl: Partial<UplinkFCtrl>;
      major?: number;
      mic?: Uint8Array;
    })
  | (Omit<DownlinkDataFrame, 'fCtrl' | 'major' | 'mic'> & {
      fCtrl: Partial<DownlinkFCtrl>;
      major?: number;
      mic?: Uint8Array;
    });

export function dataFrameLength(f: {
  fOpts: Uint8Array;
  fPort: number | null;
  frmPayload: Uint8Array;
}): number {
  return MIN_DATA_FRAME_LENGTH + f.fOpts.length + (f.fPort === null ? 0 : 1 + f.frmPayload.length);
}

/**
 * Writes MHDR | FHDR | [FPort | FRMPayload] into a new buffer with 4 bytes left for the MIC (filled
 * with `mic` when given). Returns the buffer; the MIC input is `buf.subarray(0, buf.length - 4)`.
 */
export function encodeDataFrame(f: DataFrameInput): Uint8Array {
  checkUint('FHDR.DevAddr', f.devAddr, 32);
  checkUint('FHDR.FCnt', f.fCnt, 32);
  checkBytes('FHDR.FOpts', f.fOpts, 0, 15);
  if (f.fPort === null) {
    if (f.frmPayload.length > 0)
      throw new EncodeError('FPort', null, 'an FPort when FRMPayload is not empty');
  } else {
    checkUint('FPort', f.fPort, 8);
    if (f.fPort === 0 && f.fOpts.length > 0) throw new EncodeError('FPort', 0, 'FOpts empty when FPort is 0');
  }
  const buf = new Uint8Array(dataFrameLength(f));
  if (buf.length > 255) throw new EncodeError('PHYPayload', buf.length, 'at most 255 bytes');
  buf[0] = encodeMHDR(f.mType, f.major ?? 0);
  const a = f.devAddr;
  buf[1] = a & 0xff;
  buf[2] = (a >>> 8) & 0xff;
  buf[3] = (a >>> 16) & 0xff;
  buf[4] = (a >>> 24) & 0xff;
  buf[5] = isUplinkData(f.mType)
    ? encodeUplinkFCtrl(f.fCtrl as Partial<UplinkFCtrl>, f.fOpts.length)
    : encodeDownlinkFCtrl(f.fCtrl as Partial<DownlinkFCtrl>, f.fOpts.length);
  buf[6] = f.fCnt & 0xff;
  buf[7] = (f.fCnt >>> 8) & 0xff;
  buf.set(f.fOpts, 8);
  let o = 8 + f.fOpts.length;
  if (f.fPort !== null) {
    buf[o++] = f.fPort;
    buf.set(f.frmPayload, o);
  }
  if (f.mic !== undefined) buf.set(checkBytes('MIC', f.mic, 4, 4), buf.length - 4);
  return buf;
}
