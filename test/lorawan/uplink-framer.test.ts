import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDataFrame, sessionKeys10, UplinkFramer } from '../../simulator/lorawan/index.js';
import { bytes, devAddr, sessionKeys } from '../helpers/arbitraries.js';

describe('UplinkFramer', () => {
  it('builds the same bytes as buildDataFrame for a session of consecutive and skipped counters', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('1.0' as const, '1.1' as const),
        sessionKeys,
        devAddr,
        fc.nat({ max: 0xffffffff - 25 * 40 }),
        fc.array(
          fc.record({
            step: fc.oneof(fc.constant(1), fc.nat({ max: 40 })),
            confirmed: fc.boolean(),
            fOpts: bytes(0, 15),
            fPort: fc.option(fc.nat({ max: 223 }), { nil: null }),
            payload: bytes(0, 80),
            txDr: fc.nat({ max: 15 }),
            txCh: fc.nat({ max: 15 }),
          }),
          { minLength: 1, maxLength: 25 },
        ),
        (version, k, addr, start, frames) => {
          const keys = version === '1.0' ? sessionKeys10(k.fNwkSIntKey, k.appSKey) : k;
          const framer = new UplinkFramer(keys, version, addr);
          let fCnt = start;
          for (const f of frames) {
            fCnt += f.step;
            const fOpts = f.fPort === 0 ? new Uint8Array(0) : f.fOpts;
            const frmPayload = f.fPort === null ? new Uint8Array(0) : f.payload;
            const fields = {
              confirmed: f.confirmed,
              fCnt,
              fCtrl: { adr: true },
              fOpts,
              fPort: f.fPort,
              frmPayload,
              txDr: f.txDr,
              txCh: f.txCh,
            };
            const expected = buildDataFrame(
              {
                mType: f.confirmed ? 'ConfirmedDataUp' : 'UnconfirmedDataUp',
                devAddr: addr,
                fCtrl: { adr: true },
                fCnt,
                fOpts,
                fPort: f.fPort,
                frmPayload,
              },
              keys,
              { version, fCnt, txDr: f.txDr, txCh: f.txCh },
            );
            expect(framer.build(fields)).toEqual(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
