import { TtsApiError, TtsTransportError } from './errors.js';
import type { TtsClient } from './http-client.js';
import type { Journal, Step } from './journal.js';
import { silentLogger, type Logger } from './logger.js';
import { asSetRequest, isCreateBody, isUpdateRequest, jsSetRequest, nsSetRequest } from './requests.js';
import type { DeviceSpec } from '../scenario/device-spec.js';
import { deleteApiKeys, teardown, type TeardownRequest, type TeardownResult } from './teardown.js';
import { LorafleetError } from '../../crypto/errors.js';

/** An application or gateway ID held by a soft-deleted entity that lorafleet may not bring back. */
export class SoftDeletedError extends LorafleetError {
  constructor(
    readonly entityId: string,
    message: string,
  ) {
    super('LORAFLEET_SOFT_DELETED', message);
  }
}

/** A gateway ID registered with another EUI: lorafleet never adopts (or tears down) someone else's gateway. */
export class GatewayTakenError extends LorafleetError {
  constructor(
    readonly gatewayId: string,
    message: string,
  ) {
    super('LORAFLEET_GATEWAY_TAKEN', message);
  }
}

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
  /**
   * Called when this run registered a device on the Join Server (a new record there): TTS's JS then
   * starts over (JoinNonce from 1, no DevNonce history), as for a re-commissioned device (Part 4).
   */
  onJoinServerRecord?: (deviceId: string) => void;
  /** Called when this run registered a device's NS record (for ABP: its session, with `counters`). */
  onNetworkServerRecord?: (deviceId: string) => void;
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

  /** The user or organisation under which applications and gateways are created. */
  private get owner(): string {
    return 'userId' in this.o.owner
      ? `/users/${enc(this.o.owner.userId)}`
      : `/organizations/${enc(this.o.owner.organizationId)}`;
  }

  private get app(): string {
    return enc(this.o.applicationId);
  }

  /** The application, created under the user or organisation if missing. Returns whether this run created it. */
  async ensureApplication(): Promise<boolean> {
    const existing = await this.client.get(`/applications/${this.app}`, { allowNotFound: true });
    if (existing !== undefined) return this.journal.appCreated === this.o.applicationId;
    try {
      await this.client.post(
        `${this.owner}/applications`,
        { application: { ids: { application_id: this.o.applicationId } } },
        { idempotent: true },
      );
    } catch (e) {
      if (!(e instanceof TtsApiError && e.ttsName === 'id_taken')) throw e;
      // GET said 404 and the ID is taken: a soft-deleted application (tts-api.md Part 4), or a retried
      // create whose first answer was lost.
      if ((await this.client.get(`/applications/${this.app}`, { allowNotFound: true })) === undefined)
        await this.bringBack('app', `/applications/${this.app}`, this.o.applicationId);
    }
    this.journal.record({ t: 'app-created', app: this.o.applicationId });
    return true;
  }

  /**
   * Restores an application or gateway this journal soft-deleted, or purges it (admins only in TTS
   * v3.32) so that the ID can be created again; says what the key lacks when it may do neither.
   */
  private async bringBack(kind: 'app' | 'gateway', path: string, id: string): Promise<'restored' | 'purged'> {
    const what = kind === 'app' ? 'application' : 'gateway';
    if (!this.journal.softDeleted.has(`${kind}:${id}`)) {
      throw new SoftDeletedError(
        id,
        `${what} ${id} is deleted but its ID is still taken, and not by an earlier run of this scenario: ` +
          `restore or purge it in The Things Stack, or choose another ${what} ID`,
      );
    }
    const causes: string[] = [];
    try {
      await this.client.post(`${path}/restore`, {});
      this.journal.record({ t: 'restored', id: `${kind}:${id}` });
      this.log.info({ [what]: id }, `${what} restored (soft-deleted by an earlier teardown)`);
      return 'restored';
    } catch (e) {
      if (!(e instanceof TtsApiError)) throw e;
      causes.push(`restore: ${e.ttsName ?? e.status}`);
    }
    try {
      await this.client.delete(`${path}/purge`);
      this.journal.record({ t: 'restored', id: `${kind}:${id}` });
      this.log.info({ [what]: id }, `${what} purged (soft-deleted by an earlier teardown)`);
    } catch (e) {
      if (!(e instanceof TtsApiError)) throw e;
      causes.push(`purge: ${e.ttsName ?? e.status}`);
      throw new SoftDeletedError(
        id,
        `${what} ${id} was soft-deleted by an earlier teardown and its ID is still taken; this key may ` +
          `neither restore it (needs the ${what}'s delete right, within the deployment's restore window) ` +
          `nor purge it (admins only): ${causes.join(', ')}`,
      );
    }
    return 'purged';
  }

  /**
   * An application API key with only the rights the run needs; the journal keeps its id for teardown.
   * Creating a key is not idempotent: when an answer is lost (500, 503, a reset), keys of that name
   * the journal does not know are deleted before trying again, so no orphan key stays behind.
   */
  async createRunKey(name: string): Promise<string> {
    const path = `/applications/${this.app}/api-keys`;
    for (let attempt = 1; ; attempt++) {
      try {
        const r = await this.client.post<{ id: string; key: string }>(path, { name, rights: RUN_KEY_RIGHTS });
        this.journal.record({ t: 'api-key', app: this.o.applicationId, id: r.id });
        return r.key;
      } catch (e) {
        const lost =
          e instanceof TtsTransportError ||
          (e instanceof TtsApiError && (e.status === 500 || e.status === 503));
        if (!lost || attempt >= 3) throw e;
        const keys = await this.client.get<{ api_keys?: { id: string; name?: string }[] }>(path);
        for (const k of keys.api_keys ?? [])
          if (k.name === name && !this.journal.apiKeyIds.has(k.id))
            await this.client.delete(`${path}/${enc(k.id)}`, { allowNotFound: true });
      }
    }
  }

  async ensureGateway(g: GatewaySpec): Promise<void> {
    if (this.journal.gateways.has(g.gatewayId)) return;
    try {
      await this.ensureGatewayCreated(g);
    } catch (e) {
      if (!(e instanceof TtsApiError && e.ttsName === 'id_taken')) throw e;
      await this.adoptGateway(g);
    }
    this.journal.record({ t: 'gateway', id: g.gatewayId });
  }

  /**
   * The gateway ID is taken. Ours if its EUI matches (a retried create); soft-deleted by an earlier
   * teardown: restored and given its EUI back (TTS does not restore the EUI). Another EUI: refused.
   */
  private async adoptGateway(g: GatewaySpec): Promise<void> {
    const path = `/gateways/${enc(g.gatewayId)}`;
    const found = await this.client.get<{ ids?: { eui?: string } }>(path, {
      allowNotFound: true,
      query: { field_mask: 'ids' },
    });
    if (found === undefined) {
      if ((await this.bringBack('gateway', path, g.gatewayId)) === 'purged') {
        await this.ensureGatewayCreated(g);
        return;
      }
      await this.client.put(path, {
        gateway: { ids: { gateway_id: g.gatewayId, eui: g.eui } },
        field_mask: { paths: ['ids.eui'] },
      });
      return;
    }
    if ((found.ids?.eui ?? '').toUpperCase() !== g.eui.toUpperCase()) {
      throw new GatewayTakenError(
        g.gatewayId,
        `gateway ID ${g.gatewayId} is registered with EUI ${found.ids?.eui ?? '(none)'}, not ${g.eui}: ` +
          'another scenario or user has it; give this scenario another name or seed',
      );
    }
    // Same ID and EUI: this scenario's gateway (a create whose answer was lost, or an earlier run's).
  }

  private async ensureGatewayCreated(g: GatewaySpec): Promise<void> {
    await this.client.post(
      `${this.owner}/gateways`,
      {
        gateway: {
          ids: { gateway_id: g.gatewayId, eui: g.eui },
          frequency_plan_ids: [g.frequencyPlanId],
          enforce_duty_cycle: g.enforceDutyCycle ?? true,
          ...(g.serverAddress ? { gateway_server_address: g.serverAddress } : {}),
          require_authenticated_connection: false,
        },
      },
      { idempotent: true },
    );
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
        await this.client.post(base, isCreateBody(s), { idempotent: true });
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
      await step('js', async () => {
        await this.client.put(`/js/applications/${this.app}/devices/${dev}`, jsSetRequest(s).body);
        this.o.onJoinServerRecord?.(id);
      });
    await step('ns', async () => {
      await this.client.put(`/ns/applications/${this.app}/devices/${dev}`, nsSetRequest(s).body);
      this.o.onNetworkServerRecord?.(id);
    });
    await step('as', () =>
      this.client.put(`/as/applications/${this.app}/devices/${dev}`, asSetRequest(s).body),
    );
  }

  /**
   * Provisions every device, `concurrency` whole devices at a time (each IS → JS → NS → AS), so that
   * progress counts complete devices and a stop leaves none half-registered: once `signal` aborts,
   * devices in flight finish and no more start. Failures are collected, not fatal.
   */
  async provisionAll(
    specs: readonly DeviceSpec[],
    o: { concurrency?: number; signal?: AbortSignal } = {},
  ): Promise<{ ok: number; failed: { deviceId: string; error: Error }[]; skipped: number }> {
    let done = 0;
    let next = 0;
    const total = specs.length;
    const failed: { deviceId: string; error: Error }[] = [];
    // The worker below must not capture the spec list in an Error's closures: an Error kept in
    // `failed` keeps its stack's closures alive, and with them every spec of a million-device fleet.
    const take = (): DeviceSpec | undefined => (o.signal?.aborted ? undefined : specs[next++]);
    const worker = async () => {
      for (let s = take(); s !== undefined; s = take()) {
        try {
          await this.provisionDevice(s);
        } catch (e) {
          failed.push({ deviceId: s.deviceId, error: e as Error });
          this.log.warn({ device: s.deviceId, error: (e as Error).message }, 'provisioning failed');
        }
        this.o.onDevice?.(++done, total);
      }
    };
    const n = Math.max(1, Math.min(o.concurrency ?? 32, total));
    await Promise.all(Array.from({ length: n }, worker));
    return { ok: done - failed.length, failed, skipped: total - done };
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

  /** Removes what this scenario registered; see `teardown` for the order and what is counted. */
  teardown(o: TeardownRequest): Promise<TeardownResult> {
    return teardown(this.client, this.journal, this.o.applicationId, this.log, o);
  }

  /** Deletes the run keys this journal created: a run with `teardown: keep` leaves no key behind. */
  deleteRunKeys(): Promise<void> {
    return deleteApiKeys(this.client, this.journal, this.o.applicationId);
  }

  /**
   * Checks the journal against the target before trusting it: devices the Identity Server no longer
   * has and gateways it no longer knows (a network that lost its state, a manual delete) are
   * forgotten, so that they are registered again instead of counted as provisioned.
   */
  async verifyJournal(): Promise<{ devicesForgotten: number; gatewaysForgotten: number }> {
    const ids = [...this.journal.steps.keys()];
    let devicesForgotten = 0;
    for (let i = 0; i < ids.length; i += 20) {
      const batch = ids.slice(i, i + 20);
      const r = await this.client.get<{ end_devices?: { ids?: { device_id?: string } }[] }>(
        `/applications/${this.app}/devices/batch`,
        { query: { device_ids: batch, field_mask: 'ids' }, allowNotFound: true },
      );
      const found = new Set((r?.end_devices ?? []).map((d) => d.ids?.device_id));
      for (const id of batch) {
        if (found.has(id)) continue;
        this.journal.record({ t: 'device-removed', id });
        devicesForgotten++;
      }
    }
    let gatewaysForgotten = 0;
    for (const g of [...this.journal.gateways]) {
      const found = await this.client.get(`/gateways/${enc(g)}`, {
        allowNotFound: true,
        query: { field_mask: 'ids' },
      });
      if (found !== undefined) continue;
      this.journal.record({ t: 'gateway-forgotten', id: g });
      gatewaysForgotten++;
    }
    if (devicesForgotten + gatewaysForgotten > 0)
      this.log.warn(
        { devicesForgotten, gatewaysForgotten },
        'the target lacks what the journal says was registered; registering it again',
      );
    return { devicesForgotten, gatewaysForgotten };
  }
}
