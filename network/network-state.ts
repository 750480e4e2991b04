import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { getPath } from './paths.js';
import type { ApiKey, Application, DeviceEntry, Doc, Registry } from './registry.js';
import type { DeviceRegistries } from './device-registries.js';

/** The first line of a state file; a file of the first format was one JSON document (`"version": 1`). */
const HEADER = { lorafleet_network_state: 2 };

/** One line of the file: the whole of one entity as it now is, or its removal. Later lines win. */
type StateRecord =
  | { application: string; doc: Doc; owner: Application['owner']; api_keys: ApiKey[] }
  | { gateway: string; doc: Doc }
  | { device: [string, string]; is?: Doc; js?: Doc; ns?: Doc; as?: Doc }
  | { application: string; removed: true }
  | { gateway: string; removed: true }
  | { device: [string, string]; removed: true };

/** A state file that is not what this network wrote: which file, which line, what is wrong. */
export class NetworkStateError extends Error {
  readonly code = 'NETWORK_STATE_DAMAGED';
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'NetworkStateError';
  }
}

/**
 * The embedded network's registries on disk (`lorafleet network --state`): applications and their
 * keys, gateways, the four documents of every device — so a restarted network keeps every device's
 * DevNonce and JoinNonce history and what it acknowledged. OTAA sessions are not kept: devices join
 * again.
 *
 * A journal, not a snapshot per change: each change appends the entities it touched (the registry's
 * `changed` sets), one JSON line each, with write(2) before the caller answers, so `kill -9` loses
 * nothing acknowledged, and registering the n-th device costs one line, not the n devices before it.
 * Rewritten whole (temporary file, then rename) at start and once it holds four times more lines than
 * entities. Readable by its owner only: it holds keys.
 */
export class NetworkStateFile {
  private fd: number | undefined;
  private lines = 0;

  constructor(
    readonly file: string,
    private readonly registry: Registry,
  ) {
    registry.tracksChanges = true;
  }

  /** Reads the file back into the registry (nothing when it does not exist), then rewrites it whole. */
  open(devices: DeviceRegistries): boolean {
    const found = existsSync(this.file);
    if (found) this.load(readFileSync(this.file, 'utf8'), devices);
    this.rewrite();
    return found;
  }

  /** Appends what changed since the last call: durable against a process kill when this returns. */
  flush(): void {
    if (this.fd === undefined) return;
    const { applications, gateways, devices } = this.registry.changed;
    const count = applications.size + gateways.size + devices.size;
    if (count === 0) return;
    this.write(this.fd, applications, gateways, devices);
    this.lines += count;
    this.clearChanged();
    const r = this.registry;
    if (this.lines > 1000 + 4 * (r.applications.size + r.gateways.size + r.devices.size)) this.rewrite();
  }

  /** Everything that changed on disk, fsynced; the file stays as it is. */
  close(): void {
    this.flush();
    if (this.fd === undefined) return;
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = undefined;
  }

  /** The whole registry as one record per entity, atomically in place of the file. */
  private rewrite(): void {
    const r = this.registry;
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify(HEADER)}\n`);
      this.write(fd, r.applications.keys(), r.gateways.keys(), r.devices.keys());
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (this.fd !== undefined) closeSync(this.fd);
    renameSync(tmp, this.file);
    this.fd = openSync(this.file, 'a', 0o600);
    this.lines = r.applications.size + r.gateways.size + r.devices.size;
    this.clearChanged();
  }

  /** The records of these entities, a line each, in writes of about 1 MiB (a rewrite holds every device). */
  private write(
    fd: number,
    applications: Iterable<string>,
    gateways: Iterable<string>,
    devices: Iterable<string>,
  ): void {
    let out = '';
    const add = (rec: StateRecord) => {
      out += `${JSON.stringify(rec)}\n`;
      if (out.length < 1 << 20) return;
      writeSync(fd, out);
      out = '';
    };
    for (const id of applications) add(this.applicationRecord(id));
    for (const id of gateways) add(this.gatewayRecord(id));
    for (const key of devices) add(this.deviceRecord(key));
    if (out !== '') writeSync(fd, out);
  }

  private clearChanged(): void {
    const c = this.registry.changed;
    c.applications.clear();
    c.gateways.clear();
    c.devices.clear();
  }

  private applicationRecord(id: string): StateRecord {
    const a = this.registry.applications.get(id);
    if (a === undefined) return { application: id, removed: true };
    return { application: id, doc: a.doc, owner: a.owner, api_keys: [...a.apiKeys.values()] };
  }

  private gatewayRecord(id: string): StateRecord {
    const doc = this.registry.gateways.get(id);
    return doc === undefined ? { gateway: id, removed: true } : { gateway: id, doc };
  }

  private deviceRecord(key: string): StateRecord {
    const slash = key.indexOf('/');
    const ids: [string, string] = [key.slice(0, slash), key.slice(slash + 1)];
    const d = this.registry.devices.get(key);
    if (d === undefined) return { device: ids, removed: true };
    return { device: ids, is: d.is, js: d.js, ns: d.ns, as: d.as };
  }

  private load(text: string, devices: DeviceRegistries): void {
    const lines = text.split('\n');
    let first: unknown;
    try {
      first = JSON.parse(lines[0] ?? '');
    } catch {
      first = undefined;
    }
    if (isRecordOf(first) && first.version === 1) {
      this.loadVersion1(JSON.parse(text) as Version1, devices);
      return;
    }
    if (!isRecordOf(first) || first.lorafleet_network_state !== 2)
      throw new NetworkStateError(this.file, 'line 1: not a lorafleet network state file');
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.trim() === '') continue;
      let rec: unknown;
      try {
        rec = JSON.parse(line);
      } catch {
        // Only the last line can be torn by a kill in the middle of a write: it is left out (and gone
        // from the file once `open` rewrites it).
        if (lines.slice(i + 1).every((l) => l.trim() === '')) break;
        throw new NetworkStateError(this.file, `line ${i + 1}: not JSON; the file is damaged`);
      }
      this.apply(rec, i + 1);
    }
    for (const d of this.registry.devices.values()) restart(d, devices);
  }

  private apply(rec: unknown, line: number): void {
    const r = this.registry;
    if (!isRecordOf(rec)) throw new NetworkStateError(this.file, `line ${line}: not an object`);
    const bad = (field: string, why: string) =>
      new NetworkStateError(this.file, `line ${line}: \`${field}\` ${why}`);
    const doc = (field: string): Doc | undefined => {
      const v = rec[field];
      if (v !== undefined && !isRecordOf(v)) throw bad(field, 'is not an object');
      return v;
    };
    if (typeof rec.application === 'string') {
      const id = rec.application;
      if (rec.removed === true) {
        r.forgetApplication(id);
        return;
      }
      const keys = rec.api_keys;
      if (
        !Array.isArray(keys) ||
        !keys.every((k) => isRecordOf(k) && typeof k.id === 'string' && typeof k.key === 'string')
      )
        throw bad('api_keys', 'is not a list of keys');
      r.putApplication(id, {
        doc: doc('doc') ?? {},
        owner: (doc('owner') ?? { user_id: 'admin' }) as Application['owner'],
        apiKeys: new Map((keys as ApiKey[]).map((k) => [k.id, k])),
      });
    } else if (typeof rec.gateway === 'string') {
      if (rec.removed === true) {
        r.gateways.delete(rec.gateway);
        r.touchGateway(rec.gateway);
      } else r.putGateway(rec.gateway, doc('doc') ?? {});
    } else if (
      Array.isArray(rec.device) &&
      rec.device.length === 2 &&
      rec.device.every((x) => typeof x === 'string')
    ) {
      const [app, dev] = rec.device as [string, string];
      const e = r.deviceOrCreate(app, dev);
      for (const c of ['is', 'js', 'ns', 'as'] as const)
        r.setDoc(e, c, rec.removed === true ? undefined : doc(c));
      r.removeIfEmpty(e);
    } else {
      throw new NetworkStateError(this.file, `line ${line}: not an application, gateway or device`);
    }
  }

  /** The first format: the whole registry as one document, rewritten at every change. */
  private loadVersion1(saved: Version1, devices: DeviceRegistries): void {
    for (const a of saved.applications) {
      const id = (a.doc.ids as { application_id: string }).application_id;
      const keys = a.apiKeys as ApiKey[];
      this.registry.putApplication(id, {
        doc: a.doc,
        owner: a.owner as never,
        apiKeys: new Map(keys.map((k) => [k.id, k])),
      });
    }
    for (const g of saved.gateways) this.registry.putGateway((g.ids as { gateway_id: string }).gateway_id, g);
    for (const d of saved.devices) {
      const e = this.registry.deviceOrCreate(d.applicationId, d.deviceId);
      for (const c of ['is', 'js', 'ns', 'as'] as const) this.registry.setDoc(e, c, d[c] as Doc | undefined);
      restart(e, devices);
    }
  }
}

interface Version1 {
  version: 1;
  applications: { doc: Record<string, unknown>; owner: Record<string, string>; apiKeys: unknown[] }[];
  gateways: Record<string, unknown>[];
  devices: {
    applicationId: string;
    deviceId: string;
    is?: unknown;
    js?: unknown;
    ns?: unknown;
    as?: unknown;
  }[];
}

/**
 * A device after a network restart: an OTAA device's session starts over (it joins again); an ABP
 * session comes back from its NS and AS documents, as it is registered.
 */
function restart(d: DeviceEntry, devices: DeviceRegistries): void {
  if (d.ns && getPath(d.ns, 'supports_join') !== false) delete (d.ns as Record<string, unknown>).session;
  devices.restoreSession(d);
}

function isRecordOf(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
