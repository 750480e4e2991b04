import { cryptFOptsInPlace, cryptFRMPayloadInPlace } from '../../crypto/frame-crypto.js';
import type { DevAddr } from '../../crypto/types.js';
import { encodeDataFrame } from './data-frame.js';
import { EncodeError } from './errors.js';
import type { UplinkFCtrl } from './fctrl.js';
import { buildDataFrameMic, type SessionKeys } from './frame-security.js';
import type { CryptoVersion } from './types.js';

export interface UplinkFields {
  confirmed: boolean;
  /** The full 32-bit FCntUp of this frame. */
  fCnt: number;
  fCtrl: Partial<UplinkFCtrl>;
  /** MAC commands in clear (encrypted here in 1.1). */
  fOpts: Uint8Array;
  fPort: number | null;
  frmPayload: Uint8Array;
  /** 1.1: FCntDown (mod 2^16) of the confirmed downlink this frame ACKs. */
  confFCnt?: number;
  txDr?: number;
  txCh?: number;
}

/**
 * One uplink of a session (`keys`, `version`, `devAddr` fixed, FCntUp growing), as a device's MAC
 * layer builds it. Bytes are identical to buildDataFrame's; tests hold the two side by side.
 */
export function buildUplink(
  keys: SessionKeys,
  version: CryptoVersion,
  devAddr: DevAddr,
  f: UplinkFields,
): Uint8Array {
  const fOptsLen = f.fOpts.length;
  const buf = encodeDataFrame({
    mType: f.confirmed ? 'ConfirmedDataUp' : 'UnconfirmedDataUp',
    devAddr,
    fCtrl: f.fCtrl,
    fCnt: f.fCnt,
    fOpts: f.fOpts,
    fPort: f.fPort,
    frmPayload: f.frmPayload,
  });
  const payloadStart = 9 + fOptsLen;
  const payloadLen = f.fPort === null ? 0 : f.frmPayload.length;
  const fOpts11 = version === '1.1' && fOptsLen > 0;
  if (payloadLen > 0) {
    // FPort 0 carries MAC commands, under NwkSEncKey (LoRaWAN 1.1 §4.3.3).
    const key = f.fPort === 0 ? keys.nwkSEncKey : keys.appSKey;
    cryptFRMPayloadInPlace(key, 'up', devAddr, f.fCnt, buf, payloadStart, payloadStart + payloadLen);
  }
  if (f.fPort === 0 && fOpts11) throw new EncodeError('FOpts', fOptsLen, 'empty when FPort is 0');
  if (fOpts11) {
    cryptFOptsInPlace(keys.nwkSEncKey, 'up', devAddr, f.fCnt, 'FCntUp', buf, 8, 8 + fOptsLen);
  }
  buildDataFrameMic(buf, 'up', devAddr, keys, {
    version,
    fCnt: f.fCnt,
    confFCnt: f.confFCnt,
    txDr: f.txDr,
    txCh: f.txCh,
  });
  return buf;
}

/**
 * A session's uplinks: `buildUplink` with its keys, version and DevAddr. Nothing is kept between
 * frames: a device sends a frame a minute or so, and keystreams prefetched for later frames would
 * hold more heap a device than the AES call they save is worth.
 */
export class UplinkFramer {
  constructor(
    readonly keys: SessionKeys,
    readonly version: CryptoVersion,
    readonly devAddr: DevAddr,
  ) {}

  build(f: UplinkFields): Uint8Array {
    return buildUplink(this.keys, this.version, this.devAddr, f);
  }
}
