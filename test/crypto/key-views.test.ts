import { AesCmac } from 'aes-cmac';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aes128Decrypt, aes128Encrypt, aes128Key, aes128Keys, aesCmac } from '../../crypto/index.js';
import { CryptoInputError } from '../../crypto/errors.js';
import { bytes, key } from '../helpers/arbitraries.js';
import { forgeCmac } from '../helpers/forge-cmac.js';
import { toHex } from '../helpers/vectors.js';

// Keys that are views of one buffer (aes128Keys): the embedded network keeps a session's keys so.
describe('keys sharing one buffer give the bytes of keys made one by one', () => {
  it('property: ECB both ways and CMAC equal separate keys, aes-cmac and node-forge, whatever the neighbours', async () => {
    const samples = fc.sample(
      fc.tuple(fc.array(key, { minLength: 1, maxLength: 4 }), bytes(0, 64), bytes(16, 16)),
      {
        numRuns: 60,
        seed: 11,
      },
    );
    for (const [ks, msg, block] of samples) {
      const views = aes128Keys(ks, ['a', 'b', 'c', 'd']);
      expect(views).toHaveLength(ks.length);
      for (let i = 0; i < ks.length; i++) {
        const one = aes128Key(ks[i]!);
        const v = views[i]!;
        expect(toHex(v)).toBe(toHex(one));
        expect(toHex(aesCmac(v, msg))).toBe(toHex(aesCmac(one, msg)));
        expect(toHex(aesCmac(v, msg))).toBe(toHex(await new AesCmac(ks[i]!).calculate(msg)));
        expect(toHex(aesCmac(v, msg))).toBe(toHex(forgeCmac(ks[i]!, msg)));
        expect(toHex(aes128Encrypt(v, block))).toBe(toHex(aes128Encrypt(one, block)));
        expect(toHex(aes128Decrypt(v, block))).toBe(toHex(aes128Decrypt(one, block)));
      }
    }
  });

  it('copies what it is given: changing the source later changes no key', () => {
    const src = new Uint8Array(16).fill(7);
    const [k] = aes128Keys([src, '000102030405060708090A0B0C0D0E0F'], ['f', 'app']);
    src.fill(0);
    expect(toHex(k!)).toBe('07'.repeat(16).toUpperCase());
  });

  it('names the field of a value that is no key', () => {
    expect(() => aes128Keys(['00', '00'.repeat(16)], ['session.keys.f_nwk_s_int_key.key', 'x'])).toThrow(
      CryptoInputError,
    );
    expect(() => aes128Keys(['00'.repeat(16), 'zz'], ['f', 'session.keys.app_s_key.key'])).toThrow(
      /session\.keys\.app_s_key\.key/,
    );
  });
});
