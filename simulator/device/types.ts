import type { AES128Key, DevAddr, EUI64 } from '../../crypto/types.js';
import type { SessionKeys } from '../lorawan/frame-security.js';
import type { LoRaWANVersion } from '../lorawan/types.js';
import type { Region } from '../region/types.js';
import type { ViolationKind } from '../lorawan/violations.js';

/** What every device has, however it is activated. */
export interface DeviceSettings {
  id: string;
  devEui: EUI64;
  deviceClass: 'A' | 'B' | 'C';
  /** Class B: a ping slot every 2^n s (0–7, default 0), announced in PingSlotInfoReq. */
  pingSlotPeriodicity?: number;
  region: Region;
  dataRate?: number;
  txPower?: number;
  adr?: boolean;
  nbTrans?: number;
  /** Battery for DevStatusAns: 0 external power, 1–254, 255 unknown (default). */
  battery?: number;
  /** Count duty cycle per sub-band (default: regions with a duty-cycle limit below 100 %, as EU868). */
  enforceDutyCycle?: boolean;
  /** µs a downlink may start before or after the instant a receive window opens (default 20 ms). */
  rxWindowToleranceUs?: number;
  /** ms range of the random wait before retrying a join that got no accept (default 5–15 s). */
  joinRetryDelayMs?: readonly [number, number];
  /** Transmissions of a confirmed uplink at most (default: NbTrans from 1.0.4 on, 8 before). */
  maxConfirmedTransmissions?: number;
  /** Add LinkCheckReq / DeviceTimeReq to every Nth uplink. */
  linkCheckEvery?: number;
  deviceTimeEvery?: number;
}

/** LoRaWAN 1.0.x OTAA: AppKey is the one root key (1.0.4 §6.2.2). */
export interface Otaa10Config extends DeviceSettings {
  activation: 'otaa';
  version: Exclude<LoRaWANVersion, '1.1'>;
  joinEui: EUI64;
  appKey: AES128Key;
}

/** LoRaWAN 1.1 OTAA: NwkKey for the network's keys and the join MICs, AppKey for AppSKey (1.1 §6.1.1.3). */
export interface Otaa11Config extends DeviceSettings {
  activation: 'otaa';
  version: '1.1';
  joinEui: EUI64;
  appKey: AES128Key;
  nwkKey: AES128Key;
}

export type OtaaConfig = Otaa10Config | Otaa11Config;

/** ABP: the session is given (LoRaWAN 1.1 §6.3). */
export interface AbpConfig extends DeviceSettings {
  activation: 'abp';
  version: LoRaWANVersion;
  devAddr: DevAddr;
  /** 1.0.x: the one NwkSKey in all three network key fields. */
  sessionKeys: SessionKeys;
  /** Start FCntUp at 0 on every start (The Things Stack's `resets_f_cnt`). */
  resetsFCnt?: boolean;
  /**
   * Come back after a restart with the MAC state saved with the session (channels, windows, power,
   * ADR), as a device with NVM does (default true). False when the network starts the device over
   * too, e.g. it was registered anew.
   */
  restoreMac?: boolean;
  /** The receive settings the network was told (`mac_settings`). */
  abpRx?: { rx1Delay?: number; rx1DrOffset?: number; rx2DataRate?: number; rx2Frequency?: number };
}

export type DeviceConfig = OtaaConfig | AbpConfig;

/** A frame leaving the device's antenna. */
export interface DeviceTransmission {
  deviceId: string;
  kind: 'join' | 'rejoin' | 'data';
  /** Hz */
  frequency: number;
  channel: number;
  dataRate: number;
  datr: string | number;
  modulation: 'LORA' | 'FSK';
  spreadingFactor?: number;
  /** Hz */
  bandwidth: number;
  codr: '4/5';
  /** dBm */
  eirp: number;
  phyPayload: Uint8Array;
  /** Scheduler µs. */
  startUs: number;
  airtimeUs: number;
  fCnt?: number;
  confirmed?: boolean;
  /** 1 for the first transmission of a frame, then 2, 3… for retransmissions. */
  attempt: number;
  /** RX1 and RX2 after this frame. */
  rxWindows?: ReceiveWindowAt[];
}

export interface DeviceRadio {
  transmit(tx: DeviceTransmission): void;
}

/** A downlink that reached the device (the radio model decided it is strong enough), at its start. */
/** A receive window the device opens after a frame: when, where, and how far off a frame may start. */
export interface ReceiveWindowAt {
  /** Scheduler µs. */
  openUs: number;
  /** Hz */
  frequency: number;
  toleranceUs: number;
}

export interface HeardDownlink {
  phyPayload: Uint8Array;
  frequency: number;
  datr: string | number;
  startUs: number;
  airtimeUs: number;
  rssi: number;
  snr: number;
  /**
   * Whether the frame is this device's, when the air already knows: a Join-accept names nobody, and
   * the air found the one device whose key opens it (so the others need not try theirs).
   */
  forThisDevice?: boolean;
}

/** A frame a gateway refused to send (its TX_ACK error) at a moment a device may have listened. */
export interface RefusedDownlink {
  phyPayload: Uint8Array;
  startUs: number;
  error: string;
  /**
   * Whether the frame is this device's, when the air already knows: a Join-accept names nobody, and
   * the air found the one device whose key opens it (so the others need not try theirs).
   */
  forThisDevice?: boolean;
}

/** A frame a gateway sent that reached a device below its demodulation floor (too far, too weak). */
export interface UnheardDownlink {
  phyPayload: Uint8Array;
  startUs: number;
  /**
   * Whether the frame is this device's, when the air already knows: a Join-accept names nobody, and
   * the air found the one device whose key opens it (so the others need not try theirs).
   */
  forThisDevice?: boolean;
}

export type Window = 'RX1' | 'RX2' | 'RXC' | 'PING';

export type DeviceEvent =
  | { type: 'joined'; devAddr: number; attempt: number; version: '1.0' | '1.1' }
  | { type: 'join-failed'; attempt: number }
  | {
      type: 'uplink';
      fCnt: number;
      confirmed: boolean;
      attempt: number;
      fPort: number | null;
      size: number;
      startUs: number;
      /** The application payload, for application frames. */
      payload?: Uint8Array;
    }
  | {
      type: 'downlink';
      fCnt: number;
      fPort: number | null;
      payload: Uint8Array;
      window: Window;
      confirmed: boolean;
    }
  | { type: 'ack'; fCnt: number }
  | { type: 'nack'; fCnt: number }
  | { type: 'rejoin'; rejoinType: number; rjCount: number }
  | { type: 'link-check'; margin: number; gwCnt: number }
  | { type: 'device-time'; gpsEpochSeconds: number; fractionalSecondUnits: number }
  | { type: 'violation'; kind: ViolationKind; detail: string }
  /** MAC commands in a frame: received from the network (`down`) or sent by the device (`up`). */
  | { type: 'mac'; dir: 'up' | 'down'; commands: string[] }
  /** A window the simulator itself could not serve on time (its own lag): not the network's doing. */
  | { type: 'simulator-late'; detail: string }
  /** A gateway refused to send a frame for this device (TX_ACK error): lost there, not on air. */
  | { type: 'gateway-refused'; error: string; joinAccept: boolean }
  /** The network said it could not schedule this device's answer on any gateway: it never left. */
  | { type: 'not-scheduled'; joinAccept: boolean }
  | { type: 'ping-slot-missed'; cause: 'beacon-lost' | 'radio-busy' }
  /** A gateway sent this device's frame, too weak at the device to be received (radio geometry). */
  | { type: 'too-weak'; joinAccept: boolean }
  /** Class B: a beacon received (its GPS time), one due and not heard, ping slots opened or closed. */
  | { type: 'uplink-unheard'; fate: 'out-of-range' | 'collided' }
  | { type: 'beacon'; gpsTimeS: number }
  | { type: 'beacon-missed' }
  | { type: 'class-b'; active: boolean };

export interface DeviceCounters {
  joinRequests: number;
  joinAccepts: number;
  rejoinRequests: number;
  uplinks: number;
  retransmissions: number;
  confirmedAcked: number;
  confirmedUnacked: number;
  downlinks: number;
  downlinksMissed: number;
  badMic: number;
  replays: number;
  undecodable: number;
  payloadTooLong: number;
  dutyCycleWaits: number;
  /** Join-accepts heard in a join window that were for another device (their MIC fails with our key). */
  foreignJoinAccepts: number;
  /** Downlinks for this device in the right window, lost because the radio was busy with another frame. */
  downlinksLostBusy: number;
  /** Frames for this device a gateway refused to send (TX_ACK error: collision, too late…). */
  downlinksRefusedByGateway: number;
  /** Answers the network said it could not schedule on any gateway (busy, duty cycle, too late). */
  downlinksNotScheduled: number;
  /** Frames for this device sent by a gateway it could not hear (below its demodulation floor). */
  downlinksTooWeak: number;
  /** Application uplinks held by duty cycle past the end of traffic, and so never sent. */
  notSentAfterTraffic: number;
  /** Frames (joins included) that reached no gateway: out of range of all, or collided at each. */
  uplinksUnheard: number;
  /** Class B: beacons received, beacons due and not heard, falls back to class A (2 h without a beacon). */
  beaconsReceived: number;
  beaconsMissed: number;
  classBFallbacks: number;
  /**
   * Class B downlinks this device missed on its side: the network sent in a ping slot it had been told
   * of (ClassB in the last uplink), but the device had lost the beacon since, or its radio was busy.
   */
  pingSlotMissed: number;
  /** Class B downlinks the network said it could not schedule in any ping slot (outside a class A cycle). */
  pingSlotNotScheduled: number;
  /** Uplinks that repeated a sticky MAC answer: no downlink had come since it was first sent. */
  stickyRepeats: number;
  /**
   * Receive windows that failed while the simulator's own timers ran late (wall time under load): a
   * missed Join-accept, an unacknowledged confirmed uplink, a downlink outside its window. Counted
   * here instead of as the network's fault.
   */
  simulatorLate: number;
}

export interface DeviceHooks {
  /** `deviceId` is the device's: a fleet's devices can share one hooks object. */
  onEvent?: (e: DeviceEvent, deviceId: string) => void;
}
