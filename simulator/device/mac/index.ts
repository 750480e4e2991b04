import type { MacCommand, MacCommandName, MacCommandOf } from '../../lorawan/mac/fields.js';
import { macCommandSpecByName } from '../../lorawan/mac/table.js';
import { beaconFreqReq, pingSlotChannelReq, pingSlotInfoAns, unsolicited } from './class-b.js';
import { atLeast, type Handler, type MacAnswer, type MacContext } from './context.js';
import { devStatusReq, dutyCycleReq, linkADRBlock, linkCheckAns } from './link.js';
import {
  dlChannelReq,
  newChannelReq,
  rxParamSetupReq,
  rxTimingSetupReq,
  txParamSetupReq,
} from './radio-params.js';
import {
  adrParamSetupReq,
  deviceTimeAns,
  forceRejoinReq,
  rejoinParamSetupReq,
  rekeyConf,
  resetConf,
} from './session.js';

export type { MacAnswer, MacContext } from './context.js';

const HANDLERS: Partial<Record<MacCommandName, Handler>> = {
  LinkCheckAns: linkCheckAns as Handler,
  DutyCycleReq: dutyCycleReq as Handler,
  RXParamSetupReq: rxParamSetupReq as Handler,
  DevStatusReq: devStatusReq as Handler,
  NewChannelReq: newChannelReq as Handler,
  RXTimingSetupReq: rxTimingSetupReq as Handler,
  TxParamSetupReq: txParamSetupReq as Handler,
  DlChannelReq: dlChannelReq as Handler,
  ResetConf: resetConf as Handler,
  RekeyConf: rekeyConf as Handler,
  ADRParamSetupReq: adrParamSetupReq as Handler,
  DeviceTimeAns: deviceTimeAns as Handler,
  ForceRejoinReq: forceRejoinReq as Handler,
  RejoinParamSetupReq: rejoinParamSetupReq as Handler,
  PingSlotChannelReq: pingSlotChannelReq as Handler,
  BeaconFreqReq: beaconFreqReq as Handler,
  PingSlotInfoAns: pingSlotInfoAns as Handler,
  BeaconTimingAns: unsolicited('BeaconTimingAns'),
  DeviceModeConf: () => [],
};

/**
 * Handles the MAC commands of one downlink in order and returns the answers for the next uplink.
 * Contiguous LinkADRReqs form a block (one decision). A command the device's LoRaWAN version does
 * not define is ignored and recorded against the network.
 */
export function handleMacCommands(commands: readonly MacCommand[], ctx: MacContext): MacAnswer[] {
  const answers: MacAnswer[] = [];
  for (let i = 0; i < commands.length; i++) {
    const cmd = commands[i]!;
    const spec = macCommandSpecByName(cmd.name);
    if (!spec.classB && !atLeast(ctx.version, spec.since)) {
      ctx.violation('mac-not-in-version', `${cmd.name} is not defined in LoRaWAN ${ctx.version}`);
      continue;
    }
    if (spec.direction !== 'downlink') {
      ctx.violation('mac-wrong-direction', `${cmd.name} is an uplink command`);
      continue;
    }
    if (cmd.name === 'LinkADRReq') {
      const block: MacCommandOf<'LinkADRReq'>[] = [cmd];
      while (commands[i + 1]?.name === 'LinkADRReq') block.push(commands[++i] as MacCommandOf<'LinkADRReq'>);
      answers.push(...linkADRBlock(block, ctx));
      continue;
    }
    const handler = HANDLERS[cmd.name];
    if (handler === undefined) {
      ctx.violation('mac-unexpected', `${cmd.name} is not for an end device`);
      continue;
    }
    answers.push(...handler(cmd, ctx));
  }
  return answers;
}
