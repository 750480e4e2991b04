import type { MacCommandOf } from '../../lorawan/mac/fields.js';
import type { MacAnswer, MacContext } from './context.js';

// LoRaWAN 1.1 §5.1 ResetConf ends the ResetInd a 1.1 ABP device sends after a reset.
export function resetConf(_cmd: MacCommandOf<'ResetConf'>, ctx: MacContext): MacAnswer[] {
  ctx.onResetConf();
  return [];
}

// §5.11 RekeyConf ends the RekeyInd a 1.1 OTAA device sends after a join.
export function rekeyConf(_cmd: MacCommandOf<'RekeyConf'>, ctx: MacContext): MacAnswer[] {
  ctx.onRekeyConf();
  return [];
}

// §5.12 ADRParamSetupReq: ADR_ACK_LIMIT = 2^Limit_exp, ADR_ACK_DELAY = 2^Delay_exp.
export function adrParamSetupReq(cmd: MacCommandOf<'ADRParamSetupReq'>, ctx: MacContext): MacAnswer[] {
  ctx.state.adrAckLimit = 2 ** cmd.limitExp;
  ctx.state.adrAckDelay = 2 ** cmd.delayExp;
  return [{ command: { name: 'ADRParamSetupAns' } }];
}

// §5.13 DeviceTimeAns: the network's answer to our DeviceTimeReq.
export function deviceTimeAns(cmd: MacCommandOf<'DeviceTimeAns'>, ctx: MacContext): MacAnswer[] {
  ctx.onDeviceTime(cmd.gpsEpochSeconds, cmd.fractionalSecondUnits);
  return [];
}

// §5.14 ForceRejoinReq: no answer; the device sends Rejoin-requests as told.
export function forceRejoinReq(cmd: MacCommandOf<'ForceRejoinReq'>, ctx: MacContext): MacAnswer[] {
  if (ctx.version !== '1.1') {
    ctx.violation('mac-not-in-version', `ForceRejoinReq sent to a LoRaWAN ${ctx.version} device`);
    return [];
  }
  ctx.onForceRejoin(cmd.rejoinType, cmd.dataRate, cmd.period, cmd.maxRetries);
  return [];
}

// §5.15 RejoinParamSetupReq: periodic type 0 rejoins every 2^(MaxCountN+4) uplinks or 2^(MaxTimeN+10) s.
export function rejoinParamSetupReq(cmd: MacCommandOf<'RejoinParamSetupReq'>, ctx: MacContext): MacAnswer[] {
  ctx.state.rejoinMaxCountN = cmd.maxCountN;
  ctx.state.rejoinMaxTimeN = cmd.maxTimeN;
  return [{ command: { name: 'RejoinParamSetupAns', timeOk: true } }];
}
