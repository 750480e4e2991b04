import { AesCmac } from 'aes-cmac';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aes128Decrypt, aes128Encrypt, aesCmac, type AES128Key } from '../../crypto/index.js';
import { forgeCmac } from '../helpers/forge-cmac.js';
import { bytes, key } from '../helpers/arbitraries.js';
import { toHex } from '../helpers/vectors.js';

describe('AES-CMAC against independent implementations', () => {
  it('equals aes-cmac (WebCrypto) on random keys and messages of every length 0–64', async () => {
    for (let len = 0; len <= 64; len++) {
      const samples = fc.sample(fc.tuple(key, bytes(len, len)), { numRuns: 3, seed: 4493 + len });
      for (const [k, msg] of samples) {
        const theirs = await new AesCmac(k).calculate(msg);
        expect(toHex(aesCmac(k, msg)), `length ${len}`).toBe(toHex(theirs));
      }
    }
  });

  it('equals an RFC 4493 CMAC on node-forge AES for every length 0–64', () => {
    fc.assert(
      fc.property(
        key,
        fc.nat({ max: 64 }).chain((n) => bytes(n, n)),
        (k, msg) => {
          expect(toHex(aesCmac(k, msg))).toBe(toHex(forgeCmac(k, msg)));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('gives the same tag however calls on different keys interleave', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat({ max: 2 }), bytes(0, 40)), { minLength: 1, maxLength: 30 }),
        key,
        key,
        key,
        (ops, a, b, c) => {
          const keys = [a, b, c];
          for (const [i, msg] of ops)
            expect(toHex(aesCmac(keys[i]!, msg))).toBe(toHex(forgeCmac(keys[i]!, msg)));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('with a prefix block equals CMAC of the concatenation', () => {
    fc.assert(
      fc.property(key, bytes(16, 16), bytes(0, 64), (k, prefix, msg) => {
        const joined = Uint8Array.from([...prefix, ...msg]);
        expect(toHex(aesCmac(k, msg, prefix))).toBe(toHex(forgeCmac(k, joined)));
      }),
    );
  });
});

describe('AES-128 block functions', () => {
  it('decrypt inverts encrypt for any number of blocks', () => {
    fc.assert(
      fc.property(
        key,
        fc.integer({ min: 1, max: 8 }).chain((n) => bytes(16 * n, 16 * n)),
        (k, blocks) => {
          expect(toHex(aes128Decrypt(k, aes128Encrypt(k, blocks)))).toBe(toHex(blocks));
        },
      ),
    );
  });

  it('rejects a key that is not 16 bytes and data that is not whole blocks, with typed errors', () => {
    expect(() => aes128Encrypt(new Uint8Array(15) as AES128Key, new Uint8Array(16))).toThrowError(
      expect.objectContaining({ code: 'LORAFLEET_CRYPTO_INPUT' }),
    );
    expect(() => aes128Encrypt(new Uint8Array(16) as AES128Key, new Uint8Array(17))).toThrowError(
      /multiple of 16/,
    );
  });
});
