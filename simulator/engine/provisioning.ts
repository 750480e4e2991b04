import type { Expanded } from '../scenario/expand.js';
import type { Scenario } from '../scenario/types.js';
import type { TtsClient } from '../tts/http-client.js';
import type { Journal } from '../tts/journal.js';
import type { Logger } from '../tts/logger.js';
import { Provisioner, type ProvisionerOptions } from '../tts/provisioning.js';
import type { DeviceSpec } from '../scenario/device-spec.js';

/** The application a scenario runs in: named in the target, or derived from the scenario's name. */
export function applicationIdOf(s: Scenario): string {
  const name = s.name;
  // Within TTS's 36 characters, and never ending in a dash (the ID rule).
  const slug = name
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 26)
    .replace(/-+$/, '');
  return s.target.application_id ?? `lorafleet-${slug}`;
}

export function ownerOf(s: Scenario): ProvisionerOptions['owner'] {
  return s.target.organization_id
    ? { organizationId: s.target.organization_id }
    : { userId: s.target.user_id };
}

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
      enforceDutyCycle: s.gateways.enforce_duty_cycle,
    });
  return p.provisionAll(
    x.devices.map((d): DeviceSpec => {
      const c = counters?.(d);
      return c ? { ...d.spec, counters: c } : d.spec;
    }),
    {
      concurrency: s.target.provisioning_concurrency,
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
