import {
  deriveJSEncKey,
  deriveJSIntKey,
  deriveSessionKeys10,
  deriveSessionKeys11,
} from '../../crypto/key-derivation.js';
import type { JoinReqType } from '../../crypto/join-crypto.js';
import { aes128Key, bytesToHex, type AES128Key, type DevAddr, type EUI64 } from '../../crypto/types.js';
import type { DownlinkDataFrame } from '../lorawan/data-frame.js';
import { CodecError } from '../lorawan/errors.js';
import { fullFCnt } from '../lorawan/fcnt.js';
import {
  buildJoinRequest,
  buildRejoinRequest,
  joinAcceptMicValid,
  openDataFrame,
  openJoinAccept,
  sessionKeys10,
  type SessionKeys,
} from '../lorawan/frame-security.js';
import { rxDelaySeconds, type JoinAcceptPayload } from '../lorawan/join-accept.js';
import type { MacCommand } from '../lorawan/mac/fields.js';
import { encodeMacCommands, parseMacCommands } from '../lorawan/mac/table.js';
import { decodePHYPayload } from '../lorawan/phy-payload.js';
import type { CryptoVersion } from '../lorawan/types.js';
import { UplinkFramer } from '../lorawan/uplink-framer.js';
import type { Rng } from '../random/rng.js';
import { timeOnAir } from '../region/airtime.js';
import {
  applyCFList,
  dataRate as regionDataRate,
  defaultChannelTable,
  maxMacPayload,
  rx1DataRate,
  rx1Frequency,
  txPowerEirp,
} from '../region/channels.js';
import type { DataRate } from '../region/types.js';
import type { Scheduler, TimerHandle } from '../time/scheduler.js';
import { devNonceIsCounter, nextRandomDevNonce } from './dev-nonce.js';
import { DutyCycleTracker, JoinBackoff } from './duty-cycle.js';
import { DeviceConfigError } from './errors.js';
import { handleMacCommands, type MacAnswer, type MacContext } from './mac/index.js';
import { initialMacState, macSnapshot, restoreMac, type MacState } from './mac-state.js';
import type { PersistedSession, StateStore } from './state-store.js';
import type {
  DeviceConfig,
  DeviceCounters,
  DeviceEvent,
  DeviceHooks,
  DeviceRadio,
  DeviceTransmission,
  HeardDownlink,
  Window,
} from './types.js';

/** Counters are reserved this far ahead on disk, so a frame costs a write only every so often. */
const FCNT_RESERVE = 64;
const NONCE_RESERVE = 16;
/** A sticky answer repeated in this many uplinks without any downlink is reported as unacknowledged. */
const STICKY_LIMIT = 8;
const U16 = 0x10000;

interface Session {
  devAddr: DevAddr;
  keys: SessionKeys;
  /** Negotiated: 1.1 only with a 1.1 device and OptNeg set (or 1.1 ABP). */
  version: CryptoVersion;
  netId?: number;
  fCntUp: number;
  fCntUpBound: number;
  nFCntDown?: number;
  aFCntDown?: number;
  framer: UplinkFramer;
  rekeyPending: boolean;
  rekeyUplinks: number;
  resetPending: boolean;
  /** ResetInd was confirmed in this session: the network replaced its MAC state (1.1 ABP). */
  resetConfirmed?: boolean;
  rjCount0: number;
}

interface RxWindow {
  name: 'RX1' | 'RX2';
  open: number;
  frequency: number;
  dataRate: number;
}

interface AppUplink {
  fPort: number;
  payload: Uint8Array;
  confirmed: boolean;
}

interface Cycle {
  kind: 'data' | 'join' | 'rejoin';
  attempt: number;
  maxAttempts: number;
  confirmed: boolean;
  fCnt?: number;
  app?: AppUplink;
  macBytes?: Uint8Array;
  rx1?: RxWindow;
  rx2?: RxWindow;
  /** A valid downlink for this device arrived in RX1 or RX2. */
  received: boolean;
  acked: boolean;
  locked: boolean;
  join?: { devNonce: number; joinReqType: JoinReqType; rejoinType?: number };
  timers: TimerHandle[];
}

/**
 * A LoRaWAN end device (1.0.0–1.1, class A or C) modelled on LoRaMac-node's MAC layer. It reads time
 * from an injected scheduler and radiates through an injected radio, so it runs the same in wall and
 * virtual time. What it must never forget (DevNonce, JoinNonce, FCnts, session) goes to the state
 * store before the frame that uses it leaves.
 */
export class VirtualDevice {
  readonly counters: DeviceCounters = {
    joinRequests: 0,
    joinAccepts: 0,
    rejoinRequests: 0,
    uplinks: 0,
    retransmissions: 0,
    confirmedAcked: 0,
    confirmedUnacked: 0,
    downlinks: 0,
    downlinksMissed: 0,
    badMic: 0,
    replays: 0,
    undecodable: 0,
    payloadTooLong: 0,
    dutyCycleWaits: 0,
    foreignJoinAccepts: 0,
    downlinksLostBusy: 0,
  };
  /** What the network did wrong, by kind; `recentViolations` keeps the last few with details. */
  readonly violations: Record<string, number> = {};
  readonly recentViolations: { at: number; kind: string; detail: string }[] = [];
  readonly mac: MacState;
  lastLinkCheck: { margin: number; gwCnt: number } | undefined;
  lastDeviceTime: { gpsEpochSeconds: number; fractionalSecondUnits: number } | undefined;

  private session: Session | undefined;
  private cycle: Cycle | undefined;
  private readonly queue: AppUplink[] = [];
  private pendingAnswers: MacAnswer[] = [];
  private stickyAnswers: MacAnswer[] = [];
  private stickyUplinks = 0;
  private extraRequests: MacCommand[] = [];
  private ackDownlink: number | undefined;
  private lastConfirmedFCntUp: number | undefined;
  private lastDownlinkSnr = 0;
  private uplinkSoon: TimerHandle | undefined;
  private nextJoin: TimerHandle | undefined;
  private joinAttempt = 0;
  private readonly dutyCycle: DutyCycleTracker;
  private readonly joinBackoff: JoinBackoff;
  private readonly jsIntKey: AES128Key | undefined;
  private readonly jsEncKey: AES128Key | undefined;
  private forcedRejoins: TimerHandle[] = [];
  private uplinksSinceRejoin = 0;
  private lastRejoinAt = 0;
  private transmittingUntil = 0;
  private receivingUntil = 0;
  private stopped = false;

  constructor(
    readonly config: DeviceConfig,
    private readonly scheduler: Scheduler,
    private readonly radio: DeviceRadio,
    private readonly rng: Rng,
    private readonly store: StateStore,
    private readonly hooks: DeviceHooks = {},
  ) {
    const c = config;
    const need = (ok: unknown, field: string, why: string) => {
      if (!ok) throw new DeviceConfigError(c.id, field, why);
    };
    if (c.activation === 'otaa') {
      need(c.appKey, 'appKey', 'required for OTAA');
      need(c.joinEui, 'joinEui', 'required for OTAA');
      if (c.version === '1.1') need(c.nwkKey, 'nwkKey', 'required for LoRaWAN 1.1 OTAA');
    } else {
      need(c.devAddr !== undefined, 'devAddr', 'required for ABP');
      need(c.sessionKeys, 'sessionKeys', 'required for ABP');
    }
    this.mac = initialMacState(c.region, c);
    if (c.region.dataRates[this.mac.dataRate] === undefined) {
      throw new DeviceConfigError(
        c.id,
        'dataRate',
        `DR${this.mac.dataRate} is not defined in ${c.region.name}`,
      );
    }
    const enforce = c.enforceDutyCycle ?? c.region.subBands.some((b) => b.dutyCycle < 1);
    this.dutyCycle = new DutyCycleTracker(c.region, enforce);
    this.joinBackoff = new JoinBackoff(scheduler.now());
    if (c.version === '1.1' && c.nwkKey !== undefined) {
      this.jsIntKey = deriveJSIntKey(c.nwkKey, c.devEui);
      this.jsEncKey = deriveJSEncKey(c.nwkKey, c.devEui);
    }
  }

  get joined(): boolean {
    return this.session !== undefined;
  }

  get devAddr(): number | undefined {
    return this.session?.devAddr;
  }

  get fCntUp(): number | undefined {
    return this.session?.fCntUp;
  }

  get busy(): boolean {
    return this.cycle !== undefined;
  }

  /** Session keys, for a network or test that provisions them; never logged. */
  get sessionKeys(): SessionKeys | undefined {
    return this.session?.keys;
  }

  // --- life cycle -------------------------------------------------------------------------------

  /** Restores what the store knows and starts: ABP is ready at once, OTAA joins (or resumes). */
  start(): void {
    const saved = this.store.get(this.config.id);
    if (this.config.activation === 'abp') {
      this.startAbp(saved?.session);
      this.kick();
      return;
    }
    if (saved?.session !== undefined) {
      this.restoreSession(saved.session);
      this.kick();
      return;
    }
    this.join();
  }

  stop(): void {
    this.stopped = true;
    for (const t of [this.uplinkSoon, this.nextJoin, ...this.forcedRejoins, ...(this.cycle?.timers ?? [])]) {
      if (t) this.scheduler.cancel(t);
    }
  }

  /** Queues an application uplink; it goes out as soon as the MAC allows (join, duty cycle, windows). */
  send(fPort: number, payload: Uint8Array, confirmed = false): void {
    if (!Number.isInteger(fPort) || fPort < 1 || fPort > 223) {
      throw new DeviceConfigError(this.config.id, 'fPort', `application ports are 1–223, got ${fPort}`);
    }
    this.queue.push({ fPort, payload, confirmed });
    this.kick();
  }

  /** Adds a LinkCheckReq / DeviceTimeReq to the next uplink. */
  requestLinkCheck(): void {
    this.extraRequests.push({ name: 'LinkCheckReq' });
  }

  requestDeviceTime(): void {
    this.extraRequests.push({ name: 'DeviceTimeReq' });
  }

  // --- activation -------------------------------------------------------------------------------

  private startAbp(saved: PersistedSession | undefined): void {
    const c = this.config;
    const keys = c.sessionKeys!;
    const version: CryptoVersion = c.version === '1.1' ? '1.1' : '1.0';
    // FCntUp continues from what the store reserved, unless the network resets it at each start.
    const fCntUp = c.resetsFCnt ? 0 : (saved?.fCntUpBound ?? 0);
    const rx = c.abpRx ?? {};
    this.mac.rx1Delay = rx.rx1Delay ?? this.mac.rx1Delay;
    this.mac.rx1DrOffset = rx.rx1DrOffset ?? this.mac.rx1DrOffset;
    this.mac.rx2DataRate = rx.rx2DataRate ?? this.mac.rx2DataRate;
    this.mac.rx2Frequency = rx.rx2Frequency ?? this.mac.rx2Frequency;
    if (saved?.mac && c.restoreMac !== false && !c.resetsFCnt) restoreMac(this.mac, saved.mac);
    this.session = this.newSession(c.devAddr!, keys, version, fCntUp, {
      nFCntDown: c.resetsFCnt ? undefined : saved?.nFCntDown,
      aFCntDown: c.resetsFCnt ? undefined : saved?.aFCntDown,
      resetPending: version === '1.1',
    });
    this.persistSession();
  }

  private restoreSession(s: PersistedSession): void {
    const keys: SessionKeys = {
      fNwkSIntKey: aes128Key(s.keys.fNwkSIntKey),
      sNwkSIntKey: aes128Key(s.keys.sNwkSIntKey),
      nwkSEncKey: aes128Key(s.keys.nwkSEncKey),
      appSKey: aes128Key(s.keys.appSKey),
    };
    this.mac.rx1Delay = s.rx1Delay;
    this.mac.rx1DrOffset = s.rx1DrOffset;
    this.mac.rx2DataRate = s.rx2DataRate;
    this.mac.rx2Frequency = s.rx2Frequency;
    if (s.cfList) this.mac.channels = applyCFList(this.config.region, this.mac.channels, s.cfList);
    if (s.mac) restoreMac(this.mac, s.mac);
    this.session = this.newSession(s.devAddr as DevAddr, keys, s.version, s.fCntUpBound, {
      nFCntDown: s.nFCntDown,
      aFCntDown: s.aFCntDown,
      netId: s.netId,
      rekeyPending: s.rekeyPending ?? false,
    });
  }

  private newSession(
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
      framer: new UplinkFramer(keys, version, devAddr),
      rekeyPending: o.rekeyPending ?? false,
      rekeyUplinks: 0,
      resetPending: o.resetPending ?? false,
      rjCount0: 0,
    };
  }

  private persistSession(cfList?: PersistedSession['cfList']): void {
    const s = this.session!;
    const hex = (k: Uint8Array) => bytesToHex(k);
    this.store.update(this.config.id, {
      session: {
        devAddr: s.devAddr,
        keys: {
          fNwkSIntKey: hex(s.keys.fNwkSIntKey),
          sNwkSIntKey: hex(s.keys.sNwkSIntKey),
          nwkSEncKey: hex(s.keys.nwkSEncKey),
          appSKey: hex(s.keys.appSKey),
        },
        version: s.version,
        ...(s.netId === undefined ? {} : { netId: s.netId }),
        fCntUpBound: s.fCntUpBound,
        ...(s.nFCntDown === undefined ? {} : { nFCntDown: s.nFCntDown }),
        ...(s.aFCntDown === undefined ? {} : { aFCntDown: s.aFCntDown }),
        rx1Delay: this.mac.rx1Delay,
        rx1DrOffset: this.mac.rx1DrOffset,
        rx2DataRate: this.mac.rx2DataRate,
        rx2Frequency: this.mac.rx2Frequency,
        mac: macSnapshot(this.mac),
        ...(cfList === undefined ? {} : { cfList }),
        rekeyPending: s.rekeyPending,
      },
    });
  }

  /** Starts a join attempt now (or when the join back-off and duty cycle allow). */
  join(): void {
    if (this.stopped || this.cycle !== undefined) return;
    const c = this.config;
    if (c.activation !== 'otaa') return;
    this.joinAttempt++;
    const devNonce = this.nextDevNonce();
    const rootKey = c.version === '1.1' ? c.nwkKey! : c.appKey!;
    const phy = buildJoinRequest({ joinEui: c.joinEui!, devEui: c.devEui, devNonce }, rootKey);
    this.counters.joinRequests++;
    this.cycle = {
      kind: 'join',
      attempt: 1,
      maxAttempts: 1,
      confirmed: false,
      received: false,
      acked: false,
      locked: false,
      join: { devNonce, joinReqType: 'JoinRequest' },
      timers: [],
    };
    this.transmit(phy, this.joinDataRate(), 'join');
  }

  /** LoRaMac-node alternates join data rates in US915/AU915 (8 × 125 kHz, then 1 × 500 kHz). */
  private joinDataRate(): number {
    const r = this.config.region;
    if (r.id === 'US915') return this.joinAttempt % 9 === 0 ? 4 : 0;
    if (r.id === 'AU915') return this.joinAttempt % 9 === 0 ? 6 : 2;
    return this.config.dataRate ?? r.defaultDataRate;
  }

  private nextDevNonce(): number {
    const id = this.config.id;
    const saved = this.store.get(id) ?? {};
    if (devNonceIsCounter(this.config.version)) {
      // The counter lives in memory; the store holds a bound above every value handed out.
      const n = this.devNonceNext ?? saved.devNonceBound ?? 0;
      if (n > 0xffff)
        throw new DeviceConfigError(
          id,
          'DevNonce',
          'all 65 536 DevNonces are used: this DevEUI cannot join again',
        );
      if (n >= (saved.devNonceBound ?? 0))
        this.store.update(id, { devNonceBound: Math.min(n + NONCE_RESERVE, 0x10000) });
      this.devNonceNext = n + 1;
      return n;
    }
    const used = saved.usedDevNonces ?? [];
    const n = nextRandomDevNonce(this.rng, used);
    this.store.update(id, { usedDevNonces: [...used, n].slice(-64) });
    return n;
  }

  private devNonceNext: number | undefined;

  /** LoRaWAN 1.1 §6.2.4.1: a Rejoin-request of type 0/2 (SNwkSIntKey MIC) or 1 (JSIntKey MIC). */
  rejoin(rejoinType: 0 | 1 | 2, dataRate = this.mac.dataRate): void {
    const s = this.session;
    if (this.stopped || s === undefined || this.cycle !== undefined) return;
    if (this.config.version !== '1.1' || this.config.activation !== 'otaa' || s.netId === undefined) return;
    const c = this.config;
    let rjCount: number;
    let phy: Uint8Array;
    if (rejoinType === 1) {
      const saved = this.store.get(c.id) ?? {};
      rjCount = saved.rjCount1Bound ?? 0;
      this.store.update(c.id, { rjCount1Bound: rjCount + 1 });
      phy = buildRejoinRequest(
        { rejoinType: 1, joinEui: c.joinEui!, devEui: c.devEui, rjCount },
        this.jsIntKey!,
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
    this.counters.rejoinRequests++;
    this.emit({ type: 'rejoin', rejoinType, rjCount });
    this.uplinksSinceRejoin = 0;
    this.lastRejoinAt = this.scheduler.now();
    this.cycle = {
      kind: 'rejoin',
      attempt: 1,
      maxAttempts: 1,
      confirmed: false,
      received: false,
      acked: false,
      locked: false,
      join: { devNonce: rjCount, joinReqType: `RejoinRequest${rejoinType}` as JoinReqType, rejoinType },
      timers: [],
    };
    this.transmit(phy, dataRate, 'rejoin');
  }

  // --- uplinks ----------------------------------------------------------------------------------

  /** Starts the next uplink cycle if the device is free and has something to send. */
  private kick(): void {
    if (this.stopped || this.cycle !== undefined || this.session === undefined) return;
    if (this.rejoinDue()) return this.rejoin(0);
    // MAC answers and ACKs ride on the next application uplink, as in LoRaMac-node; only FPending,
    // sticky answers or a class C ACK ask for an uplink of their own (see receiveData).
    const app = this.queue.shift();
    if (app === undefined) return;
    this.dataCycle(app);
  }

  private rejoinDue(): boolean {
    const s = this.session!;
    if (this.config.version !== '1.1' || s.netId === undefined) return false;
    // Periodic type 0 rejoins only once RejoinParamSetupReq has configured them.
    if (this.mac.rejoinMaxCountN === 15 && this.mac.rejoinMaxTimeN === 15) return false;
    const byCount = this.uplinksSinceRejoin >= 2 ** (this.mac.rejoinMaxCountN + 4);
    const byTime = this.scheduler.now() - this.lastRejoinAt >= 2 ** (this.mac.rejoinMaxTimeN + 10) * 1e6;
    return byCount || byTime;
  }

  private macAnswersToSend(): MacCommand[] {
    const s = this.session!;
    const out: MacCommand[] = [];
    if (s.resetPending) out.push({ name: 'ResetInd', minorVersion: 1 });
    if (s.rekeyPending) out.push({ name: 'RekeyInd', minorVersion: 1 });
    for (const a of this.stickyAnswers) out.push(a.command);
    for (const a of this.pendingAnswers) out.push(a.command);
    const n = this.counters.uplinks + 1;
    if (this.config.linkCheckEvery && n % this.config.linkCheckEvery === 0)
      out.push({ name: 'LinkCheckReq' });
    if (
      this.config.deviceTimeEvery &&
      n % this.config.deviceTimeEvery === 0 &&
      this.config.version !== '1.0.2'
    ) {
      out.push({ name: 'DeviceTimeReq' });
    }
    out.push(...this.extraRequests);
    return out;
  }

  private dataCycle(app: AppUplink | undefined): void {
    const s = this.session!;
    const mac = this.mac;
    // ADR (LoRaWAN 1.1 §4.3.1.1): count uplinks without a downlink, ask with ADRACKReq, then back off.
    if (mac.adr) {
      mac.adrAckCnt++;
      const past = mac.adrAckCnt - (mac.adrAckLimit + mac.adrAckDelay);
      if (past >= 0 && past % mac.adrAckDelay === 0) this.adrBackoff();
    }
    const commands = this.macAnswersToSend();
    let macBytes = encodeMacCommands(commands);
    const sticky = this.stickyAnswers.length > 0;
    this.pendingAnswers = [];
    this.extraRequests = [];
    if (sticky && ++this.stickyUplinks === STICKY_LIMIT) {
      this.violation(
        'sticky-answer-unacknowledged',
        `${this.stickyAnswers.map((a) => a.command.name).join(', ')} sent in ${STICKY_LIMIT} uplinks with no downlink`,
      );
    }
    if (s.rekeyPending && ++s.rekeyUplinks > mac.adrAckLimit) {
      // 1.1 §5.10: no RekeyConf within ADR_ACK_LIMIT uplinks → back to the join state.
      this.violation('rekey-unconfirmed', `no RekeyConf after ${mac.adrAckLimit} uplinks with RekeyInd`);
      this.session = undefined;
      this.store.clearSession(this.config.id);
      if (app) this.queue.unshift(app);
      return this.join();
    }
    // MAC answers that do not fit FOpts go alone on FPort 0; the application payload waits.
    let fPort: number | null = app?.fPort ?? null;
    let payload = app?.payload ?? new Uint8Array(0);
    let fOpts = macBytes;
    if (macBytes.length > 15) {
      if (app) this.queue.unshift(app);
      app = undefined;
      fPort = 0;
      payload = macBytes;
      fOpts = new Uint8Array(0);
    }
    const limit = maxMacPayload(this.config.region, mac.dataRate, mac.uplinkDwell);
    const macPayloadSize = 7 + fOpts.length + (fPort === null ? 0 : 1 + payload.length);
    if (limit === null || macPayloadSize > limit) {
      this.counters.payloadTooLong++;
      if (app === undefined) return;
      // Drop the application payload (an application would get a length error), keep the MAC answers.
      app = undefined;
      fPort = null;
      payload = new Uint8Array(0);
      macBytes = fOpts;
    }
    const confirmed = app?.confirmed ?? false;
    const maxAttempts = confirmed
      ? (this.config.maxConfirmedTransmissions ??
        (this.config.version === '1.0.4' || this.config.version === '1.1' ? mac.nbTrans : 8))
      : mac.nbTrans;
    const fCnt = s.fCntUp++;
    this.uplinksSinceRejoin++;
    this.cycle = {
      kind: 'data',
      attempt: 1,
      maxAttempts,
      confirmed,
      fCnt,
      app: fPort === null ? undefined : { fPort, payload, confirmed },
      macBytes: fOpts,
      received: false,
      acked: false,
      locked: false,
      timers: [],
    };
    if (confirmed) this.lastConfirmedFCntUp = fCnt;
    this.sendData();
  }

  /** 1.1 §4.3.1.1: TX power to the maximum first, then one data rate lower each ADR_ACK_DELAY, then default channels. */
  private adrBackoff(): void {
    const mac = this.mac;
    const minDr = Math.min(...this.config.region.defaultChannels.map((c) => c.minDr));
    if (mac.txPower > 0) mac.txPower = 0;
    else if (mac.dataRate > minDr && this.config.region.dataRates[mac.dataRate - 1] !== undefined)
      mac.dataRate--;
    else mac.channels = defaultChannelTable(this.config.region);
  }

  private adrAckReq(): boolean {
    const mac = this.mac;
    if (!mac.adr || mac.adrAckCnt < mac.adrAckLimit) return false;
    const minDr = Math.min(...this.config.region.defaultChannels.map((c) => c.minDr));
    return mac.dataRate > minDr || mac.txPower > 0;
  }

  /** Builds the cycle's frame for its current attempt and transmits it. */
  private sendData(): void {
    const s = this.session!;
    const c = this.cycle!;
    const fCnt = c.fCnt!;
    // Nothing is lost: the counter bound is on disk before a frame with this FCnt leaves.
    if (fCnt >= s.fCntUpBound) {
      s.fCntUpBound = fCnt + FCNT_RESERVE;
      this.store.update(this.config.id, { session: { fCntUpBound: s.fCntUpBound } as PersistedSession });
    }
    const ack = this.ackDownlink;
    const choice = this.chooseChannel();
    const phy = s.framer.build({
      confirmed: c.confirmed,
      fCnt,
      fCtrl: { adr: this.mac.adr, adrAckReq: this.adrAckReq(), ack: ack !== undefined },
      fOpts: c.macBytes ?? new Uint8Array(0),
      fPort: c.app?.fPort ?? null,
      frmPayload: c.app?.payload ?? new Uint8Array(0),
      confFCnt: ack === undefined ? 0 : ack % U16,
      txDr: this.mac.dataRate,
      txCh: choice.channel,
    });
    this.ackDownlink = undefined;
    if (c.attempt === 1) this.counters.uplinks++;
    else this.counters.retransmissions++;
    this.transmit(phy, this.mac.dataRate, 'data', choice);
  }

  /** An enabled channel that supports the data rate, preferring those free of duty-cycle time-off now. */
  private chooseChannel(dr = this.mac.dataRate): { channel: number; frequency: number; availableAt: number } {
    const { channels, enabled } = this.mac.channels;
    const now = this.scheduler.now();
    let best: { channel: number; frequency: number; availableAt: number }[] = [];
    let bestAt = Number.POSITIVE_INFINITY;
    for (let i = 0; i < channels.length; i++) {
      const ch = channels[i];
      if (!enabled[i] || ch === undefined || dr < ch.minDr || dr > ch.maxDr) continue;
      const at = Math.max(now, this.dutyCycle.availableAt(ch.frequency));
      if (at < bestAt) {
        best = [];
        bestAt = at;
      }
      if (at === bestAt) best.push({ channel: i, frequency: ch.frequency, availableAt: at });
    }
    if (best.length === 0) {
      // No enabled channel carries this DR: fall back to the default channels (LoRaMac-node does likewise).
      const ch = this.config.region.defaultChannels[0]!;
      return {
        channel: 0,
        frequency: ch.frequency,
        availableAt: Math.max(now, this.dutyCycle.availableAt(ch.frequency)),
      };
    }
    return best[this.rng.int(0, best.length - 1)]!;
  }

  private transmit(
    phy: Uint8Array,
    dr: number,
    kind: 'join' | 'rejoin' | 'data',
    choice = this.joinChannel(dr),
  ): void {
    const c = this.cycle!;
    const d = regionDataRate(this.config.region, dr);
    const airtime = timeOnAir(d, phy.length, 'up');
    let start = choice.availableAt;
    if (kind === 'join' && c.attempt === 1)
      start = Math.max(start, this.joinBackoff.nextAllowed(start, airtime));
    if (start > this.scheduler.now()) {
      this.counters.dutyCycleWaits++;
      c.timers.push(this.scheduler.at(start, () => this.transmitNow(phy, d, dr, kind, choice, airtime)));
    } else {
      this.transmitNow(phy, d, dr, kind, choice, airtime);
    }
  }

  private joinChannel(dr: number): { channel: number; frequency: number; availableAt: number } {
    const r = this.config.region;
    const candidates = r.joinChannels.filter((i) => {
      const ch = r.defaultChannels[i];
      return ch !== undefined && dr >= ch.minDr && dr <= ch.maxDr;
    });
    const i = candidates[this.rng.int(0, candidates.length - 1)] ?? 0;
    const frequency = r.defaultChannels[i]!.frequency;
    return {
      channel: i,
      frequency,
      availableAt: Math.max(this.scheduler.now(), this.dutyCycle.availableAt(frequency)),
    };
  }

  private transmitNow(
    phy: Uint8Array,
    d: DataRate,
    dr: number,
    kind: 'join' | 'rejoin' | 'data',
    choice: { channel: number; frequency: number },
    airtime: number,
  ): void {
    if (this.stopped) return;
    const c = this.cycle!;
    const start = this.scheduler.now();
    this.dutyCycle.aggregated = this.mac.maxDutyCycle === 0 ? 1 : 1 / 2 ** this.mac.maxDutyCycle;
    this.dutyCycle.record(choice.frequency, start, airtime);
    if (kind === 'join') this.joinBackoff.record(start, airtime);
    this.transmittingUntil = start + airtime;
    const tx: DeviceTransmission = {
      deviceId: this.config.id,
      kind,
      frequency: choice.frequency,
      channel: choice.channel,
      dataRate: dr,
      datr: d.datr,
      modulation: d.modulation === 'FSK' ? 'FSK' : 'LORA',
      ...(d.modulation === 'LORA' ? { spreadingFactor: d.spreadingFactor } : {}),
      bandwidth: d.modulation === 'LORA' ? d.bandwidth : 125_000,
      codr: '4/5',
      eirp: txPowerEirp(this.config.region, kind === 'data' ? this.mac.txPower : 0, this.mac.maxEirp),
      phyPayload: phy,
      start,
      airtime,
      attempt: c.attempt,
      ...(c.fCnt === undefined ? {} : { fCnt: c.fCnt, confirmed: c.confirmed }),
    };
    // The windows are known before the frame leaves, so the radio can tell who listens when.
    this.openWindows(kind, choice, dr, start + airtime);
    tx.rxWindows = [c.rx1!.open, c.rx2!.open];
    this.radio.transmit(tx);
    if (kind === 'data') {
      this.emit({
        type: 'uplink',
        fCnt: c.fCnt!,
        confirmed: c.confirmed,
        attempt: c.attempt,
        fPort: c.app?.fPort ?? null,
        size: phy.length,
        start,
        payload: c.app?.payload,
      });
    }
  }

  /** Class A receive windows after a transmission (LoRaWAN 1.1 §3.3; join: JOIN_ACCEPT_DELAY1/2). */
  private openWindows(
    kind: 'join' | 'rejoin' | 'data',
    choice: { channel: number; frequency: number },
    upDr: number,
    txEnd: number,
  ): void {
    const c = this.cycle!;
    const r = this.config.region;
    const joining = kind !== 'data';
    const delay1 = joining ? r.joinAcceptDelay1 * 1000 : this.mac.rx1Delay * 1e6;
    const delay2 = joining ? r.joinAcceptDelay2 * 1000 : delay1 + 1e6;
    const offset = joining ? 0 : this.mac.rx1DrOffset;
    const rx1Freq =
      this.mac.rx1Frequencies[choice.channel] ?? rx1Frequency(r, choice.channel, choice.frequency);
    c.rx1 = {
      name: 'RX1',
      open: txEnd + delay1,
      frequency: rx1Freq,
      dataRate: rx1DataRate(r, upDr, offset, this.mac.downlinkDwell),
    };
    c.rx2 = joining
      ? { name: 'RX2', open: txEnd + delay2, frequency: r.rx2.frequency, dataRate: r.rx2.dataRate }
      : {
          name: 'RX2',
          open: txEnd + delay2,
          frequency: this.mac.rx2Frequency,
          dataRate: this.mac.rx2DataRate,
        };
    const tol = this.config.rxWindowTolerance ?? 20_000;
    c.timers.push(this.scheduler.at(c.rx2.open + tol + 1, () => this.afterWindows(c)));
  }

  /** RX2 has closed (and any frame received in a window has been handled): decide what comes next. */
  private afterWindows(c: Cycle): void {
    // Timers belong to their cycle: one that fires after its cycle ended has nothing to decide.
    if (this.cycle !== c || this.stopped) return;
    if (this.receivingUntil > this.scheduler.now()) {
      c.timers.push(this.scheduler.at(this.receivingUntil + 1, () => this.afterWindows(c)));
      return;
    }
    for (const t of c.timers) this.scheduler.cancel(t);
    c.timers = [];
    if (c.kind === 'join') {
      this.cycle = undefined;
      if (!this.joined) {
        this.violation(
          'join-accept-missing',
          `no Join-accept for DevNonce ${c.join!.devNonce} (attempt ${this.joinAttempt})`,
        );
        this.emit({ type: 'join-failed', attempt: this.joinAttempt });
        const [lo, hi] = this.config.joinRetryDelay ?? [5000, 15000];
        this.nextJoin = this.scheduler.after(this.rng.uniform(lo, hi) * 1000, () => this.join());
      } else {
        this.kick();
      }
      return;
    }
    if (c.kind === 'rejoin') {
      this.cycle = undefined;
      this.kick();
      return;
    }
    if (c.confirmed && !c.acked && c.attempt < c.maxAttempts) {
      // Retransmit the same frame (same FCnt) after ACK_TIMEOUT, possibly on another channel.
      c.attempt++;
      c.received = false;
      const [lo, hi] = this.config.region.ackTimeout;
      c.timers.push(this.scheduler.after(this.rng.uniform(lo, hi) * 1000, () => this.sendData()));
      return;
    }
    if (!c.confirmed && !c.received && c.attempt < c.maxAttempts) {
      c.attempt++; // NbTrans repetition of an unconfirmed frame
      this.sendData();
      return;
    }
    if (c.confirmed && !c.acked) {
      this.counters.confirmedUnacked++;
      this.emit({ type: 'nack', fCnt: c.fCnt! });
    }
    this.cycle = undefined;
    this.kick();
  }

  // --- downlinks --------------------------------------------------------------------------------

  /**
   * The radio model says this device can hear a downlink starting now. It is received only if a
   * window is open for it: the right moment (within the tolerance), frequency and data rate.
   */
  hear(d: HeardDownlink): void {
    if (this.stopped) return;
    const region = this.config.region;
    // Compare modulations, not indexes: in US915/AU915 one modulation has two DRs (SF8BW500 is
    // uplink DR4/DR6 and downlink DR12), and the gateway reports only the modulation.
    const at = (i: number) => d.datr === region.dataRates[i]?.datr;
    const tol = this.config.rxWindowTolerance ?? 20_000;
    const c = this.cycle;
    let window: Window | undefined;
    if (c !== undefined) {
      for (const w of [c.rx1, c.rx2]) {
        if (w && Math.abs(d.start - w.open) <= tol && d.frequency === w.frequency && at(w.dataRate))
          window = w.name;
      }
    }
    if (window === undefined && this.config.deviceClass === 'C' && this.session !== undefined) {
      const inRx1 = c?.rx1 !== undefined && d.start >= c.rx1.open - tol && d.start <= c.rx1.open + tol;
      if (!inRx1 && d.frequency === this.mac.rx2Frequency && at(this.mac.rx2DataRate)) window = 'RXC';
    }
    if (window === undefined) {
      // The network sent at a moment, frequency or data rate no window of this device had.
      if (this.addressedToMe(d.phyPayload)) this.missed(d);
      return;
    }
    const radioBusy =
      d.start < this.transmittingUntil ||
      d.start < this.receivingUntil ||
      (c !== undefined && window !== 'RXC' && c.locked);
    if (radioBusy) {
      // Right window, but the radio is transmitting or already demodulating another frame:
      // a collision at the device, not a fault of the network.
      if (this.addressedToMe(d.phyPayload)) this.counters.downlinksLostBusy++;
      return;
    }
    if (c !== undefined && window !== 'RXC') c.locked = true;
    this.receivingUntil = d.start + d.airtime;
    const timer = this.scheduler.at(d.start + d.airtime, () => {
      this.receive(d, window);
      if (c === undefined || this.cycle !== c || window === 'RXC') return;
      // A frame for this device ends the windows (no RX2 after a reception in RX1); one for another
      // device, or one that failed its checks, leaves the next window open.
      if (c.received) this.afterWindows(c);
      else c.locked = false;
    });
    c?.timers.push(timer);
  }

  private addressedToMe(phy: Uint8Array): boolean {
    if (phy.length >= 5 && (phy[0]! & 0xe0) === 0x20) return this.joinAcceptIsMine(phy);
    if (this.session === undefined || phy.length < 5) return false;
    const addr = (phy[1]! | (phy[2]! << 8) | (phy[3]! << 16) | (phy[4]! << 24)) >>> 0;
    return addr === this.session.devAddr;
  }

  /** A Join-accept is attributed by decrypting it and checking its MIC with this device's keys. */
  private joinAcceptIsMine(phy: Uint8Array): boolean {
    const c = this.cycle;
    if (c?.join === undefined) return false;
    const cfg = this.config;
    try {
      const key = cfg.version === '1.1' ? (c.kind === 'rejoin' ? this.jsEncKey! : cfg.nwkKey!) : cfg.appKey!;
      const opened = openJoinAccept(phy, key);
      return opened.payload.dlSettings.optNeg && cfg.version === '1.1'
        ? joinAcceptMicValid(opened, this.jsIntKey!, {
            joinReqType: c.join.joinReqType,
            joinEui: cfg.joinEui!,
            devNonce: c.join.devNonce,
          })
        : joinAcceptMicValid(opened, cfg.version === '1.1' ? cfg.nwkKey! : cfg.appKey!);
    } catch (e) {
      if (e instanceof CodecError) return false;
      throw e;
    }
  }

  private missed(d: HeardDownlink): void {
    this.counters.downlinksMissed++;
    const c = this.cycle;
    const w =
      c?.rx1 && Math.abs(d.start - c.rx1.open) < Math.abs(d.start - (c.rx2?.open ?? Infinity))
        ? c.rx1
        : c?.rx2;
    const detail =
      w === undefined
        ? `downlink at ${d.start} µs while no window was open`
        : `downlink at ${Math.round(d.start)} µs, ${d.frequency} Hz, ${d.datr}; nearest window ${w.name} opens at ${Math.round(w.open)} µs on ${w.frequency} Hz, DR${w.dataRate} (${this.config.region.dataRates[w.dataRate]?.datr ?? '?'})`;
    this.violation('downlink-outside-window', detail);
  }

  private receive(d: HeardDownlink, window: Window): void {
    if (this.stopped) return;
    this.lastDownlinkSnr = d.snr;
    let p;
    try {
      p = decodePHYPayload(d.phyPayload);
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      this.counters.undecodable++;
      return;
    }
    if (p.mType === 'JoinAccept') return this.receiveJoinAccept(d.phyPayload);
    if (p.mType !== 'UnconfirmedDataDown' && p.mType !== 'ConfirmedDataDown') return;
    if (this.session === undefined || p.devAddr !== this.session.devAddr) return;
    this.receiveData(d.phyPayload, p, window);
  }

  private receiveJoinAccept(phy: Uint8Array): void {
    const c = this.cycle;
    if (c === undefined || c.join === undefined) return;
    const cfg = this.config;
    const isRejoin = c.kind === 'rejoin';
    // 1.0: AppKey; 1.1: NwkKey for a Join-request, JSEncKey for a rejoin (1.1 §6.2.3).
    const decKey = cfg.version === '1.1' ? (isRejoin ? this.jsEncKey! : cfg.nwkKey!) : cfg.appKey!;
    let opened;
    try {
      opened = openJoinAccept(phy, decKey);
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      this.counters.undecodable++;
      return;
    }
    const a = opened.payload;
    const optNeg = cfg.version === '1.1' && a.dlSettings.optNeg;
    const micOk = optNeg
      ? joinAcceptMicValid(opened, this.jsIntKey!, {
          joinReqType: c.join.joinReqType,
          joinEui: cfg.joinEui!,
          devNonce: c.join.devNonce,
        })
      : joinAcceptMicValid(opened, cfg.version === '1.1' ? cfg.nwkKey! : cfg.appKey!);
    if (!micOk) {
      // Almost always another device's accept heard in this window: not the network's fault.
      this.counters.foreignJoinAccepts++;
      return;
    }
    const saved = this.store.get(cfg.id) ?? {};
    if (optNeg) {
      // 1.1 §6.2.3: a JoinNonce not greater than the last one accepted is a replay.
      if (saved.joinNonce !== undefined && a.joinNonce <= saved.joinNonce) {
        this.violation('join-nonce-replay', `JoinNonce ${a.joinNonce} not above ${saved.joinNonce}`);
        return;
      }
    }
    c.received = true;
    this.acceptJoin(a, c.join.devNonce, optNeg);
  }

  private acceptJoin(a: JoinAcceptPayload, devNonce: number, optNeg: boolean): void {
    const cfg = this.config;
    let keys: SessionKeys;
    if (optNeg) {
      keys = deriveSessionKeys11(cfg.nwkKey!, cfg.appKey!, a.joinNonce, cfg.joinEui!, devNonce);
    } else {
      // 1.0.x, or a 1.1 device on a 1.0 network: legacy keys, both from the (network) root key
      // (1.1 §6.2.3 with OptNeg unset; LoRaMac-node derives them from NWK_KEY).
      const root = cfg.version === '1.1' ? cfg.nwkKey! : cfg.appKey!;
      const k = deriveSessionKeys10(root, a.joinNonce, a.netId, devNonce);
      keys = sessionKeys10(k.nwkSKey, k.appSKey);
    }
    this.mac.rx1DrOffset = a.dlSettings.rx1DrOffset;
    this.mac.rx2DataRate = a.dlSettings.rx2DataRate;
    this.mac.rx1Delay = rxDelaySeconds(a.rxDelay);
    this.mac.channels = defaultChannelTable(cfg.region);
    let cfList: PersistedSession['cfList'];
    if (a.cfList !== undefined && a.cfList.type !== 'rfu') {
      this.mac.channels = applyCFList(cfg.region, this.mac.channels, a.cfList);
      cfList = a.cfList;
    }
    this.mac.adrAckCnt = 0;
    this.session = this.newSession(a.devAddr, keys, optNeg ? '1.1' : '1.0', 0, {
      netId: a.netId,
      rekeyPending: optNeg,
    });
    this.counters.joinAccepts++;
    // Session and JoinNonce reach the disk before the first uplink that uses them.
    this.store.update(cfg.id, { joinNonce: a.joinNonce });
    this.persistSession(cfList);
    this.lastRejoinAt = this.scheduler.now();
    this.uplinksSinceRejoin = 0;
    this.pendingAnswers = [];
    this.stickyAnswers = [];
    this.emit({
      type: 'joined',
      devAddr: a.devAddr,
      attempt: this.joinAttempt,
      version: optNeg ? '1.1' : '1.0',
    });
  }

  private receiveData(bytes: Uint8Array, p: DownlinkDataFrame, window: Window): void {
    const s = this.session!;
    const v = this.config.version;
    const useA = s.version === '1.1' && p.fPort !== null && p.fPort > 0;
    const last = useA ? s.aFCntDown : s.nFCntDown;
    const fCnt = fullFCnt(last, p.fCnt);
    if (fCnt === undefined) {
      this.counters.replays++;
      // TTS v3.32 may resend a MAC-only downlink with an NFCntDown it already used once ResetInd
      // replaced its MAC state (tts-api.md Part 4): the device is right to refuse it (LoRaWAN 1.1 §4.3.1.5).
      const afterReset = s.resetConfirmed === true && !useA;
      this.violation(
        'fcnt-replay',
        afterReset
          ? `NFCntDown ${p.fCnt} used again after ResetInd/ResetConf (the network reset its MAC state but not its downlink counter); refused`
          : `downlink FCnt ${p.fCnt} repeats the last one (${last})`,
      );
      return;
    }
    if (
      (v === '1.0.0' || v === '1.0.1' || v === '1.0.2' || v === '1.0.3') &&
      last !== undefined &&
      fCnt - last >= this.config.region.maxFCntGap
    ) {
      this.violation('fcnt-gap', `downlink FCnt jumps from ${last} to ${fCnt} (MAX_FCNT_GAP)`);
      return;
    }
    const ackBit = p.fCtrl.ack;
    const confFCnt =
      s.version === '1.1' && ackBit && this.lastConfirmedFCntUp !== undefined
        ? this.lastConfirmedFCntUp % U16
        : 0;
    const opened = openDataFrame(bytes, s.keys, { version: s.version, fCnt, confFCnt });
    if (!opened.micValid) {
      this.counters.badMic++;
      this.violation('bad-mic', `downlink FCnt ${fCnt} with an invalid MIC`);
      return;
    }
    if (useA) s.aFCntDown = fCnt;
    else s.nFCntDown = fCnt;
    this.store.update(this.config.id, {
      session: (useA ? { aFCntDown: fCnt } : { nFCntDown: fCnt }) as PersistedSession,
    });
    this.counters.downlinks++;
    this.mac.adrAckCnt = 0;
    this.stickyAnswers = [];
    this.stickyUplinks = 0;
    const c = this.cycle;
    if (c !== undefined && window !== 'RXC') c.received = true;
    if (ackBit) {
      if (c?.confirmed && !c.acked && c.kind === 'data') {
        c.acked = true;
        this.counters.confirmedAcked++;
        this.emit({ type: 'ack', fCnt: c.fCnt! });
      } else if (c === undefined || !c.confirmed) {
        this.violation(
          'unexpected-ack',
          `ACK bit set in downlink FCnt ${fCnt} with no confirmed uplink waiting`,
        );
      }
    }
    const confirmedDown = p.mType === 'ConfirmedDataDown';
    if (confirmedDown) this.ackDownlink = fCnt;
    const macBytes = p.fPort === 0 ? opened.frmPayload : opened.fOpts;
    if (macBytes.length > 0) {
      const parsed = parseMacCommands(macBytes, 'downlink');
      if (parsed.stopped) this.violation('mac-unparsable', parsed.stopped.message);
      const answers = handleMacCommands(parsed.commands, this.macContext());
      for (const a of answers) (a.sticky ? this.stickyAnswers : this.pendingAnswers).push(a);
      // Saved as the commands take effect, so a restart comes back with what the network expects.
      if (parsed.commands.length > 0 && this.session)
        this.store.update(this.config.id, { session: { mac: macSnapshot(this.mac) } as PersistedSession });
    }
    if (p.fPort !== null && p.fPort > 0) {
      this.emit({
        type: 'downlink',
        fCnt,
        fPort: p.fPort,
        payload: opened.frmPayload,
        window,
        confirmed: confirmedDown,
      });
    } else {
      this.emit({
        type: 'downlink',
        fCnt,
        fPort: p.fPort,
        payload: new Uint8Array(0),
        window,
        confirmed: confirmedDown,
      });
    }
    // FPending, answers to deliver, or (class C) an ACK owed: an uplink soon, as LoRaMac-node does.
    const owe =
      p.fCtrl.fPending ||
      this.stickyAnswers.length > 0 ||
      (confirmedDown && (this.config.deviceClass === 'C' || window === 'RXC'));
    if (owe && this.uplinkSoon === undefined) {
      this.uplinkSoon = this.scheduler.after(1_000_000, () => {
        this.uplinkSoon = undefined;
        if (this.cycle === undefined && this.session !== undefined) this.dataCycle(this.queue.shift());
      });
    }
    if (window === 'RXC' && this.cycle === undefined) this.kick();
  }

  private macContext(): MacContext {
    return {
      version: this.config.version,
      region: this.config.region,
      deviceClass: this.config.deviceClass,
      activation: this.config.activation,
      state: this.mac,
      battery: this.config.battery ?? 255,
      lastDownlinkSnr: this.lastDownlinkSnr,
      now: () => this.scheduler.now(),
      violation: (kind, detail) => this.violation(kind, detail),
      onLinkCheck: (margin, gwCnt) => {
        this.lastLinkCheck = { margin, gwCnt };
        this.emit({ type: 'link-check', margin, gwCnt });
      },
      onDeviceTime: (gpsEpochSeconds, fractionalSecondUnits) => {
        this.lastDeviceTime = { gpsEpochSeconds, fractionalSecondUnits };
        this.emit({ type: 'device-time', gpsEpochSeconds, fractionalSecondUnits });
      },
      onRekeyConf: () => {
        if (this.session) {
          this.session.rekeyPending = false;
          this.store.update(this.config.id, { session: { rekeyPending: false } as PersistedSession });
        }
      },
      onResetConf: () => {
        if (this.session) {
          this.session.resetPending = false;
          this.session.resetConfirmed = true;
        }
      },
      onForceRejoin: (rejoinType, dataRate, period, maxRetries) =>
        this.forceRejoin(rejoinType, dataRate, period, maxRetries),
      onDutyCycle: () => undefined,
    };
  }

  /** 1.1 §5.14: Rejoin-requests of the type asked, maxRetries + 1 of them, 32 s × 2^Period + up to 32 s apart. */
  private forceRejoin(rejoinType: number, dataRate: number, period: number, maxRetries: number): void {
    for (const t of this.forcedRejoins) this.scheduler.cancel(t);
    this.forcedRejoins = [];
    const type = rejoinType === 2 ? 2 : 0;
    let at = this.scheduler.now() + 1_000_000;
    for (let i = 0; i <= maxRetries; i++) {
      const when = at;
      this.forcedRejoins.push(
        this.scheduler.at(when, () => {
          if (this.cycle === undefined)
            this.rejoin(type, this.config.region.dataRates[dataRate] ? dataRate : this.mac.dataRate);
        }),
      );
      at += (32 * 2 ** period + this.rng.uniform(0, 32)) * 1e6;
    }
  }

  // --- reporting --------------------------------------------------------------------------------

  private violation(kind: string, detail: string): void {
    this.violations[kind] = (this.violations[kind] ?? 0) + 1;
    this.recentViolations.push({ at: this.scheduler.now(), kind, detail });
    if (this.recentViolations.length > 20) this.recentViolations.shift();
    this.emit({ type: 'violation', kind, detail });
  }

  private emit(e: DeviceEvent): void {
    this.hooks.onEvent?.(e);
  }

  /** Identifiers for reports (keys are never part of them). */
  describe(): { id: string; devEui: string; devAddr?: string; joined: boolean } {
    return {
      id: this.config.id,
      devEui: bytesToHex(this.config.devEui as EUI64),
      ...(this.session ? { devAddr: this.session.devAddr.toString(16).toUpperCase().padStart(8, '0') } : {}),
      joined: this.joined,
    };
  }
}
