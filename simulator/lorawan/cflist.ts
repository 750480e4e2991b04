import { checkUint, type ByteReader } from './bytes.js';
import { EncodeError } from './errors.js';

/**
 * CFList, the optional 16 bytes at the end of a Join-accept (RP002-1.0.x §2.x, LoRaWAN 1.1 §6.2.3).
 * Type 0 lists up to five extra uplink channel frequencies (channel 3..7 in EU-like regions);
 * type 1 carries channel masks (US915/AU915/CN470). Other types are RFU: kept as bytes, not applied.
 */
export type CFList =
  | { type: 'frequencies'; frequencies: number[] }
  | { type: 'channel-mask'; chMasks: number[] }
  | { type: 'rfu'; cfListType: number; bytes: Uint8Array };

export const CFLIST_LENGTH = 16;

export function decodeCFList(r: ByteReader): CFList {
  r.need(CFLIST_LENGTH, 'CFList');
  const start = r.offset;
  const cfListType = r.bytes[start + 15]!;
  if (cfListType === 0) {
    const frequencies: number[] = [];
    for (let i = 0; i < 5; i++) frequencies.push(r.u24(`CFList.Freq${i}`) * 100);
    r.offset = start + CFLIST_LENGTH;
    return { type: 'frequencies', frequencies };
  }
  if (cfListType === 1) {
    const chMasks: number[] = [];
    for (let i = 0; i < 6; i++) chMasks.push(r.u16(`CFList.ChMask${i}`));
    r.offset = start + CFLIST_LENGTH;
    return { type: 'channel-mask', chMasks };
  }
  return { type: 'rfu', cfListType, bytes: r.take(CFLIST_LENGTH, 'CFList') };
}

export function encodeCFList(c: CFList): Uint8Array {
  const out = new Uint8Array(CFLIST_LENGTH);
  switch (c.type) {
    case 'frequencies': {
      if (c.frequencies.length > 5)
        throw new EncodeError('CFList.frequencies', c.frequencies, 'at most 5 entries');
      c.frequencies.forEach((hz, i) => {
        if (!Number.isInteger(hz) || hz % 100 !== 0) {
          throw new EncodeError(`CFList.frequencies[${i}]`, hz, 'a frequency in Hz, a multiple of 100');
        }
        const v = checkUint(`CFList.frequencies[${i}]`, hz / 100, 24);
        out[i * 3] = v & 0xff;
        out[i * 3 + 1] = (v >>> 8) & 0xff;
        out[i * 3 + 2] = (v >>> 16) & 0xff;
      });
      out[15] = 0;
      return out;
    }
    case 'channel-mask': {
      if (c.chMasks.length > 6) throw new EncodeError('CFList.chMasks', c.chMasks, 'at most 6 masks');
      c.chMasks.forEach((m, i) => {
        checkUint(`CFList.chMasks[${i}]`, m, 16);
        out[i * 2] = m & 0xff;
        out[i * 2 + 1] = m >>> 8;
      });
      out[15] = 1;
      return out;
    }
    case 'rfu':
      if (c.bytes.length !== CFLIST_LENGTH) throw new EncodeError('CFList.bytes', c.bytes.length, '16 bytes');
      return Uint8Array.from(c.bytes);
  }
}

/** Channel indices a type-1 CFList enables (bit n of ChMask k = channel 16k + n). */
export function enabledChannels(chMasks: readonly number[]): number[] {
  const out: number[] = [];
  chMasks.forEach((m, k) => {
    for (let n = 0; n < 16; n++) if (m & (1 << n)) out.push(16 * k + n);
  });
  return out;
}
