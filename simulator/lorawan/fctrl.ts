/**
 * FCtrl (LoRaWAN 1.1 §4.3.1 Figures 12/13). Bit 6 and bit 4 mean different things per direction:
 * uplink ADRACKReq / ClassB (1.0.3+; "RFU" in the 1.0.2 class A chapter), downlink RFU / FPending.
 */
export interface UplinkFCtrl {
  adr: boolean;
  adrAckReq: boolean;
  ack: boolean;
  classB: boolean;
  fOptsLen: number;
}

export interface DownlinkFCtrl {
  adr: boolean;
  /** Bit 6 is RFU downstream; kept so that a decoded frame re-encodes to the same bytes. */
  rfu: boolean;
  ack: boolean;
  fPending: boolean;
  fOptsLen: number;
}

export function decodeUplinkFCtrl(b: number): UplinkFCtrl {
  return {
    adr: (b & 0x80) !== 0,
    adrAckReq: (b & 0x40) !== 0,
    ack: (b & 0x20) !== 0,
    classB: (b & 0x10) !== 0,
    fOptsLen: b & 0x0f,
  };
}

export function decodeDownlinkFCtrl(b: number): DownlinkFCtrl {
  return {
    adr: (b & 0x80) !== 0,
    rfu: (b & 0x40) !== 0,
    ack: (b & 0x20) !== 0,
    fPending: (b & 0x10) !== 0,
    fOptsLen: b & 0x0f,
  };
}

/** FOptsLen comes from the FOpts actually sent, not from the caller's fCtrl. */
export function encodeUplinkFCtrl(f: Partial<UplinkFCtrl>, fOptsLen: number): number {
  return (
    (f.adr ? 0x80 : 0) |
    (f.adrAckReq ? 0x40 : 0) |
    (f.ack ? 0x20 : 0) |
    (f.classB ? 0x10 : 0) |
    (fOptsLen & 0x0f)
  );
}

export function encodeDownlinkFCtrl(f: Partial<DownlinkFCtrl>, fOptsLen: number): number {
  return (
    (f.adr ? 0x80 : 0) | (f.rfu ? 0x40 : 0) | (f.ack ? 0x20 : 0) | (f.fPending ? 0x10 : 0) | (fOptsLen & 0x0f)
  );
}
