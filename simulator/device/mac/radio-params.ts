import type { MacCommandOf } from '../../lorawan/mac/fields.js';
import { MAX_EIRP_DBM } from '../../lorawan/mac/radio-params.js';
import { subBandFor } from '../../region/duty-cycle.js';
import type { Region } from '../../region/types.js';
import type { MacAnswer, MacContext } from './context.js';

/** Whether a device of this region may use a frequency (inside a regulatory sub-band, or the band). */
function frequencyAllowed(region: Region, hz: number): boolean {
  if (hz === 0) return false;
  if (subBandFor(region, hz) !== undefined) return true;
  const lo = Math.min(...region.subBands.map((b) => b.minFrequency));
  const hi = Math.max(...region.subBands.map((b) => b.maxFrequency));
  return hz >= lo && hz <= hi;
}

// LoRaWAN 1.1 §5.5 RXParamSetupReq: all three parts must be acceptable, else nothing changes.
// The answer is sticky: repeated in every uplink until a downlink is received.
export function rxParamSetupReq(cmd: MacCommandOf<'RXParamSetupReq'>, ctx: MacContext): MacAnswer[] {
  const { region, state } = ctx;
  const channelAck = frequencyAllowed(region, cmd.frequencyHz);
  const rx2DataRateAck = region.dataRates[cmd.rx2DataRate] !== undefined;
  const rx1DrOffsetAck = cmd.rx1DrOffset < (region.rx1DataRate[0]?.length ?? 0);
  if (channelAck && rx2DataRateAck && rx1DrOffsetAck) {
    state.rx1DrOffset = cmd.rx1DrOffset;
    state.rx2DataRate = cmd.rx2DataRate;
    state.rx2Frequency = cmd.frequencyHz;
  } else {
    ctx.violation('rx-param-setup-refused', `RXParamSetupReq refused: ${JSON.stringify(cmd)}`);
  }
  return [{ command: { name: 'RXParamSetupAns', rx1DrOffsetAck, rx2DataRateAck, channelAck }, sticky: true }];
}

// §5.8 RXTimingSetupReq: RX1 delay in seconds (0 means 1). Sticky answer.
export function rxTimingSetupReq(cmd: MacCommandOf<'RXTimingSetupReq'>, ctx: MacContext): MacAnswer[] {
  ctx.state.rx1Delay = cmd.del === 0 ? 1 : cmd.del;
  return [{ command: { name: 'RXTimingSetupAns' }, sticky: true }];
}

// §5.9 TxParamSetupReq: only where the region uses it (AS923, AU915); elsewhere it is ignored.
export function txParamSetupReq(cmd: MacCommandOf<'TxParamSetupReq'>, ctx: MacContext): MacAnswer[] {
  if (!ctx.region.txParamSetupReq) {
    ctx.violation('mac-not-in-region', `TxParamSetupReq is not used in ${ctx.region.name}`);
    return [];
  }
  ctx.state.uplinkDwell = cmd.uplinkDwellTime;
  ctx.state.downlinkDwell = cmd.downlinkDwellTime;
  ctx.state.maxEirp = MAX_EIRP_DBM[cmd.maxEirpIndex]!;
  return [{ command: { name: 'TxParamSetupAns' } }];
}

// §5.7 NewChannelReq: regions with a dynamic channel plan only; the default channels cannot change.
export function newChannelReq(cmd: MacCommandOf<'NewChannelReq'>, ctx: MacContext): MacAnswer[] {
  const { region, state } = ctx;
  const dynamic = region.channelPlan === 'dynamic';
  const indexOk = dynamic && cmd.chIndex >= region.defaultChannels.length && cmd.chIndex < region.maxChannels;
  const channelFrequencyOk = indexOk && (cmd.frequencyHz === 0 || frequencyAllowed(region, cmd.frequencyHz));
  const dataRateRangeOk =
    indexOk &&
    (cmd.frequencyHz === 0 ||
      (cmd.minDr <= cmd.maxDr &&
        region.dataRates[cmd.minDr] !== undefined &&
        region.dataRates[cmd.maxDr] !== undefined));
  if (channelFrequencyOk && dataRateRangeOk) {
    const channels = [...state.channels.channels];
    const enabled = [...state.channels.enabled];
    if (cmd.frequencyHz === 0) {
      channels[cmd.chIndex] = undefined;
      enabled[cmd.chIndex] = false;
    } else {
      channels[cmd.chIndex] = { frequency: cmd.frequencyHz, minDr: cmd.minDr, maxDr: cmd.maxDr };
      enabled[cmd.chIndex] = true;
    }
    state.channels = { channels, enabled };
    state.rx1Frequencies = withAt(state.rx1Frequencies, cmd.chIndex, undefined);
  } else {
    ctx.violation('new-channel-refused', `NewChannelReq refused: ${JSON.stringify(cmd)}`);
  }
  return [{ command: { name: 'NewChannelAns', dataRateRangeOk, channelFrequencyOk } }];
}

// §5.10 DlChannelReq: moves the RX1 frequency of an existing uplink channel. Sticky answer.
export function dlChannelReq(cmd: MacCommandOf<'DlChannelReq'>, ctx: MacContext): MacAnswer[] {
  const { region, state } = ctx;
  const uplinkFrequencyExists =
    region.channelPlan === 'dynamic' && state.channels.channels[cmd.chIndex] !== undefined;
  const channelFrequencyOk = region.channelPlan === 'dynamic' && frequencyAllowed(region, cmd.frequencyHz);
  if (uplinkFrequencyExists && channelFrequencyOk)
    state.rx1Frequencies = withAt(state.rx1Frequencies, cmd.chIndex, cmd.frequencyHz);
  else ctx.violation('dl-channel-refused', `DlChannelReq refused: ${JSON.stringify(cmd)}`);
  return [{ command: { name: 'DlChannelAns', uplinkFrequencyExists, channelFrequencyOk }, sticky: true }];
}

/** A copy of `list` with `value` at `index` (the MAC state's lists are replaced, never changed). */
function withAt<T>(list: readonly T[], index: number, value: T): T[] {
  const copy = [...list];
  copy[index] = value;
  return copy;
}
