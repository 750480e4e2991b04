import { deriveJSEncKey, deriveJSIntKey } from '../../crypto/key-derivation.js';
import { bytesToHex, devAddrHex, type EUI64 } from '../../crypto/types.js';
import { type SessionKeys } from '../lorawan/frame-security.js';
import type { Rng } from '../random/rng.js';
import type { Scheduler, TimerHandle } from '../time/scheduler.js';
import { DutyCycleTracker, JoinBackoff } from './duty-cycle.js';
import { newDeviceCounters } from './counters.js';
import { DeviceConfigError } from './errors.js';
import { initialMacState, type MacState } from './mac-state.js';
import type { StateStore } from './state-store.js';
import type {
  DeviceConfig,
  DeviceCounters,
  DeviceEvent,
  DeviceHooks,
  DeviceRadio,
  HeardDownlink,
  RefusedDownlink,
  UnheardDownlink,
} from './types.js';
import { NONE, type Session, type AppUplink, type Cycle, type OtaaState } from './device-internal.js';
import { startAbp, restoreSession } from './session.js';
import { isJoinedSession } from './state-store.js';
import { join, joinAcceptIsMine, rejoin } from './join.js';
import { kick } from './uplink.js';
import { hear, notHeard, notScheduled, refused } from './windows.js';
import { hearBeacon, startClassB } from './class-b.js';
import { defineRareFields, NO_VIOLATIONS, type RareDeviceFields } from './rare-fields.js';
import type { ViolationCounts, ViolationKind } from '../lorawan/violations.js';

const NO_HOOKS: DeviceHooks = Object.freeze({});

/** What a fleet's devices share; a device holds this one object, not four fields. */
interface DeviceEnv {
  readonly scheduler: Scheduler;
  readonly radio: DeviceRadio;
  readonly store: StateStore;
  readonly hooks: DeviceHooks;
}

let lastEnv: DeviceEnv | undefined;

/** The environment of the device made last when it is the same (devices are made fleet by fleet). */
function envOf(scheduler: Scheduler, radio: DeviceRadio, store: StateStore, hooks: DeviceHooks): DeviceEnv {
  const e = lastEnv;
  if (e?.scheduler === scheduler && e.radio === radio && e.store === store && e.hooks === hooks) return e;
  return (lastEnv = Object.freeze({ scheduler, radio, store, hooks }));
}

/**
 * A LoRaWAN end device (1.0.0–1.1, class A or C) modelled on LoRaMac-node's MAC layer. It reads time
 * from an injected scheduler and radiates through an injected radio, so it runs the same in wall and
 * virtual time. What it must never forget (DevNonce, JoinNonce, FCnts, session) goes to the state
 * store before the frame that uses it leaves.
 */
export class VirtualDevice {
  /**
   * What the device did, by kind. Made at the first count (a device that has not yet sent holds
   * none); the rare kinds are kept apart (counters.ts).
   */
  get counters(): DeviceCounters {
    return (this.counts ??= newDeviceCounters());
  }
  private counts: DeviceCounters | undefined;
  readonly mac: MacState;
  /** Fields most devices never change (rare-fields.ts); undefined while all are at their defaults. */
  rareFields: RareDeviceFields | undefined = undefined;
  declare violations: RareDeviceFields['violations'];
  declare recentViolations: RareDeviceFields['recentViolations'];
  declare lastLinkCheck: RareDeviceFields['lastLinkCheck'];
  declare lastDeviceTime: RareDeviceFields['lastDeviceTime'];
  declare pendingAnswers: RareDeviceFields['pendingAnswers'];
  declare stickyAnswers: RareDeviceFields['stickyAnswers'];
  declare stickyUplinks: RareDeviceFields['stickyUplinks'];
  declare extraRequests: RareDeviceFields['extraRequests'];
  declare ackDownlink: RareDeviceFields['ackDownlink'];
  declare lastConfirmedFCntUp: RareDeviceFields['lastConfirmedFCntUp'];
  declare lastDownlinkSnr: RareDeviceFields['lastDownlinkSnr'];
  declare classB: RareDeviceFields['classB'];

  session: Session | undefined;
  cycle: Cycle | undefined;
  /** Application uplinks waiting for the MAC; made at the first one. */
  private queue: AppUplink[] | undefined;
  uplinkSoon: TimerHandle | undefined;
  readonly dutyCycle: DutyCycleTracker;
  /** Join and rejoin state; undefined for an ABP device. */
  readonly otaa: OtaaState | undefined;
  transmittingUntil = 0;
  receivingUntil = 0;
  stopped = false;
  /** The run's traffic window has closed: application uplinks not yet on air are not sent. */
  trafficEnded = false;

  /** Clock, radio, state store and hooks: one object for a fleet's devices (`envOf`). */
  private readonly env: DeviceEnv;

  constructor(
    readonly config: DeviceConfig,
    scheduler: Scheduler,
    radio: DeviceRadio,
    readonly rng: Rng,
    store: StateStore,
    hooks: DeviceHooks = NO_HOOKS,
  ) {
    this.env = envOf(scheduler, radio, store, hooks);
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
    if (c.activation === 'otaa') {
      const v11 = c.version === '1.1';
      this.otaa = {
        attempt: 0,
        nextJoin: undefined,
        backoff: new JoinBackoff(scheduler.now()),
        devNonceNext: undefined,
        jsIntKey: v11 ? deriveJSIntKey(c.nwkKey, c.devEui) : undefined,
        jsEncKey: v11 ? deriveJSEncKey(c.nwkKey, c.devEui) : undefined,
        forcedRejoins: NONE,
        uplinksSinceRejoin: 0,
        lastRejoinAt: 0,
      };
    }
  }

  get scheduler(): Scheduler {
    return this.env.scheduler;
  }

  get radio(): DeviceRadio {
    return this.env.radio;
  }

  get store(): StateStore {
    return this.env.store;
  }

  get hooks(): DeviceHooks {
    return this.env.hooks;
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
    const c = this.config;
    const saved = this.store.get(c.id);
    if (c.activation === 'abp') {
      startAbp(this, c, saved?.session);
      this.sessionStarted();
      kick(this);
      return;
    }
    // An ABP device's session (its counters only) does not resume as OTAA.
    if (isJoinedSession(saved?.session)) {
      restoreSession(this, saved.session);
      this.sessionStarted();
      kick(this);
      return;
    }
    join(this);
  }

  /** A session began (join, ABP, restored): a class B device asks for its ping slots again. */
  sessionStarted(): void {
    if (this.config.deviceClass === 'B') startClassB(this, this.config.pingSlotPeriodicity ?? 0);
  }

  stop(): void {
    this.stopped = true;
    if (this.classB?.check) this.scheduler.cancel(this.classB.check);
    const o = this.otaa;
    for (const t of [
      this.uplinkSoon,
      o?.nextJoin,
      ...(o?.forcedRejoins ?? NONE),
      ...(this.cycle?.timers ?? []),
    ]) {
      if (t) this.scheduler.cancel(t);
    }
  }

  /**
   * The end of the run's traffic: application uplinks still queued, or waiting for duty cycle, are
   * dropped (they would leave in the drain, too late to be delivered and wrongly counted lost);
   * retransmissions, answers and receive windows go on.
   */
  endTraffic(): void {
    this.trafficEnded = true;
    this.queue = undefined;
  }

  /** Queues an application uplink; it goes out as soon as the MAC allows (join, duty cycle, windows). */
  send(fPort: number, payload: Uint8Array, confirmed = false): void {
    if (!Number.isInteger(fPort) || fPort < 1 || fPort > 223) {
      throw new DeviceConfigError(this.config.id, 'fPort', `application ports are 1–223, got ${fPort}`);
    }
    (this.queue ??= []).push({ fPort, payload, confirmed });
    kick(this);
  }

  /** The next queued application uplink, taken off the queue. */
  nextUplink(): AppUplink | undefined {
    const q = this.queue;
    if (q === undefined) return undefined;
    const app = q.shift();
    // An emptied queue is let go: a shifted array keeps its grown backing store (~150 bytes).
    if (q.length === 0) this.queue = undefined;
    return app;
  }

  /** Puts an application uplink back at the head of the queue (it could not leave yet). */
  requeue(app: AppUplink): void {
    (this.queue ??= []).unshift(app);
  }

  /** Adds a LinkCheckReq / DeviceTimeReq to the next uplink. */
  requestLinkCheck(): void {
    this.extraRequests = [...this.extraRequests, { name: 'LinkCheckReq' }];
  }

  requestDeviceTime(): void {
    this.extraRequests = [...this.extraRequests, { name: 'DeviceTimeReq' }];
  }

  // --- activation -------------------------------------------------------------------------------

  /** Starts a join attempt now (or when the join back-off and duty cycle allow). */
  join(): void {
    join(this);
  }

  /** LoRaWAN 1.1 §6.2.4.1: a Rejoin-request of type 0/2 (SNwkSIntKey MIC) or 1 (JSIntKey MIC). */
  rejoin(rejoinType: 0 | 1 | 2, dataRate = this.mac.dataRate): void {
    rejoin(this, rejoinType, dataRate);
  }

  // --- uplinks ----------------------------------------------------------------------------------

  // --- downlinks --------------------------------------------------------------------------------

  /**
   * The radio model says this device can hear a downlink starting now. It is received only if a
   * window is open for it: the right moment (within the tolerance), frequency and data rate.
   */
  hear(d: HeardDownlink): void {
    hear(this, d);
  }

  /** Whether this device's key opens Join-accept `phy`: it is this device's answer. */
  opensJoinAccept(phy: Uint8Array): boolean {
    return !this.stopped && joinAcceptIsMine(this, phy);
  }

  /** A gateway refused a frame that may be for this device: lost at the gateway, never on air. */
  refused(d: RefusedDownlink): void {
    refused(this, d);
  }

  /**
   * The frame this device just sent reached no gateway: nothing can answer it. A retransmission of
   * the same frame that gets through clears it.
   */
  uplinkLost(fate: 'out-of-range' | 'collided'): void {
    if (this.cycle === undefined || this.stopped) return;
    this.cycle.answerLost ??= 'uplink-lost';
    this.counters.uplinksUnheard++;
    this.emit({ type: 'uplink-unheard', fate });
  }

  /** A class B beacon reached this device's antenna. */
  hearBeacon(d: HeardDownlink): void {
    hearBeacon(this, d);
  }

  /** A gateway sent a frame that may be for this device, too weak here to be received. */
  notHeard(d: UnheardDownlink): void {
    notHeard(this, d);
  }

  /** The network said this device's Join-accept or data downlink could not be scheduled on any gateway. */
  notScheduled(kind: 'join' | 'data'): void {
    notScheduled(this, kind);
  }

  // --- reporting --------------------------------------------------------------------------------

  violation(kind: ViolationKind, detail: string): void {
    const counts: ViolationCounts =
      this.violations === NO_VIOLATIONS ? {} : (this.violations as ViolationCounts);
    counts[kind] = (counts[kind] ?? 0) + 1;
    this.violations = counts;
    this.recentViolations = [...this.recentViolations.slice(-19), { at: this.scheduler.now(), kind, detail }];
    this.emit({ type: 'violation', kind, detail });
  }

  /**
   * A window failed; whose fault it is depends on the simulator's own timing since `sinceUs`: if its
   * timers ran late then, it is the simulator's (`simulatorLate`), else `networkFault` runs.
   */
  windowFailed(sinceUs: number, detail: string, networkFault: () => void): void {
    if (!this.scheduler.lateBetween(sinceUs, this.scheduler.now())) return networkFault();
    this.counters.simulatorLate++;
    this.emit({ type: 'simulator-late', detail });
  }

  emit(e: DeviceEvent): void {
    this.env.hooks.onEvent?.(e, this.config.id);
  }

  /** Identifiers for reports (keys are never part of them). */
  describe(): { id: string; devEui: string; devAddr?: string; joined: boolean } {
    return {
      id: this.config.id,
      devEui: bytesToHex(this.config.devEui as EUI64),
      ...(this.session ? { devAddr: devAddrHex(this.session.devAddr) } : {}),
      joined: this.joined,
    };
  }
}

defineRareFields(VirtualDevice.prototype);
