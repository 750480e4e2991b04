import { expand } from '../scenario/expand.js';
import type { Scenario } from '../scenario/types.js';
import { silentLogger, type Logger } from '../tts/logger.js';
import type { TeardownResult } from '../tts/teardown.js';
import { applicationIdOf, provisionerFor, registerScenario } from './provisioning.js';
import { openJournal } from './state-files.js';
import { ttsTarget } from './target.js';

export interface ProvisionOptions {
  stateDir?: string;
  logger?: Logger;
  userAgent?: string;
  onDevice?: (done: number, total: number) => void;
  /** Ctrl-C: devices in flight finish, no more start. */
  signal?: AbortSignal;
}

export interface ProvisionResult {
  applicationId: string;
  gateways: number;
  devices: number;
  failed: { deviceId: string; error: string }[];
  /** Not attempted: provisioning was interrupted. */
  skipped: number;
  durationMs: number;
}

/** What provision and teardown both start from: the plan, the API client and the journal. */
function open(s: Scenario, o: ProvisionOptions) {
  const log = o.logger ?? silentLogger;
  const { client } = ttsTarget(s, { ...(o.userAgent ? { userAgent: o.userAgent } : {}), logger: log });
  return { x: expand(s), client, journal: openJournal(s, o.stateDir), log };
}

/**
 * Registers a scenario's application, gateways and devices on its TTS target ahead of any run, so
 * that runs with `teardown: keep` can follow without the registration cost. Resumable: the journal
 * in the state directory is the one `lorafleet run` and `lorafleet teardown` use.
 */
export async function provisionScenario(s: Scenario, o: ProvisionOptions = {}): Promise<ProvisionResult> {
  const started = Date.now();
  const { x, client, journal, log } = open(s, o);
  try {
    const p = provisionerFor(s, client, journal, {
      logger: log,
      ...(o.onDevice ? { onDevice: o.onDevice } : {}),
    });
    const r = await registerScenario(p, s, x, o.signal);
    return {
      applicationId: applicationIdOf(s),
      skipped: r.skipped,
      gateways: x.gateways.length,
      devices: r.ok,
      failed: r.failed.map((f) => ({ deviceId: f.deviceId, error: f.error.message })),
      durationMs: Date.now() - started,
    };
  } finally {
    journal.close();
  }
}

/** Removes everything a scenario registered (devices AS → NS → JS → IS, gateways, keys, the application if ours). */
export async function teardownScenario(
  s: Scenario,
  o: ProvisionOptions & { application?: 'keep' | 'delete' | 'purge'; purgeGateways?: boolean } = {},
): Promise<TeardownResult> {
  const { x, client, journal, log } = open(s, o);
  try {
    return await provisionerFor(s, client, journal, { logger: log }).teardown({
      devices: x.devices.map((d) => ({ deviceId: d.deviceId, activation: d.spec.activation })),
      gatewayIds: x.gateways.map((g) => g.id),
      application: o.application ?? 'delete',
      ...(o.purgeGateways ? { purgeGateways: true } : {}),
    });
  } finally {
    journal.close();
  }
}

export interface ListedDevice {
  deviceId: string;
  devEui: string | undefined;
  joinEui: string | undefined;
  createdAt: string | undefined;
}

/** The devices registered in the scenario's application, as the Identity Server lists them, page by page. */
export async function listDevices(s: Scenario, o: ProvisionOptions = {}): Promise<ListedDevice[]> {
  const { client } = ttsTarget(s, {
    ...(o.userAgent ? { userAgent: o.userAgent } : {}),
    ...(o.logger ? { logger: o.logger } : {}),
  });
  const app = encodeURIComponent(s.target!.application_id!);
  const out: ListedDevice[] = [];
  const limit = 1000;
  for (let page = 1; ; page++) {
    const r = await client.get<{ end_devices?: { ids: Record<string, unknown>; created_at?: string }[] }>(
      `/applications/${app}/devices`,
      { query: { limit, page }, fieldMask: ['ids.dev_eui', 'ids.join_eui', 'created_at'] },
    );
    const list = r.end_devices ?? [];
    for (const d of list) {
      out.push({
        deviceId: String(d.ids.device_id),
        devEui: d.ids.dev_eui as string | undefined,
        joinEui: d.ids.join_eui as string | undefined,
        createdAt: d.created_at,
      });
    }
    if (list.length < limit) return out;
  }
}
