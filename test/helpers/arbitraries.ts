import fc from 'fast-check';
import type { AES128Key, DevAddr, EUI64, NetID } from '../../crypto/index.js';
import type { MacCommand, MacCommandName, SessionKeys } from '../../simulator/lorawan/index.js';
import { MAC_COMMAND_SPECS } from '../../simulator/lorawan/index.js';

export const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
export const key = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => b as AES128Key);
export const eui = fc.uint8Array({ minLength: 8, maxLength: 8 }).map((b) => b as EUI64);
export const devAddr = fc.nat({ max: 0xffffffff }).map((n) => n as DevAddr);
export const netId = fc.nat({ max: 0xffffff }).map((n) => n as NetID);
export const fCnt32 = fc.oneof(fc.nat({ max: 0xffff }), fc.nat({ max: 0xffffffff }));
export const sessionKeys: fc.Arbitrary<SessionKeys> = fc.record({
  fNwkSIntKey: key,
  sNwkSIntKey: key,
  nwkSEncKey: key,
  appSKey: key,
});

const u = (bits: number) => fc.nat({ max: 2 ** bits - 1 });
const freq = fc.nat({ max: 0xffffff }).map((n) => n * 100);
const b = fc.boolean();

/** Field generators for every MAC command, within each field's range. */
const FIELDS: { [N in MacCommandName]: fc.Arbitrary<Omit<Extract<MacCommand, { name: N }>, 'name'>> } = {
  ResetInd: fc.record({ minorVersion: u(4) }),
  ResetConf: fc.record({ minorVersion: u(4) }),
  LinkCheckReq: fc.constant({}),
  LinkCheckAns: fc.record({ margin: u(8), gwCnt: u(8) }),
  LinkADRReq: fc.record({ dataRate: u(4), txPower: u(4), chMask: u(16), chMaskCntl: u(3), nbTrans: u(4) }),
  LinkADRAns: fc.record({ powerAck: b, dataRateAck: b, channelMaskAck: b }),
  DutyCycleReq: fc.record({ maxDutyCycle: u(4) }),
  DutyCycleAns: fc.constant({}),
  RXParamSetupReq: fc.record({ rx1DrOffset: u(3), rx2DataRate: u(4), frequencyHz: freq }),
  RXParamSetupAns: fc.record({ rx1DrOffsetAck: b, rx2DataRateAck: b, channelAck: b }),
  DevStatusReq: fc.constant({}),
  DevStatusAns: fc.record({ battery: u(8), margin: fc.integer({ min: -32, max: 31 }) }),
  NewChannelReq: fc.record({ chIndex: u(8), frequencyHz: freq, maxDr: u(4), minDr: u(4) }),
  NewChannelAns: fc.record({ dataRateRangeOk: b, channelFrequencyOk: b }),
  RXTimingSetupReq: fc.record({ del: u(4) }),
  RXTimingSetupAns: fc.constant({}),
  TxParamSetupReq: fc.record({ downlinkDwellTime: b, uplinkDwellTime: b, maxEirpIndex: u(4) }),
  TxParamSetupAns: fc.constant({}),
  DlChannelReq: fc.record({ chIndex: u(8), frequencyHz: freq }),
  DlChannelAns: fc.record({ uplinkFrequencyExists: b, channelFrequencyOk: b }),
  RekeyInd: fc.record({ minorVersion: u(4) }),
  RekeyConf: fc.record({ minorVersion: u(4) }),
  ADRParamSetupReq: fc.record({ limitExp: u(4), delayExp: u(4) }),
  ADRParamSetupAns: fc.constant({}),
  DeviceTimeReq: fc.constant({}),
  DeviceTimeAns: fc.record({ gpsEpochSeconds: u(32), fractionalSecondUnits: u(8) }),
  ForceRejoinReq: fc.record({ period: u(3), maxRetries: u(3), rejoinType: u(3), dataRate: u(4) }),
  RejoinParamSetupReq: fc.record({ maxTimeN: u(4), maxCountN: u(4) }),
  RejoinParamSetupAns: fc.record({ timeOk: b }),
  PingSlotInfoReq: fc.record({ periodicity: u(3) }),
  PingSlotInfoAns: fc.constant({}),
  PingSlotChannelReq: fc.record({ frequencyHz: freq, dataRate: u(4) }),
  PingSlotChannelAns: fc.record({ dataRateOk: b, channelFrequencyOk: b }),
  BeaconTimingReq: fc.constant({}),
  BeaconTimingAns: fc.record({ delay: u(16), channel: u(8) }),
  BeaconFreqReq: fc.record({ frequencyHz: freq }),
  BeaconFreqAns: fc.record({ beaconFrequencyOk: b }),
  DeviceModeInd: fc.record({ deviceClass: fc.constantFrom('A' as const, 'C' as const) }),
  DeviceModeConf: fc.record({ deviceClass: fc.constantFrom('A' as const, 'C' as const) }),
};

export function macCommand(name: MacCommandName): fc.Arbitrary<MacCommand> {
  return (FIELDS[name] as fc.Arbitrary<object>).map((f) => ({ name, ...f }) as MacCommand);
}

export function macCommands(direction: 'uplink' | 'downlink', maxLength = 8): fc.Arbitrary<MacCommand[]> {
  const names = MAC_COMMAND_SPECS.filter((s) => s.direction === direction).map((s) => s.name);
  return fc.array(fc.constantFrom(...names).chain(macCommand), { maxLength });
}

/** How many random cases the heavier properties run; LORAFLEET_FUZZ_RUNS raises it for a long run. */
export const FUZZ_RUNS = Number(process.env.LORAFLEET_FUZZ_RUNS ?? 0) || undefined;
