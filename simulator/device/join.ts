import { deriveSessionKeys10, deriveSessionKeys11 } from '../../crypto/key-derivation.js';
import type { JoinReqType } from '../../crypto/join-crypto.js';
import { CodecError } from '../lorawan/errors.js';
import {
  buildJoinRequest,
  buildRejoinRequest,
  openJoinAcceptAs,
  sessionKeys10,
  type SessionKeys,
} from '../lorawan/frame-security.js';
import { rxDelaySeconds, type JoinAcceptPayload } from '../lorawan/join-accept.js';
import { applyCFList, defaultChannelTable } from '../region/channels.js';
import { devNonceIsCounter, nextRandomDevNonce } from './dev-nonce.js';
import { DeviceConfigError } from './errors.js';
import type { PersistedSession } from './state-store.js';
import { NONCE_RESERVE, NONE, otaaConfigOf, rootKeys, type Cycle } from './device-internal.js';
import type { VirtualDevice } from './device.js';
import { newSession, persistSession } from './session.js';
import { transmit } from './uplink.js';

/*
 * Joining: Join-requests and Rejoin-requests with their DevNonce and channel, and the one place a
 * Join-accept is opened and accepted (LoRaWAN 1.0.4 §6.2, 1.1 §6.2).
 */

/** Starts a join attempt now (or when the join back-off and duty cycle allow). */
export function join(dev: VirtualDevice): void {
  if (dev.stopped || dev.cycle !== undefined) return;
  const c = dev.config;
  const o = dev.otaa;
  if (c.activation !== 'otaa' || o === undefined) return;
  o.attempt++;
  const devNonce = nextDevNonce(dev);
  const phy = buildJoinRequest({ joinEui: c.joinEui, devEui: c.devEui, devNonce }, rootKeys(c).nwkKey);
  dev.counters.joinRequests++;
  dev.cycle = joinCycle('join', { devNonce, joinReqType: 'JoinRequest' });
  transmit(dev, phy, joinDataRate(dev), 'join');
}

/** LoRaMac-node alternates join data rates in US915/AU915 (8 × 125 kHz, then 1 × 500 kHz). */
export function joinDataRate(dev: VirtualDevice): number {
  const r = dev.config.region;
  if (r.id === 'US915') return (dev.otaa?.attempt ?? 0) % 9 === 0 ? 4 : 0;
  if (r.id === 'AU915') return (dev.otaa?.attempt ?? 0) % 9 === 0 ? 6 : 2;
  return dev.config.dataRate ?? r.defaultDataRate;
}

export function nextDevNonce(dev: VirtualDevice): number {
  const id = dev.config.id;
  const saved = dev.store.get(id) ?? {};
  if (devNonceIsCounter(dev.config.version)) {
    // The counter lives in memory; the store holds a bound above every value handed out.
    const o = dev.otaa!;
    const n = o.devNonceNext ?? saved.devNonceBound ?? 0;
    if (n > 0xffff)
      throw new DeviceConfigError(
        id,
        'DevNonce',
        'all 65 536 DevNonces are used: dev DevEUI cannot join again',
      );
    if (n >= (saved.devNonceBound ?? 0))
      dev.store.update(id, { devNonceBound: Math.min(n + NONCE_RESERVE, 0x10000) });
    o.devNonceNext = n + 1;
    return n;
  }
  const used = saved.usedDevNonces ?? [];
  const n = nextRandomDevNonce(dev.rng, used);
  dev.store.update(id, { usedDevNonces: [...used, n].slice(-64) });
  return n;
}

/** LoRaWAN 1.1 §6.2.4.1: a Rejoin-request of type 0/2 (SNwkSIntKey MIC) or 1 (JSIntKey MIC). */
export function rejoin(dev: VirtualDevice, rejoinType: 0 | 1 | 2, dataRate = dev.mac.dataRate): void {
  const s = dev.session;
  if (dev.stopped || s === undefined || dev.cycle !== undefined) return;
  const c = dev.config;
  if (c.version !== '1.1' || c.activation !== 'otaa' || s.netId === undefined) return;
  let rjCount: number;
  let phy: Uint8Array;
  if (rejoinType === 1) {
    const saved = dev.store.get(c.id) ?? {};
    rjCount = saved.rjCount1Bound ?? 0;
    dev.store.update(c.id, { rjCount1Bound: rjCount + 1 });
    phy = buildRejoinRequest(
      { rejoinType: 1, joinEui: c.joinEui, devEui: c.devEui, rjCount },
      dev.otaa!.jsIntKey!,
    );
  } else {
    rjCount = s.rjCount0;
    if (rjCount >= 0xffff) return; // RJcount0 must never wrap (1.1 §6.2.4.1)
    s.rjCount0++;
    phy = buildRejoinRequest(
      { rejoinType, netId: s.netId as never, devEui: c.devEui, rjCount },
      s.keys.sNwkSIntKey,
    );
  }
  dev.counters.rejoinRequests++;
  dev.emit({ type: 'rejoin', rejoinType, rjCount });
  dev.otaa!.uplinksSinceRejoin = 0;
  dev.otaa!.lastRejoinAt = dev.scheduler.now();
  dev.cycle = joinCycle('rejoin', {
    devNonce: rjCount,
    joinReqType: `RejoinRequest${rejoinType}` as JoinReqType,
    rejoinType,
  });
  transmit(dev, phy, dataRate, 'rejoin');
}

export function rejoinDue(dev: VirtualDevice): boolean {
  const s = dev.session!;
  const o = dev.otaa;
  if (dev.config.version !== '1.1' || s.netId === undefined || o === undefined) return false;
  // Periodic type 0 rejoins only once RejoinParamSetupReq has configured them.
  if (dev.mac.rejoinMaxCountN === 15 && dev.mac.rejoinMaxTimeN === 15) return false;
  const byCount = o.uplinksSinceRejoin >= 2 ** (dev.mac.rejoinMaxCountN + 4);
  const byTime = dev.scheduler.now() - o.lastRejoinAt >= 2 ** (dev.mac.rejoinMaxTimeN + 10) * 1e6;
  return byCount || byTime;
}

export function joinChannel(
  dev: VirtualDevice,
  dr: number,
): { channel: number; frequency: number; availableAt: number } {
  const r = dev.config.region;
  const candidates = r.joinChannels.filter((i) => {
    const ch = r.defaultChannels[i];
    return ch !== undefined && dr >= ch.minDr && dr <= ch.maxDr;
  });
  const i = candidates[dev.rng.int(0, candidates.length - 1)] ?? 0;
  const frequency = r.defaultChannels[i]!.frequency;
  return {
    channel: i,
    frequency,
    availableAt: Math.max(dev.scheduler.now(), dev.dutyCycle.availableAt(frequency)),
  };
}

/** A Join-accept is attributed by decrypting it and checking its MIC with dev device's keys. */
/**
 * The Join-accept answering this device's pending request, opened with its keys (1.0: AppKey; 1.1:
 * NwkKey, or JSEncKey after a rejoin, 1.1 §6.2.3); undefined if it cannot be decoded.
 */
function openOwnJoinAccept(
  dev: VirtualDevice,
  phy: Uint8Array,
  join: NonNullable<Cycle['join']>,
  rejoin: boolean,
) {
  const cfg = otaaConfigOf(dev);
  const { nwkKey } = rootKeys(cfg);
  const v11 = cfg.version === '1.1';
  try {
    return openJoinAcceptAs(
      phy,
      {
        version: v11 ? '1.1' : '1.0',
        // 1.1 §6.2.3: an accept answering a Rejoin-request is encrypted with JSEncKey.
        decryptKey: v11 && rejoin ? dev.otaa!.jsEncKey! : nwkKey,
        micKey: nwkKey,
        jsIntKey: dev.otaa?.jsIntKey,
      },
      { joinReqType: join.joinReqType, joinEui: cfg.joinEui, devNonce: join.devNonce },
    );
  } catch (e) {
    if (e instanceof CodecError) return undefined;
    throw e;
  }
}

/** A Join-accept heard in a join window is this device's when its MIC verifies with its keys. */
export function joinAcceptIsMine(dev: VirtualDevice, phy: Uint8Array): boolean {
  const c = dev.cycle;
  if (c?.join === undefined) return false;
  return openOwnJoinAccept(dev, phy, c.join, c.kind === 'rejoin')?.micValid === true;
}

export function receiveJoinAccept(dev: VirtualDevice, phy: Uint8Array): void {
  const c = dev.cycle;
  if (c === undefined || c.join === undefined) return;
  const cfg = dev.config;
  const own = openOwnJoinAccept(dev, phy, c.join, c.kind === 'rejoin');
  if (own === undefined) {
    dev.counters.undecodable++;
    return;
  }
  const a = own.opened.payload;
  const optNeg = own.optNeg;
  if (own.micValid !== true) {
    // Almost always another device's accept heard in this window: not the network's fault.
    dev.counters.foreignJoinAccepts++;
    return;
  }
  const saved = dev.store.get(cfg.id) ?? {};
  if (optNeg) {
    // 1.1 §6.2.3: a JoinNonce not greater than the last one accepted is a replay.
    if (saved.joinNonce !== undefined && a.joinNonce <= saved.joinNonce) {
      dev.violation('join-nonce-replay', `JoinNonce ${a.joinNonce} not above ${saved.joinNonce}`);
      return;
    }
  }
  c.received = true;
  acceptJoin(dev, a, c.join.devNonce, optNeg);
}

export function acceptJoin(
  dev: VirtualDevice,
  a: JoinAcceptPayload,
  devNonce: number,
  optNeg: boolean,
): void {
  const cfg = otaaConfigOf(dev);
  const { nwkKey, appKey } = rootKeys(cfg);
  let keys: SessionKeys;
  if (optNeg) {
    keys = deriveSessionKeys11(nwkKey, appKey, a.joinNonce, cfg.joinEui, devNonce);
  } else {
    // 1.0.x, or a 1.1 device on a 1.0 network: legacy keys, both from the (network) root key
    // (1.1 §6.2.3 with OptNeg unset; LoRaMac-node derives them from NWK_KEY).
    const k = deriveSessionKeys10(nwkKey, a.joinNonce, a.netId, devNonce);
    keys = sessionKeys10(k.nwkSKey, k.appSKey);
  }
  dev.mac.rx1DrOffset = a.dlSettings.rx1DrOffset;
  dev.mac.rx2DataRate = a.dlSettings.rx2DataRate;
  dev.mac.rx1Delay = rxDelaySeconds(a.rxDelay);
  dev.mac.channels = defaultChannelTable(cfg.region);
  let cfList: PersistedSession['cfList'];
  if (a.cfList !== undefined && a.cfList.type !== 'rfu') {
    dev.mac.channels = applyCFList(cfg.region, dev.mac.channels, a.cfList);
    cfList = a.cfList;
  }
  dev.mac.adrAckCnt = 0;
  dev.session = newSession(dev, a.devAddr, keys, optNeg ? '1.1' : '1.0', 0, {
    netId: a.netId,
    rekeyPending: optNeg,
  });
  dev.counters.joinAccepts++;
  // Session and JoinNonce reach the disk before the first uplink that uses them.
  dev.store.update(cfg.id, { joinNonce: a.joinNonce });
  persistSession(dev, cfList);
  dev.otaa!.lastRejoinAt = dev.scheduler.now();
  dev.otaa!.uplinksSinceRejoin = 0;
  dev.pendingAnswers = NONE;
  dev.stickyAnswers = NONE;
  dev.sessionStarted();
  dev.emit({
    type: 'joined',
    devAddr: a.devAddr,
    attempt: dev.otaa!.attempt,
    version: optNeg ? '1.1' : '1.0',
  });
}

/** 1.1 §5.14: Rejoin-requests of the type asked, maxRetries + 1 of them, 32 s × 2^Period + up to 32 s apart. */
export function forceRejoin(
  dev: VirtualDevice,
  rejoinType: number,
  dataRate: number,
  period: number,
  maxRetries: number,
): void {
  const o = dev.otaa;
  if (o === undefined) return; // only an OTAA device rejoins (1.1 §6.2.4)
  for (const t of o.forcedRejoins) dev.scheduler.cancel(t);
  o.forcedRejoins = NONE;
  const type = rejoinType === 2 ? 2 : 0;
  let at = dev.scheduler.now() + 1_000_000;
  for (let i = 0; i <= maxRetries; i++) {
    const when = at;
    o.forcedRejoins = [
      ...o.forcedRejoins,
      dev.scheduler.at(when, () => {
        if (dev.cycle === undefined)
          rejoin(dev, type, dev.config.region.dataRates[dataRate] ? dataRate : dev.mac.dataRate);
      }),
    ];
    at += (32 * 2 ** period + dev.rng.uniform(0, 32)) * 1e6;
  }
}

/** The cycle of one Join-request or Rejoin-request: one transmission, its two join windows. */
function joinCycle(kind: 'join' | 'rejoin', join: NonNullable<Cycle['join']>): Cycle {
  return {
    kind,
    attempt: 1,
    maxAttempts: 1,
    confirmed: false,
    received: false,
    acked: false,
    locked: false,
    join,
    timers: [],
  };
}
