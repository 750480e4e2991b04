/**
 * lorafleet/lorawan — LoRaWAN frame and MAC-command codec, and the frame security built on
 * lorafleet/crypto. Decoders throw only CodecError; encoders throw EncodeError for out-of-range fields.
 */
export * from './types.js';
export { CodecError, EncodeError } from './errors.js';
export {
  MTYPES,
  type MType,
  type MHDR,
  type DataUpMType,
  type DataDownMType,
  decodeMHDR,
  encodeMHDR,
} from './mhdr.js';
export type { UplinkFCtrl, DownlinkFCtrl } from './fctrl.js';
export {
  type DataFrame,
  type UplinkDataFrame,
  type DownlinkDataFrame,
  type DataFrameInput,
  decodeDataFrame,
  encodeDataFrame,
  dataFrameLength,
  FPORT_TEST,
  fPortUse,
  type FPortUse,
} from './data-frame.js';
export {
  type JoinRequest,
  type JoinRequestInput,
  decodeJoinRequest,
  encodeJoinRequest,
} from './join-request.js';
export {
  type JoinAcceptFrame,
  type JoinAcceptPayload,
  type DLSettings,
  decodeJoinAcceptPayload,
  encodeJoinAcceptPayload,
  encodePlainJoinAccept,
  decodePlainJoinAccept,
  rxDelaySeconds,
} from './join-accept.js';
export {
  type RejoinRequest,
  type RejoinRequestInput,
  decodeRejoinRequest,
  encodeRejoinRequest,
} from './rejoin-request.js';
export { type CFList, decodeCFList, encodeCFList, enabledChannels } from './cflist.js';
export {
  type PHYPayload,
  type PHYPayloadInput,
  type Proprietary,
  decodePHYPayload,
  encodePHYPayload,
  MAX_PHY_PAYLOAD,
} from './phy-payload.js';
export * from './mac/index.js';
export { fullFCnt } from './fcnt.js';
export {
  type SessionKeys,
  type FrameSecurity,
  type OpenedDataFrame,
  type OpenedJoinAccept,
  type JoinAcceptMicContext,
  sessionKeys10,
  buildDataFrame,
  openDataFrame,
  dataFrameMicValid,
  buildJoinRequest,
  joinRequestMicValid,
  buildRejoinRequest,
  rejoinRequestMicValid,
  buildJoinAccept,
  openJoinAccept,
  openJoinAcceptAs,
  joinAcceptMicValid,
} from './frame-security.js';
export { buildUplink, UplinkFramer, type UplinkFields } from './uplink-framer.js';
