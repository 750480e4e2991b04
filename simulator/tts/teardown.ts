import { TtsApiError, TtsTransportError } from './errors.js';
import type { TtsClient } from './http-client.js';
import type { Journal } from './journal.js';
import type { Logger } from './logger.js';

/** What teardown did with one kind of entity: 404s are "already gone", never "removed". */
export interface RemovalCount {
  removed: number;
  alreadyGone: number;
  /** Per entity, the error that kept it (teardown goes on past each one). */
  failed: { id: string; error: string }[];
}

export interface TeardownResult {
  devices: RemovalCount;
  gateways: RemovalCount;
  application: 'deleted' | 'purged' | 'kept' | 'not-ours' | 'already-gone';
}

export interface TeardownRequest {
  /** The scenario's devices; the Join Server's batch delete gets only the OTAA ones. */
  devices: readonly { deviceId: string; activation: 'otaa' | 'abp' }[];
  gatewayIds?: readonly string[];
  application?: 'keep' | 'delete' | 'purge';
  /** Purge the gateways after deleting them (admins only in TTS), releasing their IDs and EUIs. */
  purgeGateways?: boolean;
}

const BATCH = 20;
const enc = encodeURIComponent;
const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));
const isApiOrTransport = (e: unknown) => e instanceof TtsApiError || e instanceof TtsTransportError;

function batches<T>(xs: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += BATCH) out.push(xs.slice(i, i + BATCH));
  return out;
}

/**
 * Removes what a scenario registered: devices AS → NS → JS → IS in batches of 20 (one by one when a
 * batch fails), then gateways, the run's API keys and the application when this journal created it.
 * A failure is noted for its entity and teardown goes on; what TTS no longer has counts as gone.
 */
export async function teardown(
  client: TtsClient,
  journal: Journal,
  applicationId: string,
  log: Logger,
  o: TeardownRequest,
): Promise<TeardownResult> {
  const app = enc(applicationId);
  const devices = await removeDevices(client, app, log, o.devices);
  for (const d of o.devices)
    if (!devices.failed.some((f) => f.id === d.deviceId))
      journal.record({ t: 'device-removed', id: d.deviceId });
  const gateways = await removeGateways(client, journal, o.gatewayIds ?? [...journal.gateways], o);
  await deleteApiKeys(client, journal, applicationId);
  const application = await removeApplication(client, journal, applicationId, o.application ?? 'delete');
  if (devices.failed.length === 0 && gateways.failed.length === 0) journal.record({ t: 'teardown-done' });
  return { devices, gateways, application };
}

/** The devices of `ids` the Identity Server has (batch get; it leaves out those it lacks). */
async function existing(client: TtsClient, app: string, ids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  await Promise.all(
    batches(ids).map(async (b) => {
      const r = await client.get<{ end_devices?: { ids?: { device_id?: string } }[] }>(
        `/applications/${app}/devices/batch`,
        { query: { device_ids: b, field_mask: 'ids' } },
      );
      for (const d of r.end_devices ?? []) if (d.ids?.device_id) found.add(d.ids.device_id);
    }),
  );
  return found;
}

async function removeDevices(
  client: TtsClient,
  app: string,
  log: Logger,
  devices: TeardownRequest['devices'],
): Promise<RemovalCount> {
  const all = devices.map((d) => d.deviceId);
  const present = await existing(client, app, all);
  const failed = new Map<string, string>();
  for (const c of ['as', 'ns', 'js', 'is'] as const) {
    const base = c === 'is' ? `/applications/${app}/devices` : `/${c}/applications/${app}/devices`;
    // ABP devices have no Join Server record; TTS answers a JS batch delete of them with 404s.
    const ids = devices
      .filter((d) => (c !== 'js' || d.activation === 'otaa') && !failed.has(d.deviceId))
      .map((d) => d.deviceId);
    await Promise.all(
      batches(ids).map(async (b) => {
        try {
          await client.delete(`${base}/batch`, { query: { device_ids: b } });
        } catch (e) {
          if (!isApiOrTransport(e)) throw e;
          log.warn({ registry: c, error: reason(e) }, 'batch delete failed; deleting one by one');
          for (const id of b) {
            try {
              await client.delete(`${base}/${enc(id)}`, { allowNotFound: true });
            } catch (e2) {
              if (!isApiOrTransport(e2)) throw e2;
              failed.set(id, `${c.toUpperCase()}: ${reason(e2)}`);
            }
          }
        }
      }),
    );
  }
  return {
    removed: [...present].filter((id) => !failed.has(id)).length,
    alreadyGone: all.length - present.size,
    failed: [...failed].map(([id, error]) => ({ id, error })),
  };
}

async function removeGateways(
  client: TtsClient,
  journal: Journal,
  ids: readonly string[],
  o: TeardownRequest,
): Promise<RemovalCount> {
  const r: RemovalCount = { removed: 0, alreadyGone: 0, failed: [] };
  for (const g of ids) {
    const path = `/gateways/${enc(g)}`;
    try {
      const gone = (await client.delete(path, { allowNotFound: true })) === undefined;
      if (gone) r.alreadyGone++;
      else {
        r.removed++;
        journal.record({ t: 'gateway-deleted', id: g }); // soft: a rerun restores it
      }
      if (o.purgeGateways && (!gone || journal.softDeleted.has(`gateway:${g}`))) {
        await client.delete(`${path}/purge`, { allowNotFound: true });
        journal.record({ t: 'restored', id: `gateway:${g}` });
      }
    } catch (e) {
      if (!isApiOrTransport(e)) throw e;
      r.failed.push({ id: g, error: reason(e) });
    }
  }
  return r;
}

/** The API keys this journal created (the run keys), also when the devices are kept. */
export async function deleteApiKeys(
  client: TtsClient,
  journal: Journal,
  applicationId: string,
): Promise<void> {
  for (const k of [...journal.apiKeyIds]) {
    await client.delete(`/applications/${enc(applicationId)}/api-keys/${enc(k)}`, { allowNotFound: true });
    journal.record({ t: 'api-key-deleted', id: k });
  }
}

async function removeApplication(
  client: TtsClient,
  journal: Journal,
  applicationId: string,
  policy: 'keep' | 'delete' | 'purge',
): Promise<TeardownResult['application']> {
  const path = `/applications/${enc(applicationId)}`;
  if (policy === 'keep') return 'kept';
  const ours = journal.appCreated === applicationId;
  const softDeleted = journal.softDeleted.has(`app:${applicationId}`);
  if (!ours && !(policy === 'purge' && softDeleted)) return 'not-ours';
  let gone = false;
  if (ours) {
    gone = (await client.delete(path, { allowNotFound: true })) === undefined;
    if (!gone) journal.record({ t: 'app-deleted', app: applicationId });
  }
  if (policy !== 'purge') return gone ? 'already-gone' : 'deleted';
  // Purging is admin-only in TTS v3.32: a key without admin rights gets 403 and the ID stays taken.
  const purged = (await client.delete(`${path}/purge`, { allowNotFound: true })) !== undefined;
  journal.record({ t: 'restored', id: `app:${applicationId}` });
  return purged ? 'purged' : 'already-gone';
}
