import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Expanded } from '../scenario/expand.js';
import type { Scenario } from '../scenario/types.js';
import { apiKeyFrom, TtsClient } from '../tts/http-client.js';
import { Journal } from '../tts/journal.js';
import type { Logger } from '../tts/logger.js';
import { Provisioner, type ProvisionerOptions } from '../tts/provisioning.js';
import type { DeviceSpec } from '../tts/requests.js';

/** The application a scenario runs in: named in the target, or derived from the scenario's name. */
export function applicationIdOf(s: Scenario): string {
  const name = s.name ?? 'scenario';
  return s.target?.application_id ?? `lorafleet-${name.replace(/[^a-z0-9-]/g, '-').slice(0, 26)}`;
}

export function ownerOf(s: Scenario): ProvisionerOptions['owner'] {
  return s.target?.organization_id
    ? { organizationId: s.target.organization_id }
    : { userId: s.target?.user_id ?? 'admin' };
}

/** The journal of what was registered for this scenario (shared by run, provision and teardown). */
export function journalPath(s: Scenario, stateDir: string): string {
  return join(stateDir, `${s.name ?? 'scenario'}.journal`);
}

/** The scenario's journal in `stateDir` (default .lorafleet), created with its directory if missing. */
export function openJournal(s: Scenario, stateDir = '.lorafleet'): Journal {
  mkdirSync(stateDir, { recursive: true });
  return new Journal(journalPath(s, stateDir));
}

/** Registers the scenario's application, gateways and devices; idempotent and journalled. */
export async function registerScenario(
  p: Provisioner,
  s: Scenario,
  x: Expanded,
): Promise<{ ok: number; failed: { deviceId: string; error: Error }[] }> {
  await p.ensureApplication();
  for (const g of x.gateways)
    await p.ensureGateway({
      gatewayId: g.id,
      eui: g.eui,
      frequencyPlanId: x.plan.id,
      ...(s.gateways?.enforce_duty_cycle !== undefined
        ? { enforceDutyCycle: s.gateways.enforce_duty_cycle }
        : {}),
    });
  return p.provisionAll(x.devices.map((d): DeviceSpec => d.spec));
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
  o: { logger?: Logger; onDevice?: (done: number, total: number) => void },
): Provisioner {
  return new Provisioner(client, journal, {
    applicationId: applicationIdOf(s),
    owner: ownerOf(s),
    ...(o.logger ? { logger: o.logger } : {}),
    ...(o.onDevice ? { onDevice: o.onDevice } : {}),
  });
}
