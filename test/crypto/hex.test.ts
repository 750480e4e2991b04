import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../crypto/types.js';

describe('bytesToHex', () => {
  it('property: upper-case hex of every byte, short (table) or long (Buffer), of any view', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(8), (raw, cut) => {
        // A view into a larger buffer, as a datagram's EUI is.
        const view = raw.subarray(Math.min(cut, raw.length));
        expect(bytesToHex(view)).toBe(Buffer.from(view).toString('hex').toUpperCase());
      }),
      { numRuns: 2000 },
    );
  });

  it('reads back what hexToBytes wrote', () => {
    expect(bytesToHex(hexToBytes('00a0ff1234567890', 'eui', 8))).toBe('00A0FF1234567890');
  });
});
