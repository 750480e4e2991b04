import type { MacCommandOf } from '../../lorawan/mac/fields.js';
import type { MacAnswer, MacContext } from './context.js';

// Class B requests to a device that is not class B: decoded, refused with every bit clear.
export function pingSlotChannelReq(_cmd: MacCommandOf<'PingSlotChannelReq'>, ctx: MacContext): MacAnswer[] {
  if (ctx.deviceClass !== 'B')
    ctx.violation('class-b-to-non-class-b', 'PingSlotChannelReq to a device that is not class B');
  return [{ command: { name: 'PingSlotChannelAns', dataRateOk: false, channelFrequencyOk: false } }];
}

export function beaconFreqReq(_cmd: MacCommandOf<'BeaconFreqReq'>, ctx: MacContext): MacAnswer[] {
  if (ctx.deviceClass !== 'B')
    ctx.violation('class-b-to-non-class-b', 'BeaconFreqReq to a device that is not class B');
  return [{ command: { name: 'BeaconFreqAns', beaconFrequencyOk: false } }];
}

/** Answers to requests this device never sent (PingSlotInfoAns, BeaconTimingAns): nothing to do. */
export function unsolicited(name: string) {
  return (_cmd: unknown, ctx: MacContext): MacAnswer[] => {
    ctx.violation('unsolicited-answer', `${name} without a request`);
    return [];
  };
}
