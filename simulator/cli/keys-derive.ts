import {
  deriveJSEncKey,
  deriveJSIntKey,
  deriveSessionKeys10,
  deriveSessionKeys11,
} from '../../crypto/key-derivation.js';
import type { AES128Key, EUI64 } from '../../crypto/types.js';
import { hex } from './json.js';
import { UsageError } from './errors.js';

export interface DeriveOptions {
  lorawan: '1.0' | '1.1';
  appKey?: AES128Key;
  nwkKey?: AES128Key;
  joinNonce?: number;
  netId?: number;
  devNonce?: number;
  joinEui?: EUI64;
  devEui?: EUI64;
}

function required<T>(v: T | undefined, option: string, why: string): T {
  if (v === undefined) throw new UsageError(`--${option} is required ${why}`);
  return v;
}

/** `keys derive`: the session keys a join produces, as uppercase hex. */
export function deriveKeys(o: DeriveOptions): Record<string, string> {
  if (o.lorawan === '1.0') {
    const why = 'for LoRaWAN 1.0 session keys';
    const k = deriveSessionKeys10(
      required(o.appKey, 'app-key', why),
      required(o.joinNonce, 'join-nonce', why),
      required(o.netId, 'net-id', why),
      required(o.devNonce, 'dev-nonce', why),
    );
    return { nwkSKey: hex(k.nwkSKey), appSKey: hex(k.appSKey) };
  }
  const why = 'for LoRaWAN 1.1 session keys';
  const nwkKey = required(o.nwkKey, 'nwk-key', why);
  const devEui = required(o.devEui, 'dev-eui', why);
  const k = deriveSessionKeys11(
    nwkKey,
    required(o.appKey, 'app-key', why),
    required(o.joinNonce, 'join-nonce', why),
    required(o.joinEui, 'join-eui', why),
    required(o.devNonce, 'dev-nonce', why),
  );
  return {
    fNwkSIntKey: hex(k.fNwkSIntKey),
    sNwkSIntKey: hex(k.sNwkSIntKey),
    nwkSEncKey: hex(k.nwkSEncKey),
    appSKey: hex(k.appSKey),
    jsIntKey: hex(deriveJSIntKey(nwkKey, devEui)),
    jsEncKey: hex(deriveJSEncKey(nwkKey, devEui)),
  };
}
