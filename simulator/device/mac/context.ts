import type { LoRaWANVersion } from '../../lorawan/types.js';
import type { MacCommand } from '../../lorawan/mac/fields.js';
import type { Region } from '../../region/types.js';
import type { MacState } from '../mac-state.js';
import type { ViolationKind } from '../../lorawan/violations.js';

/** What a device-side MAC handler may read and do. */
export interface MacContext {
  readonly version: LoRaWANVersion;
  readonly region: Region;
  readonly deviceClass: 'A' | 'B' | 'C';
  readonly activation: 'otaa' | 'abp';
  readonly state: MacState;
  /** Battery level for DevStatusAns: 0 external power, 1–254, 255 unknown. */
  readonly battery: number;
  /** SNR of the last downlink received, dB. */
  readonly lastDownlinkSnr: number;
  now(): number;
  /** A network request the device had to refuse or ignore, recorded as the network's doing. */
  violation(kind: ViolationKind, detail: string): void;
  onLinkCheck(margin: number, gwCnt: number): void;
  onDeviceTime(gpsEpochSeconds: number, fractionalSecondUnits: number): void;
  onRekeyConf(): void;
  onResetConf(): void;
  onForceRejoin(rejoinType: number, dataRate: number, period: number, maxRetries: number): void;
  onDutyCycle(maxDutyCycle: number): void;
  /** PingSlotInfoAns: false when the device never asked (not class B). */
  onPingSlotInfoAns(): boolean;
}

/** An answer to send, and whether it must repeat in every uplink until a downlink arrives (sticky). */
export interface MacAnswer {
  command: MacCommand;
  sticky?: boolean;
}

export type Handler<C extends MacCommand = MacCommand> = (cmd: C, ctx: MacContext) => MacAnswer[];

const ORDER = ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4', '1.1'] as const;

export function atLeast(v: LoRaWANVersion, min: LoRaWANVersion): boolean {
  return ORDER.indexOf(v) >= ORDER.indexOf(min);
}
