import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Expanded } from '../scenario/expand.js';
import type { Shard } from '../scenario/shard.js';
import type { Scenario } from '../scenario/types.js';
import { apiKeyFrom, TtsClient } from '../tts/http-client.js';
import { Journal } from '../tts/journal.js';
import type { Logger } from '../tts/logger.js';
import { Provisioner, type ProvisionerOptions } from '../tts/provisioning.js';
import type { DeviceSpec } from '../tts/requests.js';

/** The application a scenario runs in: named in the target, or derived from the scenario's name. */
export function applicationIdOf(s: Scenario): string {
  const name = s.name ?? 'scenario';
  // Within TTS's 36 characters, and never ending in a dash (the ID rule).
  const slug = name
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 26)
    .replace(/-+$/, '');
  return s.target?.application_id ?? `lorafleet-${slug}`;
}

export function ownerOf(s: Scenario): ProvisionerOptions['owner'] {
  return s.target?.organization_id
    ? { organizationId: s.target.organization_id }
    : { userId: s.target?.user_id ?? 'admin' };
}

const shardSuffix = (shard: Shard | undefined) =>
  shard === undefined || shard.count === 1 ? '' : `.shard-${shard.index}-of-${shard.count}`;

/**
 * The journal of what was registered for this scenario (shared by run, provision and teardown).
 * Shards keep one each: processes never append to the same file.
 */
export function journalPath(s: Scenario, stateDir: string, shard?: Shard): string {
  return join(stateDir, `${s.name ?? 'scenario'}${shardSuffix(shard)}.journal`);
}

/** The scenario's journal in `stateDir` (default .lorafleet), created with its directory if missing. */
export function openJournal(s: Scenario, stateDir = '.lorafleet', shard?: Shard): Journal {
  mkdirSync(stateDir, { recursive: true });
  return new Journal(journalPath(s, stateDir, shard));
}

/** A fleet's device state file (DevNonces, FCnts, sessions); one per shard, as journals. */
export function stateFile(stateDir: string, scenario: string, fleet: string, shard?: Shard): string {
  return join(stateDir, `${scenario}.${fleet}${shardSuffix(shard)}.state`);
}

/** The fleet's other state files: the same devices run in other shard layouts. */
export function siblingStateFiles(
  stateDir: string,
  scenario: string,
  fleet: string,
  shard?: Shard,
): string[] {
  const own = stateFile(stateDir, scenario, fleet, shard);
  const prefix = `${scenario}.${fleet}.`;
  let names: string[];
  try {
    names = readdirSync(stateDir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(prefix) && /^(?:shard-\d+-of-\d+\.)?state$/.test(n.slice(prefix.length)))
    .map((n) => join(stateDir, n))
    .filter((f) => f !== own);
}

/** Devices registered at a time, unless the scenario says. */
export const DEFAULT_PROVISIONING_CONCURRENCY = 32;

/** The application (created if missing), and the journal checked against what the target has. */
export async function prepareApplication(p: Provisioner): Promise<void> {
  await p.ensureApplication();
  await p.verifyJournal();
}

/** Registers the scenario's gateways and devices; idempotent and journalled. */
export async function registerFleet(
  p: Provisioner,
  s: Scenario,
  x: Expanded,
  signal?: AbortSignal,
  /** An ABP device's session counters, to register with its NS session (see DeviceSpec.counters). */
  counters?: (d: Expanded['devices'][number]) => DeviceSpec['counters'],
): Promise<{ ok: number; failed: { deviceId: string; error: Error }[]; skipped: number }> {
  for (const g of x.gateways)
    await p.ensureGateway({
      gatewayId: g.id,
      eui: g.eui,
      frequencyPlanId: x.plan.id,
      ...(s.gateways?.enforce_duty_cycle !== undefined
        ? { enforceDutyCycle: s.gateways.enforce_duty_cycle }
        : {}),
    });
  return p.provisionAll(
    x.devices.map((d): DeviceSpec => {
      const c = counters?.(d);
      return c ? { ...d.spec, counters: c } : d.spec;
    }),
    {
      concurrency: s.target?.provisioning_concurrency ?? DEFAULT_PROVISIONING_CONCURRENCY,
      ...(signal ? { signal } : {}),
    },
  );
}

/** The application, then its gateways and devices: what `lorafleet provision` does. */
export async function registerScenario(
  p: Provisioner,
  s: Scenario,
  x: Expanded,
  signal?: AbortSignal,
): Promise<{ ok: number; failed: { deviceId: string; error: Error }[]; skipped: number }> {
  await prepareApplication(p);
  return registerFleet(p, s, x, signal);
}

export interface TtsTarget {
  client: TtsClient;
  udp: { host: string; port: number };
  mqttUrl: string;
}

/** A `type: tts` target: the API client (key from the environment), the gateway server and MQTT addresses. */
export function ttsTarget(s: Scenario, o: { userAgent?: string; logger?: Logger }): TtsTarget {
  const t = s.target!;
  const client = new TtsClient({
    target: {
      ...(t.url ? { url: t.url } : {}),
      ...(t.tenant ? { tenant: t.tenant } : {}),
      ...(t.cluster ? { cluster: t.cluster } : {}),
      ...(t.ttn ? { ttn: true } : {}),
    },
    apiKey: apiKeyFrom({ env: t.api_key_env! }),
    userAgent: o.userAgent ?? 'lorafleet',
    concurrency: t.provisioning_concurrency ?? DEFAULT_PROVISIONING_CONCURRENCY,
    ...(o.logger ? { logger: o.logger } : {}),
  });
  const [host, port] = t.gateway_udp!.split(':');
  return {
    client,
    udp: { host: host!, port: Number(port) },
    mqttUrl: t.mqtt_url ?? `mqtts://${new URL(client.urls.cluster).host}:8883`,
  };
}

export function provisionerFor(
  s: Scenario,
  client: TtsClient,
  journal: Journal,
  o: {
    logger?: Logger;
    onDevice?: (done: number, total: number) => void;
    onJoinServerRecord?: (deviceId: string) => void;
    onNetworkServerRecord?: (deviceId: string) => void;
  },
): Provisioner {
  return new Provisioner(client, journal, {
    applicationId: applicationIdOf(s),
    owner: ownerOf(s),
    ...(o.logger ? { logger: o.logger } : {}),
    ...(o.onDevice ? { onDevice: o.onDevice } : {}),
    ...(o.onJoinServerRecord ? { onJoinServerRecord: o.onJoinServerRecord } : {}),
    ...(o.onNetworkServerRecord ? { onNetworkServerRecord: o.onNetworkServerRecord } : {}),
  });
}
