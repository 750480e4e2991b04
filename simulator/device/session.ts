import { aes128Key, bytesToHex, type DevAddr } from '../../crypto/types.js';
import { type SessionKeys } from '../lorawan/frame-security.js';
import type { CryptoVersion } from '../lorawan/types.js';
import { applyCFList } from '../region/channels.js';
import { macSnapshot, restoreMac } from './mac-state.js';
import type { PersistedJoinedSession, PersistedSession } from './state-store.js';
import { type Session } from './device-internal.js';
import type { VirtualDevice } from './device.js';
import type { AbpConfig } from './types.js';

/*
 * A device's session: ABP at start, restored from the state store, or made by a join; persisted before
 * it is used.
 */

export function startAbp(dev: VirtualDevice, c: AbpConfig, saved: PersistedSession | undefined): void {
  const keys = c.sessionKeys;
  const version: CryptoVersion = c.version === '1.1' ? '1.1' : '1.0';
  // FCntUp continues from what the store reserved, unless the network resets it at each start.
  const fCntUp = c.resetsFCnt ? 0 : (saved?.fCntUpBound ?? 0);
  const rx = c.abpRx ?? {};
  dev.mac.rx1Delay = rx.rx1Delay ?? dev.mac.rx1Delay;
  dev.mac.rx1DrOffset = rx.rx1DrOffset ?? dev.mac.rx1DrOffset;
  dev.mac.rx2DataRate = rx.rx2DataRate ?? dev.mac.rx2DataRate;
  dev.mac.rx2Frequency = rx.rx2Frequency ?? dev.mac.rx2Frequency;
  if (saved?.mac && c.restoreMac !== false && !c.resetsFCnt) restoreMac(dev.mac, saved.mac);
  dev.session = newSession(dev, c.devAddr, keys, version, fCntUp, {
    nFCntDown: c.resetsFCnt ? undefined : saved?.nFCntDown,
    aFCntDown: c.resetsFCnt ? undefined : saved?.aFCntDown,
    resetPending: version === '1.1',
  });
  persistSession(dev);
}

export function restoreSession(dev: VirtualDevice, s: PersistedJoinedSession): void {
  const keys: SessionKeys = {
    fNwkSIntKey: aes128Key(s.keys.fNwkSIntKey),
    sNwkSIntKey: aes128Key(s.keys.sNwkSIntKey),
    nwkSEncKey: aes128Key(s.keys.nwkSEncKey),
    appSKey: aes128Key(s.keys.appSKey),
  };
  dev.mac.rx1Delay = s.rx1Delay;
  dev.mac.rx1DrOffset = s.rx1DrOffset;
  dev.mac.rx2DataRate = s.rx2DataRate;
  dev.mac.rx2Frequency = s.rx2Frequency;
  if (s.cfList) dev.mac.channels = applyCFList(dev.config.region, dev.mac.channels, s.cfList);
  if (s.mac) restoreMac(dev.mac, s.mac);
  dev.session = newSession(dev, s.devAddr as DevAddr, keys, s.version, s.fCntUpBound, {
    nFCntDown: s.nFCntDown,
    aFCntDown: s.aFCntDown,
    netId: s.netId,
    rekeyPending: s.rekeyPending ?? false,
  });
}

export function newSession(
  dev: VirtualDevice,
  devAddr: DevAddr,
  keys: SessionKeys,
  version: CryptoVersion,
  fCntUp: number,
  o: {
    nFCntDown?: number;
    aFCntDown?: number;
    netId?: number;
    rekeyPending?: boolean;
    resetPending?: boolean;
  },
): Session {
  return {
    devAddr,
    keys,
    version,
    netId: o.netId,
    fCntUp,
    fCntUpBound: fCntUp,
    nFCntDown: o.nFCntDown,
    aFCntDown: o.aFCntDown,
    rekeyPending: o.rekeyPending ?? false,
    rekeyUplinks: 0,
    resetPending: o.resetPending ?? false,
    rjCount0: 0,
  };
}

export function persistSession(dev: VirtualDevice, cfList?: PersistedSession['cfList']): void {
  const s = dev.session!;
  // Made field by field, not by spreads: an ABP device's memory store keeps this very object.
  const counters: PersistedSession = { fCntUpBound: s.fCntUpBound, mac: macSnapshot(dev.mac) };
  if (s.nFCntDown !== undefined) counters.nFCntDown = s.nFCntDown;
  if (s.aFCntDown !== undefined) counters.aFCntDown = s.aFCntDown;
  if (dev.config.activation === 'abp') {
    // Its DevAddr and keys are its configuration's: the store keeps its counters and MAC state,
    // and forgets what an earlier joined session of the same device left (null), so it cannot resume.
    const left = dev.store.get(dev.config.id)?.session?.keys !== undefined;
    dev.store.update(dev.config.id, { session: left ? { ...counters, ...FORGET_JOINED } : counters });
    return;
  }
  // A 1.0 session's three network keys are one key: one text for them in the store, not three.
  const k = s.keys;
  const fNwk = bytesToHex(k.fNwkSIntKey);
  const hex = (x: Uint8Array) => (x === k.fNwkSIntKey ? fNwk : bytesToHex(x));
  dev.store.update(dev.config.id, {
    session: {
      ...counters,
      devAddr: s.devAddr,
      keys: {
        fNwkSIntKey: fNwk,
        sNwkSIntKey: hex(k.sNwkSIntKey),
        nwkSEncKey: hex(k.nwkSEncKey),
        appSKey: hex(k.appSKey),
      },
      version: s.version,
      ...(s.netId === undefined ? {} : { netId: s.netId }),
      rx1Delay: dev.mac.rx1Delay,
      rx1DrOffset: dev.mac.rx1DrOffset,
      rx2DataRate: dev.mac.rx2DataRate,
      rx2Frequency: dev.mac.rx2Frequency,
      ...(cfList === undefined ? {} : { cfList }),
      rekeyPending: s.rekeyPending,
    },
  });
}

/** A joined session's fields, forgotten (a null field is removed when the store merges it). */
const FORGET_JOINED = Object.freeze({
  devAddr: null,
  keys: null,
  version: null,
  netId: null,
  rx1Delay: null,
  rx1DrOffset: null,
  rx2DataRate: null,
  rx2Frequency: null,
  cfList: null,
  rekeyPending: null,
}) as unknown as Partial<PersistedSession>;
