import { LorafleetError } from '../../crypto/errors.js';

export type UdpPacketErrorReason = 'truncated' | 'version' | 'type' | 'json' | 'field';

/** A datagram that is not valid Semtech UDP: counted and logged by whoever received it, never fatal. */
export class UdpPacketError extends LorafleetError {
  readonly reason: UdpPacketErrorReason;

  constructor(reason: UdpPacketErrorReason, message: string) {
    super('LORAFLEET_UDP_PACKET', message);
    this.reason = reason;
  }
}

/** A txpk with a value no concentrator can send (payload size, SF, BW, preamble, FSK rate). */
export class InvalidTxPk extends UdpPacketError {
  constructor(why: string) {
    super('field', `txpk refused: ${why}`);
  }
}
