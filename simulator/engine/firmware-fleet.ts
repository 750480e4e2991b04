import { devAddr, type EUI64 } from '../../crypto/types.js';
import { ByteSlab, slabDevEui } from '../device/byte-slab.js';
import { VirtualDevice } from '../device/device.js';
import type { StateStore } from '../device/state-store.js';
import { DeviceConfigError } from '../device/errors.js';
import type {
  DeviceConfig,
  DeviceEvent,
  DeviceHooks,
  DeviceRadio,
  DeviceTransmission,
} from '../device/types.js';
import { type SessionKeys } from '../lorawan/frame-security.js';
import { Rng } from '../random/rng.js';
import type { Region } from '../region/types.js';
import type { DeviceSpec } from '../scenario/device-spec.js';
import type { DevicePlan } from '../scenario/expand.js';
import type { Scheduler } from '../time/scheduler.js';
import type { Air } from './air.js';

/** A full-behaviour device of a run, with what its traffic schedule needs. */
export interface FirmwareDevice {
  dev: VirtualDevice;
  plan: DevicePlan;
  /** Named after the device, not drawn from a shared stream: it behaves the same in any shard. */
  rng: Rng;
  /** Application uplinks sent so far (the payload template's counter). */
  n: number;
}

/**
 * What the target still holds of each device, decided while provisioning: a session is resumed, and
 * MAC state restored, only where the network has them too.
 */
export interface SessionPolicy {
  /** The target kept its devices from an earlier run (a TTS target with `teardown: keep`). */
  resume: boolean;
  /** Devices registered on a Join Server anew: their JoinNonce history starts over there. */
  recommissioned: ReadonlySet<string>;
  /** Devices whose NS session this run registered. */
  newNsSessions: ReadonlySet<string>;
  /** ABP devices whose only downlink counter used is 0 (TTS cannot be told FCntDown 0). */
  zeroDownlinks: ReadonlySet<string>;
}

export interface FirmwareFleetOptions {
  scheduler: Scheduler;
  air: Air;
  region: Region;
  seed: string;
  storeFor: (fleet: string) => StateStore;
  sessions: SessionPolicy;
  onTransmit?: (tx: DeviceTransmission) => void;
  onEvent: (deviceId: string, e: DeviceEvent) => void;
}

/** The scenario's firmware-model devices on air, their saved state reconciled with the target's. */
export function createFirmwareDevices(
  plans: readonly DevicePlan[],
  o: FirmwareFleetOptions,
): Map<string, FirmwareDevice> {
  const out = new Map<string, FirmwareDevice>();
  const slab = new ByteSlab();
  // One radio and one hooks object for every device: a closure each would cost a device ~200 bytes.
  const radio: DeviceRadio = {
    transmit: (tx) => {
      o.onTransmit?.(tx);
      o.air.uplink(tx);
    },
  };
  const hooks: DeviceHooks = {
    onEvent: (e, deviceId) => {
      if (e.type === 'joined') o.air.address(e.devAddr, deviceId);
      o.onEvent(deviceId, e);
    },
  };
  for (const d of plans) {
    const sp = d.spec;
    reconcileState(o.storeFor(d.fleet.name), sp.deviceId, sp.activation, o.sessions);
    const restoreMac = o.sessions.resume && !o.sessions.newNsSessions.has(sp.deviceId);
    const rng = new Rng(`${o.seed}/device/${sp.deviceId}`);
    const dev = new VirtualDevice(
      deviceConfigFor(d, o.region, restoreMac, slab),
      o.scheduler,
      radio,
      rng,
      o.storeFor(d.fleet.name),
      hooks,
    );
    o.air.addDevice(sp.deviceId, d.position, dev);
    if (sp.activation === 'abp') o.air.address(devAddr(sp.devAddr!), sp.deviceId);
    if (d.fleet.class === 'C' || d.fleet.class === 'B') o.air.continuous(sp.deviceId);
    if (d.fleet.class === 'B') o.air.listenForBeacons(sp.deviceId);
    out.set(sp.deviceId, { dev, plan: d, rng, n: 0 });
  }
  return out;
}

/** A device's saved state made consistent with what the target holds of it. */
function reconcileState(
  store: StateStore,
  deviceId: string,
  activation: 'otaa' | 'abp',
  sessions: SessionPolicy,
): void {
  // A session resumes only where the network still has it: kept, and not registered anew by this
  // run (a device this run put on the Join Server has no session there yet).
  if (activation === 'otaa' && (!sessions.resume || sessions.recommissioned.has(deviceId)))
    store.clearSession(deviceId);
  if (sessions.zeroDownlinks.has(deviceId) && sessions.newNsSessions.has(deviceId))
    store.forgetDownlinkCounters(deviceId);
  // A new JS record answers with JoinNonce 1: the device is re-commissioned, as a field device
  // registered again would be, instead of refusing it and blaming the network (LoRaWAN 1.1 §6.2.3).
  if (sessions.recommissioned.has(deviceId) && store.get(deviceId)?.joinNonce)
    store.update(deviceId, { joinNonce: 0 });
}

type KeyField = 'appKey' | 'nwkKey' | 'fNwkSIntKey' | 'sNwkSIntKey' | 'nwkSEncKey' | 'appSKey';

/** An ABP device's receive windows as TTS's ABP defaults give them (RX1 after 1 s); one for all. */
const ABP_RX = Object.freeze({ rx1Delay: 1 });

/** Join retries 5–15 s apart (one list for every device). */
const JOIN_RETRY_DELAY_MS: readonly [number, number] = Object.freeze([5000, 15000]) as readonly [
  number,
  number,
];

function sessionKeysOf(
  v: DeviceSpec['lorawanVersion'],
  slab: ByteSlab,
  hexOf: (field: KeyField) => string,
  devEui: string,
): SessionKeys {
  const fields: KeyField[] =
    v === '1.1' ? ['fNwkSIntKey', 'sNwkSIntKey', 'nwkSEncKey', 'appSKey'] : ['fNwkSIntKey', 'appSKey'];
  return slab.sessionKeys(fields.map(hexOf), fields, { value: devEui, field: 'devEui' });
}

/** An ABP device configuration's `devEui`, read from the slab beside its session keys. */
const ABP_DEV_EUI: PropertyDescriptor = {
  enumerable: true,
  get(this: { sessionKeys: SessionKeys }): EUI64 | undefined {
    return slabDevEui(this.sessionKeys);
  },
};

/**
 * What a fleet's devices share of their configuration, one frozen object per fleet and kind (the
 * prototype of each device's own): a device holds only its identity and keys.
 */
const sharedConfigs = new WeakMap<DevicePlan['fleet'], Map<string, object>>();

function sharedConfigOf(d: DevicePlan, region: Region, restoreMac: boolean): object {
  const sp = d.spec;
  const f = d.fleet;
  const key = `${sp.activation}/${sp.lorawanVersion}/${restoreMac}/${region.id}`;
  let byKind = sharedConfigs.get(f);
  if (byKind === undefined) sharedConfigs.set(f, (byKind = new Map()));
  let shared = byKind.get(key);
  if (shared === undefined) {
    shared = Object.freeze(
      Object.defineProperties(
        {
          deviceClass: f.class,
          ...(f.class === 'B' ? { pingSlotPeriodicity: f.ping_slot_periodicity } : {}),
          region,
          ...(f.data_rate !== undefined ? { dataRate: f.data_rate } : {}),
          ...(f.tx_power !== undefined ? { txPower: f.tx_power } : {}),
          ...(f.adr !== undefined ? { adr: f.adr } : {}),
          ...(f.link_check_every ? { linkCheckEvery: f.link_check_every } : {}),
          ...(f.device_time_every ? { deviceTimeEvery: f.device_time_every } : {}),
          joinRetryDelayMs: JOIN_RETRY_DELAY_MS,
          activation: sp.activation,
          version: sp.lorawanVersion,
          ...(sp.activation === 'abp'
            ? {
                abpRx: ABP_RX,
                // The network keeps what the device accepted only where the device was kept.
                restoreMac,
              }
            : {}),
        },
        sp.activation === 'abp' ? { devEui: ABP_DEV_EUI } : {},
      ),
    );
    byKind.set(key, shared);
  }
  return shared;
}

/**
 * The scenario's description of a device as the device model's configuration: its own identity and
 * keys over what its fleet shares (`sharedConfigOf`), read through the prototype.
 */
export function deviceConfigFor(
  d: DevicePlan,
  region: Region,
  restoreMac: boolean,
  slab: ByteSlab,
): DeviceConfig {
  const sp = d.spec;
  const hexOf = (field: KeyField): string => {
    const v: DeviceSpec[KeyField] = sp[field];
    if (typeof v !== 'string')
      throw new DeviceConfigError(sp.deviceId, field, `required for ${sp.activation}`);
    return v;
  };
  // Views of the fleet's slab, not a buffer a key: thousands of devices feel it.
  const keys = (...fields: KeyField[]) => slab.aes128Keys(fields.map(hexOf), fields);
  const own = Object.create(sharedConfigOf(d, region, restoreMac)) as Record<string, unknown>;
  own.id = sp.deviceId;
  if (sp.activation === 'otaa') {
    own.devEui = slab.eui64(sp.devEui, 'devEui');
    own.joinEui = slab.eui64(sp.joinEui ?? '', 'joinEui');
    const roots: KeyField[] = sp.lorawanVersion === '1.1' ? ['appKey', 'nwkKey'] : ['appKey'];
    const [appKey, nwkKey] = keys(...roots);
    own.appKey = appKey;
    if (nwkKey) own.nwkKey = nwkKey;
  } else {
    own.devAddr = devAddr(sp.devAddr ?? '');
    // The DevEUI beside the keys, read through the shared prototype (`ABP_DEV_EUI`): an ABP device
    // needs it only to be named, and a view of its own would cost it ~96 bytes.
    own.sessionKeys = sessionKeysOf(sp.lorawanVersion, slab, hexOf, sp.devEui);
  }
  return own as unknown as DeviceConfig;
}
