/*
 * Everything that can be said about a PHYPayload with the keys at hand — the JSON of `packet decode
 * --json` and of a run's frame trace. Keys go in; no key ever comes out.
 */
import { deriveJSIntKey } from '../../crypto/key-derivation.js';
import type { AES128Key, EUI64 } from '../../crypto/types.js';
import type { JoinReqType } from '../../crypto/join-crypto.js';
import {
  dataFrameMicValid,
  decodePHYPayload,
  fPortUse,
  joinRequestMicValid,
  openDataFrame,
  openJoinAcceptAs,
  parseMacCommands,
  rejoinRequestMicValid,
  rxDelaySeconds,
  type CFList,
  type CryptoVersion,
  type DataFrame,
  type FrameSecurity,
  type MacCommand,
  type PHYPayload,
  type SessionKeys,
} from './index.js';
import { bytesToHex } from '../../crypto/types.js';

/** Uppercase hex as The Things Stack writes bytes, and fixed-width hex for numeric identifiers. */
export const hex = (b: Uint8Array): string => bytesToHex(b);
export const hexUint = (n: number, bytes: number): string =>
  n
    .toString(16)
    .toUpperCase()
    .padStart(bytes * 2, '0');

/** Keys and context `packet decode` may be given. Any subset; what is missing is reported as unknown. */
export interface DecodeOptions {
  lorawan?: CryptoVersion;
  appKey?: AES128Key;
  nwkKey?: AES128Key;
  appSKey?: AES128Key;
  nwkSKey?: AES128Key;
  fNwkSIntKey?: AES128Key;
  sNwkSIntKey?: AES128Key;
  nwkSEncKey?: AES128Key;
  jsIntKey?: AES128Key;
  /** Upper 16 bits of the 32-bit FCnt. */
  fCntMsb?: number;
  confFCnt?: number;
  txDr?: number;
  txCh?: number;
  joinEui?: EUI64;
  devEui?: EUI64;
  devNonce?: number;
  joinReqType?: JoinReqType;
}

export type Json = Record<string, unknown>;

const macJson = (cmds: MacCommand[]) => cmds.map((c) => ({ ...c }));

function cfListJson(c: CFList | undefined): Json | null {
  if (c === undefined) return null;
  if (c.type === 'frequencies') return { type: 0, frequencies: c.frequencies };
  if (c.type === 'channel-mask') return { type: 1, chMasks: c.chMasks.map((m) => hexUint(m, 2)) };
  return { type: c.cfListType, bytes: hex(c.bytes) };
}

/**
 * Everything `packet decode` says about a PHYPayload, with the names of the --json output.
 * `micValid` is null when the keys to check it were not given. Throws CodecError for bytes that are
 * not a LoRaWAN frame.
 */
export function describePacket(bytes: Uint8Array, o: DecodeOptions): Json {
  const p = decodePHYPayload(bytes);
  const head = { mType: p.mType, major: p.major };
  switch (p.mType) {
    case 'JoinRequest': {
      const key = o.nwkKey ?? o.appKey;
      return {
        ...head,
        joinEui: hex(p.joinEui),
        devEui: hex(p.devEui),
        devNonce: hexUint(p.devNonce, 2),
        mic: hex(p.mic),
        micValid: key === undefined ? null : joinRequestMicValid(bytes, key),
      };
    }
    case 'JoinAccept':
      return describeJoinAccept(bytes, p.encrypted, o);
    case 'RejoinRequest':
      return describeRejoin(bytes, p, o);
    case 'Proprietary':
      return { ...head, payload: hex(p.payload), mic: hex(p.mic), micValid: null };
    default:
      return describeData(bytes, p, o);
  }
}

function sessionKeysFor(o: DecodeOptions, version: CryptoVersion): Partial<SessionKeys> {
  if (version === '1.0') {
    const n = o.nwkSKey ?? o.fNwkSIntKey;
    return { fNwkSIntKey: n, sNwkSIntKey: n, nwkSEncKey: n, appSKey: o.appSKey };
  }
  return {
    fNwkSIntKey: o.fNwkSIntKey,
    sNwkSIntKey: o.sNwkSIntKey,
    nwkSEncKey: o.nwkSEncKey ?? o.nwkSKey,
    appSKey: o.appSKey,
  };
}

/** Whichever 1.1-only key is given says the session is 1.1, unless --lorawan says otherwise. */
function versionOf(o: DecodeOptions): CryptoVersion {
  if (o.lorawan !== undefined) return o.lorawan;
  return o.fNwkSIntKey !== undefined || o.sNwkSIntKey !== undefined || o.nwkSEncKey !== undefined
    ? '1.1'
    : '1.0';
}

// A placeholder key for the halves of openDataFrame whose key was not given; their results are discarded.
const NO_KEY = new Uint8Array(16) as AES128Key;

function describeData(bytes: Uint8Array, f: DataFrame, o: DecodeOptions): Json {
  const version = versionOf(o);
  const k = sessionKeysFor(o, version);
  const fCnt = (o.fCntMsb ?? 0) * 0x10000 + f.fCnt;
  const sec: FrameSecurity = { version, fCnt, confFCnt: o.confFCnt, txDr: o.txDr, txCh: o.txCh };
  const up = f.mType === 'UnconfirmedDataUp' || f.mType === 'ConfirmedDataUp';
  const full: SessionKeys = {
    fNwkSIntKey: k.fNwkSIntKey ?? NO_KEY,
    sNwkSIntKey: k.sNwkSIntKey ?? NO_KEY,
    nwkSEncKey: k.nwkSEncKey ?? NO_KEY,
    appSKey: k.appSKey ?? NO_KEY,
  };
  const opened = openDataFrame(bytes, full, sec);

  const micKeysKnown = up
    ? k.fNwkSIntKey !== undefined && (version === '1.0' || k.sNwkSIntKey !== undefined)
    : k.sNwkSIntKey !== undefined;
  const fOptsClear = version === '1.0' || f.fOpts.length === 0 || k.nwkSEncKey !== undefined;
  const payloadKey = f.fPort === 0 ? k.nwkSEncKey : k.appSKey;
  const payloadClear = f.frmPayload.length === 0 || payloadKey !== undefined;

  const fOpts = fOptsClear ? opened.fOpts : f.fOpts;
  const frmPayload = payloadClear ? opened.frmPayload : f.frmPayload;
  const dir = up ? 'uplink' : 'downlink';
  let macCommands: Json[] | null = null;
  let macError: string | undefined;
  const macSource = f.fPort === 0 ? (payloadClear ? frmPayload : undefined) : fOptsClear ? fOpts : undefined;
  if (macSource !== undefined) {
    const parsed = parseMacCommands(macSource, dir);
    macCommands = macJson(parsed.commands);
    macError = parsed.stopped?.message;
  }
  return {
    mType: f.mType,
    major: f.major,
    devAddr: hexUint(f.devAddr, 4),
    fCtrl: f.fCtrl,
    fCnt,
    fOpts: hex(fOpts),
    fPort: f.fPort,
    fPortUse: fPortUse(f.fPort),
    frmPayload: hex(frmPayload),
    decrypted: {
      fOpts: version === '1.1' && f.fOpts.length > 0 && fOptsClear,
      frmPayload: f.frmPayload.length > 0 && payloadClear,
    },
    macCommands,
    ...(macError === undefined ? {} : { macCommandsError: macError }),
    lorawan: version,
    mic: hex(f.mic),
    micValid: micKeysKnown ? dataFrameMicValid(bytes, f, full, sec) : null,
  };
}

function describeJoinAccept(bytes: Uint8Array, encrypted: Uint8Array, o: DecodeOptions): Json {
  const key = o.nwkKey ?? o.appKey;
  const head = { mType: 'JoinAccept', major: bytes[0]! & 0x03 };
  if (key === undefined) return { ...head, encrypted: hex(encrypted), micValid: null };
  const jsIntKey = o.jsIntKey ?? (o.nwkKey && o.devEui ? deriveJSIntKey(o.nwkKey, o.devEui) : undefined);
  const request =
    o.joinEui !== undefined && o.devNonce !== undefined
      ? { joinReqType: o.joinReqType ?? ('JoinRequest' as const), joinEui: o.joinEui, devNonce: o.devNonce }
      : undefined;
  const { opened, micValid } = openJoinAcceptAs(
    bytes,
    { version: '1.1', decryptKey: key, micKey: key, jsIntKey },
    request,
  );
  const p = opened.payload;
  const micNote =
    micValid === null
      ? 'OptNeg is set: the MIC needs --js-int-key (or --nwk-key with --dev-eui), --join-eui and --dev-nonce'
      : undefined;
  return {
    ...head,
    joinNonce: hexUint(p.joinNonce, 3),
    netId: hexUint(p.netId, 3),
    devAddr: hexUint(p.devAddr, 4),
    dlSettings: p.dlSettings,
    rxDelay: p.rxDelay,
    rxDelaySeconds: rxDelaySeconds(p.rxDelay),
    cfList: cfListJson(p.cfList),
    mic: hex(opened.mic),
    micValid,
    ...(micNote === undefined ? {} : { micNote }),
  };
}

function describeRejoin(
  bytes: Uint8Array,
  p: Extract<PHYPayload, { mType: 'RejoinRequest' }>,
  o: DecodeOptions,
): Json {
  let key: AES128Key | undefined;
  let ids: Json;
  if (p.rejoinType === 1) {
    key = o.jsIntKey ?? (o.nwkKey ? deriveJSIntKey(o.nwkKey, p.devEui) : undefined);
    ids = { joinEui: hex(p.joinEui) };
  } else {
    key = o.sNwkSIntKey ?? o.nwkSKey;
    ids = { netId: hexUint(p.netId, 3) };
  }
  return {
    mType: p.mType,
    major: p.major,
    rejoinType: p.rejoinType,
    ...ids,
    devEui: hex(p.devEui),
    rjCount: p.rjCount,
    mic: hex(p.mic),
    micValid: key === undefined ? null : rejoinRequestMicValid(bytes, key),
  };
}
