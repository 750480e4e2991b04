import { EncodeError } from '../errors.js';
import { bit, empty, isSet, spec, uint } from './codec.js';

// LoRaWAN 1.1 §5.2 LinkCheck: the device asks whether the network hears it.
export const LinkCheckReq = empty(0x02, 'LinkCheckReq', 'uplink', '1.0.0');
export const LinkCheckAns = spec({
  cid: 0x02,
  name: 'LinkCheckAns',
  direction: 'downlink',
  length: 2,
  since: '1.0.0',
  decode: (r) => ({ margin: r.u8('LinkCheckAns.Margin'), gwCnt: r.u8('LinkCheckAns.GwCnt') }),
  encode: (f, out, o) => {
    out[o] = uint('LinkCheckAns', 'margin', f.margin, 8);
    out[o + 1] = uint('LinkCheckAns', 'gwCnt', f.gwCnt, 8);
  },
});

// §5.3 LinkADR: DataRate_TXPower | ChMask(2, LE) | Redundancy(RFU | ChMaskCntl[6:4] | NbTrans[3:0]).
export const LinkADRReq = spec({
  cid: 0x03,
  name: 'LinkADRReq',
  direction: 'downlink',
  length: 4,
  since: '1.0.0',
  decode: (r) => {
    const drTx = r.u8('LinkADRReq.DataRate_TXPower');
    const chMask = r.u16('LinkADRReq.ChMask');
    const red = r.u8('LinkADRReq.Redundancy');
    return {
      dataRate: drTx >>> 4,
      txPower: drTx & 0x0f,
      chMask,
      chMaskCntl: (red >>> 4) & 0x07,
      nbTrans: red & 0x0f,
    };
  },
  encode: (f, out, o) => {
    out[o] =
      (uint('LinkADRReq', 'dataRate', f.dataRate, 4) << 4) | uint('LinkADRReq', 'txPower', f.txPower, 4);
    const m = uint('LinkADRReq', 'chMask', f.chMask, 16);
    out[o + 1] = m & 0xff;
    out[o + 2] = m >>> 8;
    out[o + 3] =
      (uint('LinkADRReq', 'chMaskCntl', f.chMaskCntl, 3) << 4) | uint('LinkADRReq', 'nbTrans', f.nbTrans, 4);
  },
});
export const LinkADRAns = spec({
  cid: 0x03,
  name: 'LinkADRAns',
  direction: 'uplink',
  length: 1,
  since: '1.0.0',
  decode: (r) => {
    const s = r.u8('LinkADRAns.Status');
    return { powerAck: isSet(s, 2), dataRateAck: isSet(s, 1), channelMaskAck: isSet(s, 0) };
  },
  encode: (f, out, o) => {
    out[o] = bit(f.powerAck, 2) | bit(f.dataRateAck, 1) | bit(f.channelMaskAck, 0);
  },
});

// §5.4 DutyCycle: aggregated duty cycle limit = 1 / 2^MaxDCycle (0 = no limit).
export const DutyCycleReq = spec({
  cid: 0x04,
  name: 'DutyCycleReq',
  direction: 'downlink',
  length: 1,
  since: '1.0.0',
  decode: (r) => ({ maxDutyCycle: r.u8('DutyCycleReq.DutyCyclePL') & 0x0f }),
  encode: (f, out, o) => {
    out[o] = uint('DutyCycleReq', 'maxDutyCycle', f.maxDutyCycle, 4);
  },
});
export const DutyCycleAns = empty(0x04, 'DutyCycleAns', 'uplink', '1.0.0');

// §5.6 DevStatus. The margin is a 6-bit two's-complement SNR (LoRaMac-node sends snr & 0x3F).
export const DevStatusReq = empty(0x06, 'DevStatusReq', 'downlink', '1.0.0');
export const DevStatusAns = spec({
  cid: 0x06,
  name: 'DevStatusAns',
  direction: 'uplink',
  length: 2,
  since: '1.0.0',
  decode: (r) => {
    const battery = r.u8('DevStatusAns.Battery');
    const m = r.u8('DevStatusAns.Margin') & 0x3f;
    return { battery, margin: m & 0x20 ? m - 64 : m };
  },
  encode: (f, out, o) => {
    out[o] = uint('DevStatusAns', 'battery', f.battery, 8);
    if (!Number.isInteger(f.margin) || f.margin < -32 || f.margin > 31) {
      throw new EncodeError('DevStatusAns.margin', f.margin, 'an integer from -32 to 31');
    }
    out[o + 1] = f.margin & 0x3f;
  },
});
