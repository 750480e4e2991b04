import { randomBytes } from 'node:crypto';
import type { AdrState } from './adr.js';
import { aes128Key, type AES128Key } from '../crypto/types.js';
import type { SessionKeys } from '../simulator/lorawan/frame-security.js';
import type { MacCommand } from '../simulator/lorawan/mac/fields.js';
import { frequencyPlan, type FrequencyPlan } from '../simulator/region/frequency-plan.js';
import { GRPC, NetworkError, notFound } from './errors.js';
import { getPath } from './paths.js';

export type Doc = Record<string, unknown>;

export const ALL_RIGHTS = 'RIGHT_APPLICATION_ALL';

/** Who a bearer key is: the network's own (admin) key, a user's key, or an application key with rights. */
export type Auth = { admin: true } | { userId: string } | { applicationId: string; rights: string[] };

const applicationNotFound = (id: string) =>
  notFound('pkg/identityserver/store', 'application_not_found', `application \`${id}\``, {
    application_id: id,
  });

const gatewayNotFound = (id: string) =>
  notFound('pkg/identityserver/store', 'gateway_not_found', `gateway \`${id}\``, { gateway_id: id });

/** TTS refuses a restore once `is.delete.restore` has passed since the delete. */
function expiredOrNot(deletedAt: string, restoreWindowMs: number, nowMs: number): void {
  if (nowMs - Date.parse(deletedAt) > restoreWindowMs) {
    throw new NetworkError(
      GRPC.FAILED_PRECONDITION,
      'pkg/identityserver',
      'restore_window_expired',
      'this entity can no longer be restored',
      { deleted_at: deletedAt },
    );
  }
}

export interface ApiKey {
  id: string;
  key: string;
  name: string;
  rights: string[];
  created_at: string;
}

export interface Application {
  doc: Doc;
  apiKeys: Map<string, ApiKey>;
  owner: { user_id: string } | { organization_id: string };
}

export interface QueuedDownlink {
  f_port: number;
  frm_payload: string;
  confirmed: boolean;
  priority: string;
  correlation_ids: string[];
  session_key_id?: string;
}

/** What the NS keeps of a device's session while traffic flows (mirrored into `ns.session` for the API). */
export interface NsSession {
  devAddr: number;
  keys: SessionKeys;
  appSKey?: AES128Key;
  version: '1.0' | '1.1';
  lastFCntUp?: number;
  nFCntDown: number;
  aFCntDown: number;
  rx1Delay: number;
  rx1DrOffset: number;
  rx2DataRate: number;
  rx2Frequency: number;
  /** Uplink channels as the device has them (default channels + CFList), for TxCh in 1.1 MICs. */
  channels: readonly number[];
  /** MAC answers and requests for the next downlink; replaced, never changed (NO_MAC when none). */
  macOut: readonly MacCommand[];
  /** A confirmed downlink waiting for its ACK. */
  pendingAck?: { fCnt: number; item?: QueuedDownlink };
  /** FCnt of the last confirmed uplink, ACKed by the next downlink. */
  ackUp?: number;
  sessionKeyId: string;
  startedAt: string;
  /** Last uplink's best gateway and moment, for class C and stats. */
  lastSeen?: { gatewayEui: string; at: number };
  /** Adaptive data rate: the link's recent SNR and the settings the device accepted (network/adr.ts). */
  adr?: AdrState;
  /** When the last downlink goes on air (scheduler µs; TTS's LastDownlinkAt): later ones go after it. */
  downlinkAtUs?: number;
  /** When the last data uplink's RX2 opens (scheduler µs): no class C frame before it. */
  classARx2AtUs?: number;
  /** Class B: the last uplink's ClassB bit, and the periodicity of PingSlotInfoReq. */
  classB?: boolean;
  pingSlotPeriodicity?: number;
}

export interface DeviceEntry {
  applicationId: string;
  deviceId: string;
  is?: Doc;
  js?: Doc;
  ns?: Doc;
  as?: Doc;
  session?: NsSession;
  /** Application downlinks waiting; replaced, never changed (NO_DOWNLINKS when none). */
  queue: readonly QueuedDownlink[];
  /** MAC requests to send when the device next has a downlink (via config or API); replaced, never changed. */
  macRequests: readonly MacCommand[];
}

/** No MAC requests: one array for every device that has none. */
export const NO_MAC: readonly MacCommand[] = Object.freeze([]);
export const NO_DOWNLINKS: readonly QueuedDownlink[] = Object.freeze([]);

/** Every entity of the embedded network, in memory. */
export class Registry {
  readonly applications = new Map<string, Application>();
  readonly gateways = new Map<string, Doc>();
  readonly devices = new Map<string, DeviceEntry>();
  // Lookups on the uplink and join paths: a scan of every device per frame does not scale past a few
  // thousand devices. Kept up to date by the few places that change sessions, EUIs and entries.
  /** One entry, or the devices sharing a DevAddr (rare: an array per device would be most of this map). */
  private readonly sessionsByDevAddr = new Map<number, DeviceEntry | DeviceEntry[]>();
  private readonly jsByEuis = new Map<string, DeviceEntry>();
  private readonly isByEuis = new Map<string, DeviceEntry>();
  private readonly keys = new Map<string, Auth>();
  /**
   * Gateways by EUI as `gatewayByEui` found them (null: none): every uplink copy names its gateway,
   * and a scan of every gateway each time grows with the deployment. Cleared by `touchGateway`.
   */
  private readonly gatewaysByEui = new Map<string, Doc | null>();
  /**
   * What changed since the state file last took it (`lorafleet network --state`): applications and
   * gateways by ID, devices by `application/device` key. The file appends these, not the whole registry.
   */
  readonly changed = {
    applications: new Set<string>(),
    gateways: new Set<string>(),
    devices: new Set<string>(),
  };
  /** Whether `changed` is kept: only with a state file (a run's network keeps nothing). */
  tracksChanges = false;

  constructor(readonly adminKey: string) {
    this.keys.set(adminKey, { admin: true });
  }

  static generateKey(): string {
    const id = randomBytes(13)
      .toString('base64url')
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, 'X')
      .slice(0, 20);
    return `NNSXS.${id}.${randomBytes(32).toString('hex').toUpperCase()}`;
  }

  /** What a bearer key may do: everything (the network's own key) or the rights of an application key. */
  auth(key: string | undefined): Auth | undefined {
    return key === undefined ? undefined : this.keys.get(key);
  }

  /** An application that is not deleted, or TTS's 404. */
  /**
   * What a key may do on an application: everything (the network's key, or the owning user's key), the
   * rights of an application key of that application, or nothing. Only own properties count, so a
   * document written through a field mask can never lend a key rights.
   */
  rightsOn(auth: Auth, applicationId: string): 'all' | readonly string[] | undefined {
    if (Object.hasOwn(auth, 'admin')) return 'all';
    if (Object.hasOwn(auth, 'userId'))
      return this.ownsApplication((auth as { userId: string }).userId, applicationId) ? 'all' : undefined;
    const a = auth as { applicationId: string; rights: string[] };
    if (a.applicationId !== applicationId) return undefined;
    return a.rights.includes(ALL_RIGHTS) ? 'all' : a.rights;
  }

  /** Marks a device whose documents were changed in place (a DevNonce taken, a session mirrored). */
  touchDevice(d: DeviceEntry): void {
    if (this.tracksChanges) this.changed.devices.add(`${d.applicationId}/${d.deviceId}`);
  }

  touchApplication(id: string): void {
    if (this.tracksChanges) this.changed.applications.add(id);
  }

  /** Every change to a gateway comes through here: the EUI lookups start over. */
  touchGateway(id: string): void {
    this.gatewaysByEui.clear();
    if (this.tracksChanges) this.changed.gateways.add(id);
  }

  /** Adds or replaces an application with its keys, as created or as read back from the state file. */
  putApplication(id: string, app: Application): void {
    this.forgetApplication(id);
    this.applications.set(id, app);
    for (const k of app.apiKeys.values()) this.keys.set(k.key, { applicationId: id, rights: k.rights });
    this.touchApplication(id);
  }

  /** Drops an application and its keys with no checks (a purge read back from the state file). */
  forgetApplication(id: string): void {
    const old = this.applications.get(id);
    if (old !== undefined) for (const k of old.apiKeys.values()) this.keys.delete(k.key);
    this.applications.delete(id);
  }

  putGateway(id: string, doc: Doc): void {
    this.gateways.set(id, doc);
    this.touchGateway(id);
  }

  /** An application that is not deleted, or TTS's 404. */
  application(id: string): Application {
    const a = this.applications.get(id);
    if (a === undefined || typeof a.doc.deleted_at === 'string') throw applicationNotFound(id);
    return a;
  }

  addApiKey(applicationId: string, name: string, rights: string[]): ApiKey {
    const app = this.application(applicationId);
    const key = Registry.generateKey();
    const id = key.split('.')[1]!;
    const k: ApiKey = { id, key, name, rights, created_at: new Date().toISOString() };
    app.apiKeys.set(id, k);
    this.keys.set(key, { applicationId, rights });
    this.touchApplication(applicationId);
    return k;
  }

  deleteApiKey(applicationId: string, keyId: string): void {
    const app = this.application(applicationId);
    const k = app.apiKeys.get(keyId);
    if (k === undefined)
      throw notFound('pkg/identityserver/store', 'api_key_not_found', `API key \`${keyId}\``);
    app.apiKeys.delete(keyId);
    this.keys.delete(k.key);
    this.touchApplication(applicationId);
  }

  /** Applications of a user key's user, or of the network (admin key) — TTS's collaborator rights, in short. */
  ownsApplication(userId: string, applicationId: string): boolean {
    const a = this.applications.get(applicationId);
    return a !== undefined && 'user_id' in a.owner && a.owner.user_id === userId;
  }

  /** A user's API key: it may create and manage its own applications and gateways, and is no admin. */
  addUserKey(key: string, userId: string): void {
    this.keys.set(key, { userId });
  }

  private deviceCount(applicationId: string): number {
    let n = 0;
    for (const d of this.devices.values()) if (d.applicationId === applicationId) n++;
    return n;
  }

  private refuseWithDevices(id: string): void {
    const count = this.deviceCount(id);
    if (count > 0) {
      throw new NetworkError(
        GRPC.FAILED_PRECONDITION,
        'pkg/identityserver',
        'application_has_devices',
        `application still has \`${count}\` devices`,
        { count },
      );
    }
  }

  /** Soft delete (TTS IS): the ID stays taken, GET says 404, restore brings it back (tts-api.md Part 4). */
  deleteApplication(id: string, nowMs = Date.now()): void {
    const app = this.application(id);
    this.refuseWithDevices(id);
    app.doc.deleted_at = new Date(nowMs).toISOString();
    this.touchApplication(id);
  }

  /** A soft-deleted application back, within the restore window. */
  restoreApplication(id: string, restoreWindowMs: number, nowMs = Date.now()): void {
    const app = this.applications.get(id);
    if (app === undefined || typeof app.doc.deleted_at !== 'string') throw applicationNotFound(id);
    expiredOrNot(app.doc.deleted_at, restoreWindowMs, nowMs);
    delete app.doc.deleted_at;
    app.doc.updated_at = new Date(nowMs).toISOString();
    this.touchApplication(id);
  }

  /** Purge: the ID is released, with the application's keys. Admins only (checked by the caller). */
  purgeApplication(id: string): void {
    const app = this.applications.get(id);
    if (app === undefined) throw applicationNotFound(id);
    this.refuseWithDevices(id);
    this.forgetApplication(id);
    this.touchApplication(id);
  }

  /** A gateway that is not deleted, or TTS's 404. */
  gateway(id: string): Doc {
    const g = this.gateways.get(id);
    if (g === undefined || typeof g.deleted_at === 'string') throw gatewayNotFound(id);
    return g;
  }

  /** Soft delete: the EUI is released (and not given back by a restore), the ID stays taken. */
  deleteGateway(id: string, nowMs = Date.now()): void {
    const g = this.gateway(id);
    const ids = g.ids as Record<string, unknown>;
    delete ids.eui;
    g.deleted_at = new Date(nowMs).toISOString();
    this.touchGateway(id);
  }

  restoreGateway(id: string, restoreWindowMs: number, nowMs = Date.now()): void {
    const g = this.gateways.get(id);
    if (g === undefined || typeof g.deleted_at !== 'string') throw gatewayNotFound(id);
    expiredOrNot(g.deleted_at, restoreWindowMs, nowMs);
    delete g.deleted_at;
    g.updated_at = new Date(nowMs).toISOString();
    this.touchGateway(id);
  }

  purgeGateway(id: string): void {
    if (!this.gateways.delete(id)) throw gatewayNotFound(id);
    this.touchGateway(id);
  }

  device(applicationId: string, deviceId: string): DeviceEntry | undefined {
    return this.devices.get(`${applicationId}/${deviceId}`);
  }

  deviceOrCreate(applicationId: string, deviceId: string): DeviceEntry {
    const k = `${applicationId}/${deviceId}`;
    let d = this.devices.get(k);
    if (d === undefined) {
      d = { applicationId, deviceId, queue: NO_DOWNLINKS, macRequests: NO_MAC };
      this.devices.set(k, d);
      this.touchDevice(d);
    }
    return d;
  }

  removeIfEmpty(d: DeviceEntry): void {
    if (!d.is && !d.js && !d.ns && !d.as) {
      this.setSession(d, undefined);
      this.devices.delete(`${d.applicationId}/${d.deviceId}`);
      this.touchDevice(d);
    }
  }

  /** Gives a device its NS session (or none), keeping the DevAddr index. */
  setSession(d: DeviceEntry, s: NsSession | undefined): void {
    if (d.session !== undefined) {
      const addr = d.session.devAddr;
      const rest = this.byDevAddr(addr).filter((x) => x !== d);
      if (rest.length === 0) this.sessionsByDevAddr.delete(addr);
      else this.sessionsByDevAddr.set(addr, rest.length === 1 ? rest[0]! : rest);
    }
    d.session = s;
    if (s !== undefined) {
      const list = this.byDevAddr(s.devAddr);
      if (list.length === 0) this.sessionsByDevAddr.set(s.devAddr, d);
      else if (!list.includes(d)) this.sessionsByDevAddr.set(s.devAddr, [...list, d]);
    }
  }

  /** Sets or clears a registry document of a device, keeping the EUI indexes of IS and JS. */
  setDoc(d: DeviceEntry, c: 'is' | 'js' | 'ns' | 'as', doc: Doc | undefined): void {
    const index = c === 'is' ? this.isByEuis : c === 'js' ? this.jsByEuis : undefined;
    const old = d[c];
    if (index && old !== undefined) {
      const k = euisKey(old);
      if (k !== undefined && index.get(k) === d) index.delete(k);
    }
    d[c] = doc === undefined ? undefined : compactDoc(doc, [d.is, d.js, d.ns, d.as]);
    this.touchDevice(d);
    if (index && doc !== undefined) {
      const k = euisKey(doc);
      if (k !== undefined) index.set(k, d);
    }
  }

  /** The JS registration for a JoinEUI/DevEUI pair. */
  byEuis(joinEui: string, devEui: string): DeviceEntry | undefined {
    return this.jsByEuis.get(`${joinEui}/${devEui}`);
  }

  /** The IS registration with this JoinEUI/DevEUI pair (the pair is unique across applications). */
  isByEui(joinEui: string, devEui: string): DeviceEntry | undefined {
    return this.isByEuis.get(`${joinEui}/${devEui}`);
  }

  /** NS sessions with this DevAddr (several devices may share one). */
  byDevAddr(devAddr: number): readonly DeviceEntry[] {
    const v = this.sessionsByDevAddr.get(devAddr);
    return v === undefined ? [] : Array.isArray(v) ? v : [v];
  }

  gatewayByEui(eui: string): Doc | undefined {
    const known = this.gatewaysByEui.get(eui);
    if (known !== undefined) return known ?? undefined;
    let found: Doc | null = null;
    for (const g of this.gateways.values())
      if (typeof g.deleted_at !== 'string' && getPath(g, 'ids.eui') === eui) {
        found = g;
        break;
      }
    // Unknown EUIs are remembered too (a gateway nobody registered sends every few seconds), within
    // a bound: a flood of made-up EUIs empties the map instead of growing it.
    if (this.gatewaysByEui.size >= 10_000) this.gatewaysByEui.clear();
    this.gatewaysByEui.set(eui, found);
    return found ?? undefined;
  }
}

export function frequencyPlanOf(d: DeviceEntry): FrequencyPlan {
  const id = d.ns ? (getPath(d.ns, 'frequency_plan_id') as string | undefined) : undefined;
  if (id === undefined) {
    throw new NetworkError(
      GRPC.FAILED_PRECONDITION,
      'pkg/networkserver',
      'no_frequency_plan',
      `device \`${d.deviceId}\` has no frequency plan`,
    );
  }
  return frequencyPlan(id);
}

/** TTS MAC version names ("MAC_V1_0_3", or the "1.0.3" alias) → lorafleet's. */
export function macVersion(v: unknown): '1.0.0' | '1.0.1' | '1.0.2' | '1.0.3' | '1.0.4' | '1.1' {
  const s = String(v ?? '')
    .toUpperCase()
    .replace(/^MAC_V/, '')
    .replace(/_/g, '.');
  if (s.startsWith('1.1')) return '1.1';
  if (/^1\.0(\.[0-4])?/.test(s)) return (s.length === 3 ? '1.0.0' : s.slice(0, 5)) as '1.0.3';
  throw new NetworkError(
    GRPC.INVALID_ARGUMENT,
    'pkg/networkserver',
    'invalid_lorawan_version',
    `unknown LoRaWAN version \`${String(v)}\``,
  );
}

export function keyAt(doc: Doc | undefined, path: string): AES128Key | undefined {
  const v = doc ? getPath(doc, path) : undefined;
  return typeof v === 'string' && v !== '' ? aes128Key(v, path) : undefined;
}

/** `JoinEUI/DevEUI` of a registry document (JoinEUI zero when absent, as an ABP device has). */
function euisKey(doc: Doc): string | undefined {
  const devEui = getPath(doc, 'ids.dev_eui');
  if (typeof devEui !== 'string') return undefined;
  const joinEui = getPath(doc, 'ids.join_eui');
  return `${typeof joinEui === 'string' ? joinEui : '0000000000000000'}/${devEui}`;
}

/**
 * A document as JSON.parse builds it — each object exactly its size, where one grown field by field
 * keeps slack — with its strings shared with the device's other documents and the current timestamp
 * where equal (IDs, EUIs, DevAddr, times): most of what a registered device costs is these documents.
 */
function compactDoc(doc: Doc, others: readonly (Doc | undefined)[]): Doc {
  const known = new Map<string, string>();
  const collect = (v: unknown): void => {
    if (typeof v === 'string') known.set(v, v);
    else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) collect(x);
  };
  for (const o of others) if (o !== undefined && o !== doc) collect(o);
  const now = isoNow();
  known.set(now, now);
  return JSON.parse(JSON.stringify(doc), (_k, v: unknown) =>
    typeof v === 'string' ? (known.get(v) ?? v) : v,
  ) as Doc;
}

let lastIso = { ms: -1, iso: '' };

/** Now as ISO 8601: the same string while the millisecond lasts (registrations come many a ms). */
export function isoNow(): string {
  const ms = Date.now();
  if (ms !== lastIso.ms) lastIso = { ms, iso: new Date(ms).toISOString() };
  return lastIso.iso;
}
