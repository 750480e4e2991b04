import { describe, expect, it } from 'vitest';
import { CryptoInputError } from '../../crypto/errors.js';
import { ByteSlab } from '../../simulator/device/byte-slab.js';

describe('ByteSlab', () => {
  it('gives EUIs and keys as views of shared chunks, holding the values given', () => {
    const slab = new ByteSlab(64);
    const eui = slab.eui64('0102030405060708');
    const [a, b] = slab.aes128Keys(
      ['00112233445566778899AABBCCDDEEFF', new Uint8Array(16).fill(7)],
      ['appKey', 'nwkKey'],
    );
    expect([...eui]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(Buffer.from(a!).toString('hex')).toBe('00112233445566778899aabbccddeeff');
    expect([...b!]).toEqual(new Array(16).fill(7));
    // One chunk of 64 bytes holds all three: no buffer a value.
    expect(eui.buffer).toBe(a!.buffer);
    expect(b!.buffer).toBe(a!.buffer);
    expect([eui.byteOffset, a!.byteOffset, b!.byteOffset]).toEqual([0, 8, 24]);
  });

  it('starts a new chunk when a value does not fit, leaving the earlier views as they were', () => {
    const slab = new ByteSlab(40);
    const [a, b, c] = slab.aes128Keys(['11'.repeat(16), '22'.repeat(16), '33'.repeat(16)], ['a', 'b', 'c']);
    expect(c!.buffer).not.toBe(a!.buffer);
    expect(b!.buffer).toBe(a!.buffer);
    expect([a![0], b![15], c![0]]).toEqual([0x11, 0x22, 0x33]);
  });

  it('copies bytes it is given: changing them later does not change the key', () => {
    const src = new Uint8Array(16).fill(1);
    const [k] = new ByteSlab().aes128Keys([src], ['appKey']);
    src[0] = 9;
    expect(k![0]).toBe(1);
  });

  it('refuses a value of the wrong size, naming the field', () => {
    const slab = new ByteSlab();
    expect(() => slab.eui64('0102', 'devEui')).toThrow(CryptoInputError);
    expect(() => slab.eui64('0102', 'devEui')).toThrow(/devEui/);
    expect(() => slab.aes128Keys(['00'], ['appSKey'])).toThrow(/appSKey/);
  });
});
