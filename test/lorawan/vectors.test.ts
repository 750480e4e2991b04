import { describe, expect, it } from 'vitest';
import { aes128Key, eui64, uintField, type AES128Key } from '../../crypto/index.js';
import {
  buildDataFrame,
  decodeJoinAcceptPayload,
  decodeMacCommands,
  decodePHYPayload,
  decodePlainJoinAccept,
  encodeCFList,
  encodeJoinAcceptPayload,
  encodeMacCommands,
  encodePHYPayload,
  encodePlainJoinAccept,
  enabledChannels,
  joinAcceptMicValid,
  MAX_EIRP_DBM,
  MTYPES,
  openDataFrame,
  openJoinAccept,
  sessionKeys10,
  type CFList,
  type MacCommand,
  type PHYPayload,
  type SessionKeys,
} from '../../simulator/lorawan/index.js';
import { hex, loadVectors, toHex } from '../helpers/vectors.js';

type V = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const num = (h: string) => Number.parseInt(h, 16);

/** The vector's expected fields, checked against what we decoded (display-order hex for identifiers). */
function expectStructure(p: PHYPayload, f: V): void {
  if (f.mType !== undefined) expect(MTYPES.indexOf(p.mType)).toBe(f.mType);
  if (f.major !== undefined) expect(p.major).toBe(f.major);
  if ('devAddr' in p && f.devAddr !== undefined) expect(p.devAddr).toBe(num(f.devAddr));
  if ('fCnt' in p && f.fCnt !== undefined) expect(p.fCnt).toBe(f.fCnt);
  if ('fOpts' in p && f.fOpts !== undefined) expect(toHex(p.fOpts)).toBe(f.fOpts);
  if ('fPort' in p && f.fPort !== undefined) expect(p.fPort).toBe(f.fPort);
  if ('frmPayload' in p && f.frmPayload !== undefined) expect(toHex(p.frmPayload)).toBe(f.frmPayload);
  if ('mic' in p && f.mic !== undefined) expect(toHex(p.mic)).toBe(f.mic);
  if ('fCtrl' in p && f.fCtrl !== undefined) {
    for (const [k, v] of Object.entries(f.fCtrl)) expect((p.fCtrl as unknown as V)[k], `fCtrl.${k}`).toBe(v);
  }
  if ('joinEui' in p && f.joinEui !== undefined) expect(toHex(p.joinEui)).toBe(f.joinEui);
  if ('devEui' in p && f.devEui !== undefined) expect(toHex(p.devEui)).toBe(f.devEui);
  if ('devNonce' in p && f.devNonce !== undefined) expect(p.devNonce).toBe(num(f.devNonce));
  if ('netId' in p && f.netId !== undefined) expect(p.netId).toBe(num(f.netId));
  if ('rjCount' in p && f.rjCount !== undefined) expect(p.rjCount).toBe(f.rjCount);
  if ('rejoinType' in p && f.rejoinType !== undefined) expect(p.rejoinType).toBe(f.rejoinType);
  if ('encrypted' in p && f.encrypted !== undefined) expect(toHex(p.encrypted)).toBe(f.encrypted);
  if (p.mType === 'Proprietary' && f.payload !== undefined) expect(toHex(p.payload)).toBe(f.payload);
}

function expectCFList(c: CFList | undefined, f: V): void {
  if (f.cfListType === 0) {
    expect(c?.type).toBe('frequencies');
    const freqs = c?.type === 'frequencies' ? c.frequencies.filter((x) => x !== 0) : [];
    expect(freqs).toEqual(f.frequenciesHz);
  } else if (f.cfListType === 1) {
    expect(c?.type).toBe('channel-mask');
    if (c?.type !== 'channel-mask') return;
    if (f.chMaskBytes !== undefined) {
      expect(toHex(Uint8Array.from(c.chMasks.flatMap((m) => [m & 0xff, m >>> 8])))).toBe(f.chMaskBytes);
    }
    if (f.enabledChannels !== undefined) expect(enabledChannels(c.chMasks)).toEqual(f.enabledChannels);
  }
}

describe('phypayload-structure.json', () => {
  const vectors = loadVectors<V>('phypayload-structure');
  it.each(vectors.map((v) => [v.description as string, v]))('%s', (_d, v) => {
    const f = v.fields;
    switch (v.function) {
      case 'encodeCFList': {
        const input: CFList =
          f.cfListType === 0
            ? { type: 'frequencies', frequencies: f.frequenciesHz }
            : {
                type: 'channel-mask',
                chMasks: [0, 1, 2, 3, 4, 5].map((k) =>
                  (f.enabledChannels as number[])
                    .filter((c) => c >> 4 === k)
                    .reduce((m, c) => m | (1 << (c & 15)), 0),
                ),
              };
        expect(toHex(encodeCFList(input))).toBe(v.cfList);
        return;
      }
      case 'encodeFCtrl': {
        // The same byte in both directions: bit 4 is ClassB uplink, FPending downlink.
        const up = encodePHYPayload({
          mType: 'UnconfirmedDataUp',
          devAddr: 0 as never,
          fCtrl: { adr: f.adr, adrAckReq: f.adrAckReq, ack: f.ack, classB: f.bit4 },
          fCnt: 0,
          fOpts: new Uint8Array(0),
          fPort: null,
          frmPayload: new Uint8Array(0),
        });
        expect(toHex(up.subarray(5, 6))).toBe(v.fCtrlByte);
        return;
      }
      case 'marshal/unmarshal join-accept payload': {
        const bytes = hex(v.payload);
        const p = decodeJoinAcceptPayload(bytes);
        if (f.joinNonce !== undefined) {
          expect(p.joinNonce).toBe(num(f.joinNonce));
          expect(p.netId).toBe(num(f.netId));
          expect(p.devAddr).toBe(num(f.devAddr));
          expect(p.dlSettings).toEqual({
            optNeg: f.dlSettings.optNeg,
            rx1DrOffset: f.dlSettings.rx1DrOffset,
            rx2DataRate: f.dlSettings.rx2Dr,
          });
          expect(p.rxDelay).toBe(f.rxDelay);
        }
        if (f.cfListType !== undefined) expectCFList(p.cfList, f);
        expect(toHex(encodeJoinAcceptPayload(p))).toBe(v.payload);
        return;
      }
      default: {
        const bytes = hex(v.phyPayload);
        if (bytes[0] === 0x20 && (bytes.length === 17 || bytes.length === 33) && f.encrypted === undefined) {
          // A Join-accept given in clear (lora-packet fixtures): parse the fields directly.
          const { payload, mic } = decodePlainJoinAccept(bytes);
          if (f.joinNonce !== undefined) {
            expect(payload.joinNonce).toBe(num(f.joinNonce));
            expect(payload.netId).toBe(num(f.netId));
            expect(payload.devAddr).toBe(num(f.devAddr));
            expect(payload.rxDelay).toBe(num(f.rxDelay));
          }
          if (f.cfList !== undefined) expect(toHex(encodeCFList(payload.cfList!))).toBe(f.cfList);
          expect(toHex(encodePlainJoinAccept(payload, mic))).toBe(v.phyPayload);
          return;
        }
        if (f.mhdr === '33') {
          // MHDR 0x33 has RFU bits set: a strict decoder must refuse it, with its typed error.
          expect(() => decodePHYPayload(bytes)).toThrowError(/MHDR\.RFU/);
          return;
        }
        const p = decodePHYPayload(bytes);
        expectStructure(p, f);
        expect(toHex(encodePHYPayload(p))).toBe(v.phyPayload);
      }
    }
  });
});

function keysOf(v: V): SessionKeys {
  const k = v.keys;
  if (v.macVersion === '1.0') {
    return sessionKeys10(aes128Key(k.nwkSKey), aes128Key(k.appSKey ?? k.nwkSKey));
  }
  // Some 1.1 downlink vectors give no FNwkSIntKey (only uplinks use it).
  const s = aes128Key(k.sNwkSIntKey);
  return {
    fNwkSIntKey: k.fNwkSIntKey ? aes128Key(k.fNwkSIntKey) : s,
    sNwkSIntKey: s,
    nwkSEncKey: aes128Key(k.nwkSEncKey),
    appSKey: aes128Key(k.appSKey),
  };
}

describe('phypayload.json (complete frames: encryption and MIC end to end)', () => {
  const vectors = loadVectors<V>('phypayload');
  it.each(vectors.map((v) => [v.description as string, v]))('%s', (_d, v) => {
    const f = v.fields;
    const keys = keysOf(v);
    const sec = {
      version: v.macVersion as '1.0' | '1.1',
      fCnt: f.fCnt as number,
      confFCnt: v.confFCnt ?? 0,
      txDr: v.txDr ?? 0,
      txCh: v.txCh ?? 0,
    };
    const built = buildDataFrame(
      {
        mType: f.mType,
        devAddr: num(f.devAddr) as never,
        fCtrl: f.fCtrl,
        fCnt: f.fCnt,
        fOpts: hex(f.fOptsPlaintext),
        fPort: f.fPort,
        frmPayload: hex(f.frmPayloadPlaintext),
      },
      keys,
      sec,
    );
    expect(toHex(built)).toBe(v.phyPayload);
    expect(Buffer.from(built).toString('base64')).toBe(v.phyPayloadBase64);

    const opened = openDataFrame(hex(v.phyPayload), keys, sec);
    expect(opened.micValid).toBe(true);
    expect(toHex(opened.fOpts)).toBe(f.fOptsPlaintext);
    expect(toHex(opened.frmPayload)).toBe(f.frmPayloadPlaintext);
    expect(toHex(Uint8Array.of(hex(v.phyPayload)[5]!))).toBe(f.fCtrlByte);

    // One wrong key bit: the MIC no longer verifies.
    const wrong = Uint8Array.from(keys.sNwkSIntKey);
    wrong[15]! ^= 1;
    const bad = { ...keys, sNwkSIntKey: wrong as AES128Key, fNwkSIntKey: wrong as AES128Key };
    expect(openDataFrame(hex(v.phyPayload), bad, sec).micValid).toBe(false);
  });
});

describe('join-accept.json (PHYPayload level)', () => {
  const vectors = loadVectors<V>('join-accept');
  it.each(vectors.map((v) => [v.description as string, v]))('%s', (_d, v) => {
    const key = aes128Key(v.key);
    const opened = openJoinAccept(hex(v.phyPayload), key);
    const f = v.fields;
    expect(opened.payload.joinNonce).toBe(num(f.joinNonce));
    expect(opened.payload.netId).toBe(num(f.netId));
    expect(opened.payload.devAddr).toBe(num(f.devAddr));
    expect(toHex(opened.mic)).toBe(f.mic);
    if (v.function === 'buildJoinAccept11') {
      const ctx = {
        joinReqType: 'JoinRequest' as const,
        joinEui: eui64(v.joinEui),
        devNonce: uintField(v.devNonce, 'DevNonce', 16),
      };
      expect(joinAcceptMicValid(opened, aes128Key(v.jsIntKey), ctx)).toBe(true);
      expect(joinAcceptMicValid(opened, aes128Key(v.jsIntKey))).toBe(false);
    } else {
      expect(joinAcceptMicValid(opened, key)).toBe(true);
    }
  });
});

/** Vector field names → ours: the spec's "RX" capitalisation, Del, and 16-bit ChMask as a number. */
function toCommand(v: V): MacCommand {
  const name = (v.command as string).replace(/^Rx(Param|Timing)/, 'RX$1');
  const f = { ...v.fields };
  if (name === 'LinkADRReq') f.chMask = num(f.chMask);
  if (name === 'RXTimingSetupReq') f.del = f.delaySeconds;
  for (const derived of [
    'enabledChannels',
    'aggregatedDutyCycle',
    'maxEirpDbm',
    'adrAckLimit',
    'adrAckDelay',
    'fractionalSecond',
    'pingPeriodSeconds',
    'delaySeconds',
  ]) {
    delete f[derived];
  }
  return { name, ...f } as MacCommand;
}

describe('mac-commands.json', () => {
  const vectors = loadVectors<V>('mac-commands').filter((v) => v.byteOrder !== 'brocaar (conflicts)');
  it.each(vectors.map((v) => [`${v.command} ${v.bytes}`, v]))('%s', (_d, v) => {
    const dir = v.direction === 'uplink' ? 'uplink' : 'downlink';
    const expected = toCommand(v);
    const decoded = decodeMacCommands(hex(v.bytes), dir);
    expect(decoded).toEqual([expected]);
    expect(toHex(encodeMacCommands([expected]))).toBe(v.bytes);
    expect(hex(v.bytes).length - 1).toBe(v.payloadLength);
    // Derived values the vectors state, computed from our fields.
    if (v.fields.maxEirpDbm !== undefined)
      expect(MAX_EIRP_DBM[v.fields.maxEirpIndex]).toBe(v.fields.maxEirpDbm);
    if (v.fields.adrAckLimit !== undefined) expect(2 ** v.fields.limitExp).toBe(v.fields.adrAckLimit);
    if (v.fields.enabledChannels !== undefined)
      expect(enabledChannels([num(v.fields.chMask)])).toEqual(v.fields.enabledChannels);
  });

  it('follows LoRaMac-node/TTS for ForceRejoinReq, not the conflicting brocaar byte order', () => {
    const brocaar = loadVectors<V>('mac-commands').find((v) => v.byteOrder === 'brocaar (conflicts)')!;
    const [cmd] = decodeMacCommands(hex(brocaar.bytes), 'downlink');
    expect(cmd).not.toEqual(toCommand(brocaar));
  });
});
