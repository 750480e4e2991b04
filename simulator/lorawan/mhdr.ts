import { CodecError, EncodeError } from './errors.js';

/** MType, bits 7..5 of the MHDR (LoRaWAN 1.1 §4.2.1 Table 1). Value 6 is RFU before 1.1. */
export const MTYPES = [
  'JoinRequest',
  'JoinAccept',
  'UnconfirmedDataUp',
  'UnconfirmedDataDown',
  'ConfirmedDataUp',
  'ConfirmedDataDown',
  'RejoinRequest',
  'Proprietary',
] as const;
export type MType = (typeof MTYPES)[number];

export type DataUpMType = 'UnconfirmedDataUp' | 'ConfirmedDataUp';
export type DataDownMType = 'UnconfirmedDataDown' | 'ConfirmedDataDown';

const MTYPE_VALUE: Record<MType, number> = Object.fromEntries(MTYPES.map((m, i) => [m, i])) as Record<
  MType,
  number
>;

export function mTypeValue(mType: MType): number {
  const v = MTYPE_VALUE[mType];
  if (v === undefined) throw new EncodeError('MHDR.MType', mType, `one of ${MTYPES.join(', ')}`);
  return v;
}

export interface MHDR {
  mType: MType;
  /** Major (bits 1..0): 0 = LoRaWAN R1; other values are RFU and must be rejected by receivers. */
  major: number;
}

export function decodeMHDR(byte: number): MHDR {
  if ((byte & 0x1c) !== 0) {
    throw new CodecError(
      'MHDR.RFU',
      0,
      `bits 4..2 must be 0, MHDR is 0x${byte.toString(16).padStart(2, '0')}`,
      byte,
    );
  }
  return { mType: MTYPES[byte >>> 5]!, major: byte & 0x03 };
}

export function encodeMHDR(mType: MType, major = 0): number {
  if (!Number.isInteger(major) || major < 0 || major > 3)
    throw new EncodeError('MHDR.Major', major, '0 to 3');
  return (mTypeValue(mType) << 5) | major;
}

export function isUplinkData(m: MType): m is DataUpMType {
  return m === 'UnconfirmedDataUp' || m === 'ConfirmedDataUp';
}

export function isDownlinkData(m: MType): m is DataDownMType {
  return m === 'UnconfirmedDataDown' || m === 'ConfirmedDataDown';
}
