import { bit, empty, isSet, readFrequency, spec, uint, writeFrequency } from './codec.js';

// LoRaWAN 1.1 §5.5 RXParamSetup: DLSettings(RFU | RX1DROffset[6:4] | RX2DataRate[3:0]) | Frequency(3).
export const RXParamSetupReq = spec({
  cid: 0x05,
  name: 'RXParamSetupReq',
  direction: 'downlink',
  length: 4,
  since: '1.0.0',
  decode: (r) => {
    const dl = r.u8('RXParamSetupReq.DLsettings');
    return {
      rx1DrOffset: (dl >>> 4) & 0x07,
      rx2DataRate: dl & 0x0f,
      frequencyHz: readFrequency(r, 'RXParamSetupReq.Frequency'),
    };
  },
  encode: (f, out, o) => {
    out[o] =
      (uint('RXParamSetupReq', 'rx1DrOffset', f.rx1DrOffset, 3) << 4) |
      uint('RXParamSetupReq', 'rx2DataRate', f.rx2DataRate, 4);
    writeFrequency('RXParamSetupReq', f.frequencyHz, out, o + 1);
  },
});
export const RXParamSetupAns = spec({
  cid: 0x05,
  name: 'RXParamSetupAns',
  direction: 'uplink',
  length: 1,
  since: '1.0.0',
  decode: (r) => {
    const s = r.u8('RXParamSetupAns.Status');
    return { rx1DrOffsetAck: isSet(s, 2), rx2DataRateAck: isSet(s, 1), channelAck: isSet(s, 0) };
  },
  encode: (f, out, o) => {
    out[o] = bit(f.rx1DrOffsetAck, 2) | bit(f.rx2DataRateAck, 1) | bit(f.channelAck, 0);
  },
});

// §5.7 NewChannel: ChIndex | Freq(3) | DrRange(MaxDR[7:4] | MinDR[3:0]). Freq 0 disables the channel.
export const NewChannelReq = spec({
  cid: 0x07,
  name: 'NewChannelReq',
  direction: 'downlink',
  length: 5,
  since: '1.0.0',
  decode: (r) => {
    const chIndex = r.u8('NewChannelReq.ChIndex');
    const frequencyHz = readFrequency(r, 'NewChannelReq.Freq');
    const range = r.u8('NewChannelReq.DrRange');
    return { chIndex, frequencyHz, maxDr: range >>> 4, minDr: range & 0x0f };
  },
  encode: (f, out, o) => {
    out[o] = uint('NewChannelReq', 'chIndex', f.chIndex, 8);
    writeFrequency('NewChannelReq', f.frequencyHz, out, o + 1);
    out[o + 4] =
      (uint('NewChannelReq', 'maxDr', f.maxDr, 4) << 4) | uint('NewChannelReq', 'minDr', f.minDr, 4);
  },
});
export const NewChannelAns = spec({
  cid: 0x07,
  name: 'NewChannelAns',
  direction: 'uplink',
  length: 1,
  since: '1.0.0',
  decode: (r) => {
    const s = r.u8('NewChannelAns.Status');
    return { dataRateRangeOk: isSet(s, 1), channelFrequencyOk: isSet(s, 0) };
  },
  encode: (f, out, o) => {
    out[o] = bit(f.dataRateRangeOk, 1) | bit(f.channelFrequencyOk, 0);
  },
});

// §5.8 RXTimingSetup: Del[3:0], seconds, 0 meaning 1.
export const RXTimingSetupReq = spec({
  cid: 0x08,
  name: 'RXTimingSetupReq',
  direction: 'downlink',
  length: 1,
  since: '1.0.0',
  decode: (r) => ({ del: r.u8('RXTimingSetupReq.Settings') & 0x0f }),
  encode: (f, out, o) => {
    out[o] = uint('RXTimingSetupReq', 'del', f.del, 4);
  },
});
export const RXTimingSetupAns = empty(0x08, 'RXTimingSetupAns', 'uplink', '1.0.0');

// §5.9 TxParamSetup (1.0.2+): DownlinkDwellTime bit 5 | UplinkDwellTime bit 4 | MaxEIRP[3:0].
export const TxParamSetupReq = spec({
  cid: 0x09,
  name: 'TxParamSetupReq',
  direction: 'downlink',
  length: 1,
  since: '1.0.2',
  decode: (r) => {
    const p = r.u8('TxParamSetupReq.EIRP_DwellTime');
    return { downlinkDwellTime: isSet(p, 5), uplinkDwellTime: isSet(p, 4), maxEirpIndex: p & 0x0f };
  },
  encode: (f, out, o) => {
    out[o] =
      bit(f.downlinkDwellTime, 5) |
      bit(f.uplinkDwellTime, 4) |
      uint('TxParamSetupReq', 'maxEirpIndex', f.maxEirpIndex, 4);
  },
});
export const TxParamSetupAns = empty(0x09, 'TxParamSetupAns', 'uplink', '1.0.2');

/** MaxEIRP index of TxParamSetupReq → dBm (LoRaWAN 1.1 §5.9 Table). */
export const MAX_EIRP_DBM = [8, 10, 12, 13, 14, 16, 18, 20, 21, 24, 26, 27, 29, 30, 33, 36] as const;

// §5.10 DlChannel (1.0.2+): ChIndex | Freq(3). Answer bit 1 = uplink frequency exists, bit 0 = frequency OK.
export const DlChannelReq = spec({
  cid: 0x0a,
  name: 'DlChannelReq',
  direction: 'downlink',
  length: 4,
  since: '1.0.2',
  decode: (r) => ({
    chIndex: r.u8('DlChannelReq.ChIndex'),
    frequencyHz: readFrequency(r, 'DlChannelReq.Freq'),
  }),
  encode: (f, out, o) => {
    out[o] = uint('DlChannelReq', 'chIndex', f.chIndex, 8);
    writeFrequency('DlChannelReq', f.frequencyHz, out, o + 1);
  },
});
export const DlChannelAns = spec({
  cid: 0x0a,
  name: 'DlChannelAns',
  direction: 'uplink',
  length: 1,
  since: '1.0.2',
  decode: (r) => {
    const s = r.u8('DlChannelAns.Status');
    return { uplinkFrequencyExists: isSet(s, 1), channelFrequencyOk: isSet(s, 0) };
  },
  encode: (f, out, o) => {
    out[o] = bit(f.uplinkFrequencyExists, 1) | bit(f.channelFrequencyOk, 0);
  },
});
