import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cryptFRMPayload, frmPayloadKeystreams } from '../../crypto/index.js';
import { devAddr, key } from '../helpers/arbitraries.js';

describe('frmPayloadKeystreams', () => {
  it('equal one-frame encryption at every counter', () => {
    fc.assert(
      fc.property(
        key,
        devAddr,
        fc.nat({ max: 0xffffffff - 20 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 4 }),
        (k, addr, first, count, blocks) => {
          const ks = frmPayloadKeystreams(k, 'up', addr, first, count, blocks);
          for (let j = 0; j < count; j++) {
            const zero = new Uint8Array(blocks * 16);
            expect(ks.subarray(j * blocks * 16, (j + 1) * blocks * 16)).toEqual(
              cryptFRMPayload(k, 'up', addr, first + j, zero),
            );
          }
        },
      ),
    );
  });
});
