import { LoraPacket } from './lora-packet.js';
import {
  aes128Key,
  deriveSessionKeys10,
  deriveSessionKeys11,
  deriveJSIntKey,
  eui64,
  type AES128Key,
} from '../../crypto/index.js';
import { VirtualDevice } from '../../simulator/device/device.js';
import { StateStore } from '../../simulator/device/state-store.js';
import type { LoRaWANVersion } from '../../simulator/lorawan/types.js';
import type {
  AbpConfig,
  DeviceConfig,
  DeviceEvent,
  DeviceTransmission,
  Otaa11Config,
  OtaaConfig,
} from '../../simulator/device/types.js';
import {
  buildDataFrame,
  buildJoinAccept,
  decodePHYPayload,
  encodeMacCommands,
  joinRequestMicValid,
  openDataFrame,
  parseMacCommands,
  sessionKeys10,
  type CFList,
  type MacCommand,
  type SessionKeys,
} from '../../simulator/lorawan/index.js';
import { Rng } from '../../simulator/random/rng.js';
import { loraTimeOnAir } from '../../simulator/region/airtime.js';
import { rx1DataRate, rx1Frequency } from '../../simulator/region/channels.js';
import { REGIONS } from '../../simulator/region/index.js';
import type { Region } from '../../simulator/region/types.js';
import { VirtualScheduler } from '../../simulator/time/scheduler.js';

export const APP_KEY = aes128Key('2B7E151628AED2A6ABF7158809CF4F3C');
export const NWK_KEY = aes128Key('000102030405060708090A0B0C0D0E0F');
export const JOIN_EUI = eui64('70B3D57ED0000001');
export const DEV_EUI = eui64('0004A30B001C0530');

/** What a test may override of an OTAA device: any version; NwkKey is there for 1.1 and ignored before. */
export type OtaaOverrides = Partial<Omit<Otaa11Config, 'version' | 'activation'>> & {
  version?: LoRaWANVersion;
};

export function otaaConfig(over: OtaaOverrides = {}): OtaaConfig {
  // The cast joins version and keys, which the union keeps apart: nwkKey is always given here.
  return {
    id: 'dev-1',
    devEui: DEV_EUI,
    joinEui: JOIN_EUI,
    version: '1.0.3',
    activation: 'otaa',
    deviceClass: 'A',
    region: REGIONS.EU868,
    appKey: APP_KEY,
    nwkKey: NWK_KEY,
    dataRate: 5,
    ...over,
  } as OtaaConfig;
}

/** The config of an OTAA device, for a test that builds what its network would send. */
export function otaaOf(c: DeviceConfig): OtaaConfig & { nwkKey: AES128Key } {
  if (c.activation !== 'otaa') throw new Error(`${c.id} is an ABP device`);
  // LoRaWAN 1.0.x: the AppKey is also the network's root key.
  return { ...c, nwkKey: c.version === '1.1' ? c.nwkKey : c.appKey };
}

export function abpConfig(over: Partial<Omit<AbpConfig, 'activation'>> = {}): AbpConfig {
  return {
    id: 'abp-1',
    devEui: DEV_EUI,
    version: '1.0.3',
    activation: 'abp',
    deviceClass: 'A',
    region: REGIONS.EU868,
    devAddr: 0x26011f2a as never,
    sessionKeys: sessionKeys10(aes128Key('11'.repeat(16)), aes128Key('22'.repeat(16))),
    dataRate: 5,
    ...over,
  };
}

/** What the scripted network knows of a device's session. */
export interface NetSession {
  devAddr: number;
  keys: SessionKeys;
  version: '1.0' | '1.1';
  fCntDown: number;
  aFCntDown: number;
}

/**
 * A scripted LoRaWAN network for device tests, in virtual time: it sees every frame the device
 * transmits, can answer Join-requests, and schedules downlinks into the device's receive windows.
 * Join server and key derivation use lorafleet's crypto; data uplinks are checked with lora-packet.
 */
export class DeviceHarness {
  readonly sched = new VirtualScheduler();
  readonly txs: DeviceTransmission[] = [];
  readonly events: DeviceEvent[] = [];
  readonly device: VirtualDevice;
  readonly region: Region;
  session: NetSession | undefined;
  private joinNonce = 0x10;

  constructor(
    readonly config: DeviceConfig,
    readonly store: StateStore = StateStore.memory(),
    seed = 1,
  ) {
    this.region = config.region;
    this.device = new VirtualDevice(
      config,
      this.sched,
      { transmit: (tx) => this.txs.push(tx) },
      new Rng(seed),
      store,
      {
        onEvent: (e) => this.events.push(e),
      },
    );
  }

  start(): this {
    this.device.start();
    return this;
  }

  advance(ms: number): void {
    this.sched.advanceBy(ms * 1000);
  }

  /** Advances virtual time in small steps until the device has transmitted something new. */
  waitForTx(
    kind?: DeviceTransmission['kind'],
    maxMs = 600_000,
    before = this.txs.length,
  ): DeviceTransmission {
    for (let t = 0; t < maxMs; t += 100) {
      const fresh = this.txs.slice(before).find((x) => kind === undefined || x.kind === kind);
      if (fresh) return fresh;
      this.advance(100);
    }
    throw new Error(`no ${kind ?? ''} transmission within ${maxMs} ms`);
  }

  /** Queues an application uplink and returns its first transmission. */
  sendUplink(fPort: number, payload: Uint8Array, confirmed = false): DeviceTransmission {
    const before = this.txs.length; // the frame may leave at once, inside send()
    this.device.send(fPort, payload, confirmed);
    return this.waitForTx('data', 600_000, before);
  }

  last(kind?: DeviceTransmission['kind']): DeviceTransmission {
    const t = kind === undefined ? this.txs.at(-1) : this.txs.filter((x) => x.kind === kind).at(-1);
    if (!t) throw new Error(`no ${kind ?? ''} transmission yet`);
    return t;
  }

  /** Delivers `phy` so that it starts exactly when the device's RX1/RX2 window after `tx` opens. */
  deliver(
    tx: DeviceTransmission,
    window: 'RX1' | 'RX2',
    phy: Uint8Array,
    o: { offsetUs?: number; frequency?: number; dataRate?: number; rx1Delay?: number } = {},
  ): void {
    const r = this.region;
    const join = tx.kind !== 'data';
    const delay1 = join ? r.joinAcceptDelay1 * 1000 : (o.rx1Delay ?? this.device.mac.rx1Delay) * 1e6;
    const start =
      tx.startUs + tx.airtimeUs + delay1 + (window === 'RX2' ? (join ? 1e6 : 1e6) : 0) + (o.offsetUs ?? 0);
    const dr =
      o.dataRate ??
      (window === 'RX1'
        ? rx1DataRate(r, tx.dataRate, join ? 0 : this.device.mac.rx1DrOffset)
        : join
          ? r.rx2.dataRate
          : this.device.mac.rx2DataRate);
    const frequency =
      o.frequency ??
      (window === 'RX1'
        ? rx1Frequency(r, tx.channel, tx.frequency)
        : join
          ? r.rx2.frequency
          : this.device.mac.rx2Frequency);
    this.deliverAtTime(start, phy, frequency, dr);
  }

  /** Delivers a downlink at an arbitrary moment, frequency and data rate. */
  deliverAtTime(start: number, phy: Uint8Array, frequency: number, dr: number): void {
    const d = r(this.region, dr);
    const airtime = loraTimeOnAir(phy.length, {
      spreadingFactor: d.spreadingFactor,
      bandwidth: d.bandwidth,
      crc: false,
    });
    this.sched.at(start, () =>
      this.device.hear({
        phyPayload: phy,
        frequency,
        datr: d.datr,
        startUs: start,
        airtimeUs: airtime,
        rssi: -70,
        snr: 6.5,
      }),
    );
  }

  /** Answers the device's last Join-request (checked with our crypto) in RX1 or RX2. */
  acceptJoin(
    o: {
      window?: 'RX1' | 'RX2';
      optNeg?: boolean;
      devAddr?: number;
      netId?: number;
      cfList?: CFList;
      rx1DrOffset?: number;
      rx2DataRate?: number;
      rxDelay?: number;
      joinNonce?: number;
    } = {},
  ): NetSession {
    const tx = this.last('join');
    const jr = decodePHYPayload(tx.phyPayload);
    if (jr.mType !== 'JoinRequest') throw new Error('last join transmission is not a Join-request');
    const c = otaaOf(this.config);
    const v11 = c.version === '1.1';
    const rootKey: AES128Key = c.nwkKey;
    if (!joinRequestMicValid(tx.phyPayload, rootKey)) throw new Error('Join-request MIC does not verify');
    const optNeg = o.optNeg ?? v11;
    const joinNonce = o.joinNonce ?? this.joinNonce++;
    const netId = o.netId ?? 0x000013;
    const devAddr = o.devAddr ?? 0x26000001;
    const payload = {
      joinNonce,
      netId: netId as never,
      devAddr: devAddr as never,
      dlSettings: {
        optNeg,
        rx1DrOffset: o.rx1DrOffset ?? 0,
        rx2DataRate: o.rx2DataRate ?? this.region.rx2.dataRate,
      },
      rxDelay: o.rxDelay ?? 1,
      ...(o.cfList ? { cfList: o.cfList } : {}),
    };
    let keys: SessionKeys;
    let phy: Uint8Array;
    if (optNeg) {
      const jsIntKey = deriveJSIntKey(c.nwkKey, c.devEui);
      phy = buildJoinAccept(payload, c.nwkKey, jsIntKey, {
        joinReqType: 'JoinRequest',
        joinEui: c.joinEui,
        devNonce: jr.devNonce,
      });
      keys = deriveSessionKeys11(c.nwkKey, c.appKey, joinNonce, c.joinEui, jr.devNonce);
    } else {
      phy = buildJoinAccept(payload, rootKey, rootKey);
      const k = deriveSessionKeys10(rootKey, joinNonce, netId, jr.devNonce);
      keys = sessionKeys10(k.nwkSKey, k.appSKey);
    }
    this.deliver(tx, o.window ?? 'RX1', phy);
    this.session = { devAddr, keys, version: optNeg ? '1.1' : '1.0', fCntDown: 0, aFCntDown: 0 };
    return this.session;
  }

  /** The network's view of an ABP device's session. */
  abpSession(): NetSession {
    const c = this.config;
    if (c.activation !== 'abp') throw new Error(`${c.id} is an OTAA device`);
    this.session = {
      devAddr: c.devAddr,
      keys: c.sessionKeys,
      version: c.version === '1.1' ? '1.1' : '1.0',
      fCntDown: 0,
      aFCntDown: 0,
    };
    return this.session;
  }

  /** Opens a data uplink with the network's keys: MIC, full FCnt, decrypted FOpts/FRMPayload, MAC commands. */
  openUplink(tx: DeviceTransmission) {
    const s = this.session!;
    const o = openDataFrame(tx.phyPayload, s.keys, {
      version: s.version,
      fCnt: tx.fCnt!,
      txDr: tx.dataRate,
      txCh: tx.channel,
      confFCnt: this.confFCntFor(tx),
    });
    const macBytes = o.frame.fPort === 0 ? o.frmPayload : o.fOpts;
    return { ...o, mac: parseMacCommands(macBytes, 'uplink').commands };
  }

  private lastConfirmedDown: number | undefined;
  private confFCntFor(tx: DeviceTransmission): number {
    const f = decodePHYPayload(tx.phyPayload);
    return f.mType === 'UnconfirmedDataUp' || f.mType === 'ConfirmedDataUp'
      ? f.fCtrl.ack
        ? (this.lastConfirmedDown ?? 0) % 0x10000
        : 0
      : 0;
  }

  /** lora-packet's independent verdict on a 1.0 data uplink's MIC. */
  loraPacketVerifies(tx: DeviceTransmission): boolean {
    const s = this.session!;
    const p = LoraPacket.fromWire(Buffer.from(tx.phyPayload));
    const msb = Buffer.from([(tx.fCnt! >>> 16) & 0xff, (tx.fCnt! >>> 24) & 0xff]);
    return LoraPacket.verifyMIC(p, Buffer.from(s.keys.fNwkSIntKey), undefined, msb);
  }

  /** Builds a data downlink with the network's keys (next FCntDown) and delivers it into a window. */
  downlink(
    tx: DeviceTransmission,
    o: {
      window?: 'RX1' | 'RX2';
      confirmed?: boolean;
      ack?: boolean;
      fPort?: number | null;
      payload?: Uint8Array;
      mac?: MacCommand[];
      fPending?: boolean;
      fCnt?: number;
      tamper?: boolean;
      offsetUs?: number;
      frequency?: number;
      dataRate?: number;
    } = {},
  ): Uint8Array {
    const phy = this.buildDownlink(o, tx);
    this.deliver(tx, o.window ?? 'RX1', phy, o);
    return phy;
  }

  buildDownlink(
    o: {
      confirmed?: boolean;
      ack?: boolean;
      fPort?: number | null;
      payload?: Uint8Array;
      mac?: MacCommand[];
      fPending?: boolean;
      fCnt?: number;
      tamper?: boolean;
    },
    ackOf?: DeviceTransmission,
  ): Uint8Array {
    const s = this.session!;
    const fPort = o.fPort === undefined ? (o.payload ? 1 : null) : o.fPort;
    const useA = s.version === '1.1' && fPort !== null && fPort > 0;
    const fCnt = o.fCnt ?? (useA ? s.aFCntDown++ : s.fCntDown++);
    const macBytes = o.mac ? encodeMacCommands(o.mac) : new Uint8Array(0);
    const onPort0 = fPort === 0;
    const phy = buildDataFrame(
      {
        mType: o.confirmed ? 'ConfirmedDataDown' : 'UnconfirmedDataDown',
        devAddr: s.devAddr as never,
        fCtrl: { ack: o.ack ?? false, fPending: o.fPending ?? false, adr: true },
        fCnt,
        fOpts: onPort0 ? new Uint8Array(0) : macBytes,
        fPort,
        frmPayload: onPort0 ? macBytes : (o.payload ?? new Uint8Array(0)),
      },
      s.keys,
      { version: s.version, fCnt, confFCnt: o.ack && ackOf?.fCnt !== undefined ? ackOf.fCnt % 0x10000 : 0 },
    );
    if (o.confirmed) this.lastConfirmedDown = fCnt;
    if (o.tamper) phy[phy.length - 1]! ^= 0xff;
    return phy;
  }

  eventsOf<T extends DeviceEvent['type']>(type: T): Extract<DeviceEvent, { type: T }>[] {
    return this.events.filter((e) => e.type === type) as Extract<DeviceEvent, { type: T }>[];
  }
}

function r(region: Region, dr: number) {
  const d = region.dataRates[dr];
  if (d === undefined || d.modulation !== 'LORA')
    throw new Error(`DR${dr} is not a LoRa data rate in ${region.name}`);
  return d;
}
