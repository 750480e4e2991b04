import fc from 'fast-check';
import { LoraPacket } from '../helpers/lora-packet.js';
import { describe, expect, it } from 'vitest';
import {
  buildDataFrame,
  buildJoinAccept,
  buildJoinRequest,
  decodePHYPayload,
  openDataFrame,
  openJoinAccept,
  joinAcceptMicValid,
  joinRequestMicValid,
  sessionKeys10,
  type DataFrameInput,
  type SessionKeys,
} from '../../simulator/lorawan/index.js';
import { bytes, devAddr, eui, fCnt32, key, netId, sessionKeys } from '../helpers/arbitraries.js';
import { toHex } from '../helpers/vectors.js';

const buf = (b: Uint8Array) => Buffer.from(b);
const be32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
/** lora-packet takes the upper 16 bits of FCnt in on-air (little-endian) order. */
const fCntMsb = (fCnt: number) => Buffer.from([(fCnt >>> 16) & 0xff, (fCnt >>> 24) & 0xff]);

interface Case {
  version: '1.0' | '1.1';
  uplink: boolean;
  confirmed: boolean;
  keys: SessionKeys;
  devAddr: number;
  fCnt: number;
  adr: boolean;
  ack: boolean;
  confFCnt: number;
  txDr: number;
  txCh: number;
  fOpts: Uint8Array;
  fPort: number | null;
  payload: Uint8Array;
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    version: fc.constantFrom('1.0' as const, '1.1' as const),
    uplink: fc.boolean(),
    confirmed: fc.boolean(),
    keys: sessionKeys,
    devAddr,
    fCnt: fCnt32,
    adr: fc.boolean(),
    ack: fc.boolean(),
    confFCnt: fc.nat({ max: 0xffff }),
    txDr: fc.nat({ max: 15 }),
    txCh: fc.nat({ max: 255 }),
    fOpts: bytes(0, 15),
    fPort: fc.option(fc.nat({ max: 223 }), { nil: null }),
    payload: bytes(1, 64),
  })
  .map((c) => {
    const keys = c.version === '1.0' ? sessionKeys10(c.keys.fNwkSIntKey, c.keys.appSKey) : c.keys;
    const fOpts = c.fPort === 0 ? new Uint8Array(0) : c.fOpts;
    const payload = c.fPort === null ? new Uint8Array(0) : c.payload;
    // ConfFCnt is only part of the MIC when ACK is set in a 1.1 frame.
    const confFCnt = c.version === '1.1' && c.ack ? c.confFCnt : 0;
    return { ...c, keys, fOpts, payload, confFCnt };
  });

function frameOf(c: Case): DataFrameInput {
  const common = {
    devAddr: c.devAddr as never,
    fCnt: c.fCnt,
    fOpts: c.fOpts,
    fPort: c.fPort,
    frmPayload: c.payload,
  };
  return c.uplink
    ? {
        mType: c.confirmed ? 'ConfirmedDataUp' : 'UnconfirmedDataUp',
        fCtrl: { adr: c.adr, ack: c.ack },
        ...common,
      }
    : {
        mType: c.confirmed ? 'ConfirmedDataDown' : 'UnconfirmedDataDown',
        fCtrl: { adr: c.adr, ack: c.ack },
        ...common,
      };
}

function loraPacketVerifies(c: Case, phy: Uint8Array): boolean {
  const p = LoraPacket.fromWire(buf(phy));
  const k = c.keys;
  if (c.version === '1.0') return LoraPacket.verifyMIC(p, buf(k.fNwkSIntKey), undefined, fCntMsb(c.fCnt));
  if (c.uplink) {
    // lora-packet byte-swaps the ConfFCnt it is given for uplinks (its own convention).
    const conf = Buffer.from([c.confFCnt >>> 8, c.confFCnt & 0xff, c.txDr, c.txCh]);
    return LoraPacket.verifyMIC(p, buf(k.fNwkSIntKey), buf(k.sNwkSIntKey), fCntMsb(c.fCnt), conf);
  }
  const conf = Buffer.from([c.confFCnt & 0xff, c.confFCnt >>> 8]);
  return LoraPacket.verifyMIC(p, buf(k.sNwkSIntKey), buf(k.sNwkSIntKey), fCntMsb(c.fCnt), conf);
}

describe('differential against lora-packet', () => {
  it('frames lorafleet builds are accepted by lora-packet: MIC verifies, payload and FOpts decrypt to the same bytes', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const phy = buildDataFrame(frameOf(c), c.keys, c);
        expect(loraPacketVerifies(c, phy)).toBe(true);
        const tampered = Uint8Array.from(phy);
        tampered[tampered.length - 1]! ^= 0x01;
        expect(loraPacketVerifies(c, tampered)).toBe(false);
        const p = LoraPacket.fromWire(buf(phy));
        if (c.fPort !== null) {
          const plain = LoraPacket.decrypt(p, buf(c.keys.appSKey), buf(c.keys.nwkSEncKey), fCntMsb(c.fCnt));
          expect(toHex(plain)).toBe(toHex(c.payload));
        }
        if (c.version === '1.1' && c.fOpts.length > 0) {
          expect(toHex(p.decryptFOpts(buf(c.keys.nwkSEncKey), undefined, fCntMsb(c.fCnt)))).toBe(
            toHex(c.fOpts),
          );
        } else {
          expect(toHex(p.FOpts ?? Buffer.alloc(0))).toBe(toHex(c.fOpts));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('frames lora-packet builds decode, verify and decrypt with lorafleet', () => {
    // lora-packet encrypts FOpts only through a separate call that re-MICs 1.1 uplinks the 1.0 way,
    // so its 1.1 frames here carry no FOpts; FOpts encryption is covered in the other direction.
    const arb = caseArb
      .filter((c) => c.fPort !== null && c.fPort > 0)
      .map((c) => (c.version === '1.1' ? { ...c, fOpts: new Uint8Array(0) } : c));
    fc.assert(
      fc.property(arb, (c) => {
        const k = c.keys;
        const mType = frameOf(c).mType;
        const fields = {
          MType:
            mType === 'UnconfirmedDataUp'
              ? 'Unconfirmed Data Up'
              : mType === 'ConfirmedDataUp'
                ? 'Confirmed Data Up'
                : mType === 'UnconfirmedDataDown'
                  ? 'Unconfirmed Data Down'
                  : 'Confirmed Data Down',
          DevAddr: be32(c.devAddr),
          FCtrl: { ADR: c.adr, ACK: c.ack },
          FCnt: c.fCnt & 0xffff,
          FOpts: buf(c.fOpts),
          FPort: c.fPort!,
          payload: buf(c.payload),
        };
        let packet;
        if (c.version === '1.0') {
          packet = LoraPacket.fromFields(
            fields,
            buf(k.appSKey),
            buf(k.fNwkSIntKey),
            undefined,
            fCntMsb(c.fCnt),
          );
        } else if (c.uplink) {
          const conf = Buffer.from([c.confFCnt >>> 8, c.confFCnt & 0xff, c.txDr, c.txCh]);
          packet = LoraPacket.fromFields(
            fields,
            buf(k.appSKey),
            buf(k.fNwkSIntKey),
            buf(k.sNwkSIntKey),
            fCntMsb(c.fCnt),
            conf,
          );
        } else {
          const conf = Buffer.from([c.confFCnt & 0xff, c.confFCnt >>> 8]);
          packet = LoraPacket.fromFields(
            fields,
            buf(k.appSKey),
            buf(k.sNwkSIntKey),
            buf(k.sNwkSIntKey),
            fCntMsb(c.fCnt),
            conf,
          );
        }
        const phy = Uint8Array.from(packet.getPHYPayload()!);
        const opened = openDataFrame(phy, k, c);
        expect(opened.micValid).toBe(true);
        expect(toHex(opened.frmPayload)).toBe(toHex(c.payload));
        expect(toHex(opened.fOpts)).toBe(toHex(c.fOpts));
        expect(opened.frame.devAddr).toBe(c.devAddr);
        expect(opened.frame.fCnt).toBe(c.fCnt & 0xffff);
        expect(opened.frame.fCtrl.adr).toBe(c.adr);
      }),
      { numRuns: 300 },
    );
  });

  it('Join-requests agree both ways', () => {
    fc.assert(
      fc.property(key, eui, eui, fc.nat({ max: 0xffff }), (appKey, joinEui, devEui, devNonce) => {
        const ours = buildJoinRequest({ joinEui, devEui, devNonce }, appKey);
        const theirs = LoraPacket.fromFields(
          {
            MType: 'Join Request',
            AppEUI: buf(joinEui),
            DevEUI: buf(devEui),
            DevNonce: Buffer.from([devNonce >> 8, devNonce & 0xff]),
          },
          undefined,
          undefined,
          buf(appKey),
        );
        expect(toHex(ours)).toBe(toHex(theirs.getPHYPayload()!));
        expect(LoraPacket.verifyMIC(LoraPacket.fromWire(buf(ours)), undefined, buf(appKey))).toBe(true);
        expect(joinRequestMicValid(ours, appKey)).toBe(true);
        const decoded = decodePHYPayload(ours);
        expect(decoded.mType === 'JoinRequest' && toHex(decoded.devEui)).toBe(toHex(devEui));
      }),
      { numRuns: 200 },
    );
  });

  it('1.0 Join-accepts agree both ways (with and without CFList)', () => {
    const cfListArb = fc.option(
      fc.array(
        fc.integer({ min: 8_630_000, max: 8_700_000 }).map((f) => f * 100),
        { minLength: 5, maxLength: 5 },
      ),
      { nil: undefined },
    );
    fc.assert(
      fc.property(
        key,
        fc.nat({ max: 0xffffff }),
        netId,
        devAddr,
        fc.nat({ max: 7 }),
        fc.nat({ max: 15 }),
        fc.nat({ max: 15 }),
        cfListArb,
        (appKey, joinNonce, nid, addr, rx1DrOffset, rx2DataRate, rxDelay, freqs) => {
          const payload = {
            joinNonce,
            netId: nid,
            devAddr: addr,
            dlSettings: { optNeg: false, rx1DrOffset, rx2DataRate },
            rxDelay,
            ...(freqs === undefined ? {} : { cfList: { type: 'frequencies' as const, frequencies: freqs } }),
          };
          const ours = buildJoinAccept(payload, appKey, appKey);
          const le = (n: number, len: number) =>
            Buffer.from(Array.from({ length: len }, (_, i) => (n >>> (8 * i)) & 0xff).reverse());
          const cfList =
            freqs === undefined
              ? undefined
              : Buffer.from(
                  Uint8Array.from([
                    ...freqs.flatMap((f) => [(f / 100) & 0xff, ((f / 100) >> 8) & 0xff, (f / 100) >> 16]),
                    0,
                  ]),
                );
          const theirs = LoraPacket.fromFields(
            {
              MType: 'Join Accept',
              AppNonce: le(joinNonce, 3),
              NetID: le(nid, 3),
              DevAddr: be32(addr),
              DLSettings: (rx1DrOffset << 4) | rx2DataRate,
              RxDelay: rxDelay,
              ...(cfList === undefined ? {} : { CFList: cfList }),
            },
            undefined,
            undefined,
            buf(appKey),
          );
          expect(toHex(ours)).toBe(toHex(theirs.getPHYPayload()!));
          const opened = openJoinAccept(ours, appKey);
          expect(joinAcceptMicValid(opened, appKey)).toBe(true);
          expect(opened.payload.devAddr).toBe(addr);
          expect(opened.payload.joinNonce).toBe(joinNonce);
        },
      ),
      { numRuns: 200 },
    );
  });
});
