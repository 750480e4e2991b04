import { deriveJSIntKey, deriveSessionKeys10, deriveSessionKeys11 } from '../crypto/key-derivation.js';
import { bytesToHex, type AES128Key, type DevAddr } from '../crypto/types.js';
import type { CFList } from '../simulator/lorawan/cflist.js';
import {
  buildJoinAccept,
  joinRequestMicValid,
  sessionKeys10,
  type SessionKeys,
} from '../simulator/lorawan/frame-security.js';
import type { JoinRequest } from '../simulator/lorawan/join-request.js';
import type { FrequencyPlan } from '../simulator/region/frequency-plan.js';
import { randomBase64 } from './random-id.js';
import { getPath } from './paths.js';
import { frequencyPlanOf, keyAt, macVersion, type DeviceEntry, type Registry } from './registry.js';

/** How many recent DevNonces TTS's Join Server remembers for LoRaWAN < 1.0.4 (`js.dev-nonce-limit`). */
export const DEV_NONCE_LIMIT = 10;

export type JoinResult =
  | {
      ok: true;
      device: DeviceEntry;
      accept: Uint8Array;
      devAddr: number;
      keys: SessionKeys;
      appSKey: AES128Key;
      version: '1.0' | '1.1';
      rxDelay: number;
      rx1DrOffset: number;
      rx2DataRate: number;
      channels: number[];
      sessionKeyId: string;
    }
  | { ok: false; device?: DeviceEntry; reason: string; message: string };

export interface JoinServerOptions {
  netId: number;
  /** RX1 delay told to devices in the Join-accept, seconds (TTS desires 5). */
  rx1DelayS: number;
}

/**
 * The Join Server: checks a Join-request (device known, MIC, DevNonce as TTS applies it), answers
 * with an encrypted Join-accept and derives the session keys it hands to the NS and AS.
 */
export class JoinServer {
  private nextDevAddr = 1;

  constructor(
    private readonly registry: Registry,
    private readonly opts: JoinServerOptions,
  ) {}

  /** DevAddr from the NetID's type-0 prefix (NwkID = NetID's 6 LSBs … for 000013: 0x26000000/7). */
  private allocateDevAddr(): number {
    const nwkId = this.opts.netId & 0x7f;
    return ((nwkId << 25) | (this.nextDevAddr++ & 0x1ffffff)) >>> 0;
  }

  handle(phy: Uint8Array, jr: JoinRequest): JoinResult {
    const joinEui = bytesToHex(jr.joinEui);
    const devEui = bytesToHex(jr.devEui);
    const d = this.registry.byEuis(joinEui, devEui);
    if (d === undefined || d.js === undefined) {
      return {
        ok: false,
        reason: 'device_not_found',
        message: `no device with JoinEUI ${joinEui} and DevEUI ${devEui}`,
      };
    }
    const version = macVersion(d.ns ? getPath(d.ns, 'lorawan_version') : '1.0.3');
    const v11 = version === '1.1';
    const appKey = keyAt(d.js, 'root_keys.app_key.key');
    const nwkKey = keyAt(d.js, 'root_keys.nwk_key.key');
    if (appKey === undefined)
      return { ok: false, device: d, reason: 'no_app_key', message: 'the device has no AppKey' };
    if (v11 && nwkKey === undefined)
      return { ok: false, device: d, reason: 'no_nwk_key', message: 'a 1.1 device needs a NwkKey' };
    const rootKey = v11 ? nwkKey! : appKey;
    if (!joinRequestMicValid(phy, rootKey))
      return { ok: false, device: d, reason: 'mic_mismatch', message: 'Join-request MIC mismatch' };

    const js = d.js;
    const resets = getPath(js, 'resets_join_nonces') === true;
    const last = getPath(js, 'last_dev_nonce') as number | undefined;
    const used = (getPath(js, 'used_dev_nonces') as number[] | undefined) ?? [];
    if (!resets) {
      if (version === '1.0.4' || v11) {
        // ≥ 1.0.4: the DevNonce must grow (TTS joinserver.go).
        if (last !== undefined && jr.devNonce <= last) {
          return {
            ok: false,
            device: d,
            reason: 'dev_nonce_too_small',
            message: `DevNonce ${jr.devNonce} is not greater than ${last}`,
          };
        }
      } else if (used.includes(jr.devNonce)) {
        return {
          ok: false,
          device: d,
          reason: 'dev_nonce_reused',
          message: `DevNonce ${jr.devNonce} was used before`,
        };
      }
    }
    const joinNonce = ((getPath(js, 'last_join_nonce') as number | undefined) ?? 0) + 1;
    // Top-level fields of the JS document, the list a new one: no path to walk, nothing to copy.
    js.last_dev_nonce = jr.devNonce;
    js.used_dev_nonces = [...used, jr.devNonce].slice(-DEV_NONCE_LIMIT);
    js.last_join_nonce = joinNonce;
    this.registry.touchDevice(d);

    const plan = frequencyPlanOf(d);
    const devAddr = this.allocateDevAddr();
    const { cfList, channels } = cfListFor(plan);
    const rx2DataRate = plan.rx2DataRate;
    const payload = {
      joinNonce,
      netId: this.opts.netId as never,
      devAddr: devAddr as DevAddr,
      dlSettings: { optNeg: v11, rx1DrOffset: 0, rx2DataRate },
      rxDelay: this.opts.rx1DelayS,
      ...(cfList ? { cfList } : {}),
    };
    let keys: SessionKeys;
    let appSKey: AES128Key;
    let accept: Uint8Array;
    if (v11) {
      const joinEuiBytes = jr.joinEui;
      const jsIntKey = deriveJSIntKey(nwkKey!, jr.devEui);
      accept = buildJoinAccept(payload, nwkKey!, jsIntKey, {
        joinReqType: 'JoinRequest',
        joinEui: joinEuiBytes,
        devNonce: jr.devNonce,
      });
      const k = deriveSessionKeys11(nwkKey!, appKey, joinNonce, joinEuiBytes, jr.devNonce);
      keys = k;
      appSKey = k.appSKey;
    } else {
      accept = buildJoinAccept(payload, appKey, appKey);
      const k = deriveSessionKeys10(appKey, joinNonce, this.opts.netId, jr.devNonce);
      keys = sessionKeys10(k.nwkSKey, k.appSKey);
      appSKey = k.appSKey;
    }
    return {
      ok: true,
      device: d,
      accept,
      devAddr,
      keys,
      appSKey,
      version: v11 ? '1.1' : '1.0',
      rxDelay: this.opts.rx1DelayS,
      rx1DrOffset: 0,
      rx2DataRate,
      channels,
      sessionKeyId: randomBase64(16),
    };
  }
}

/**
 * The CFList a plan's Join-accepts carry: EU-like plans list their extra channels (type 0), fixed-plan
 * regions send the channel mask of the plan's sub-band (type 1). Also returns the channel table the
 * device will have, by index.
 */
export function cfListFor(plan: FrequencyPlan): { cfList?: CFList; channels: number[] } {
  const region = plan.region;
  const defaults = region.defaultChannels.map((c) => c.frequency);
  if (region.cfListType === 'frequencies') {
    const extra = plan.uplinkChannels
      .map((c) => c.frequency)
      .filter((f) => !defaults.includes(f))
      .slice(0, 5);
    if (extra.length === 0) return { channels: defaults };
    return { cfList: { type: 'frequencies', frequencies: extra }, channels: [...defaults, ...extra] };
  }
  const masks = [0, 0, 0, 0, 0, 0];
  const enable = (f: number) => {
    const i = defaults.indexOf(f);
    if (i >= 0) masks[i >> 4]! |= 1 << (i & 15);
  };
  plan.uplinkChannels.forEach((c) => enable(c.frequency));
  if (plan.loraStandardChannel) enable(plan.loraStandardChannel.frequency);
  return { cfList: { type: 'channel-mask', chMasks: masks }, channels: defaults };
}
