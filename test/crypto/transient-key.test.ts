import { AesCmac } from 'aes-cmac';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  aes128Decrypt,
  aes128Encrypt,
  aes128Key,
  aesCmac,
  cryptFRMPayload,
  dataMic10,
  dataUplinkMic11,
  devAddr,
  rekeyTransient,
  transientKey,
} from '../../crypto/index.js';
import { buildDataFrame, sessionKeys10 } from '../../simulator/lorawan/index.js';
import { bytes, devAddr as anyDevAddr, fCnt32, key, sessionKeys } from '../helpers/arbitraries.js';
import { forgeCmac } from '../helpers/forge-cmac.js';
import { hex, loadVectors, toHex } from '../helpers/vectors.js';

type V = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// Transient keys: one ECB cipher per key object, no CBC cipher, no cache entry (a million-device fleet).
describe('transient keys give the bytes of cached ones', () => {
  it('data-mic.json: the published MICs', () => {
    const vectors = loadVectors<V>('data-mic').filter(
      (v) => v.function === 'dataMic10Up' || v.function === 'dataMic11Up',
    );
    expect(vectors.length).toBeGreaterThan(0);
    for (const v of vectors) {
      const msg = hex(v.msg);
      const mic =
        v.function === 'dataMic10Up'
          ? dataMic10(transientKey(hex(v.nwkSKey)), 'up', devAddr(v.devAddr), v.fCnt, msg)
          : dataUplinkMic11(
              transientKey(hex(v.fNwkSIntKey)),
              transientKey(hex(v.sNwkSIntKey)),
              v.confFCnt,
              v.txDr,
              v.txCh,
              devAddr(v.devAddr),
              v.fCnt,
              msg,
            );
      expect(toHex(mic), v.description).toBe(v.expectedMic);
    }
  });

  it('frmpayload.json: the published ciphertexts', () => {
    for (const v of loadVectors<V>('frmpayload')) {
      const out = cryptFRMPayload(
        transientKey(hex(v.key)),
        v.direction,
        devAddr(v.devAddr),
        v.fCnt,
        hex(v.plaintext),
      );
      expect(toHex(out), v.description).toBe(v.ciphertext);
    }
  });

  it('CMAC equals aes-cmac (WebCrypto) and node-forge for every length 0–64', async () => {
    for (let len = 0; len <= 64; len++) {
      for (const [k, msg] of fc.sample(fc.tuple(key, bytes(len, len)), { numRuns: 2, seed: 77 + len })) {
        const t = transientKey(k);
        const mine = toHex(aesCmac(t, msg));
        expect(mine, `length ${len}`).toBe(toHex(await new AesCmac(k).calculate(msg)));
        expect(mine, `length ${len}`).toBe(toHex(forgeCmac(k, msg)));
      }
    }
  });

  it('property: CMAC, with prefix block, and ECB agree with cached keys, however the two interleave', () => {
    fc.assert(
      fc.property(key, bytes(0, 80), bytes(16, 16), fc.boolean(), (k, msg, prefix, cachedFirst) => {
        const cached = aes128Key(k);
        const a = () => toHex(aesCmac(cached, msg, prefix));
        const b = () => toHex(aesCmac(transientKey(k), msg, prefix));
        const [x, y] = cachedFirst ? [a(), b()] : [b(), a()];
        expect(x).toBe(y);
        // The same transient key object used twice: its schedule starts each MAC from zero.
        const t = transientKey(k);
        expect(toHex(aesCmac(t, msg))).toBe(toHex(aesCmac(t, msg)));
        const block = prefix;
        expect(toHex(aes128Encrypt(transientKey(k), block))).toBe(toHex(aes128Encrypt(cached, block)));
        expect(toHex(aes128Decrypt(transientKey(k), block))).toBe(toHex(aes128Decrypt(cached, block)));
      }),
      { numRuns: 300 },
    );
  });

  it('property: whole data frames (1.0 and 1.1) are byte-identical', () => {
    fc.assert(
      fc.property(
        sessionKeys,
        anyDevAddr,
        fCnt32,
        fc.integer({ min: 1, max: 223 }),
        bytes(0, 51),
        fc.boolean(),
        (keys, addr, fCnt, fPort, payload, v11) => {
          const frame = {
            mType: 'UnconfirmedDataUp' as const,
            devAddr: addr,
            fCtrl: { adr: true },
            fCnt: fCnt & 0xffff,
            fOpts: new Uint8Array(0),
            fPort,
            frmPayload: payload,
          };
          const sec = v11
            ? { version: '1.1' as const, fCnt, confFCnt: 0, txDr: 5, txCh: 2 }
            : { version: '1.0' as const, fCnt };
          const ks = v11 ? keys : sessionKeys10(keys.fNwkSIntKey, keys.appSKey);
          const t = {
            fNwkSIntKey: transientKey(ks.fNwkSIntKey),
            sNwkSIntKey: transientKey(ks.sNwkSIntKey),
            nwkSEncKey: transientKey(ks.nwkSEncKey),
            appSKey: transientKey(ks.appSKey),
          };
          expect(toHex(buildDataFrame(frame, t, sec))).toBe(toHex(buildDataFrame(frame, ks, sec)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rekeyed, a transient key forgets its old schedule: the MAC is that of the new bytes', () => {
    fc.assert(
      fc.property(key, key, bytes(0, 40), (a, b, msg) => {
        const t = transientKey(a);
        expect(toHex(aesCmac(t, msg))).toBe(toHex(aesCmac(aes128Key(a), msg)));
        rekeyTransient(t, b);
        expect(toHex(aesCmac(t, msg))).toBe(toHex(aesCmac(aes128Key(b), msg)));
        expect(toHex(aes128Encrypt(t, new Uint8Array(16)))).toBe(
          toHex(aes128Encrypt(aes128Key(b), new Uint8Array(16))),
        );
      }),
      { numRuns: 100 },
    );
    // A cached key is never mutated: its cipher cache would go stale.
    expect(() => rekeyTransient(aes128Key(new Uint8Array(16)), new Uint8Array(16))).toThrow(
      /made by transientKey/,
    );
  });

  it('refuses a key of the wrong length, as aes128Key does', () => {
    expect(() => transientKey(new Uint8Array(15))).toThrow(/16-byte AES-128 key/);
  });
});
