import { TtsApiError } from './errors.js';
import type { TtsClient } from './http-client.js';
import type { Journal, Step } from './journal.js';
import { silentLogger, type Logger } from './logger.js';
import {
  asSetRequest,
  isCreateBody,
  isUpdateRequest,
  jsSetRequest,
  nsSetRequest,
  type DeviceSpec,
} from './requests.js';
import { LorafleetError } from '../../crypto/errors.js';

/** A device that cannot be registered because another one holds its EUIs. */
export class EuisTakenError extends LorafleetError {
  constructor(
    readonly deviceId: string,
    readonly holder: { applicationId?: string; deviceId?: string },
    message: string,
  ) {
    super('LORAFLEET_EUIS_TAKEN', message);
  }
}

export interface GatewaySpec {
  gatewayId: string;
  eui: string;
  frequencyPlanId: string;
  enforceDutyCycle?: boolean;
  serverAddress?: string;
}

export interface ProvisionerOptions {
  applicationId: string;
  owner: { userId: string } | { organizationId: string };
  logger?: Logger;
  /** Called after each device, for progress display. */
  onDevice?: (done: number, total: number) => void;
}

/** The rights a simulation run needs on its application (MQTT, downlinks, registration). */
export const RUN_KEY_RIGHTS = [
  'RIGHT_APPLICATION_DEVICES_READ',
  'RIGHT_APPLICATION_DEVICES_WRITE',
  'RIGHT_APPLICATION_DEVICES_READ_KEYS',
  'RIGHT_APPLICATION_DEVICES_WRITE_KEYS',
  'RIGHT_APPLICATION_TRAFFIC_READ',
  'RIGHT_APPLICATION_TRAFFIC_DOWN_WRITE',
];

const enc = encodeURIComponent;

/**
 * Registers a run's application, key, gateways and devices in The Things Stack (or the embedded
 * network) the way TTS's own CLI does, and removes them afterwards. Every step is idempotent and
 * journalled: a rerun after an interruption finishes what was left.
 */
export class Provisioner {
  private readonly log: Logger;

  constructor(
    private readonly client: TtsClient,
    private readonly journal: Journal,
    private readonly o: ProvisionerOptions,
  ) {
    this.log = o.logger ?? silentLogger;
  }

  private get app(): string {
    return enc(this.o.applicationId);
  }

  /** The application, created under the user or organisation if missing. Returns whether this run created it. */
  async ensureApplication(): Promise<boolean> {
    const existing = await this.client.get(`/applications/${this.app}`, { allowNotFound: true });
    if (existing !== undefined) return this.journal.appCreated === this.o.applicationId;
    const parent =
      'userId' in this.o.owner
        ? `/users/${enc(this.o.owner.userId)}`
        : `/organizations/${enc(this.o.owner.organizationId)}`;
    try {
      await this.client.post(`${parent}/applications`, {
        application: { ids: { application_id: this.o.applicationId } },
      });
    } catch (e) {
      // A retried create whose first response was lost: the application is there now.
      if (!(e instanceof TtsApiError && e.ttsName === 'id_taken')) throw e;
    }
    this.journal.record({ t: 'app-created', app: this.o.applicationId });
    return true;
  }

  /** An application API key with only the rights the run needs; the journal keeps its id for teardown. */
  async createRunKey(name: string): Promise<string> {
    const r = await this.client.post<{ id: string; key: string }>(`/applications/${this.app}/api-keys`, {
      name,
      rights: RUN_KEY_RIGHTS,
    });
    this.journal.record({ t: 'api-key', app: this.o.applicationId, id: r.id });
    return r.key;
  }

  async ensureGateway(g: GatewaySpec): Promise<void> {
    if (this.journal.gateways.has(g.gatewayId)) return;
    const owner =
      'userId' in this.o.owner
        ? `/users/${enc(this.o.owner.userId)}`
        : `/organizations/${enc(this.o.owner.organizationId)}`;
    try {
      await this.client.post(`${owner}/gateways`, {
        gateway: {
          ids: { gateway_id: g.gatewayId, eui: g.eui },
          frequency_plan_ids: [g.frequencyPlanId],
          enforce_duty_cycle: g.enforceDutyCycle ?? true,
          ...(g.serverAddress ? { gateway_server_address: g.serverAddress } : {}),
          require_authenticated_connection: false,
        },
      });
    } catch (e) {
      if (!(e instanceof TtsApiError && e.ttsName === 'id_taken')) throw e;
    }
    this.journal.record({ t: 'gateway', id: g.gatewayId });
  }

  /** IS → JS (OTAA) → NS → AS, skipping steps the journal has; an existing device is updated, not duplicated. */
  async provisionDevice(s: DeviceSpec): Promise<void> {
    const id = s.deviceId;
    const base = `/applications/${this.app}/devices`;
    const dev = `${enc(id)}`;
    const step = async (name: Step, run: () => Promise<unknown>) => {
      if (this.journal.done(id, name)) return;
      await run();
      this.journal.record({ t: 'device', id, step: name });
    };
    await step('is', async () => {
      try {
        await this.client.post(base, isCreateBody(s));
      } catch (e) {
        if (!(e instanceof TtsApiError)) throw e;
        if (e.ttsName === 'id_taken') {
          const u = isUpdateRequest(s);
          await this.client.put(`${base}/${dev}`, u.body);
          return;
        }
        if (e.ttsName === 'end_device_euis_taken') {
          const holder = {
            applicationId: e.attributes.application_id as string | undefined,
            deviceId: e.attributes.device_id as string | undefined,
          };
          throw new EuisTakenError(
            id,
            holder,
            `device ${id}: JoinEUI/DevEUI ${s.joinEui ?? '0000000000000000'}/${s.devEui} are taken by ${holder.applicationId ?? '?'}/${holder.deviceId ?? '?'}`,
          );
        }
        throw e;
      }
    });
    if (s.activation === 'otaa')
      await step('js', () =>
        this.client.put(`/js/applications/${this.app}/devices/${dev}`, jsSetRequest(s).body),
      );
    await step('ns', () =>
      this.client.put(`/ns/applications/${this.app}/devices/${dev}`, nsSetRequest(s).body),
    );
    await step('as', () =>
      this.client.put(`/as/applications/${this.app}/devices/${dev}`, asSetRequest(s).body),
    );
  }

  /** Provisions every device, in parallel up to the client's concurrency; failures are collected, not fatal. */
  async provisionAll(
    specs: readonly DeviceSpec[],
  ): Promise<{ ok: number; failed: { deviceId: string; error: Error }[] }> {
    let done = 0;
    const total = specs.length;
    const failed: { deviceId: string; error: Error }[] = [];
    // The closures below must not capture `specs`: an Error kept in `failed` keeps its stack's
    // closures alive, and with them every spec of a million-device fleet.
    await Promise.all(
      specs.map(async (s) => {
        try {
          await this.provisionDevice(s);
        } catch (e) {
          failed.push({ deviceId: s.deviceId, error: e as Error });
          this.log.warn({ device: s.deviceId, error: (e as Error).message }, 'provisioning failed');
        }
        this.o.onDevice?.(++done, total);
      }),
    );
    return { ok: specs.length - failed.length, failed };
  }

  /** Removes a half-registered device from every registry it reached (rollback). */
  async rollBack(deviceId: string): Promise<void> {
    const order: Step[] = ['as', 'ns', 'js', 'is'];
    for (const c of order) {
      const path =
        c === 'is'
          ? `/applications/${this.app}/devices/${enc(deviceId)}`
          : `/${c}/applications/${this.app}/devices/${enc(deviceId)}`;
      await this.client.delete(path, { allowNotFound: true });
    }
    this.journal.record({ t: 'device-removed', id: deviceId });
  }

  /**
   * AS → NS → JS → IS with batch deletes of at most 20 ids (falling back to one by one), then the
   * gateways, the run's API keys, and the application when this run created it.
   */
  async teardown(o: {
    deviceIds: readonly string[];
    gatewayIds?: readonly string[];
    application?: 'keep' | 'delete' | 'purge';
  }): Promise<void> {
    for (const c of ['as', 'ns', 'js', 'is'] as const) {
      const base =
        c === 'is' ? `/applications/${this.app}/devices` : `/${c}/applications/${this.app}/devices`;
      const batches: string[][] = [];
      for (let i = 0; i < o.deviceIds.length; i += 20) batches.push(o.deviceIds.slice(i, i + 20));
      await Promise.all(
        batches.map(async (ids) => {
          try {
            await this.client.delete(`${base}/batch`, { query: { device_ids: ids } });
          } catch (e) {
            if (!(e instanceof TtsApiError)) throw e;
            this.log.warn({ registry: c, error: e.message }, 'batch delete failed; deleting one by one');
            for (const id of ids) await this.client.delete(`${base}/${enc(id)}`, { allowNotFound: true });
          }
        }),
      );
    }
    for (const id of o.deviceIds) this.journal.record({ t: 'device-removed', id });
    for (const g of o.gatewayIds ?? [...this.journal.gateways])
      await this.client.delete(`/gateways/${enc(g)}`, { allowNotFound: true });
    for (const k of this.journal.apiKeyIds)
      await this.client.delete(`/applications/${this.app}/api-keys/${enc(k)}`, { allowNotFound: true });
    const appPolicy = o.application ?? 'delete';
    if (appPolicy !== 'keep' && this.journal.appCreated === this.o.applicationId) {
      await this.client.delete(`/applications/${this.app}${appPolicy === 'purge' ? '/purge' : ''}`, {
        allowNotFound: true,
      });
    }
    this.journal.record({ t: 'teardown-done' });
  }
}
