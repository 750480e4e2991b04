import { hash } from 'node:crypto';
import type { Position } from '../radio/geometry.js';
import { Rng } from '../random/rng.js';
import { frequencyPlan, type FrequencyPlan } from '../region/frequency-plan.js';
import type { DeviceSpec } from './device-spec.js';
import { parseDuration } from './duration.js';
import type { FleetSpec, PayloadSpec, Placement, Scenario } from './types.js';

export interface GatewayPlan {
  id: string;
  eui: string;
  position: Position;
  antennaGain: number;
  protocol: 'semtech-udp' | 'basic-station';
  /** GPS-locked, sending class B beacons. */
  beacon: boolean;
}

export interface DevicePlan {
  fleet: FleetSpec;
  fleetIndex: number;
  index: number;
  deviceId: string;
  /** Position among all the scenario's devices (fleet by fleet), the same in every shard. */
  ordinal: number;
  spec: DeviceSpec;
  position: Position;
}

export interface Expanded {
  seed: string;
  plan: FrequencyPlan;
  gateways: GatewayPlan[];
  devices: DevicePlan[];
  /** Devices in the whole scenario; a shard holds a share of them. */
  total: number;
  /** Set when this is one shard of the scenario (0-based index). */
  shard?: { index: number; count: number };
}

/** A device of a compact fleet: its spec (EUIs, keys as hex) is derived each time it is read. */
class LazyPlan implements DevicePlan {
  constructor(
    readonly fleet: FleetSpec,
    readonly fleetIndex: number,
    readonly index: number,
    readonly ordinal: number,
    readonly position: Position,
    readonly deviceId: string,
    private readonly specAt: (i: number) => DeviceSpec,
    private readonly abpKeysAt: (i: number, out: Uint8Array) => boolean,
  ) {}

  get spec(): DeviceSpec {
    return this.specAt(this.index);
  }

  /** Its ABP session keys as bytes, when the seed derives them (see sessionKeyBytes). */
  abpKeysInto(out: Uint8Array): boolean {
    return this.abpKeysAt(this.index, out);
  }
}

/**
 * An ABP device's session keys as bytes in `out`: NwkSKey and AppSKey (1.0.x), or FNwkSIntKey,
 * SNwkSIntKey, NwkSEncKey and AppSKey (1.1), 16 bytes each, the same as its spec's hex. A compact
 * fleet's seeded device has them derived straight to bytes: its uplinks need nothing else of the spec.
 */
export function sessionKeyBytes(plan: DevicePlan, out: Uint8Array): void {
  if (plan instanceof LazyPlan && plan.abpKeysInto(out)) return;
  const sp = plan.spec;
  const hex =
    sp.lorawanVersion === '1.1'
      ? [sp.fNwkSIntKey, sp.sNwkSIntKey, sp.nwkSEncKey, sp.appSKey]
      : [sp.fNwkSIntKey, sp.appSKey];
  hex.forEach((h, j) => out.set(Buffer.from(h ?? '', 'hex'), j * 16));
}

/** `derive`'s bytes themselves, into `out` at `at`. */
function deriveInto(seed: string, label: string, out: Uint8Array, at: number, bytes: number): void {
  out.set(hash('sha256', `lorafleet/${seed}/${label}`, 'buffer').subarray(0, bytes), at);
}

/** Bytes derived from the seed and a label: the same seed always gives the same EUIs and keys. */
export function derive(seed: string, label: string, bytes: number): string {
  // One-shot SHA-256 (Node ≥ 20.12): a compact fleet derives its keys again for every uplink, and a
  // Hash object costs ten times the hashing.
  return hash('sha256', `lorafleet/${seed}/${label}`, 'hex')
    .slice(0, bytes * 2)
    .toUpperCase();
}

const hex = (n: number, bytes: number) =>
  (n >>> 0)
    .toString(16)
    .toUpperCase()
    .padStart(bytes * 2, '0')
    .slice(-bytes * 2);

function place(
  p: Placement | undefined,
  i: number,
  count: number,
  rng: Rng,
  defaultRadius: number,
): Position {
  const kind = p?.type ?? 'random';
  if (kind === 'list') {
    const list = p!.positions ?? [];
    return list[i % Math.max(1, list.length)] ?? { x: 0, y: 0 };
  }
  if (kind === 'grid') {
    const side = Math.ceil(Math.sqrt(count));
    const s = p?.spacing ?? 1000;
    return { x: (i % side) * s - ((side - 1) * s) / 2, y: Math.floor(i / side) * s - ((side - 1) * s) / 2 };
  }
  // Uniform in a disc.
  const r = (p?.radius ?? defaultRadius) * Math.sqrt(rng.next());
  const a = rng.uniform(0, 2 * Math.PI);
  return { x: r * Math.cos(a), y: r * Math.sin(a) };
}

/**
 * The start of a scenario's gateway IDs: its name and a hash of name and seed
 * ("quickstart-3f9a1c-0"), so that scenarios sharing a deployment never take each other's gateways.
 * At most 36 characters with the index, as TTS allows.
 */
export function gatewayIdPrefix(name: string, seed: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 20)
    .replace(/-+$/, '');
  return `${slug || 'gw'}-${derive(seed, `${name}/gateway-id`, 3).toLowerCase()}`;
}

/**
 * Turns a scenario into its gateways and devices. Identifiers and keys derive from the seed, the
 * scenario and fleet names and the index (DevEUI = 4 bytes of seed, scenario and fleet | device index), so a provisioning run and traffic runs
 * (or shards) with the same seed agree without sharing anything else.
 */
export function expand(s: Scenario): Expanded {
  const seed = String(s.seed);
  const plan = frequencyPlan(s.frequency_plan);
  const name = s.name;
  const gwCount = s.gateways.count;
  const gwRng = new Rng(`${seed}/gateways`);
  const prefix = (s.gateways.eui_prefix ?? `AA55${derive(seed, `${name}/gateway-eui`, 2)}`).toUpperCase();
  const ids = gatewayIdPrefix(name, seed);
  const gateways: GatewayPlan[] = Array.from({ length: gwCount }, (_, i) => ({
    id: `${ids}-${i}`,
    eui: `${prefix}${hex(i, 4)}`,
    position: place(s.gateways.placement, i, gwCount, gwRng, 2000),
    antennaGain: s.gateways.antenna_gain,
    beacon: s.gateways.beacon,
    protocol:
      s.gateways.protocol === 'alternate'
        ? i % 2 === 0
          ? 'semtech-udp'
          : 'basic-station'
        : s.gateways.protocol,
  }));
  const devices: DevicePlan[] = [];
  s.fleets.forEach((fleet, fi) => {
    const rng = new Rng(`${seed}/fleet/${fleet.name}/positions`);
    const activation = fleet.activation;
    const version = fleet.lorawan_version;
    const joinEui = (fleet.join_eui ?? `70B3D57E${derive(seed, 'joineui', 4)}`).toUpperCase();
    // By scenario and fleet name, not fleet position: two scenarios (or fleets) under one seed do
    // not share DevEUIs, which TTS would refuse as end_device_euis_taken.
    const euiPrefix = derive(seed, `${name}/${fleet.name}/dev-eui`, 4);
    const specAt = (i: number): DeviceSpec => {
      const label = `${fleet.name}/${i}`;
      // A row of the fleet's CSV gives what it has; the seed derives the rest.
      const row = fleet.rows?.[i];
      const base = {
        deviceId: row?.device_id ?? `${fleet.name}-${i}`,
        devEui: row?.dev_eui ?? `${euiPrefix}${hex(i, 4)}`,
        lorawanVersion: version,
        frequencyPlanId: plan.id,
        ...(fleet.class === 'C' ? { supportsClassC: true } : {}),
        ...(fleet.class === 'B'
          ? { supportsClassB: true, pingSlotPeriodicity: fleet.ping_slot_periodicity }
          : {}),
      } as const;
      return activation === 'otaa'
        ? {
            ...base,
            activation,
            joinEui: row?.join_eui ?? joinEui,
            appKey: row?.app_key ?? derive(seed, `${label}/appkey`, 16),
            ...(version === '1.1' ? { nwkKey: row?.nwk_key ?? derive(seed, `${label}/nwkkey`, 16) } : {}),
          }
        : {
            ...base,
            activation,
            // ABP addresses in the upper half of NetID 000013's range; OTAA sessions get the lower.
            devAddr: row?.dev_addr ?? hex((0x27000000 | ((fi & 0x0f) << 20) | (i & 0xfffff)) >>> 0, 4),
            fNwkSIntKey: row?.f_nwk_s_int_key ?? row?.nwk_s_key ?? derive(seed, `${label}/fnwksintkey`, 16),
            ...(version === '1.1'
              ? {
                  sNwkSIntKey: row?.s_nwk_s_int_key ?? derive(seed, `${label}/snwksintkey`, 16),
                  nwkSEncKey: row?.nwk_s_enc_key ?? derive(seed, `${label}/nwksenckey`, 16),
                }
              : {}),
            appSKey: row?.app_s_key ?? derive(seed, `${label}/appskey`, 16),
            rx1Delay: 1,
            resetsFCnt: false,
          };
    };
    // As specAt derives them, for a device without a CSV row (a row may give its own keys).
    const abpKeysAt = (i: number, out: Uint8Array): boolean => {
      if (activation !== 'abp' || fleet.rows?.[i] !== undefined) return false;
      const label = `${fleet.name}/${i}`;
      const names =
        version === '1.1'
          ? ['fnwksintkey', 'snwksintkey', 'nwksenckey', 'appskey']
          : ['fnwksintkey', 'appskey'];
      names.forEach((n, j) => deriveInto(seed, `${label}/${n}`, out, j * 16, 16));
      return true;
    };
    const compact = fleet.model === 'compact';
    for (let i = 0; i < fleet.count; i++) {
      const row = fleet.rows?.[i];
      const position =
        row?.x !== undefined && row.y !== undefined
          ? { x: row.x, y: row.y }
          : place(fleet.positions, i, fleet.count, rng, 2000);
      const ordinal = devices.length;
      if (compact) {
        // A compact fleet may hold a million devices: its specs (hex keys) are made when asked for.
        const id = row?.device_id ?? `${fleet.name}-${i}`;
        devices.push(new LazyPlan(fleet, fi, i, ordinal, position, id, specAt, abpKeysAt));
      } else {
        const spec = specAt(i);
        devices.push({ fleet, fleetIndex: fi, index: i, ordinal, deviceId: spec.deviceId, spec, position });
      }
    }
  });
  return { seed, plan, gateways, devices, total: devices.length };
}

/** The application payload of a device's nth uplink. */
export function payloadFor(p: PayloadSpec | undefined, rng: Rng, n: number): Uint8Array {
  const spec = p ?? { type: 'random', size: 12 };
  switch (spec.type) {
    case 'hex':
      return Uint8Array.from(Buffer.from(spec.value ?? '', 'hex'));
    case 'counter': {
      const size = spec.size ?? 4;
      const out = new Uint8Array(size);
      for (let i = 0; i < size; i++) out[size - 1 - i] = Math.floor(n / 256 ** i) & 0xff;
      return out;
    }
    case 'template': {
      const parts: number[] = [];
      for (const f of spec.fields ?? []) {
        const lo = f.min ?? 0;
        const hi =
          f.max ?? { uint8: 255, uint16: 65535, int16: 32767, uint32: 4294967295, float32: 100 }[f.type];
        const v = rng.uniform(lo, hi);
        const b = Buffer.alloc(f.type === 'uint8' ? 1 : f.type === 'uint32' || f.type === 'float32' ? 4 : 2);
        if (f.type === 'uint8') b.writeUInt8(Math.round(v));
        else if (f.type === 'uint16') b.writeUInt16BE(Math.round(v));
        else if (f.type === 'int16') b.writeInt16BE(Math.round(Math.max(-32768, Math.min(32767, v))));
        else if (f.type === 'uint32') b.writeUInt32BE(Math.round(v));
        else b.writeFloatBE(v);
        parts.push(...b);
      }
      return Uint8Array.from(parts);
    }
    default:
      return rng.bytes(spec.size ?? 12);
  }
}

/** How far (ms) an uplink may move from its slot: the fleet's jitter, or a tenth of its interval. */
export function jitterMsOf(f: FleetSpec): number {
  if (f.distribution === 'fixed') return 0;
  return parseDuration(f.jitter ?? '0s') || parseDuration(f.interval)! * 0.1;
}

/** Milliseconds until a device's next uplink. */
export function nextInterval(f: FleetSpec, rng: Rng): number {
  const mean = parseDuration(f.interval)!;
  switch (f.distribution) {
    case 'fixed':
      return mean;
    case 'poisson':
      return rng.exponential(mean);
    default: {
      const j = jitterMsOf(f);
      return Math.max(100, mean + rng.uniform(-j, j));
    }
  }
}
