import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CryptoInputError } from '../../crypto/errors.js';
import type { DevAddr } from '../../crypto/types.js';
import { ByteSlab, slabDevEui } from '../../simulator/device/byte-slab.js';
import { buildUplink, sessionKeys10 } from '../../simulator/lorawan/index.js';
import { bytes, sessionKeys } from '../helpers/arbitraries.js';

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

describe('ByteSlab session keys', () => {
  const hex = (k: Uint8Array) => Buffer.from(k).toString('hex');

  it('read back as the keys given; a 1.0 device has one network key in three roles', () => {
    const slab = new ByteSlab(64);
    const k10 = slab.sessionKeys(['11'.repeat(16), '22'.repeat(16)], ['nwkSKey', 'appSKey']);
    expect([hex(k10.fNwkSIntKey), hex(k10.appSKey)]).toEqual(['11'.repeat(16), '22'.repeat(16)]);
    expect(k10.sNwkSIntKey).toBe(k10.fNwkSIntKey);
    expect(k10.nwkSEncKey).toBe(k10.fNwkSIntKey);
    const k11 = slab.sessionKeys(
      ['a1'.repeat(16), 'a2'.repeat(16), 'a3'.repeat(16), 'a4'.repeat(16)],
      ['fNwkSIntKey', 'sNwkSIntKey', 'nwkSEncKey', 'appSKey'],
    );
    // Past the first chunk's 64 bytes: a new chunk holds all four together.
    expect([k11.fNwkSIntKey, k11.sNwkSIntKey, k11.nwkSEncKey, k11.appSKey].map(hex)).toEqual(
      ['a1', 'a2', 'a3', 'a4'].map((b) => b.repeat(16)),
    );
    expect(hex(k10.appSKey)).toBe('22'.repeat(16));
  });

  it('keep a DevEUI beside the keys when given one, read as a view of the slab', () => {
    const slab = new ByteSlab(64);
    const plain = slab.sessionKeys(['11'.repeat(16), '22'.repeat(16)], ['nwkSKey', 'appSKey']);
    const withEui = slab.sessionKeys(['33'.repeat(16), '44'.repeat(16)], ['nwkSKey', 'appSKey'], {
      value: '70B3D57ED0000001',
      field: 'devEui',
    });
    expect(slabDevEui(plain)).toBeUndefined();
    expect(slabDevEui(sessionKeys10(plain.fNwkSIntKey, plain.appSKey))).toBeUndefined();
    const eui = slabDevEui(withEui)!;
    expect(hex(eui)).toBe('70b3d57ed0000001');
    expect([hex(withEui.fNwkSIntKey), hex(withEui.appSKey)]).toEqual(['33'.repeat(16), '44'.repeat(16)]);
    expect(() =>
      slab.sessionKeys(['33'.repeat(16), '44'.repeat(16)], ['nwkSKey', 'appSKey'], {
        value: '70B3',
        field: 'devEui',
      }),
    ).toThrow(/devEui/);
  });

  it('refuses a wrong count or a bad key, naming the field', () => {
    const slab = new ByteSlab();
    expect(() => slab.sessionKeys(['11'.repeat(16)], ['nwkSKey'])).toThrow(RangeError);
    expect(() => slab.sessionKeys(['11'.repeat(16), '22'], ['nwkSKey', 'appSKey'])).toThrow(/appSKey/);
  });

  it('frame what keys of their own frame, devices interleaved frame by frame', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('1.0' as const, '1.1' as const), sessionKeys), {
          minLength: 2,
          maxLength: 5,
        }),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 0xffff }), bytes(0, 40)), { minLength: 1, maxLength: 30 }),
        (devices, frames) => {
          const slab = new ByteSlab(80); // small chunks: devices spread over several
          const own = devices.map(([v, k]) => (v === '1.0' ? sessionKeys10(k.fNwkSIntKey, k.appSKey) : k));
          // Every other device with its DevEUI kept beside its keys.
          const eui = (i: number) =>
            i % 2 === 1 ? { value: new Uint8Array(8).fill(i), field: 'devEui' } : undefined;
          const fromSlab = devices.map(([v, k], i) =>
            v === '1.0'
              ? slab.sessionKeys([k.fNwkSIntKey, k.appSKey], ['nwkSKey', 'appSKey'], eui(i))
              : slab.sessionKeys(
                  [k.fNwkSIntKey, k.sNwkSIntKey, k.nwkSEncKey, k.appSKey],
                  ['fNwkSIntKey', 'sNwkSIntKey', 'nwkSEncKey', 'appSKey'],
                  eui(i),
                ),
          );
          for (const [pick, fCnt, payload] of frames) {
            const i = pick % devices.length;
            const v = devices[i]![0];
            const f = {
              confirmed: false,
              fCnt,
              fCtrl: {},
              fOpts: new Uint8Array(0),
              fPort: 1,
              frmPayload: payload,
            };
            const addr = (0x26000000 + i) as DevAddr;
            expect(hex(buildUplink(fromSlab[i]!, v, addr, f))).toBe(hex(buildUplink(own[i]!, v, addr, f)));
          }
        },
      ),
    );
  });
});
