import { bit, empty, isSet, spec, uint } from './codec.js';

// LoRaWAN 1.1 §5.1 Reset (ABP devices): the device's LoRaWAN minor version (1 = 1.1).
export const ResetInd = spec({
  cid: 0x01,
  name: 'ResetInd',
  direction: 'uplink',
  length: 1,
  since: '1.1',
  decode: (r) => ({ minorVersion: r.u8('ResetInd.Dev_LoRaWAN_version') & 0x0f }),
  encode: (f, out, o) => {
    out[o] = uint('ResetInd', 'minorVersion', f.minorVersion, 4);
  },
});
export const ResetConf = spec({
  cid: 0x01,
  name: 'ResetConf',
  direction: 'downlink',
  length: 1,
  since: '1.1',
  decode: (r) => ({ minorVersion: r.u8('ResetConf.Serv_LoRaWAN_version') & 0x0f }),
  encode: (f, out, o) => {
    out[o] = uint('ResetConf', 'minorVersion', f.minorVersion, 4);
  },
});

// §5.11 Rekey (OTAA 1.1): sent in every uplink after a join until RekeyConf arrives.
export const RekeyInd = spec({
  cid: 0x0b,
  name: 'RekeyInd',
  direction: 'uplink',
  length: 1,
  since: '1.1',
  decode: (r) => ({ minorVersion: r.u8('RekeyInd.Dev_LoRaWAN_version') & 0x0f }),
  encode: (f, out, o) => {
    out[o] = uint('RekeyInd', 'minorVersion', f.minorVersion, 4);
  },
});
export const RekeyConf = spec({
  cid: 0x0b,
  name: 'RekeyConf',
  direction: 'downlink',
  length: 1,
  since: '1.1',
  decode: (r) => ({ minorVersion: r.u8('RekeyConf.Serv_LoRaWAN_version') & 0x0f }),
  encode: (f, out, o) => {
    out[o] = uint('RekeyConf', 'minorVersion', f.minorVersion, 4);
  },
});

// §5.12 ADRParamSetup: ADR_ACK_LIMIT = 2^Limit_exp, ADR_ACK_DELAY = 2^Delay_exp.
export const ADRParamSetupReq = spec({
  cid: 0x0c,
  name: 'ADRParamSetupReq',
  direction: 'downlink',
  length: 1,
  since: '1.1',
  decode: (r) => {
    const p = r.u8('ADRParamSetupReq.ADRparam');
    return { limitExp: p >>> 4, delayExp: p & 0x0f };
  },
  encode: (f, out, o) => {
    out[o] =
      (uint('ADRParamSetupReq', 'limitExp', f.limitExp, 4) << 4) |
      uint('ADRParamSetupReq', 'delayExp', f.delayExp, 4);
  },
});
export const ADRParamSetupAns = empty(0x0c, 'ADRParamSetupAns', 'uplink', '1.1');

// §5.13 DeviceTime (1.0.3+): GPS-epoch seconds (uint32 LE) and fractional seconds in 1/256 s.
export const DeviceTimeReq = empty(0x0d, 'DeviceTimeReq', 'uplink', '1.0.3');
export const DeviceTimeAns = spec({
  cid: 0x0d,
  name: 'DeviceTimeAns',
  direction: 'downlink',
  length: 5,
  since: '1.0.3',
  decode: (r) => ({
    gpsEpochSeconds: r.u32('DeviceTimeAns.Seconds'),
    fractionalSecondUnits: r.u8('DeviceTimeAns.FractionalSec'),
  }),
  encode: (f, out, o) => {
    const s = uint('DeviceTimeAns', 'gpsEpochSeconds', f.gpsEpochSeconds, 32);
    out[o] = s & 0xff;
    out[o + 1] = (s >>> 8) & 0xff;
    out[o + 2] = (s >>> 16) & 0xff;
    out[o + 3] = s >>> 24;
    out[o + 4] = uint('DeviceTimeAns', 'fractionalSecondUnits', f.fractionalSecondUnits, 8);
  },
});

// §5.14 ForceRejoin. Byte order as LoRaMac-node and The Things Stack read it:
// byte 0 = RFU | Period[5:3] | Max_Retries[2:0], byte 1 = RFU | RejoinType[6:4] | DR[3:0].
export const ForceRejoinReq = spec({
  cid: 0x0e,
  name: 'ForceRejoinReq',
  direction: 'downlink',
  length: 2,
  since: '1.1',
  decode: (r) => {
    const b0 = r.u8('ForceRejoinReq.Period_MaxRetries');
    const b1 = r.u8('ForceRejoinReq.RejoinType_DR');
    return {
      period: (b0 >>> 3) & 0x07,
      maxRetries: b0 & 0x07,
      rejoinType: (b1 >>> 4) & 0x07,
      dataRate: b1 & 0x0f,
    };
  },
  encode: (f, out, o) => {
    out[o] =
      (uint('ForceRejoinReq', 'period', f.period, 3) << 3) |
      uint('ForceRejoinReq', 'maxRetries', f.maxRetries, 3);
    out[o + 1] =
      (uint('ForceRejoinReq', 'rejoinType', f.rejoinType, 3) << 4) |
      uint('ForceRejoinReq', 'dataRate', f.dataRate, 4);
  },
});

// §5.15 RejoinParamSetup: a type 0 rejoin every 2^(MaxCountN+4) uplinks or 2^(MaxTimeN+10) seconds.
export const RejoinParamSetupReq = spec({
  cid: 0x0f,
  name: 'RejoinParamSetupReq',
  direction: 'downlink',
  length: 1,
  since: '1.1',
  decode: (r) => {
    const p = r.u8('RejoinParamSetupReq.MaxTimeN_MaxCountN');
    return { maxTimeN: p >>> 4, maxCountN: p & 0x0f };
  },
  encode: (f, out, o) => {
    out[o] =
      (uint('RejoinParamSetupReq', 'maxTimeN', f.maxTimeN, 4) << 4) |
      uint('RejoinParamSetupReq', 'maxCountN', f.maxCountN, 4);
  },
});
export const RejoinParamSetupAns = spec({
  cid: 0x0f,
  name: 'RejoinParamSetupAns',
  direction: 'uplink',
  length: 1,
  since: '1.1',
  decode: (r) => ({ timeOk: isSet(r.u8('RejoinParamSetupAns.Status'), 0) }),
  encode: (f, out, o) => {
    out[o] = bit(f.timeOk, 0);
  },
});
