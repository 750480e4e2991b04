import { defaultChannelTable, type ChannelTable } from '../region/channels.js';
import type { Region } from '../region/types.js';

/** The radio and MAC parameters a device runs with; MAC commands change them. */
export interface MacState {
  dataRate: number;
  txPower: number;
  nbTrans: number;
  /** dBm; TxParamSetupReq may lower it. */
  maxEirp: number;
  uplinkDwell: boolean;
  downlinkDwell: boolean;
  channels: ChannelTable;
  /** DlChannelReq: RX1 frequency per uplink channel, where it differs from the uplink frequency. */
  rx1Frequencies: (number | undefined)[];
  /** Seconds. */
  rx1Delay: number;
  rx1DrOffset: number;
  rx2DataRate: number;
  rx2Frequency: number;
  adr: boolean;
  adrAckLimit: number;
  adrAckDelay: number;
  /** Uplinks since the last downlink (ADR_ACK_CNT). */
  adrAckCnt: number;
  /** DutyCycleReq MaxDCycle: aggregated limit 1/2^n (0 = none). */
  maxDutyCycle: number;
  rejoinMaxTimeN: number;
  rejoinMaxCountN: number;
}

export function initialMacState(
  region: Region,
  o: { dataRate?: number; txPower?: number; adr?: boolean; nbTrans?: number },
): MacState {
  return {
    dataRate: o.dataRate ?? region.defaultDataRate,
    txPower: o.txPower ?? 0,
    nbTrans: o.nbTrans ?? 1,
    maxEirp: region.maxEirp,
    uplinkDwell: region.dwellTime.uplink,
    downlinkDwell: region.dwellTime.downlink,
    channels: defaultChannelTable(region),
    rx1Frequencies: [],
    rx1Delay: region.receiveDelay1 / 1000,
    rx1DrOffset: 0,
    rx2DataRate: region.rx2.dataRate,
    rx2Frequency: region.rx2.frequency,
    adr: o.adr ?? true,
    adrAckLimit: region.adrAckLimit,
    adrAckDelay: region.adrAckDelay,
    adrAckCnt: 0,
    maxDutyCycle: 0,
    rejoinMaxTimeN: 15,
    rejoinMaxCountN: 15,
  };
}
