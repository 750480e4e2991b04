import { bit, empty, isSet, readFrequency, spec, uint, writeFrequency } from './codec.js';

// Class B (LoRaWAN 1.1 §14; 1.0.3+ layout of PingSlotInfoReq: RFU | Periodicity[2:0]).
export const PingSlotInfoReq = spec({
  cid: 0x10,
  name: 'PingSlotInfoReq',
  direction: 'uplink',
  length: 1,
  since: '1.0.3',
  classB: true,
  decode: (r) => ({ periodicity: r.u8('PingSlotInfoReq.PingSlotParam') & 0x07 }),
  encode: (f, out, o) => {
    out[o] = uint('PingSlotInfoReq', 'periodicity', f.periodicity, 3);
  },
});
export const PingSlotInfoAns = empty(0x10, 'PingSlotInfoAns', 'downlink', '1.0.3', { classB: true });

export const PingSlotChannelReq = spec({
  cid: 0x11,
  name: 'PingSlotChannelReq',
  direction: 'downlink',
  length: 4,
  since: '1.0.2',
  classB: true,
  decode: (r) => ({
    frequencyHz: readFrequency(r, 'PingSlotChannelReq.Frequency'),
    dataRate: r.u8('PingSlotChannelReq.DR') & 0x0f,
  }),
  encode: (f, out, o) => {
    writeFrequency('PingSlotChannelReq', f.frequencyHz, out, o);
    out[o + 3] = uint('PingSlotChannelReq', 'dataRate', f.dataRate, 4);
  },
});
export const PingSlotChannelAns = spec({
  cid: 0x11,
  name: 'PingSlotChannelAns',
  direction: 'uplink',
  length: 1,
  since: '1.0.2',
  classB: true,
  decode: (r) => {
    const s = r.u8('PingSlotChannelAns.Status');
    return { dataRateOk: isSet(s, 1), channelFrequencyOk: isSet(s, 0) };
  },
  encode: (f, out, o) => {
    out[o] = bit(f.dataRateOk, 1) | bit(f.channelFrequencyOk, 0);
  },
});

// Deprecated after 1.0.2 (devices use DeviceTimeReq), still decoded.
export const BeaconTimingReq = empty(0x12, 'BeaconTimingReq', 'uplink', '1.0.2', {
  classB: true,
  deprecated: true,
});
export const BeaconTimingAns = spec({
  cid: 0x12,
  name: 'BeaconTimingAns',
  direction: 'downlink',
  length: 3,
  since: '1.0.2',
  classB: true,
  deprecated: true,
  decode: (r) => ({ delay: r.u16('BeaconTimingAns.Delay'), channel: r.u8('BeaconTimingAns.Channel') }),
  encode: (f, out, o) => {
    const d = uint('BeaconTimingAns', 'delay', f.delay, 16);
    out[o] = d & 0xff;
    out[o + 1] = d >>> 8;
    out[o + 2] = uint('BeaconTimingAns', 'channel', f.channel, 8);
  },
});

export const BeaconFreqReq = spec({
  cid: 0x13,
  name: 'BeaconFreqReq',
  direction: 'downlink',
  length: 3,
  since: '1.0.2',
  classB: true,
  decode: (r) => ({ frequencyHz: readFrequency(r, 'BeaconFreqReq.Frequency') }),
  encode: (f, out, o) => writeFrequency('BeaconFreqReq', f.frequencyHz, out, o),
});
export const BeaconFreqAns = spec({
  cid: 0x13,
  name: 'BeaconFreqAns',
  direction: 'uplink',
  length: 1,
  since: '1.0.2',
  classB: true,
  decode: (r) => ({ beaconFrequencyOk: isSet(r.u8('BeaconFreqAns.Status'), 0) }),
  encode: (f, out, o) => {
    out[o] = bit(f.beaconFrequencyOk, 0);
  },
});
