import { deriveJSIntKey } from '../../crypto/key-derivation.js';
import { aes128Key, eui64, hexToBytes, uintField, type AES128Key } from '../../crypto/types.js';
import type { JoinReqType } from '../../crypto/join-crypto.js';
import {
  buildDataFrame,
  buildJoinAccept,
  buildJoinRequest,
  buildRejoinRequest,
  encodeMacCommands,
  encodePHYPayload,
  MTYPES,
  sessionKeys10,
  type CFList,
  type CryptoVersion,
  type MacCommand,
  type MType,
  type SessionKeys,
} from '../lorawan/index.js';
import { UsageError } from './errors.js';

type Obj = Record<string, unknown>;

/**
 * `packet encode`: a JSON description of a frame (plaintext fields, keys in `keys`) → PHYPayload bytes,
 * encrypted and MIC'd. Field names are those `packet decode --json` prints, so its output (plus keys)
 * encodes back to the same frame.
 */
export function encodePacket(
  desc: unknown,
  flagKeys: Record<string, AES128Key | undefined> = {},
): Uint8Array {
  const d = obj(desc, '(top level)');
  const mType = d.mType;
  if (typeof mType !== 'string' || !(MTYPES as readonly string[]).includes(mType)) {
    throw new UsageError(`mType: expected one of ${MTYPES.join(', ')}, got ${JSON.stringify(mType)}`);
  }
  const keysIn = d.keys === undefined ? {} : obj(d.keys, 'keys');
  const key = (name: string): AES128Key | undefined => {
    const flag = flagKeys[name];
    if (flag !== undefined) return flag;
    const v = keysIn[name];
    return v === undefined ? undefined : aes128Key(str(v, `keys.${name}`), `keys.${name}`);
  };
  const need = (name: string, why: string): AES128Key => {
    const k = key(name);
    if (k === undefined) throw new UsageError(`keys.${name}: required ${why}`);
    return k;
  };

  switch (mType as MType) {
    case 'JoinRequest': {
      const rootKey =
        key('nwkKey') ?? need('appKey', 'for the Join-request MIC (AppKey in 1.0.x, NwkKey in 1.1)');
      return buildJoinRequest(
        {
          joinEui: eui64(str(d.joinEui, 'joinEui'), 'joinEui'),
          devEui: eui64(str(d.devEui, 'devEui'), 'devEui'),
          devNonce: uint(d.devNonce, 'devNonce', 16),
        },
        rootKey,
      );
    }
    case 'JoinAccept':
      return encodeJoinAccept(d, key, need);
    case 'RejoinRequest': {
      const rejoinType = d.rejoinType;
      const devEui = eui64(str(d.devEui, 'devEui'), 'devEui');
      const rjCount = uint(d.rjCount, 'rjCount', 16);
      if (rejoinType === 1) {
        const jsIntKey =
          key('jsIntKey') ??
          deriveJSIntKey(need('nwkKey', 'or keys.jsIntKey for a type 1 Rejoin-request MIC'), devEui);
        return buildRejoinRequest(
          { rejoinType: 1, joinEui: eui64(str(d.joinEui, 'joinEui'), 'joinEui'), devEui, rjCount },
          jsIntKey,
        );
      }
      if (rejoinType !== 0 && rejoinType !== 2)
        throw new UsageError(`rejoinType: expected 0, 1 or 2, got ${JSON.stringify(rejoinType)}`);
      return buildRejoinRequest(
        { rejoinType, netId: uint(d.netId, 'netId', 24) as never, devEui, rjCount },
        need('sNwkSIntKey', 'for a type 0/2 Rejoin-request MIC'),
      );
    }
    case 'Proprietary':
      return encodePHYPayload({
        mType: 'Proprietary',
        payload: bytes(d.payload ?? '', 'payload'),
        ...(d.mic === undefined ? {} : { mic: bytes(d.mic, 'mic') }),
      });
    default:
      return encodeData(d, mType as MType, key, need);
  }
}

function encodeData(
  d: Obj,
  mType: MType,
  key: (n: string) => AES128Key | undefined,
  need: (n: string, why: string) => AES128Key,
): Uint8Array {
  const version = (d.lorawan ?? '1.0') as CryptoVersion;
  if (version !== '1.0' && version !== '1.1')
    throw new UsageError(`lorawan: expected "1.0" or "1.1", got ${JSON.stringify(d.lorawan)}`);
  let keys: SessionKeys;
  if (version === '1.0') {
    keys = sessionKeys10(
      need('nwkSKey', 'for a LoRaWAN 1.0 data frame'),
      key('appSKey') ?? need('nwkSKey', ''),
    );
  } else {
    const s = need('sNwkSIntKey', 'for a LoRaWAN 1.1 data frame');
    const up = mType === 'UnconfirmedDataUp' || mType === 'ConfirmedDataUp';
    keys = {
      fNwkSIntKey: up ? need('fNwkSIntKey', 'for a LoRaWAN 1.1 uplink') : s,
      sNwkSIntKey: s,
      nwkSEncKey: need('nwkSEncKey', 'for a LoRaWAN 1.1 data frame'),
      appSKey: key('appSKey') ?? s,
    };
  }
  if (d.fOpts !== undefined && d.macCommands !== undefined)
    throw new UsageError('fOpts and macCommands: give one, not both');
  const fOpts =
    d.macCommands !== undefined
      ? encodeMacCommands(d.macCommands as MacCommand[])
      : bytes(d.fOpts ?? '', 'fOpts');
  const fPort = d.fPort === undefined || d.fPort === null ? null : uint(d.fPort, 'fPort', 8);
  const frmPayload = bytes(d.frmPayload ?? '', 'frmPayload');
  const fCnt = uint(d.fCnt ?? 0, 'fCnt', 32);
  const fCtrl = d.fCtrl === undefined ? {} : obj(d.fCtrl, 'fCtrl');
  return buildDataFrame(
    { mType, devAddr: uint(d.devAddr, 'devAddr', 32), fCtrl, fCnt, fOpts, fPort, frmPayload } as never,
    keys,
    {
      version,
      fCnt,
      confFCnt: d.confFCnt === undefined ? 0 : uint(d.confFCnt, 'confFCnt', 16),
      txDr: d.txDr === undefined ? 0 : uint(d.txDr, 'txDr', 8),
      txCh: d.txCh === undefined ? 0 : uint(d.txCh, 'txCh', 8),
    },
  );
}

function encodeJoinAccept(
  d: Obj,
  key: (n: string) => AES128Key | undefined,
  need: (n: string, why: string) => AES128Key,
): Uint8Array {
  const dl = d.dlSettings === undefined ? {} : obj(d.dlSettings, 'dlSettings');
  const optNeg = dl.optNeg === true;
  let cfList: CFList | undefined;
  if (d.cfList !== undefined && d.cfList !== null) {
    const c = obj(d.cfList, 'cfList');
    if (c.type === 0) {
      const f = c.frequencies;
      if (!Array.isArray(f))
        throw new UsageError('cfList.frequencies: expected an array of frequencies in Hz');
      cfList = { type: 'frequencies', frequencies: f.map((x, i) => uint(x, `cfList.frequencies[${i}]`, 32)) };
    } else if (c.type === 1) {
      const m = c.chMasks;
      if (!Array.isArray(m)) throw new UsageError('cfList.chMasks: expected an array of 16-bit masks');
      cfList = { type: 'channel-mask', chMasks: m.map((x, i) => uint(x, `cfList.chMasks[${i}]`, 16)) };
    } else {
      throw new UsageError(
        `cfList.type: expected 0 (frequencies) or 1 (channel masks), got ${JSON.stringify(c.type)}`,
      );
    }
  }
  const payload = {
    joinNonce: uint(d.joinNonce, 'joinNonce', 24),
    netId: uint(d.netId, 'netId', 24) as never,
    devAddr: uint(d.devAddr, 'devAddr', 32) as never,
    dlSettings: {
      optNeg,
      rx1DrOffset: uint(dl.rx1DrOffset ?? 0, 'dlSettings.rx1DrOffset', 8),
      rx2DataRate: uint(dl.rx2DataRate ?? 0, 'dlSettings.rx2DataRate', 8),
    },
    rxDelay: uint(d.rxDelay ?? 1, 'rxDelay', 8),
    ...(cfList === undefined ? {} : { cfList }),
  };
  if (!optNeg) {
    const k = key('nwkKey') ?? need('appKey', 'to sign and encrypt a Join-accept');
    return buildJoinAccept(payload, k, k);
  }
  const nwkKey = need('nwkKey', 'for an OptNeg (1.1) Join-accept');
  const jsIntKey =
    key('jsIntKey') ?? deriveJSIntKey(nwkKey, eui64(str(d.devEui, 'devEui (to derive JSIntKey)'), 'devEui'));
  const joinReqType = (d.joinReqType ?? 'JoinRequest') as JoinReqType;
  const encKey =
    joinReqType === 'JoinRequest' ? nwkKey : need('jsEncKey', 'to encrypt a Join-accept answering a rejoin');
  return buildJoinAccept(payload, encKey, jsIntKey, {
    joinReqType,
    joinEui: eui64(str(d.joinEui, 'joinEui'), 'joinEui'),
    devNonce: uint(d.devNonce, 'devNonce', 16),
  });
}

function obj(v: unknown, path: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new UsageError(`${path}: expected an object, got ${JSON.stringify(v)}`);
  return v as Obj;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string') throw new UsageError(`${path}: expected a hex string, got ${JSON.stringify(v)}`);
  return v;
}

/** Numbers as JSON numbers, or as MSB-first hex strings of the field's width (as decode prints them). */
function uint(v: unknown, path: string, bits: 8 | 16 | 24 | 32): number {
  if (typeof v === 'string' && bits !== 8) return uintField(v, path, bits);
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 2 ** bits - 1) {
    throw new UsageError(`${path}: expected an integer from 0 to ${2 ** bits - 1}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function bytes(v: unknown, path: string): Uint8Array {
  return hexToBytes(str(v, path), path);
}
