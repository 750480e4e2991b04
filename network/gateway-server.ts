import { gpsTimeMs, type TxPk } from '../simulator/semtech-udp/packets.js';
import { timeOnAir } from '../simulator/region/airtime.js';
import { dataRate } from '../simulator/region/channels.js';
import { subBandFor } from '../simulator/region/duty-cycle.js';
import type { Region } from '../simulator/region/types.js';
import type { Scheduler } from '../simulator/time/scheduler.js';
import type { EntityIds, EventBus } from './events.js';
import { GatewaySchedule, type ScheduleRefusal, type TxSchedulePriority } from './gateway-schedule.js';
import { getPath } from './paths.js';
import type { Registry } from './registry.js';
import type { GatewayUplink } from './udp-frontend.js';

const U32 = 0x1_0000_0000;

/** Conducted TX power a gateway is asked for, as TTS does: sub-band EIRP − 2.15 dB, to a common table step. */
const POWER_STEPS = [27, 26, 25, 23, 20, 16, 14, 12, 10];
function gatewayPower(region: Region, frequency: number): number {
  const eirp = subBandFor(region, frequency)?.maxEirp ?? region.maxEirp;
  return POWER_STEPS.find((p) => p <= eirp - 2.15) ?? 10;
}

/** A receive window of a class A downlink: opened `delayUs` after the uplink ended. */
export interface TxWindow {
  delayUs: number;
  frequency: number;
  dr: number;
}

export interface DownlinkRequest {
  region: Region;
  phy: Uint8Array;
  priority: TxSchedulePriority;
  /** Called once a gateway path has taken the frame, before it goes to the gateway. */
  beforeSend?: () => void;
}

/** Where the GS placed a downlink: the gateway, and the window (1 = RX1, 2 = RX2; 0 for class C). */
export interface Scheduled {
  gatewayEui: string;
  window: number;
  /** When the frame goes on air (scheduler µs). */
  startUs: number;
}

export interface GatewayServerCounters {
  /** Receive windows (class C: moments) the GS could not use on a gateway, by TTS's reason. */
  windowRefusals: Record<string, number>;
  txAckErrors: Record<string, number>;
}

/** Where the GS reaches gateways: the Semtech UDP frontend, the Basics Station LNS. */
export interface GatewayFrontend {
  hasDownlinkPath(eui: string): boolean;
  /** Sends a frame to the gateway; `done` gets its answer ('NONE' when sent). False: no path. */
  sendDownlink(eui: string, txpk: TxPk, done: (error: string) => void): boolean;
}

/** Why a gateway path could not take a downlink: the schedule's reasons, or no connection to send on. */
export type PathRefusal = ScheduleRefusal | 'not_connected' | 'no_gps_sync';

/** The TX_ACK result: 'NONE' when the gateway sent the frame. */
export type TxAckResult = (error: string) => void;

/**
 * The gateway server's downlink side, as TTS's (pkg/gatewayserver/io, scheduling): it keeps each
 * gateway's schedule and decides itself whether a path can take a frame — RX1, then RX2, on the
 * first gateway whose schedule has room, in the order the NS gives — and only then sends it to the
 * gateway. A path refused here is published as `gs.down.schedule.fail`; the gateway's own TX_ACK
 * comes later and does not make the GS try another path.
 */
export class GatewayServer {
  readonly counters: GatewayServerCounters = { windowRefusals: {}, txAckErrors: {} };
  private readonly schedules = new Map<string, GatewaySchedule>();
  /** Each gateway's concentrator clock: the latest uplink's `tmst` and when it arrived; GPS lock. */
  private readonly clocks = new Map<string, { tmst: number; atUs: number; gps: boolean }>();
  private readonly identifiers = new Map<string, EntityIds[]>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly events: EventBus,
    private readonly frontends: () => readonly GatewayFrontend[],
    private readonly registry: Registry,
  ) {}

  /** Every uplink synchronises the gateway's clock (TTS: the highest `tmst` of each PUSH_DATA). */
  sync(u: GatewayUplink): void {
    const c = this.clocks.get(u.gatewayEui);
    if (c === undefined || c.atUs <= u.receivedAtUs)
      this.clocks.set(u.gatewayEui, { tmst: u.tmst, atUs: u.receivedAtUs, gps: u.tmms !== undefined });
  }

  gatewayId(eui: string): string {
    const g = this.registry.gatewayByEui(eui);
    return (g && (getPath(g, 'ids.gateway_id') as string)) || `eui-${eui.toLowerCase()}`;
  }

  /**
   * A class A downlink: each path (an uplink copy, best first) tries RX1 then RX2. The first that fits
   * is sent; `onTxAck` gets the gateway's answer. Undefined when no path could take it.
   */
  scheduleClassA(
    paths: readonly GatewayUplink[],
    windows: readonly TxWindow[],
    req: DownlinkRequest,
    onTxAck: TxAckResult,
  ): Scheduled | undefined {
    const now = this.scheduler.now();
    for (const u of paths) {
      if (this.frontendOf(u.gatewayEui) === undefined) {
        this.refusedWindow('not_connected');
        this.pathFailed(u.gatewayEui, ['not_connected']);
        continue;
      }
      const causes: PathRefusal[] = [];
      for (const [i, w] of windows.entries()) {
        const startUs = u.receivedAtUs + w.delayUs;
        const why = this.schedule(u.gatewayEui, req, w.dr, (s, airUs) =>
          s.at(now, startUs, airUs, w.frequency, req.priority),
        );
        if (why !== undefined) {
          this.refusedWindow(why);
          causes.push(why);
          continue;
        }
        const tmst = (u.tmst + w.delayUs) % U32;
        req.beforeSend?.();
        this.send(u.gatewayEui, this.txpk(req, w, { imme: false, tmst }), onTxAck);
        return { gatewayEui: u.gatewayEui, window: i + 1, startUs };
      }
      this.pathFailed(u.gatewayEui, causes);
    }
    return undefined;
  }

  /**
   * A class C downlink through one gateway, at the first moment its schedule has room from
   * `SCHEDULE_TIME_LONG_US` on (`ScheduleAnytime`): when it starts (scheduler µs), or undefined when
   * there is no room.
   */
  scheduleClassC(
    eui: string,
    w: Omit<TxWindow, 'delayUs'>,
    req: DownlinkRequest,
    onTxAck: TxAckResult,
    /** Class B: this moment exactly (a ping slot, `ScheduleAt`), not the first free one. */
    atUs?: number,
  ): number | undefined {
    const clock = this.clocks.get(eui);
    if (clock === undefined || this.frontendOf(eui) === undefined) {
      this.refusedWindow('not_connected');
      this.pathFailed(eui, ['not_connected']);
      return undefined;
    }
    // TTS sends class B by absolute time, which needs a GPS-locked gateway (io.go `errNoGPSSync`).
    if (atUs !== undefined && !clock.gps) {
      this.refusedWindow('no_gps_sync');
      this.pathFailed(eui, ['no_gps_sync']);
      return undefined;
    }
    const now = this.scheduler.now();
    let startUs = 0;
    const why = this.schedule(eui, req, w.dr, (s, airUs) => {
      if (atUs !== undefined) {
        startUs = atUs;
        return s.at(now, atUs, airUs, w.frequency, req.priority);
      }
      const r = s.anytime(now, airUs, w.frequency, req.priority);
      if (typeof r === 'string') return r;
      startUs = r;
      return undefined;
    });
    if (why !== undefined) {
      this.refusedWindow(why);
      this.pathFailed(eui, [why]);
      return undefined;
    }
    const tmst = (((clock.tmst + startUs - clock.atUs) % U32) + U32) % U32;
    req.beforeSend?.();
    const when =
      atUs !== undefined
        ? { imme: false as const, tmms: gpsTimeMs(this.scheduler.wallClockMs(startUs)) }
        : { imme: false as const, tmst };
    this.send(eui, this.txpk(req, { ...w, delayUs: 0 }, when), onTxAck);
    return startUs;
  }

  private schedule(
    eui: string,
    req: DownlinkRequest,
    dr: number,
    place: (s: GatewaySchedule, airUs: number) => ScheduleRefusal | undefined,
  ): ScheduleRefusal | undefined {
    let s = this.schedules.get(eui);
    if (s === undefined) {
      // A registered gateway's own setting; TTS enforces duty cycle for unregistered ones.
      const g = this.registry.gatewayByEui(eui);
      s = new GatewaySchedule(req.region, g === undefined || getPath(g, 'enforce_duty_cycle') === true);
      this.schedules.set(eui, s);
    }
    return place(s, timeOnAir(dataRate(req.region, dr), req.phy.length, 'down'));
  }

  private frontendOf(eui: string): GatewayFrontend | undefined {
    return this.frontends().find((f) => f.hasDownlinkPath(eui));
  }

  private refusedWindow(why: PathRefusal): void {
    this.counters.windowRefusals[why] = (this.counters.windowRefusals[why] ?? 0) + 1;
  }

  /** A gateway's identifiers on its events, made once per gateway ID (a storm fails thousands of paths). */
  private identifiersOf(eui: string): EntityIds[] {
    const id = this.gatewayId(eui);
    let ids = this.identifiers.get(id);
    if (ids === undefined) {
      if (this.identifiers.size >= 10_000) this.identifiers.clear();
      ids = Object.freeze([Object.freeze({ gateway_ids: Object.freeze({ gateway_id: id }) })]) as EntityIds[];
      this.identifiers.set(id, ids);
    }
    return ids;
  }

  private pathFailed(eui: string, causes: PathRefusal[]): void {
    // As TTS: one event per gateway path, the causes nested (rx_window_schedule → conflict).
    const gw = this.identifiersOf(eui);
    this.events.publish('gs.down.schedule.fail', gw, () => ({
      '@type': 'type.googleapis.com/ttn.lorawan.v3.ErrorDetails',
      namespace: 'pkg/gatewayserver/io',
      name: 'tx_schedule',
      details: causes.map((c, i) => ({
        namespace: 'pkg/gatewayserver/io',
        name: 'rx_window_schedule',
        attributes: { window: i + 1 },
        cause: { namespace: 'pkg/gatewayserver/scheduling', name: c },
      })),
    }));
  }

  private txpk(
    req: DownlinkRequest,
    w: TxWindow,
    when: { imme: false; tmst: number } | { imme: false; tmms: number },
  ): TxPk {
    const dr = dataRate(req.region, w.dr);
    return {
      ...when,
      freq: w.frequency / 1e6,
      rfch: 0,
      powe: gatewayPower(req.region, w.frequency),
      modu: dr.modulation === 'FSK' ? 'FSK' : 'LORA',
      datr: dr.datr,
      ...(dr.modulation === 'FSK' ? { fdev: 25000 } : { codr: '4/5' }),
      ipol: true,
      size: req.phy.length,
      data: Buffer.from(req.phy).toString('base64'),
      ncrc: true,
    };
  }

  private send(eui: string, txpk: TxPk, onTxAck: TxAckResult): void {
    const gw = this.identifiersOf(eui);
    this.frontendOf(eui)?.sendDownlink(eui, txpk, (error) => {
      if (error === 'NONE') this.events.publish('gs.down.tx.success', gw);
      else {
        this.counters.txAckErrors[error] = (this.counters.txAckErrors[error] ?? 0) + 1;
        this.events.publish('gs.down.tx.fail', gw, { name: error });
      }
      onTxAck(error);
    });
  }
}
