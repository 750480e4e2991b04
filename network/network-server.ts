import { devAddrHex } from '../crypto/types.js';
import { CodecError } from '../simulator/lorawan/errors.js';
import { fullFCnt } from '../simulator/lorawan/fcnt.js';
import { buildDataFrame, openDataFrame, type SessionKeys } from '../simulator/lorawan/frame-security.js';
import type { MacCommand } from '../simulator/lorawan/mac/fields.js';
import { encodeMacCommands, parseMacCommands } from '../simulator/lorawan/mac/table.js';
import { decodePHYPayload } from '../simulator/lorawan/phy-payload.js';
import type { UplinkDataFrame } from '../simulator/lorawan/data-frame.js';
import type { JoinRequest } from '../simulator/lorawan/join-request.js';
import { loraTimeOnAir } from '../simulator/region/airtime.js';
import { dataRate, dataRateIndex, rx1DataRate, rx1Frequency } from '../simulator/region/channels.js';
import type { Region } from '../simulator/region/types.js';
import type { Scheduler } from '../simulator/time/scheduler.js';
import { adr, ids, uplinkMac } from './ns-mac.js';
import { classBActive, pingSlotChannel, pingSlots } from './class-b.js';
import type { ApplicationServer } from './application-server.js';
import type { EntityIds, EventBus } from './events.js';
import type { JoinServer } from './join-server.js';
import { getPath, setPath } from './paths.js';
import { isoTime } from './iso-time.js';
import {
  frequencyPlanOf,
  macVersion,
  NO_DOWNLINKS,
  NO_MAC,
  type DeviceEntry,
  type NsSession,
  type QueuedDownlink,
  type Registry,
} from './registry.js';
import type { GatewayServer, TxWindow } from './gateway-server.js';
import { TX_PRIORITIES, type TxSchedulePriority } from './gateway-schedule.js';
import type { GatewayUplink } from './udp-frontend.js';
import { UplinkDedup } from './uplink-dedup.js';

export interface NetworkServerOptions {
  /** µs to wait for copies of an uplink from other gateways (TTS: 200 ms). */
  dedupWindowUs: number;
  /** µs during which later copies are discarded (TTS: 1 s). */
  cooldownUs: number;
  joinAcceptWindow: 'RX1' | 'RX2';
  downlinkWindow: 'RX1' | 'RX2';
  /** Makes the registries durable (the network's state file), called before a Join-accept leaves. */
  persist?: () => void;
}

export interface NetworkServerCounters {
  uplinks: number;
  duplicates: number;
  lateDuplicates: number;
  joinAccepts: number;
  dataUplinks: number;
  retransmissions: number;
  downlinks: number;
  /** Everything the network refused, by reason (mic_mismatch, fcnt_replay, dev_nonce_reused…). */
  rejected: Record<string, number>;
  /** Downlinks no gateway path could take (the GS refused every one), by kind. */
  notScheduled: { join: number; data: number };
  /** Class A answers not sent: both windows opened before the device's last (class B/C) downlink. */
  classAAfterLast: number;
}

/**
 * The Network Server (with the gateway server's scheduling role). Strict on purpose: everything it
 * refuses is counted by reason and published as a TTS-like event, so a run shows what a device did wrong.
 */
export class NetworkServer {
  readonly counters: NetworkServerCounters = {
    uplinks: 0,
    duplicates: 0,
    lateDuplicates: 0,
    joinAccepts: 0,
    dataUplinks: 0,
    retransmissions: 0,
    downlinks: 0,
    rejected: {},
    notScheduled: { join: 0, data: 0 },
    classAAfterLast: 0,
  };
  private readonly dedup: UplinkDedup;

  constructor(
    private readonly registry: Registry,
    private readonly scheduler: Scheduler,
    private readonly events: EventBus,
    private readonly gs: GatewayServer,
    private readonly js: JoinServer,
    private readonly as: ApplicationServer,
    private readonly opts: NetworkServerOptions,
  ) {
    as.onQueued = (d) => this.classCDownlink(d);
    this.dedup = new UplinkDedup(scheduler, opts, this.counters, (copies) => this.process(copies));
  }

  private reject(reason: string, event: string, who: EntityIds[], message: string): void {
    this.counters.rejected[reason] = (this.counters.rejected[reason] ?? 0) + 1;
    // As TTS: the event's data is the ErrorDetails of why.
    const namespace = event.startsWith('js.')
      ? 'pkg/joinserver'
      : event.startsWith('gs.')
        ? 'pkg/gatewayserver'
        : 'pkg/networkserver';
    this.events.publish(event, who, {
      '@type': 'type.googleapis.com/ttn.lorawan.v3.ErrorDetails',
      namespace,
      name: reason,
      message_format: message,
    });
  }

  /** A copy of an uplink from one gateway: gathered with the others for the dedup window. */
  onGatewayUplink(u: GatewayUplink): void {
    this.dedup.offer(u);
  }

  private process(copies: GatewayUplink[]): void {
    const best = copies.reduce((a, b) => (b.snr > a.snr ? b : a));
    let p;
    try {
      p = decodePHYPayload(best.phyPayload);
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      return this.reject(
        'undecodable',
        'gs.up.drop',
        [{ gateway_ids: { gateway_id: `eui-${best.gatewayEui.toLowerCase()}` } }],
        e.message,
      );
    }
    switch (p.mType) {
      case 'JoinRequest':
        return this.join(p, best, copies);
      case 'UnconfirmedDataUp':
      case 'ConfirmedDataUp':
        return this.data(p, best, copies);
      case 'RejoinRequest':
        return this.reject(
          'rejoin_not_supported',
          'ns.up.drop',
          [],
          'the embedded network does not handle Rejoin-requests',
        );
      default:
        return this.reject('unexpected_mtype', 'ns.up.drop', [], `${p.mType} from a gateway`);
    }
  }

  // --- joins ------------------------------------------------------------------------------------

  private join(jr: JoinRequest, best: GatewayUplink, copies: GatewayUplink[]): void {
    const r = this.js.handle(best.phyPayload, jr);
    if (!r.ok) {
      const who: EntityIds[] = r.device ? ids(r.device) : [];
      return this.reject(r.reason, 'js.join.reject', who, r.message);
    }
    const d = r.device;
    const plan = frequencyPlanOf(d);
    const s: NsSession = {
      devAddr: r.devAddr,
      keys: r.keys,
      appSKey: r.appSKey,
      version: r.version,
      nFCntDown: 0,
      aFCntDown: 0,
      rx1Delay: r.rxDelay,
      rx1DrOffset: r.rx1DrOffset,
      rx2DataRate: r.rx2DataRate,
      rx2Frequency: plan.rx2Frequency,
      channels: r.channels,
      macOut: NO_MAC,
      sessionKeyId: r.sessionKeyId,
      startedAt: new Date(this.scheduler.wallClockMs()).toISOString(),
      lastSeen: { gatewayEui: best.gatewayEui, at: this.scheduler.now() },
    };
    this.events.publish('ns.up.join.receive', ids(d), { gateway_count: copies.length });
    this.events.publish('js.join.accept', ids(d), { session_key_id: s.sessionKeyId });
    this.events.publish('ns.up.join.process', ids(d));
    const region = plan.region;
    const upDr = dataRateIndex(region, best.datr) ?? 0;
    const ch = s.channels.indexOf(best.frequency);
    const rx1: TxWindow = {
      delayUs: region.joinAcceptDelay1 * 1000,
      frequency: rx1Frequency(region, Math.max(ch, 0), best.frequency),
      dr: rx1DataRate(region, upDr, 0),
    };
    const rx2: TxWindow = {
      delayUs: region.joinAcceptDelay2 * 1000,
      frequency: region.rx2.frequency,
      dr: region.rx2.dataRate,
    };
    // TTS schedules Join-accepts with the highest priority.
    this.transmit(d, 'join', copies, this.opts.joinAcceptWindow === 'RX1' ? [rx1, rx2] : [rx2], {
      region,
      phy: r.accept,
      priority: 'HIGHEST',
      // As TTS's pending session: the new session is the device's once a gateway takes its
      // Join-accept; one no gateway can take leaves the device's current session as it was.
      beforeSend: () => {
        this.registry.setSession(d, s);
        d.queue = NO_DOWNLINKS;
        this.mirrorSession(d);
        this.opts.persist?.();
        this.counters.joinAccepts++;
      },
      onSent: () => this.as.joined(d),
      onFail: () => undefined,
      // The JS took the DevNonce whether or not a gateway could take the Join-accept: keep it.
      onNotScheduled: () => this.opts.persist?.(),
    });
  }

  /** Keeps the NS and AS documents in step with the session (what GET returns). */
  private mirrorSession(d: DeviceEntry): void {
    const s = d.session!;
    const hex = (k: Uint8Array) => Buffer.from(k).toString('hex').toUpperCase();
    const devAddr = devAddrHex(s.devAddr);
    d.ns ??= {};
    setPath(d.ns, 'session.dev_addr', devAddr);
    setPath(d.ns, 'session.keys.f_nwk_s_int_key.key', hex(s.keys.fNwkSIntKey));
    setPath(d.ns, 'session.keys.s_nwk_s_int_key.key', hex(s.keys.sNwkSIntKey));
    setPath(d.ns, 'session.keys.nwk_s_enc_key.key', hex(s.keys.nwkSEncKey));
    setPath(d.ns, 'session.keys.session_key_id', s.sessionKeyId);
    setPath(d.ns, 'session.started_at', s.startedAt);
    setPath(d.ns, 'ids.dev_addr', devAddr);
    if (s.lastFCntUp !== undefined) setPath(d.ns, 'session.last_f_cnt_up', s.lastFCntUp);
    setPath(d.ns, 'session.last_n_f_cnt_down', s.nFCntDown);
    if (d.as && s.appSKey) {
      setPath(d.as, 'session.dev_addr', devAddr);
      setPath(d.as, 'session.keys.app_s_key.key', hex(s.appSKey));
      setPath(d.as, 'session.keys.session_key_id', s.sessionKeyId);
    }
  }

  // --- data uplinks -----------------------------------------------------------------------------

  private data(f: UplinkDataFrame, best: GatewayUplink, copies: GatewayUplink[]): void {
    const candidates = this.registry.byDevAddr(f.devAddr);
    const addr = devAddrHex(f.devAddr);
    if (candidates.length === 0)
      return this.reject('unknown_dev_addr', 'ns.up.data.drop', [], `no session with DevAddr ${addr}`);
    let match:
      | { d: DeviceEntry; fCnt: number; opened: ReturnType<typeof openDataFrame>; retransmission: boolean }
      | undefined;
    let replayOf: DeviceEntry | undefined;
    for (const d of candidates) {
      const s = d.session!;
      const region = frequencyPlanOf(d).region;
      const last = s.lastFCntUp;
      const retransmission = last !== undefined && f.fCnt === (last & 0xffff);
      const fCnt = retransmission ? last : fullFCnt(last, f.fCnt);
      if (fCnt === undefined) continue;
      const k = s.keys;
      const keys: SessionKeys = {
        fNwkSIntKey: k.fNwkSIntKey,
        sNwkSIntKey: k.sNwkSIntKey,
        nwkSEncKey: k.nwkSEncKey,
        appSKey: s.appSKey ?? k.appSKey,
      };
      const confFCnt = f.fCtrl.ack && s.pendingAck ? s.pendingAck.fCnt % 0x10000 : 0;
      const txDr = dataRateIndex(region, best.datr) ?? 0;
      const txCh = Math.max(0, s.channels.indexOf(best.frequency));
      const opened = openDataFrame(best.phyPayload, keys, { version: s.version, fCnt, confFCnt, txDr, txCh });
      if (opened.micValid) {
        match = { d, fCnt, opened, retransmission };
        break;
      }
      if (retransmission) replayOf = d;
    }
    if (match === undefined) {
      if (replayOf !== undefined)
        return this.reject(
          'fcnt_replay',
          'ns.up.data.drop',
          ids(replayOf),
          `FCnt ${f.fCnt} replayed with another payload`,
        );
      return this.reject(
        'mic_mismatch',
        'ns.up.data.drop',
        candidates.flatMap(ids),
        `no session of DevAddr ${addr} verifies the MIC`,
      );
    }
    const { d, fCnt, opened, retransmission } = match;
    const s = d.session!;
    const v = macVersion(getPath(d.ns ?? {}, 'lorawan_version'));
    if (
      !retransmission &&
      s.lastFCntUp !== undefined &&
      fCnt - s.lastFCntUp > 16384 &&
      v !== '1.0.4' &&
      v !== '1.1'
    ) {
      return this.reject(
        'fcnt_gap',
        'ns.up.data.drop',
        ids(d),
        `FCnt jumped from ${s.lastFCntUp} to ${fCnt} (MAX_FCNT_GAP)`,
      );
    }
    const confirmed = f.mType === 'ConfirmedDataUp';
    s.lastSeen = { gatewayEui: best.gatewayEui, at: this.scheduler.now() };
    s.classARx2AtUs = best.receivedAtUs + (s.rx1Delay + 1) * 1e6;
    s.classB = f.fCtrl.classB;
    if (retransmission) {
      this.counters.retransmissions++;
      this.events.publish('ns.up.data.receive', ids(d), { f_cnt: fCnt, retransmission: true });
      if (confirmed) this.downlink(d, best, copies, fCnt);
      return;
    }
    s.lastFCntUp = fCnt;
    setPath(d.ns!, 'session.last_f_cnt_up', fCnt);
    this.counters.dataUplinks++;
    this.events.publish('ns.up.data.receive', ids(d), { f_cnt: fCnt, gateway_count: copies.length });
    // A confirmed downlink waiting for its ACK gets it now, or never.
    if (s.pendingAck !== undefined) {
      const item = s.pendingAck.item;
      if (item) this.as.downlinkEvent(d, f.fCtrl.ack ? 'ack' : 'nack', item);
      s.pendingAck = undefined;
    }
    const macBytes = f.fPort === 0 ? opened.frmPayload : opened.fOpts;
    const mac = { events: this.events, scheduler: this.scheduler };
    if (macBytes.length > 0) uplinkMac(mac, d, parseMacCommands(macBytes, 'uplink').commands, best, copies);
    if (f.fCtrl.adr) adr(mac, d, best, copies);
    this.events.publish('ns.up.data.process', ids(d), { f_cnt: fCnt });
    if (f.fPort !== null && f.fPort > 0) {
      const region = frequencyPlanOf(d).region;
      const dr = dataRate(region, dataRateIndex(region, best.datr) ?? 0);
      const airtime =
        dr.modulation === 'LORA'
          ? loraTimeOnAir(best.phyPayload.length, {
              spreadingFactor: dr.spreadingFactor,
              bandwidth: dr.bandwidth,
            })
          : 0;
      this.as.uplink(d, {
        fPort: f.fPort,
        fCnt,
        frmPayload: opened.frmPayload,
        confirmed,
        rxMetadata: copies.map((c) => ({
          gateway_ids: { gateway_id: this.gatewayId(c.gatewayEui), eui: c.gatewayEui },
          timestamp: c.tmst,
          rssi: c.rssi,
          channel_rssi: c.rssi,
          snr: c.snr,
          channel_index: c.channel,
          received_at: isoTime(this.scheduler.wallClockMs(c.receivedAtUs)),
        })),
        settings: {
          data_rate:
            dr.modulation === 'LORA'
              ? {
                  lora: {
                    bandwidth: dr.bandwidth,
                    spreading_factor: dr.spreadingFactor,
                    coding_rate: best.codr ?? '4/5',
                  },
                }
              : {},
          frequency: String(best.frequency),
          timestamp: best.tmst,
        },
        receivedAt: isoTime(this.scheduler.wallClockMs()),
        consumedAirtime: `${(airtime / 1e6).toFixed(6)}s`,
      });
    }
    if (confirmed || s.macOut.length > 0 || d.macRequests.length > 0 || d.queue.length > 0) {
      this.downlink(d, best, copies, confirmed ? fCnt : undefined);
    }
  }

  private gatewayId(eui: string): string {
    return this.gs.gatewayId(eui);
  }

  /** MAC requests the network should send this device (via config or the API), in its next downlink. */
  queueMacRequests(d: DeviceEntry, cmds: MacCommand[]): void {
    d.macRequests = [...d.macRequests, ...cmds];
  }

  // --- downlinks --------------------------------------------------------------------------------

  /** Builds the next data downlink of a device: MAC, ACK, the head of the queue, FPending. */
  private buildDownlink(d: DeviceEntry, ackUp: number | undefined): Built {
    const s = d.session!;
    const before = { nFCntDown: s.nFCntDown, aFCntDown: s.aFCntDown, pendingAck: s.pendingAck };
    const mac = [...s.macOut, ...d.macRequests];
    s.macOut = NO_MAC;
    d.macRequests = NO_MAC;
    let macBytes = encodeMacCommands(mac);
    let item: QueuedDownlink | undefined;
    let fPort: number | null = null;
    let frmPayload: Uint8Array = new Uint8Array(0);
    if (macBytes.length > 15) {
      fPort = 0;
      frmPayload = macBytes;
      macBytes = new Uint8Array(0);
    } else if (d.queue.length > 0) {
      item = d.queue[0]!;
      d.queue = d.queue.slice(1);
      fPort = item.f_port;
      frmPayload = Uint8Array.from(Buffer.from(item.frm_payload, 'base64'));
    }
    const useA = s.version === '1.1' && fPort !== null && fPort > 0;
    const fCnt = useA ? s.aFCntDown++ : s.nFCntDown++;
    const confirmed = item?.confirmed === true;
    const keys: SessionKeys = { ...s.keys, appSKey: s.appSKey ?? s.keys.appSKey };
    const phy = buildDataFrame(
      {
        mType: confirmed ? 'ConfirmedDataDown' : 'UnconfirmedDataDown',
        devAddr: s.devAddr as never,
        fCtrl: { adr: true, ack: ackUp !== undefined, fPending: d.queue.length > 0 },
        fCnt,
        fOpts: macBytes,
        fPort,
        frmPayload,
      },
      keys,
      { version: s.version, fCnt, confFCnt: ackUp === undefined ? 0 : ackUp % 0x10000 },
    );
    if (confirmed) s.pendingAck = { fCnt, ...(item ? { item } : {}) };
    setPath(d.ns!, 'session.last_n_f_cnt_down', s.nFCntDown);
    // Not scheduled on any gateway, the frame never existed for TTS: its FCnt is not used, the
    // application downlink goes back to the head of the queue, the MAC answers are dropped.
    const unsent = () => {
      Object.assign(s, before);
      if (item) d.queue = [item, ...d.queue];
      setPath(d.ns!, 'session.last_n_f_cnt_down', s.nFCntDown);
    };
    return {
      phy,
      ...(item ? { item } : {}),
      priority: downlinkPriority(item, mac.length > 0 || ackUp !== undefined),
      unsent,
    };
  }

  private downlink(
    d: DeviceEntry,
    best: GatewayUplink,
    copies: GatewayUplink[],
    ackUp: number | undefined,
  ): void {
    const s = d.session!;
    const region = frequencyPlanOf(d).region;
    const upDr = dataRateIndex(region, best.datr) ?? 0;
    const ch = s.channels.indexOf(best.frequency);
    const rx1: TxWindow = {
      delayUs: s.rx1Delay * 1e6,
      frequency: rx1Frequency(region, Math.max(ch, 0), best.frequency),
      dr: rx1DataRate(region, upDr, s.rx1DrOffset),
    };
    const rx2: TxWindow = { delayUs: (s.rx1Delay + 1) * 1e6, frequency: s.rx2Frequency, dr: s.rx2DataRate };
    // TTS's NS takes no class A window that opens before its last downlink (class B or C, placed
    // ahead): `earliestAt` is LastDownlinkAt. The answer then waits, and its FCnt stays unused, rather
    // than overtaking a frame with an earlier FCnt.
    const last = s.downlinkAtUs ?? -Infinity;
    const windows = (this.opts.downlinkWindow === 'RX1' ? [rx1, rx2] : [rx2]).filter(
      (w) => best.receivedAtUs + w.delayUs >= last,
    );
    if (windows.length === 0) {
      this.counters.classAAfterLast++;
      if (d.queue.length > 0) this.scheduler.at(last + AFTER_CLASS_A_US, () => this.classCDownlink(d));
      return;
    }
    const { phy, item, priority, unsent } = this.buildDownlink(d, ackUp);
    this.events.publish('ns.down.data.schedule.attempt', ids(d), { f_port: item?.f_port ?? null });
    this.transmit(d, 'data', copies, windows, {
      region,
      phy,
      priority,
      onSent: () => {
        this.counters.downlinks++;
        if (item) this.as.downlinkEvent(d, 'sent', item);
      },
      onFail: (error) => {
        if (item) this.as.downlinkEvent(d, 'failed', item, error);
      },
      onNotScheduled: unsent,
    });
  }

  /**
   * A class B or C device with a new queue item, through the gateway that heard it last: class B in
   * its next ping slot the gateway has room for (the GS's `ScheduleAt`), class C on RX2 at the first
   * moment the gateway's schedule has room (`ScheduleAnytime`).
   */
  private classCDownlink(d: DeviceEntry): void {
    const s = d.session;
    if (s?.lastSeen === undefined) return;
    if (classBActive(d)) return this.classBDownlink(d, 0);
    if (getPath(d.ns ?? {}, 'supports_class_c') !== true) return;
    // As TTS's NS (nextUnconfirmedNetworkInitiatedDownlinkAt): not before the last uplink's RX2 opens
    // (the device listens on RX1 until then), nor before a downlink already on its way — this frame
    // goes after it, never before.
    const pending = s.downlinkAtUs ?? 0;
    const earliest = Math.max(
      pending > this.scheduler.now() ? pending + AFTER_CLASS_A_US : 0,
      s.classARx2AtUs ?? 0,
    );
    if (earliest > this.scheduler.now()) {
      this.scheduler.at(earliest, () => this.classCDownlink(d));
      return;
    }
    const region = frequencyPlanOf(d).region;
    const { phy, item, priority, unsent } = this.buildDownlink(d, undefined);
    // The GS can still place a frame over one on air at the gateway (tts-api.md Part 4): a gateway
    // that refuses it (COLLISION_PACKET) is offered it again a little later, with the FCnt it then needs.
    const stagger = (s.devAddr % 50) * 1000;
    const counters = () => `${s.nFCntDown}/${s.aFCntDown}`;
    const built = counters();
    const attempt = (n: number): void => {
      // Another downlink went out meanwhile (a class A answer): this frame's FCnt is now behind the
      // device's, which would take it for a counter that wrapped. Build it anew with the next FCnt.
      if (n > 1 && counters() !== built) {
        if (item) d.queue = [item, ...d.queue];
        this.classCDownlink(d);
        return;
      }
      const w = { frequency: s.rx2Frequency, dr: s.rx2DataRate };
      const startUs = this.gs.scheduleClassC(
        s.lastSeen!.gatewayEui,
        w,
        { region, phy, priority },
        (error) => {
          if (error === 'NONE') return this.sent(d, item);
          if (error === 'COLLISION_PACKET' && n < CLASS_C_ATTEMPTS) {
            this.scheduler.after(CLASS_C_RETRY_US * n + stagger, () => attempt(n + 1));
            return;
          }
          if (item) this.as.downlinkEvent(d, 'failed', item, error);
        },
      );
      if (startUs === undefined) this.notScheduled(d, unsent);
      else lastDownlinkAt(s, startUs);
    };
    attempt(1);
  }

  /**
   * A class B device's queue item, in its next ping slot the gateway that heard it last has room for
   * (the GS's `ScheduleAt`). The frame is built just before the slot, as TTS's downlink task does, so
   * that a class A answer sent meanwhile does not leave it with an FCnt already used.
   */
  private classBDownlink(d: DeviceEntry, tries: number): void {
    const s = d.session!;
    // Not before a class A answer on its way with an earlier FCnt.
    const from = Math.max(
      this.scheduler.now() + CLASS_B_BUILD_LEAD_US + 130_000,
      (s.downlinkAtUs ?? 0) + AFTER_CLASS_A_US,
    );
    const slot = pingSlots(this.scheduler, s.devAddr, s.pingSlotPeriodicity!, from).next();
    if (slot.done) return;
    const { atUs, beaconTimeS } = slot.value;
    this.scheduler.at(atUs - CLASS_B_BUILD_LEAD_US, () => {
      if (!classBActive(d) || d.session !== s || d.queue.length === 0) return;
      // A class A answer scheduled since, after this slot: a later slot, so the FCnts stay in order.
      if ((s.downlinkAtUs ?? 0) + AFTER_CLASS_A_US > atUs) return this.classBDownlink(d, tries);
      const region = frequencyPlanOf(d).region;
      const { phy, item, priority, unsent } = this.buildDownlink(d, undefined);
      const w = pingSlotChannel(d, region, beaconTimeS);
      const startUs = this.gs.scheduleClassC(
        s.lastSeen!.gatewayEui,
        w,
        { region, phy, priority },
        (error) => {
          if (error === 'NONE') return this.sent(d, item);
          if (item) this.as.downlinkEvent(d, 'failed', item, error);
        },
        atUs,
      );
      if (startUs !== undefined) return lastDownlinkAt(s, startUs);
      // That slot's gateway was busy or out of duty cycle: the next slot, a few times.
      if (tries + 1 < CLASS_B_SLOTS_TRIED) {
        unsent();
        this.classBDownlink(d, tries + 1);
      } else this.notScheduled(d, unsent);
    });
  }

  private sent(d: DeviceEntry, item: QueuedDownlink | undefined): void {
    this.counters.downlinks++;
    if (item) this.as.downlinkEvent(d, 'sent', item);
  }

  private notScheduled(d: DeviceEntry, unsent: () => void): void {
    this.counters.notScheduled.data++;
    this.events.publish('ns.down.data.schedule.fail', ids(d), { name: 'tx_schedule' });
    unsent();
  }

  /**
   * Hands a class A downlink to the GS with its paths (the gateways that heard the uplink, best SNR
   * first) and windows. Scheduled is success for the NS (`ns.down.*.schedule.success`); the gateway's
   * TX_ACK decides whether it was sent. When no path can take it, the device is told nothing — it was
   * not sent (`ns.down.*.schedule.fail`, which names the device).
   */
  private transmit(
    d: DeviceEntry,
    kind: 'join' | 'data',
    copies: GatewayUplink[],
    windows: TxWindow[],
    o: {
      region: Region;
      phy: Uint8Array;
      priority: TxSchedulePriority;
      beforeSend?: () => void;
      onSent: () => void;
      /** The gateway's TX_ACK said it did not send the frame. */
      onFail: (error: string) => void;
      onNotScheduled: () => void;
    },
  ): void {
    const paths = [...copies].sort((a, b) => b.snr - a.snr);
    const scheduled = this.gs.scheduleClassA(paths, windows, o, (error) => {
      if (error === 'NONE') {
        this.events.publish('ns.down.transmission.success', ids(d));
        return o.onSent();
      }
      this.events.publish('ns.down.transmission.fail', ids(d), { name: error });
      o.onFail(error);
    });
    if (scheduled === undefined) {
      this.counters.notScheduled[kind]++;
      this.events.publish(`ns.down.${kind}.schedule.fail`, ids(d), { name: 'tx_schedule' });
      return o.onNotScheduled();
    }
    if (kind === 'data') lastDownlinkAt(d.session!, scheduled.startUs);
    this.events.publish(`ns.down.${kind}.schedule.success`, ids(d), { rx_window: scheduled.window });
  }
}

/** The session's last downlink goes on air at `startUs` (TTS's MACState.LastDownlinkAt), if later. */
function lastDownlinkAt(s: NsSession, startUs: number): void {
  s.downlinkAtUs = Math.max(s.downlinkAtUs ?? -Infinity, startUs);
}

/** Class B: ping slots offered to the gateway before the downlink waits for the next uplink. */
const CLASS_B_SLOTS_TRIED = 4;
/** Class B and C: how long after a pending class A downlink a network-initiated one may go. */
const AFTER_CLASS_A_US = 300_000;
/** Class B: how long before its ping slot a frame is built and handed to the GS. */
const CLASS_B_BUILD_LEAD_US = 500_000;

/** Class C: how many times a downlink refused by a busy gateway is offered again, and how far apart. */
const CLASS_C_ATTEMPTS = 12;
const CLASS_C_RETRY_US = 500_000;

interface Built {
  phy: Uint8Array;
  item?: QueuedDownlink;
  priority: TxSchedulePriority;
  /** Undoes what building the frame changed, for a frame no gateway path could take. */
  unsent: () => void;
}

/**
 * The priority the GS schedules a data downlink with: the application's for its payload, raised to
 * HIGH when the frame carries MAC commands or an ACK the device is waiting for.
 */
function downlinkPriority(item: QueuedDownlink | undefined, network: boolean): TxSchedulePriority {
  const app = TX_PRIORITIES.find((p) => p === item?.priority) ?? 'NORMAL';
  return network && TX_PRIORITIES.indexOf(app) < TX_PRIORITIES.indexOf('HIGH') ? 'HIGH' : app;
}
