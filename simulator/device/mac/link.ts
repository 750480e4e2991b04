import type { MacCommandOf } from '../../lorawan/mac/fields.js';
import { applyChMask, checkChannelMask } from '../../region/channels.js';
import { atLeast, type MacAnswer, type MacContext } from './context.js';

// LoRaWAN 1.1 §5.2: the network's answer to our LinkCheckReq.
export function linkCheckAns(cmd: MacCommandOf<'LinkCheckAns'>, ctx: MacContext): MacAnswer[] {
  ctx.onLinkCheck(cmd.margin, cmd.gwCnt);
  return [];
}

/**
 * §5.3 LinkADRReq, as a contiguous block (RP002 "LinkAdrReq command"): channel masks apply in
 * order, the last command's DataRate, TXPower and NbTrans win, and the block is accepted or refused
 * as a whole. LoRaWAN 1.1 answers the block with one LinkADRAns; 1.0.x with one per command.
 * From 1.0.4 on, DataRate or TXPower 15 means "keep the current value".
 */
export function linkADRBlock(block: MacCommandOf<'LinkADRReq'>[], ctx: MacContext): MacAnswer[] {
  const { state, region } = ctx;
  let table = state.channels;
  let channelMaskAck = true;
  let reason = '';
  for (const req of block) {
    const r = applyChMask(region, table, req.chMask, req.chMaskCntl);
    if (!r.ok) {
      channelMaskAck = false;
      reason = r.reason;
      break;
    }
    table = { ...table, enabled: r.enabled };
  }
  if (channelMaskAck) {
    const bad = checkChannelMask(state.channels, table.enabled);
    if (bad !== undefined) {
      channelMaskAck = false;
      reason = bad;
    }
  }
  const last = block[block.length - 1]!;
  const keep = atLeast(ctx.version, '1.0.4');
  const dataRate = keep && last.dataRate === 15 ? state.dataRate : last.dataRate;
  const txPower = keep && last.txPower === 15 ? state.txPower : last.txPower;
  // The data rate must exist and be usable on at least one channel the new mask enables.
  const dataRateAck =
    region.dataRates[dataRate] !== undefined &&
    table.enabled.some(
      (on, i) =>
        on &&
        table.channels[i] !== undefined &&
        dataRate >= table.channels[i]!.minDr &&
        dataRate <= table.channels[i]!.maxDr,
    );
  const powerAck = txPower < region.txPowerOffsets.length;
  const ok = channelMaskAck && dataRateAck && powerAck;
  if (ok) {
    state.channels = table;
    state.dataRate = dataRate;
    state.txPower = txPower;
    state.nbTrans = last.nbTrans === 0 ? 1 : last.nbTrans;
    state.adrAckCnt = 0;
  } else {
    ctx.violation(
      'link-adr-refused',
      `LinkADRReq refused: ${[
        !channelMaskAck && `channel mask (${reason})`,
        !dataRateAck && `DR${dataRate}`,
        !powerAck && `TXPower ${txPower}`,
      ]
        .filter(Boolean)
        .join(', ')}`,
    );
  }
  const ans = { command: { name: 'LinkADRAns' as const, powerAck, dataRateAck, channelMaskAck } };
  return ctx.version === '1.1' ? [ans] : block.map(() => ans);
}

// §5.4 DutyCycleReq.
export function dutyCycleReq(cmd: MacCommandOf<'DutyCycleReq'>, ctx: MacContext): MacAnswer[] {
  ctx.state.maxDutyCycle = cmd.maxDutyCycle;
  ctx.onDutyCycle(cmd.maxDutyCycle);
  return [{ command: { name: 'DutyCycleAns' } }];
}

// §5.6 DevStatusReq: battery, and the SNR margin of the last downlink (6-bit signed, −32…31).
export function devStatusReq(_cmd: MacCommandOf<'DevStatusReq'>, ctx: MacContext): MacAnswer[] {
  const margin = Math.max(-32, Math.min(31, Math.round(ctx.lastDownlinkSnr)));
  return [{ command: { name: 'DevStatusAns', battery: ctx.battery, margin } }];
}
