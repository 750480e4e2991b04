import type { MacCommandOf } from '../../lorawan/mac/fields.js';
import type { MacAnswer, MacContext } from './context.js';

/**
 * PingSlotChannelReq (LoRaWAN 1.0.4 §12.1.2): a class B device moves its ping slots to a frequency
 * (0: the region's default) and data rate it can use; to another device it is refused, every bit clear.
 */
export function pingSlotChannelReq(cmd: MacCommandOf<'PingSlotChannelReq'>, ctx: MacContext): MacAnswer[] {
  if (ctx.deviceClass !== 'B') {
    ctx.violation('class-b-to-non-class-b', 'PingSlotChannelReq to a device that is not class B');
    return [{ command: { name: 'PingSlotChannelAns', dataRateOk: false, channelFrequencyOk: false } }];
  }
  const r = ctx.region;
  const frequencyOk =
    cmd.frequencyHz === 0 ||
    r.subBands.some((b) => cmd.frequencyHz >= b.minFrequency && cmd.frequencyHz <= b.maxFrequency);
  const dataRateOk = r.dataRates[cmd.dataRate] !== undefined;
  if (frequencyOk && dataRateOk) {
    if (cmd.frequencyHz === 0) delete ctx.state.pingSlotFrequency;
    else ctx.state.pingSlotFrequency = cmd.frequencyHz;
    ctx.state.pingSlotDataRate = cmd.dataRate;
  }
  return [{ command: { name: 'PingSlotChannelAns', dataRateOk, channelFrequencyOk: frequencyOk } }];
}

/** PingSlotInfoAns: the answer to the device's PingSlotInfoReq, or one it never asked for. */
export function pingSlotInfoAns(_cmd: unknown, ctx: MacContext): MacAnswer[] {
  if (!ctx.onPingSlotInfoAns()) ctx.violation('unsolicited-answer', 'PingSlotInfoAns without a request');
  return [];
}

/** BeaconFreqReq (§12.1.3): a class B device follows the beacon on another frequency (0: the region's). */
export function beaconFreqReq(cmd: MacCommandOf<'BeaconFreqReq'>, ctx: MacContext): MacAnswer[] {
  if (ctx.deviceClass !== 'B') {
    ctx.violation('class-b-to-non-class-b', 'BeaconFreqReq to a device that is not class B');
    return [{ command: { name: 'BeaconFreqAns', beaconFrequencyOk: false } }];
  }
  const f = cmd.frequencyHz;
  const ok = f === 0 || ctx.region.subBands.some((b) => f >= b.minFrequency && f <= b.maxFrequency);
  if (ok) {
    if (f === 0) delete ctx.state.beaconFrequency;
    else ctx.state.beaconFrequency = f;
  }
  return [{ command: { name: 'BeaconFreqAns', beaconFrequencyOk: ok } }];
}

/** Answers to requests this device never sent (PingSlotInfoAns, BeaconTimingAns): nothing to do. */
export function unsolicited(name: string) {
  return (_cmd: unknown, ctx: MacContext): MacAnswer[] => {
    ctx.violation('unsolicited-answer', `${name} without a request`);
    return [];
  };
}
