import { createCipheriv } from 'node:crypto';
import fc from 'fast-check';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { expandKey128 } from '../../crypto/aes-block.js';
import {
  cmacSubkeys,
  KEY_SCHEDULES_KEPT,
  keySchedule,
  rekeyTransient,
  transientKey,
} from '../../crypto/aes.js';
import { aes128Encrypt, aes128Key, aesCmac, cryptFRMPayload, type AES128Key } from '../../crypto/index.js';
import { bytes, devAddr, fCnt32, key } from '../helpers/arbitraries.js';
import { hex, loadVectors, toHex } from '../helpers/vectors.js';

type V = Record<string, string>;

const nodeEcb = (k: Uint8Array, blocks: Uint8Array) =>
  createCipheriv('aes-128-ecb', k, null).setAutoPadding(false).update(blocks);

// node-forge pads the last block (PKCS#7) on finish: with whole blocks in, the extra block is dropped.
const forgeEcb = (k: Uint8Array, blocks: Uint8Array) => {
  const c = forge.cipher.createCipher('AES-ECB', forge.util.createBuffer(Buffer.from(k).toString('binary')));
  c.start();
  c.update(forge.util.createBuffer(Buffer.from(blocks).toString('binary')));
  c.finish();
  return Uint8Array.from(Buffer.from(c.output.getBytes(), 'binary').subarray(0, blocks.length));
};

const wordsHex = (w: Int32Array) => Array.from(w, (x) => (x >>> 0).toString(16).padStart(8, '0')).join('');

describe('aes.json (FIPS-197, SP 800-38A, RFC 4493)', () => {
  const vectors = loadVectors<V>('aes');
  it.each(vectors.map((v) => [v.description!, v]))('%s', (_d, v) => {
    const k = hex(v.key!) as AES128Key;
    if (v.function === 'aes128Encrypt') {
      expect(toHex(aes128Encrypt(k, hex(v.plaintext!)))).toBe(v.ciphertext);
      if (v.lastRoundKey) expect(wordsHex(expandKey128(k).subarray(40))).toBe(v.lastRoundKey);
    } else {
      expect(toHex(aesCmac(k, hex(v.msg!)))).toBe(v.mac);
      if (v.k1) {
        const sub = cmacSubkeys(keySchedule(transientKey(k)));
        expect(wordsHex(sub.subarray(0, 4))).toBe(v.k1);
        expect(wordsHex(sub.subarray(4))).toBe(v.k2);
      }
    }
  });
});

describe('AES-128 blocks against independent implementations', () => {
  const blocks = fc.integer({ min: 1, max: 6 }).chain((n) => bytes(16 * n, 16 * n));

  it('equals node:crypto (OpenSSL) and node-forge ECB for random keys and blocks', () => {
    fc.assert(
      fc.property(key, blocks, (k, b) => {
        const ours = toHex(aes128Encrypt(k, b));
        expect(ours).toBe(toHex(nodeEcb(k, b)));
        expect(ours).toBe(toHex(forgeEcb(k, b)));
      }),
      { numRuns: 300 },
    );
  });

  it('a transient key rekeyed from any offset of a larger buffer encrypts as a fresh key of those bytes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(bytes(16, 48), fc.nat(32)), { minLength: 1, maxLength: 12 }),
        blocks,
        (rekeys, b) => {
          const t = transientKey(new Uint8Array(16));
          for (const [buf, at] of rekeys) {
            const offset = at % (buf.length - 15);
            rekeyTransient(t, buf, offset);
            const fresh = buf.slice(offset, offset + 16);
            expect(toHex(aes128Encrypt(t, b))).toBe(toHex(nodeEcb(fresh, b)));
            expect(toHex(aesCmac(t, b))).toBe(toHex(aesCmac(fresh as AES128Key, b)));
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('keeps a bounded number of schedules: a key whose schedule left encrypts as before, and one held stays right', () => {
    const first = aes128Key(Uint8Array.from({ length: 16 }, (_, i) => i));
    const held = keySchedule(first);
    const block = Uint8Array.from({ length: 16 }, (_, i) => 255 - i);
    const before = toHex(aes128Encrypt(first, block));
    // More keys than are kept: the first one's schedule leaves the cache.
    const k = new Uint8Array(16);
    for (let i = 0; i <= KEY_SCHEDULES_KEPT; i++) {
      new DataView(k.buffer).setUint32(0, i + 1);
      aesCmac(aes128Key(k), block);
    }
    expect(keySchedule(first)).not.toBe(held);
    expect(toHex(aes128Encrypt(first, block))).toBe(before);
    expect(before).toBe(toHex(nodeEcb(first, block)));
    // The schedule that left was not given to another key.
    expect(wordsHex(held.rk)).toBe(wordsHex(expandKey128(first)));
  });

  it('refuses key bytes that run past the buffer, naming the offset', () => {
    const t = transientKey(new Uint8Array(16));
    expect(() => rekeyTransient(t, new Uint8Array(20), 5)).toThrow(/16 key bytes from offset 5/);
    expect(() => rekeyTransient(t, new Uint8Array(20), -1)).toThrow(/offset -1/);
  });

  it('FRMPayload keystream equals A_i blocks (LoRaWAN 1.1 §4.3.3.1) encrypted by OpenSSL', () => {
    fc.assert(
      fc.property(key, devAddr, fCnt32, fc.boolean(), bytes(1, 255), (k, addr, fCnt, up, payload) => {
        const n = Math.ceil(payload.length / 16);
        const a = Buffer.alloc(16 * n);
        for (let i = 0; i < n; i++) {
          a[16 * i] = 0x01;
          a[16 * i + 5] = up ? 0 : 1;
          a.writeUInt32LE(addr, 16 * i + 6);
          a.writeUInt32LE(fCnt, 16 * i + 10);
          a[16 * i + 15] = i + 1;
        }
        const s = nodeEcb(k, a);
        const expected = payload.map((p, i) => p ^ s[i]!);
        expect(toHex(cryptFRMPayload(k, up ? 'up' : 'down', addr, fCnt, payload))).toBe(toHex(expected));
      }),
      { numRuns: 300 },
    );
  });
});
