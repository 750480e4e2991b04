/**
 * The fields of every MAC command of LoRaWAN 1.0.4 and 1.1, plus the class B and class C ones,
 * by the command's name (LoRaWAN 1.1 §5 Table 4; 1.0.4 §5; class B §13.x; class C §16.x).
 * Frequencies are in Hz; they travel as 24-bit multiples of 100 Hz.
 */
/** A command without payload fields. */
export type NoFields = Record<never, never>;

export interface MacFields {
  // CID 0x01, 1.1 ABP only
  ResetInd: { minorVersion: number };
  ResetConf: { minorVersion: number };
  // 0x02
  LinkCheckReq: NoFields;
  /** margin: dB above the demodulation floor of the last LinkCheckReq (0..254); gwCnt: gateways that heard it. */
  LinkCheckAns: { margin: number; gwCnt: number };
  // 0x03
  /** chMask is the 16-bit mask (bit n = channel n of the block chosen by chMaskCntl). */
  LinkADRReq: { dataRate: number; txPower: number; chMask: number; chMaskCntl: number; nbTrans: number };
  LinkADRAns: { powerAck: boolean; dataRateAck: boolean; channelMaskAck: boolean };
  // 0x04: aggregated duty cycle = 1 / 2^maxDutyCycle
  DutyCycleReq: { maxDutyCycle: number };
  DutyCycleAns: NoFields;
  // 0x05
  RXParamSetupReq: { rx1DrOffset: number; rx2DataRate: number; frequencyHz: number };
  RXParamSetupAns: { rx1DrOffsetAck: boolean; rx2DataRateAck: boolean; channelAck: boolean };
  // 0x06
  DevStatusReq: NoFields;
  /** battery: 0 = external power, 1..254 level, 255 = unknown. margin: SNR in dB, −32..31 (6-bit signed). */
  DevStatusAns: { battery: number; margin: number };
  // 0x07: frequencyHz 0 disables the channel
  NewChannelReq: { chIndex: number; frequencyHz: number; maxDr: number; minDr: number };
  NewChannelAns: { dataRateRangeOk: boolean; channelFrequencyOk: boolean };
  // 0x08: del 0 means 1 s, as in RxDelay
  RXTimingSetupReq: { del: number };
  RXTimingSetupAns: NoFields;
  // 0x09 (1.0.2+)
  TxParamSetupReq: { downlinkDwellTime: boolean; uplinkDwellTime: boolean; maxEirpIndex: number };
  TxParamSetupAns: NoFields;
  // 0x0A (1.0.2+)
  DlChannelReq: { chIndex: number; frequencyHz: number };
  DlChannelAns: { uplinkFrequencyExists: boolean; channelFrequencyOk: boolean };
  // 0x0B (1.1 OTAA)
  RekeyInd: { minorVersion: number };
  RekeyConf: { minorVersion: number };
  // 0x0C (1.1): ADR_ACK_LIMIT = 2^limitExp, ADR_ACK_DELAY = 2^delayExp
  ADRParamSetupReq: { limitExp: number; delayExp: number };
  ADRParamSetupAns: NoFields;
  // 0x0D (1.0.3+): seconds since the GPS epoch and the fraction in 1/256 s
  DeviceTimeReq: NoFields;
  DeviceTimeAns: { gpsEpochSeconds: number; fractionalSecondUnits: number };
  // 0x0E (1.1)
  ForceRejoinReq: { period: number; maxRetries: number; rejoinType: number; dataRate: number };
  // 0x0F (1.1)
  RejoinParamSetupReq: { maxTimeN: number; maxCountN: number };
  RejoinParamSetupAns: { timeOk: boolean };
  // 0x10 class B: ping period = 2^periodicity seconds
  PingSlotInfoReq: { periodicity: number };
  PingSlotInfoAns: NoFields;
  // 0x11 class B
  PingSlotChannelReq: { frequencyHz: number; dataRate: number };
  PingSlotChannelAns: { dataRateOk: boolean; channelFrequencyOk: boolean };
  // 0x12 class B, deprecated after 1.0.2
  BeaconTimingReq: NoFields;
  BeaconTimingAns: { delay: number; channel: number };
  // 0x13 class B
  BeaconFreqReq: { frequencyHz: number };
  BeaconFreqAns: { beaconFrequencyOk: boolean };
  // 0x20 class C (1.1)
  DeviceModeInd: { deviceClass: 'A' | 'C' };
  DeviceModeConf: { deviceClass: 'A' | 'C' };
}

export type MacCommandName = keyof MacFields;

/** A MAC command with its fields, discriminated on `name`. */
export type MacCommand = { [N in MacCommandName]: { name: N } & MacFields[N] }[MacCommandName];

export type MacCommandOf<N extends MacCommandName> = Extract<MacCommand, { name: N }>;

/** Uplink = sent by the end device; downlink = sent by the network. */
export type MacDirection = 'uplink' | 'downlink';
