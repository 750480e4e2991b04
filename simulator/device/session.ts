import { aes128Key, bytesToHex, type DevAddr } from '../../crypto/types.js';
import { type SessionKeys } from '../lorawan/frame-security.js';
import type { CryptoVersion } from '../lorawan/types.js';
import { UplinkFramer } from '../lorawan/uplink-framer.js';
import { applyCFList } from '../region/channels.js';
import { macSnapshot, restoreMac } from './mac-state.js';
import type { PersistedSession } from './state-store.js';
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

export function restoreSession(
  dev: VirtualDevice,
  s: PersistedSession & Required<Pick<PersistedSession, 'keys'>>,
): void {
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
    // No keystream kept ahead: a device sends a frame a minute or so, and 16 frames of keystream
    // would hold ~440 bytes of heap a device to save one AES call a frame (CompactFleet prefetches).
    framer: new UplinkFramer(keys, version, devAddr, 1),
    rekeyPending: o.rekeyPending ?? false,
    rekeyUplinks: 0,
    resetPending: o.resetPending ?? false,
    rjCount0: 0,
  };
}

export function persistSession(dev: VirtualDevice, cfList?: PersistedSession['cfList']): void {
  const s = dev.session!;
  dev.store.update(dev.config.id, {
    session: {
      devAddr: s.devAddr,
      ...keysToKeep(dev),
      version: s.version,
      ...(s.netId === undefined ? {} : { netId: s.netId }),
      fCntUpBound: s.fCntUpBound,
      ...(s.nFCntDown === undefined ? {} : { nFCntDown: s.nFCntDown }),
      ...(s.aFCntDown === undefined ? {} : { aFCntDown: s.aFCntDown }),
      rx1Delay: dev.mac.rx1Delay,
      rx1DrOffset: dev.mac.rx1DrOffset,
      rx2DataRate: dev.mac.rx2DataRate,
      rx2Frequency: dev.mac.rx2Frequency,
      mac: macSnapshot(dev.mac),
      ...(cfList === undefined ? {} : { cfList }),
      rekeyPending: s.rekeyPending,
    },
  });
}

/**
 * A joined session's keys, to resume it after a restart. An ABP device's keys are its configuration's
 * and are not kept (a store holds a session a device, and text for keys is most of it); keys an
 * earlier OTAA session of the same device left are forgotten (null), so they cannot resume later.
 */
function keysToKeep(dev: VirtualDevice): Pick<PersistedSession, 'keys'> {
  const k = dev.session!.keys;
  if (dev.config.activation === 'abp')
    return dev.store.get(dev.config.id)?.session?.keys === undefined
      ? {}
      : ({ keys: null } as unknown as Pick<PersistedSession, 'keys'>);
  // A 1.0 session's three network keys are one key: one text for them in the store, not three.
  const fNwk = bytesToHex(k.fNwkSIntKey);
  const hex = (x: Uint8Array) => (x === k.fNwkSIntKey ? fNwk : bytesToHex(x));
  return {
    keys: {
      fNwkSIntKey: fNwk,
      sNwkSIntKey: hex(k.sNwkSIntKey),
      nwkSEncKey: hex(k.nwkSEncKey),
      appSKey: hex(k.appSKey),
    },
  };
}
