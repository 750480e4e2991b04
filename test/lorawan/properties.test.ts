import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cryptFRMPayload, decryptJoinAccept, encryptJoinAccept, LorafleetError } from '../../crypto/index.js';
import {
  buildDataFrame,
  buildJoinAccept,
  buildJoinRequest,
  buildRejoinRequest,
  CodecError,
  decodeJoinAcceptPayload,
  decodeMacCommands,
  decodePHYPayload,
  encodeJoinAcceptPayload,
  encodeMacCommands,
  encodePHYPayload,
  fPortUse,
  joinAcceptMicValid,
  joinRequestMicValid,
  MAC_COMMAND_SPECS,
  openDataFrame,
  openJoinAccept,
  parseMacCommands,
  rejoinRequestMicValid,
  sessionKeys10,
  type CFList,
  type JoinAcceptPayload,
  type PHYPayloadInput,
} from '../../simulator/lorawan/index.js';
import {
  bytes,
  devAddr,
  eui,
  fCnt32,
  FUZZ_RUNS,
  key,
  macCommand,
  macCommands,
  netId,
  sessionKeys,
} from '../helpers/arbitraries.js';

const u = (bits: number) => fc.nat({ max: 2 ** bits - 1 });

const cfList: fc.Arbitrary<CFList> = fc.oneof(
  fc.record({
    type: fc.constant('frequencies' as const),
    frequencies: fc.array(
      u(24).map((n) => n * 100),
      { minLength: 5, maxLength: 5 },
    ),
  }),
  fc.record({
    type: fc.constant('channel-mask' as const),
    chMasks: fc.array(u(16), { minLength: 6, maxLength: 6 }),
  }),
);

const joinAcceptPayload: fc.Arbitrary<JoinAcceptPayload> = fc
  .record({
    joinNonce: u(24),
    netId,
    devAddr,
    dlSettings: fc.record({ optNeg: fc.boolean(), rx1DrOffset: u(3), rx2DataRate: u(4) }),
    rxDelay: u(8),
    cfList: fc.option(cfList, { nil: undefined }),
  })
  .map(({ cfList: c, ...rest }) => (c === undefined ? rest : { ...rest, cfList: c }));

const fCtrlUp = fc.record({
  adr: fc.boolean(),
  adrAckReq: fc.boolean(),
  ack: fc.boolean(),
  classB: fc.boolean(),
});
const fCtrlDown = fc.record({
  adr: fc.boolean(),
  rfu: fc.boolean(),
  ack: fc.boolean(),
  fPending: fc.boolean(),
});

/** Any well-formed PHYPayload, every MType. */
const phyPayload: fc.Arbitrary<PHYPayloadInput> = fc.oneof(
  fc.record({
    mType: fc.constant('JoinRequest' as const),
    major: u(2),
    joinEui: eui,
    devEui: eui,
    devNonce: u(16),
    mic: bytes(4, 4),
  }),
  fc.record({
    mType: fc.constant('JoinAccept' as const),
    major: u(2),
    encrypted: fc.oneof(bytes(16, 16), bytes(32, 32)),
  }),
  fc.record({
    mType: fc.constant('RejoinRequest' as const),
    major: u(2),
    rejoinType: fc.constantFrom(0 as const, 2 as const),
    netId,
    devEui: eui,
    rjCount: u(16),
    mic: bytes(4, 4),
  }),
  fc.record({
    mType: fc.constant('RejoinRequest' as const),
    major: u(2),
    rejoinType: fc.constant(1 as const),
    joinEui: eui,
    devEui: eui,
    rjCount: u(16),
    mic: bytes(4, 4),
  }),
  fc.record({
    mType: fc.constant('Proprietary' as const),
    major: u(2),
    payload: bytes(0, 40),
    mic: bytes(4, 4),
  }),
  fc
    .record({
      up: fc.boolean(),
      confirmed: fc.boolean(),
      major: u(2),
      devAddr,
      fCnt: u(16),
      fOpts: bytes(0, 15),
      fPort: fc.option(u(8), { nil: null }),
      frmPayload: bytes(0, 200),
      mic: bytes(4, 4),
      fCtrlUp,
      fCtrlDown,
    })
    .map((r): PHYPayloadInput => {
      const fOpts = r.fPort === 0 ? new Uint8Array(0) : r.fOpts;
      const frmPayload = r.fPort === null ? new Uint8Array(0) : r.frmPayload;
      const base = {
        major: r.major,
        devAddr: r.devAddr,
        fCnt: r.fCnt,
        fOpts,
        fPort: r.fPort,
        frmPayload,
        mic: r.mic,
      };
      return r.up
        ? {
            ...base,
            mType: r.confirmed ? 'ConfirmedDataUp' : 'UnconfirmedDataUp',
            fCtrl: { ...r.fCtrlUp, fOptsLen: fOpts.length },
          }
        : {
            ...base,
            mType: r.confirmed ? 'ConfirmedDataDown' : 'UnconfirmedDataDown',
            fCtrl: { ...r.fCtrlDown, fOptsLen: fOpts.length },
          };
    }),
);

function flipOneBit(b: Uint8Array, bitIndex: number): Uint8Array {
  const out = Uint8Array.from(b);
  const i = bitIndex % (out.length * 8);
  out[i >> 3]! ^= 1 << (i & 7);
  return out;
}

describe('codec round trips', () => {
  it('decode(encode(x)) = x for every MType', () => {
    fc.assert(
      fc.property(phyPayload, (p) => {
        const encoded = encodePHYPayload(p);
        const decoded = decodePHYPayload(encoded);
        expect(decoded).toEqual(p);
        expect(encodePHYPayload(decoded)).toEqual(encoded);
      }),
      { numRuns: 2000 },
    );
  });

  it.each(MAC_COMMAND_SPECS.map((s) => [s.name, s] as const))('decode(encode(x)) = x for %s', (_n, s) => {
    fc.assert(
      fc.property(macCommand(s.name), (cmd) => {
        const bytesOut = encodeMacCommands([cmd]);
        expect(bytesOut.length).toBe(1 + s.length);
        expect(bytesOut[0]).toBe(s.cid);
        expect(decodeMacCommands(bytesOut, s.direction)).toEqual([cmd]);
      }),
      { numRuns: 200 },
    );
  });

  it('sequences of MAC commands split back into the same list, both directions', () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom('uplink' as const, 'downlink' as const)
          .chain((d) => fc.tuple(fc.constant(d), macCommands(d))),
        ([dir, cmds]) => {
          expect(decodeMacCommands(encodeMacCommands(cmds), dir)).toEqual(cmds);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('Join-accept payloads round-trip, with and without CFList', () => {
    fc.assert(
      fc.property(joinAcceptPayload, (p) => {
        expect(decodeJoinAcceptPayload(encodeJoinAcceptPayload(p))).toEqual(p);
      }),
    );
  });

  it('an unknown CID stops MAC parsing cleanly, keeping what came before', () => {
    fc.assert(
      fc.property(
        macCommands('downlink', 4),
        fc.constantFrom(0x00, 0x14, 0x1f, 0x21, 0x7f, 0x80, 0xff),
        bytes(0, 6),
        (cmds, cid, tail) => {
          const encoded = encodeMacCommands(cmds);
          const parsed = parseMacCommands(Uint8Array.from([...encoded, cid, ...tail]), 'downlink');
          expect(parsed.commands).toEqual(cmds);
          expect(parsed.stopped).toBeInstanceOf(CodecError);
          expect(parsed.stopped?.offset).toBe(encoded.length);
        },
      ),
    );
  });
});

describe('encryption round trips', () => {
  it('FRMPayload encryption is its own inverse', () => {
    fc.assert(
      fc.property(
        key,
        fc.constantFrom('up' as const, 'down' as const),
        devAddr,
        fCnt32,
        bytes(0, 255),
        (k, dir, a, n, p) => {
          expect(cryptFRMPayload(k, dir, a, n, cryptFRMPayload(k, dir, a, n, p))).toEqual(p);
        },
      ),
    );
  });

  it('Join-accept decryption inverts encryption', () => {
    fc.assert(
      fc.property(key, fc.oneof(bytes(16, 16), bytes(32, 32)), (k, body) => {
        expect(Uint8Array.from(decryptJoinAccept(k, encryptJoinAccept(k, body)))).toEqual(body);
      }),
    );
  });

  it('buildDataFrame then openDataFrame gives back the plaintext, 1.0 and 1.1', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('1.0' as const, '1.1' as const),
        sessionKeys,
        devAddr,
        fCnt32,
        fc.boolean(),
        bytes(0, 15),
        fc.option(u(8), { nil: null }),
        bytes(0, 100),
        (version, keys, addr, fCnt, up, fOpts0, fPort, payload0) => {
          const fOpts = fPort === 0 ? new Uint8Array(0) : fOpts0;
          const frmPayload = fPort === null ? new Uint8Array(0) : payload0;
          const common = { devAddr: addr, fCnt, fOpts, fPort, frmPayload };
          const frame = up
            ? { mType: 'UnconfirmedDataUp' as const, fCtrl: {}, ...common }
            : { mType: 'UnconfirmedDataDown' as const, fCtrl: {}, ...common };
          const sec = { version, fCnt, txDr: 3, txCh: 2 };
          const opened = openDataFrame(buildDataFrame(frame, keys, sec), keys, sec);
          expect(opened.micValid).toBe(true);
          expect(opened.fOpts).toEqual(fOpts);
          expect(opened.frmPayload).toEqual(frmPayload);
        },
      ),
    );
  });
});

describe('any single flipped bit makes the MIC fail', () => {
  it('data frames (1.0 and 1.1, up and down)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('1.0' as const, '1.1' as const),
        sessionKeys,
        devAddr,
        fCnt32,
        fc.boolean(),
        bytes(1, 60),
        fc.nat(),
        (version, k, addr, fCnt, up, payload, bitIndex) => {
          const keys = version === '1.0' ? sessionKeys10(k.fNwkSIntKey, k.appSKey) : k;
          const common = { devAddr: addr, fCnt, fOpts: new Uint8Array(0), fPort: 1, frmPayload: payload };
          const frame = up
            ? { mType: 'ConfirmedDataUp' as const, fCtrl: {}, ...common }
            : { mType: 'ConfirmedDataDown' as const, fCtrl: {}, ...common };
          const sec = { version, fCnt };
          const phy = buildDataFrame(frame, keys, sec);
          // Flip any bit after the MHDR (an MHDR flip may turn the frame into another MType).
          const tampered = flipOneBit(phy.subarray(1), bitIndex);
          const candidate = Uint8Array.from([phy[0]!, ...tampered]);
          let valid: boolean;
          try {
            valid = openDataFrame(candidate, keys, sec).micValid;
          } catch (e) {
            expect(e).toBeInstanceOf(CodecError); // the flip made it structurally invalid: also a rejection
            valid = false;
          }
          expect(valid).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('Join-requests, Rejoin-requests and Join-accepts', () => {
    fc.assert(
      fc.property(
        key,
        eui,
        eui,
        u(16),
        netId,
        joinAcceptPayload,
        fc.nat(),
        (k, joinEui, devEui, devNonce, nid, ja, bitIndex) => {
          const jr = buildJoinRequest({ joinEui, devEui, devNonce }, k);
          expect(joinRequestMicValid(jr, k)).toBe(true);
          expect(joinRequestMicValid(flipOneBit(jr, bitIndex), k)).toBe(false);

          const rj = buildRejoinRequest({ rejoinType: 0, netId: nid, devEui, rjCount: devNonce }, k);
          expect(rejoinRequestMicValid(rj, k)).toBe(true);
          expect(rejoinRequestMicValid(flipOneBit(rj, bitIndex), k)).toBe(false);

          const ctx = { joinReqType: 'JoinRequest' as const, joinEui, devNonce };
          const accept = buildJoinAccept(ja, k, k, ctx);
          expect(joinAcceptMicValid(openJoinAccept(accept, k), k, ctx)).toBe(true);
          // Flip a bit of the ciphertext (the MHDR stays, so it is still a Join-accept to open).
          const t = Uint8Array.from([accept[0]!, ...flipOneBit(accept.subarray(1), bitIndex)]);
          let ok: boolean;
          try {
            ok = joinAcceptMicValid(openJoinAccept(t, k), k, ctx);
          } catch (e) {
            expect(e).toBeInstanceOf(CodecError);
            ok = false;
          }
          expect(ok).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('the decoder never throws anything but its typed error', () => {
  const runs = FUZZ_RUNS ?? 10_000;
  const onlyCodecErrors = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      expect(e.code).toBe('LORAFLEET_CODEC');
      expect(e).toBeInstanceOf(LorafleetError);
      expect(e.message).toMatch(/at byte \d+/);
    }
  };

  it(`decodePHYPayload on random bytes (${runs} cases)`, () => {
    fc.assert(
      fc.property(bytes(0, 300), (b) => onlyCodecErrors(() => decodePHYPayload(b))),
      { numRuns: runs },
    );
  });

  it(`decodePHYPayload on near-valid frames: right MHDR, random length and body (${runs} cases)`, () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0x00, 0x20, 0x40, 0x60, 0x80, 0xa0, 0xc0, 0xe0),
        bytes(0, 64),
        (mhdr, body) => onlyCodecErrors(() => decodePHYPayload(Uint8Array.from([mhdr, ...body]))),
      ),
      { numRuns: runs },
    );
  });

  it('parseMacCommands never throws; decodeJoinAcceptPayload and openDataFrame throw only CodecError', () => {
    fc.assert(
      fc.property(bytes(0, 64), sessionKeys, (b, keys) => {
        expect(() => parseMacCommands(b, 'uplink')).not.toThrow();
        expect(() => parseMacCommands(b, 'downlink')).not.toThrow();
        onlyCodecErrors(() => decodeJoinAcceptPayload(b));
        onlyCodecErrors(() => openDataFrame(b, keys, { version: '1.1', fCnt: 0 }));
        onlyCodecErrors(() => openJoinAccept(b, keys.appSKey));
      }),
      { numRuns: runs },
    );
    // Longer than any radio carries (issue 13 item 8): still only CodecError.
    fc.assert(
      fc.property(bytes(256, 400), sessionKeys, (b, keys) => {
        onlyCodecErrors(() => openDataFrame(b, keys, { version: '1.1', fCnt: 0 }));
        onlyCodecErrors(() => openJoinAccept(b, keys.appSKey));
      }),
      { numRuns: Math.max(20, runs / 10) },
    );
  });
});

describe('FPort', () => {
  it('classifies every port as LoRaWAN 1.1 §4.3.2 assigns it', () => {
    for (let p = 0; p < 256; p++) {
      const expected = p === 0 ? 'mac-commands' : p <= 223 ? 'application' : p === 224 ? 'test' : 'rfu';
      expect(fPortUse(p)).toBe(expected);
    }
    expect(fPortUse(null)).toBe('none');
  });
});
