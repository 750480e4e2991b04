import { CodecError, EncodeError } from '../errors.js';
import type { ByteReader } from '../bytes.js';
import { spec } from './codec.js';

// LoRaWAN 1.1 §16.1 DeviceMode: Class byte 0x00 = A, 0x02 = C (0x01 RFU; class B is not switched this way).
function readClass(r: ByteReader, field: string): 'A' | 'C' {
  const offset = r.offset;
  const v = r.u8(field);
  if (v === 0) return 'A';
  if (v === 2) return 'C';
  throw new CodecError(
    field,
    offset,
    `class must be 0x00 (A) or 0x02 (C), got 0x${v.toString(16).padStart(2, '0')}`,
    v,
  );
}

function classByte(field: string, c: 'A' | 'C'): number {
  if (c === 'A') return 0;
  if (c === 'C') return 2;
  throw new EncodeError(field, c, '"A" or "C"');
}

export const DeviceModeInd = spec({
  cid: 0x20,
  name: 'DeviceModeInd',
  direction: 'uplink',
  length: 1,
  since: '1.1',
  decode: (r) => ({ deviceClass: readClass(r, 'DeviceModeInd.Class') }),
  encode: (f, out, o) => {
    out[o] = classByte('DeviceModeInd.deviceClass', f.deviceClass);
  },
});
export const DeviceModeConf = spec({
  cid: 0x20,
  name: 'DeviceModeConf',
  direction: 'downlink',
  length: 1,
  since: '1.1',
  decode: (r) => ({ deviceClass: readClass(r, 'DeviceModeConf.Class') }),
  encode: (f, out, o) => {
    out[o] = classByte('DeviceModeConf.deviceClass', f.deviceClass);
  },
});
