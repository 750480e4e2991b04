import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Doc, Registry } from './registry.js';
import type { DeviceRegistries } from './device-registries.js';

interface Saved {
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
 * The embedded network's registries on disk (applications, keys, gateways, the four device
 * documents): a restarted network keeps every device's DevNonce and JoinNonce history, so a device
 * cannot replay a DevNonce across network restarts. OTAA sessions are not kept: devices join again.
 * Written atomically (temporary file, then rename), readable by its owner only — it holds keys.
 */
export function saveNetworkState(file: string, registry: Registry): void {
  const saved: Saved = {
    version: 1,
    applications: [...registry.applications.values()].map((a) => ({
      doc: a.doc,
      owner: a.owner as Record<string, string>,
      apiKeys: [...a.apiKeys.values()],
    })),
    gateways: [...registry.gateways.values()],
    devices: [...registry.devices.values()].map((d) => ({
      applicationId: d.applicationId,
      deviceId: d.deviceId,
      is: d.is,
      js: d.js,
      ns: d.ns,
      as: d.as,
    })),
  };
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify(saved), { mode: 0o600 });
  renameSync(tmp, file);
}

export function loadNetworkState(file: string, registry: Registry, devices: DeviceRegistries): boolean {
  if (!existsSync(file)) return false;
  const saved = JSON.parse(readFileSync(file, 'utf8')) as Saved;
  for (const a of saved.applications) {
    const id = (a.doc.ids as { application_id: string }).application_id;
    registry.applications.set(id, { doc: a.doc, owner: a.owner as never, apiKeys: new Map() });
    for (const k of a.apiKeys as {
      id: string;
      key: string;
      name: string;
      rights: string[];
      created_at: string;
    }[]) {
      registry.restoreApiKey(id, k);
    }
  }
  for (const g of saved.gateways) registry.gateways.set((g.ids as { gateway_id: string }).gateway_id, g);
  for (const d of saved.devices) {
    const e = registry.deviceOrCreate(d.applicationId, d.deviceId);
    for (const c of ['is', 'js', 'ns', 'as'] as const) registry.setDoc(e, c, d[c] as Doc | undefined);
    // OTAA sessions start over; ABP sessions come back from the NS and AS documents.
    if (e.ns) delete (e.ns as Record<string, unknown>).session;
    devices.restoreSession(e);
  }
  return true;
}
