import { aes128Keys, type AES128Key } from '../crypto/types.js';
import { sessionKeys10, type SessionKeys } from '../simulator/lorawan/frame-security.js';
import type { FrequencyPlan } from '../simulator/region/frequency-plan.js';
import { cfListFor } from './join-server.js';
import { GRPC, NetworkError, notFound } from './errors.js';
import { applyMask, getPath, pick, setPath } from './paths.js';
import { randomBase64 } from './random-id.js';
import { checkTtsJson, END_DEVICE_FIELDS, unmarshalMessage, wrapperNumber } from './tts-json.js';
import {
  frequencyPlanOf,
  isoNow,
  macVersion,
  NO_DOWNLINKS,
  NO_MAC,
  type DeviceEntry,
  type Doc,
  type Registry,
} from './registry.js';

export type Component = 'is' | 'js' | 'ns' | 'as';

/** A key's hex in a document, or undefined where it has none. */
function keyHex(doc: Doc | undefined, path: string): string | undefined {
  const v = doc ? getPath(doc, path) : undefined;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * The uplink channels a session starts with, one array per frequency plan shared by every session
 * (sessions only read it): a copy per device is memory a million-device network does not need.
 */
const planChannels = new WeakMap<FrequencyPlan, readonly number[]>();
function sessionChannels(plan: FrequencyPlan): readonly number[] {
  let c = planChannels.get(plan);
  if (c === undefined) {
    const region = plan.region;
    c = Object.freeze(
      region.channelPlan === 'dynamic'
        ? region.defaultChannels.map((ch) => ch.frequency)
        : cfListFor(plan).channels,
    );
    planChannels.set(plan, c);
  }
  return c;
}

const NS: Record<Component, string> = {
  is: 'pkg/identityserver/store',
  js: 'pkg/joinserver',
  ns: 'pkg/networkserver',
  as: 'pkg/applicationserver',
};

/** Paths each registry accepts (TTS pkg/ttnpb/field_mask_validation.go, in short). */
const ALLOWED: Record<Component, RegExp> = {
  is: /^(ids(\..*)?|name|description|attributes(\..*)?|version_ids(\..*)?|(network|application|join)_server_address|locations(\..*)?|serial_number|last_seen_at|activated_at)$/,
  js: /^(ids(\..*)?|root_keys(\..*)?|(network|application)_server_address|application_server_id|net_id|last_dev_nonce|last_join_nonce|used_dev_nonces|resets_join_nonces)$/,
  ns: /^(ids(\..*)?|frequency_plan_id|lorawan_version|lorawan_phy_version|supports_join|supports_class_b|supports_class_c|multicast|mac_settings(\..*)?|session(\..*)?|version_ids(\..*)?|battery_percentage|downlink_margin)$/,
  as: /^(ids(\..*)?|session(\..*)?|formatters(\..*)?|skip_payload_crypto|skip_payload_crypto_override|version_ids(\..*)?)$/,
};

const ID = /^[a-z0-9](?:[-]?[a-z0-9]){2,}$/;

function invalid(field: string, message: string): NetworkError {
  return new NetworkError(
    GRPC.INVALID_ARGUMENT,
    'pkg/ttnpb',
    'validation',
    `invalid \`${field}\`: ${message}`,
    { field },
  );
}

/** Normalises an EUI written as hex (any case) or base64 to uppercase hex, as TTS accepts both. */
function normaliseHexField(doc: Doc, path: string, bytes: number): void {
  const v = getPath(doc, path);
  if (v === undefined || v === '') return;
  if (typeof v !== 'string') throw invalid(path, 'expected a string');
  let hex: string;
  if (/^[0-9a-fA-F]*$/.test(v) && v.length === bytes * 2) hex = v.toUpperCase();
  else if (/^[A-Za-z0-9+/]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === bytes)
    hex = Buffer.from(v, 'base64').toString('hex').toUpperCase();
  else throw invalid(path, `expected ${bytes} bytes of hex, got ${JSON.stringify(v)}`);
  setPath(doc, path, hex);
}

const KEY_PATHS = [
  'root_keys.app_key.key',
  'root_keys.nwk_key.key',
  'session.keys.f_nwk_s_int_key.key',
  'session.keys.s_nwk_s_int_key.key',
  'session.keys.nwk_s_enc_key.key',
  'session.keys.app_s_key.key',
];

/** TTS refuses a body that breaks its JSON rules before looking at it: 400, no details (Part 4). */
function checkJson(doc: Doc): void {
  const refused = checkTtsJson(doc, END_DEVICE_FIELDS, 'end_device').find((p) => p.severity === 'refused');
  if (refused !== undefined) {
    throw new NetworkError(
      GRPC.INVALID_ARGUMENT,
      'pkg/jsonpb',
      'unmarshal',
      unmarshalMessage(refused),
      {},
      {
        details: false,
      },
    );
  }
}

function normalise(doc: Doc): void {
  checkJson(doc);
  normaliseHexField(doc, 'ids.dev_eui', 8);
  normaliseHexField(doc, 'ids.join_eui', 8);
  normaliseHexField(doc, 'ids.dev_addr', 4);
  normaliseHexField(doc, 'session.dev_addr', 4);
  for (const p of KEY_PATHS) normaliseHexField(doc, p, 16);
}

/** Devices of the embedded network's four registries, as the TTS API exposes them. */
export class DeviceRegistries {
  constructor(private readonly registry: Registry) {}

  private app(applicationId: string): void {
    this.registry.application(applicationId);
  }

  private entry(c: Component, applicationId: string, deviceId: string): DeviceEntry & Record<Component, Doc> {
    const d = this.registry.device(applicationId, deviceId);
    if (d === undefined || d[c] === undefined) {
      throw notFound(
        NS[c],
        c === 'is' ? 'end_device_not_found' : 'device_not_found',
        `end device \`${applicationId}.${deviceId}\``,
        {
          device_uid: `${applicationId}.${deviceId}`,
        },
      );
    }
    return d as DeviceEntry & Record<Component, Doc>;
  }

  get(c: Component, applicationId: string, deviceId: string, paths: readonly string[]): Doc {
    this.app(applicationId);
    return pick(this.entry(c, applicationId, deviceId)[c], paths);
  }

  /** IS create: a new device; `end_device_euis_taken` when another device of the network has the EUIs. */
  create(applicationId: string, device: Doc): Doc {
    this.app(applicationId);
    normalise(device);
    const devId = getPath(device, 'ids.device_id');
    if (typeof devId !== 'string' || !ID.test(devId) || devId.length > 36)
      throw invalid('ids.device_id', `${JSON.stringify(devId)} is not a valid ID`);
    if (this.registry.device(applicationId, devId)?.is) {
      throw new NetworkError(GRPC.ALREADY_EXISTS, 'pkg/util/store', 'id_taken', 'ID already taken', {
        id: devId,
      });
    }
    const devEui = getPath(device, 'ids.dev_eui');
    const joinEui = getPath(device, 'ids.join_eui') ?? '0000000000000000';
    if (devEui !== undefined) {
      const other = this.registry.isByEui(String(joinEui), String(devEui));
      if (other?.is) {
        throw new NetworkError(
          GRPC.ALREADY_EXISTS,
          'pkg/identityserver',
          'end_device_euis_taken',
          `an end device with JoinEUI \`${String(joinEui)}\` and DevEUI \`${String(devEui)}\` is already registered as \`${other.deviceId}\` in application \`${other.applicationId}\``,
          {
            join_eui: joinEui,
            dev_eui: devEui,
            device_id: other.deviceId,
            application_id: other.applicationId,
          },
        );
      }
    }
    const d = this.registry.deviceOrCreate(applicationId, devId);
    const now = isoNow();
    const doc: Doc = { ...structuredClone(device), created_at: now, updated_at: now };
    setPath(doc, 'ids.application_ids.application_id', applicationId);
    this.registry.setDoc(d, 'is', doc);
    return pick(doc, []);
  }

  /** Update (IS) or Set (JS, NS, AS): the masked paths of `device` land on the registry's document. */
  set(c: Component, applicationId: string, deviceId: string, device: Doc, paths: readonly string[]): Doc {
    this.app(applicationId);
    if (paths.length === 0) throw invalid('field_mask', 'no paths given');
    for (const p of paths)
      if (!ALLOWED[c].test(p))
        throw invalid('field_mask', `\`${p}\` is not allowed in the ${c.toUpperCase()} registry`);
    normalise(device);
    const idInBody = getPath(device, 'ids.device_id');
    if (idInBody !== undefined && idInBody !== deviceId)
      throw invalid('ids.device_id', 'does not match the path');
    if (c === 'is') this.entry('is', applicationId, deviceId);
    const d = this.registry.deviceOrCreate(applicationId, deviceId);
    const isNew = d[c] === undefined;
    const doc = d[c] ?? { created_at: isoNow() };
    applyMask(doc, device, paths);
    setPath(doc, 'ids.device_id', deviceId);
    setPath(doc, 'ids.application_ids.application_id', applicationId);
    setPath(doc, 'updated_at', isoNow());
    try {
      this.validate(c, doc, isNew);
    } catch (e) {
      this.registry.removeIfEmpty(d);
      throw e;
    }
    this.registry.setDoc(d, c, doc);
    if (c === 'ns' || c === 'as') this.abpSession(d);
    return pick(doc, paths);
  }

  private validate(c: Component, doc: Doc, isNew: boolean): void {
    if (c === 'js') {
      if (!getPath(doc, 'ids.join_eui'))
        throw new NetworkError(
          GRPC.INVALID_ARGUMENT,
          'pkg/joinserver',
          'no_join_eui',
          'no JoinEUI specified',
        );
      const devEui = getPath(doc, 'ids.dev_eui');
      if (!devEui || devEui === '0000000000000000')
        throw new NetworkError(GRPC.INVALID_ARGUMENT, 'pkg/joinserver', 'no_dev_eui', 'no DevEUI specified');
    }
    if (c === 'ns') {
      if (getPath(doc, 'lorawan_version') !== undefined) macVersion(getPath(doc, 'lorawan_version'));
      const fp = getPath(doc, 'frequency_plan_id');
      if (fp !== undefined) {
        try {
          frequencyPlanOf({ ns: doc } as DeviceEntry);
        } catch {
          throw new NetworkError(
            GRPC.INVALID_ARGUMENT,
            'pkg/frequencyplans',
            'not_found',
            `frequency plan \`${String(fp)}\` not found`,
            { id: fp },
          );
        }
      }
      if (getPath(doc, 'supports_join') === false) {
        for (const p of ['session.dev_addr', 'session.keys.f_nwk_s_int_key.key']) {
          if (!getPath(doc, p)) throw invalid(p, 'required when `supports_join` is false');
        }
        if (macVersion(getPath(doc, 'lorawan_version')) === '1.1') {
          for (const p of ['session.keys.s_nwk_s_int_key.key', 'session.keys.nwk_s_enc_key.key']) {
            if (!getPath(doc, p)) throw invalid(p, 'required for LoRaWAN 1.1 ABP');
          }
        }
      }
      if (!isNew && getPath(doc, 'supports_join') === undefined) return;
    }
    if (c === 'as' && getPath(doc, 'session') !== undefined) {
      if (!getPath(doc, 'session.dev_addr') || getPath(doc, 'session.dev_addr') === '00000000')
        throw invalid('session.dev_addr', 'must not be zero');
      if (!getPath(doc, 'session.keys.app_s_key.key'))
        throw invalid('session.keys.app_s_key.key', 'required with a session');
    }
  }

  /** Rebuilds what can be rebuilt of a device loaded from a saved state (ABP sessions). */
  restoreSession(d: DeviceEntry): void {
    this.abpSession(d);
  }

  /** An ABP device's session comes from its NS and AS documents once both are there. */
  private abpSession(d: DeviceEntry): void {
    if (d.ns === undefined || getPath(d.ns, 'supports_join') !== false) return;
    const addr = getPath(d.ns, 'session.dev_addr') as string | undefined;
    const fHex = keyHex(d.ns, 'session.keys.f_nwk_s_int_key.key');
    if (addr === undefined || fHex === undefined) return;
    const version = macVersion(getPath(d.ns, 'lorawan_version')) === '1.1' ? '1.1' : '1.0';
    const appHex = keyHex(d.as, 'session.keys.app_s_key.key');
    // One buffer for the session's keys; for MAC < 1.1 the NS copies FNwkSIntKey into SNwkSIntKey
    // and NwkSEncKey.
    const paths = ['session.keys.f_nwk_s_int_key.key', 'session.keys.app_s_key.key'];
    let keys: SessionKeys;
    let appSKey: AES128Key | undefined;
    if (version === '1.1') {
      const more = ['session.keys.s_nwk_s_int_key.key', 'session.keys.nwk_s_enc_key.key'];
      const [f, a, s, n] = aes128Keys(
        [fHex, appHex ?? fHex, keyHex(d.ns, more[0]!)!, keyHex(d.ns, more[1]!)!],
        [...paths, ...more],
      );
      keys = { fNwkSIntKey: f!, sNwkSIntKey: s!, nwkSEncKey: n!, appSKey: a! };
      if (appHex !== undefined) appSKey = a;
    } else {
      const [f, a] = aes128Keys([fHex, appHex ?? fHex], paths);
      keys = sessionKeys10(f!, a!);
      if (appHex !== undefined) appSKey = a;
    }
    const plan = frequencyPlanOf(d);
    const region = plan.region;
    const presets = getPath(d.ns, 'mac_settings.factory_preset_frequencies') as string[] | undefined;
    const channels = presets ? presets.map(Number) : sessionChannels(plan);
    const prev = d.session;
    const rx1 = getPath(d.ns, 'mac_settings.rx1_delay');
    // A session registered with counters (an ABP device re-provisioned) continues from them.
    const counter = (path: string): number | undefined => {
      const v = getPath(d.ns ?? {}, path);
      return typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined;
    };
    const resets = getPath(d.ns, 'mac_settings.resets_f_cnt') === true;
    const lastFCntUp = resets ? undefined : (prev?.lastFCntUp ?? counter('session.last_f_cnt_up'));
    const lastN = counter('session.last_n_f_cnt_down');
    const lastA = counter('session.last_a_f_cnt_down');
    this.registry.setSession(d, {
      devAddr: Number.parseInt(addr, 16) >>> 0,
      keys,
      ...(appSKey ? { appSKey } : {}),
      version,
      ...(lastFCntUp !== undefined ? { lastFCntUp } : {}),
      // The session's counters are the next to use.
      nFCntDown: prev?.nFCntDown ?? (lastN === undefined ? 0 : lastN + 1),
      aFCntDown: prev?.aFCntDown ?? (lastA === undefined ? 0 : lastA + 1),
      // RxDelay 0 means 1 s (LoRaWAN 1.0.3 §5.7); the wrapper fields arrive bare (RX_DELAY_5 or 5).
      rx1Delay: wrapperNumber(rx1) || region.receiveDelay1 / 1000 || 1,
      rx1DrOffset: wrapperNumber(getPath(d.ns, 'mac_settings.rx1_data_rate_offset')) ?? 0,
      rx2DataRate: wrapperNumber(getPath(d.ns, 'mac_settings.rx2_data_rate_index')) ?? region.rx2.dataRate,
      rx2Frequency: wrapperNumber(getPath(d.ns, 'mac_settings.rx2_frequency')) ?? region.rx2.frequency,
      channels,
      macOut: NO_MAC,
      sessionKeyId: prev?.sessionKeyId ?? randomBase64(16),
      startedAt: isoNow(),
      ...(prev?.lastSeen ? { lastSeen: prev.lastSeen } : {}),
    });
  }

  delete(c: Component, applicationId: string, deviceId: string): void {
    this.app(applicationId);
    const d = this.entry(c, applicationId, deviceId);
    this.registry.setDoc(d, c, undefined);
    if (c === 'ns') this.registry.setSession(d, undefined);
    if (c === 'as') d.queue = NO_DOWNLINKS;
    this.registry.removeIfEmpty(d);
  }

  /** Batch delete: 1 to 20 ids; missing devices are skipped. */
  batchDelete(c: Component, applicationId: string, deviceIds: readonly string[]): void {
    this.app(applicationId);
    if (deviceIds.length < 1 || deviceIds.length > 20)
      throw invalid('device_ids', `between 1 and 20 items, got ${deviceIds.length}`);
    for (const id of deviceIds) {
      const d = this.registry.device(applicationId, id);
      if (d?.[c] !== undefined) this.delete(c, applicationId, id);
    }
  }

  list(
    applicationId: string,
    paths: readonly string[],
    limit = 100,
    page = 1,
  ): { devices: Doc[]; total: number } {
    this.app(applicationId);
    const all = [...this.registry.devices.values()]
      .filter((d) => d.applicationId === applicationId && d.is)
      .map((d) => pick(d.is!, paths));
    const p = Math.max(1, page);
    return { devices: all.slice((p - 1) * limit, p * limit), total: all.length };
  }
}
