import {
  cryptFOptsInPlace,
  cryptFRMPayloadInPlace,
  frmPayloadKeystreams,
} from '../../crypto/frame-crypto.js';
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

const EMPTY = new Uint8Array(0);

/**
 * Builds the uplinks of one session, as a device's MAC layer does: the keys and DevAddr are fixed for
 * the session, and FCntUp only grows. Keystreams for the next `prefetch` counters come from one AES
 * call, so a frame costs one CMAC (two in 1.1) instead of an AES call more; with `prefetch` 1 nothing
 * is kept between frames. Bytes are identical to buildDataFrame's; tests hold the two side by side.
 */
export class UplinkFramer {
  private ks: Uint8Array = EMPTY;
  private ksFirst = 0;
  private ksCount = 0;
  private ksBlocks = 0;

  constructor(
    readonly keys: SessionKeys,
    readonly version: CryptoVersion,
    readonly devAddr: DevAddr,
    readonly prefetch = 16,
  ) {}

  build(f: UplinkFields): Uint8Array {
    const fOptsLen = f.fOpts.length;
    const buf = encodeDataFrame({
      mType: f.confirmed ? 'ConfirmedDataUp' : 'UnconfirmedDataUp',
      devAddr: this.devAddr,
      fCtrl: f.fCtrl,
      fCnt: f.fCnt,
      fOpts: f.fOpts,
      fPort: f.fPort,
      frmPayload: f.frmPayload,
    });
    const payloadStart = 9 + fOptsLen;
    const payloadLen = f.fPort === null ? 0 : f.frmPayload.length;
    const fOpts11 = this.version === '1.1' && fOptsLen > 0;
    if (f.fPort === 0) {
      // MAC commands on FPort 0 use NwkSEncKey: rare, not worth a second prefetch.
      cryptFRMPayloadInPlace(
        this.keys.nwkSEncKey,
        'up',
        this.devAddr,
        f.fCnt,
        buf,
        payloadStart,
        payloadStart + payloadLen,
      );
      if (fOpts11) throw new EncodeError('FOpts', fOptsLen, 'empty when FPort is 0');
    } else if (payloadLen > 0 && this.prefetch <= 1) {
      cryptFRMPayloadInPlace(
        this.keys.appSKey,
        'up',
        this.devAddr,
        f.fCnt,
        buf,
        payloadStart,
        payloadStart + payloadLen,
      );
    } else if (payloadLen > 0) {
      const o = this.keystreamOffset(f.fCnt, Math.ceil(payloadLen / 16));
      const ks = this.ks;
      for (let i = 0; i < payloadLen; i++) buf[payloadStart + i]! ^= ks[o + i]!;
    }
    if (fOpts11) {
      cryptFOptsInPlace(this.keys.nwkSEncKey, 'up', this.devAddr, f.fCnt, 'FCntUp', buf, 8, 8 + fOptsLen);
    }
    buildDataFrameMic(buf, 'up', this.devAddr, this.keys, {
      version: this.version,
      fCnt: f.fCnt,
      confFCnt: f.confFCnt,
      txDr: f.txDr,
      txCh: f.txCh,
    });
    return buf;
  }

  /** Where in `this.ks` the keystream of this frame starts (at least `blocks` blocks long). */
  private keystreamOffset(fCnt: number, blocks: number): number {
    const j = fCnt - this.ksFirst;
    if (j < 0 || j >= this.ksCount || blocks > this.ksBlocks) {
      this.ksBlocks = Math.max(blocks, this.ksBlocks);
      this.ksCount = Math.max(1, Math.min(this.prefetch, 0x100000000 - fCnt));
      this.ksFirst = fCnt;
      this.ks = frmPayloadKeystreams(
        this.keys.appSKey,
        'up',
        this.devAddr,
        fCnt,
        this.ksCount,
        this.ksBlocks,
      );
      return 0;
    }
    return j * this.ksBlocks * 16;
  }
}
