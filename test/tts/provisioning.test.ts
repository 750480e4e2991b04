import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedNetwork } from '../../network/embedded-network.js';
import { getPath } from '../../network/paths.js';
import { VirtualScheduler } from '../../simulator/time/scheduler.js';
import { TtsClient } from '../../simulator/tts/http-client.js';
import { Journal } from '../../simulator/tts/journal.js';
import { EuisTakenError, Provisioner } from '../../simulator/tts/provisioning.js';
import type { DeviceSpec } from '../../simulator/scenario/device-spec.js';
import { FaultProxy } from '../helpers/fault-proxy.js';

const hex = (n: number, bytes: number) =>
  n
    .toString(16)
    .toUpperCase()
    .padStart(bytes * 2, '0');

function spec(i: number): DeviceSpec {
  const kinds = ['otaa-1.0', 'otaa-1.1', 'abp-1.0', 'abp-1.1'] as const;
  const kind = kinds[i % 4]!;
  const base = {
    deviceId: `dev-${i}`,
    devEui: hex(0x0004a30b00000000 + i, 8),
    frequencyPlanId: 'EU_863_870_TTN',
  };
  switch (kind) {
    case 'otaa-1.0':
      return {
        ...base,
        activation: 'otaa',
        lorawanVersion: '1.0.3',
        joinEui: '70B3D57ED0000000',
        appKey: hex(i, 16),
      };
    case 'otaa-1.1':
      return {
        ...base,
        activation: 'otaa',
        lorawanVersion: '1.1',
        joinEui: '70B3D57ED0000000',
        appKey: hex(i, 16),
        nwkKey: hex(i + 1, 16),
      };
    case 'abp-1.0':
      return {
        ...base,
        activation: 'abp',
        lorawanVersion: '1.0.3',
        devAddr: hex(0x26000000 + i, 4),
        fNwkSIntKey: hex(i + 2, 16),
        appSKey: hex(i + 3, 16),
        rx1Delay: 1,
      };
    default:
      return {
        ...base,
        activation: 'abp',
        lorawanVersion: '1.1',
        devAddr: hex(0x26000000 + i, 4),
        fNwkSIntKey: hex(i + 2, 16),
        sNwkSIntKey: hex(i + 4, 16),
        nwkSEncKey: hex(i + 5, 16),
        appSKey: hex(i + 3, 16),
        rx1Delay: 1,
      };
  }
}

describe('provisioning and teardown against the embedded network, through a proxy that fails 20 % of requests', () => {
  let net: EmbeddedNetwork;
  let proxy: FaultProxy;
  let url: string;
  /** The network itself, not through the proxy: for what a test arranges rather than tests. */
  let directUrl: string;
  const dir = mkdtempSync(join(tmpdir(), 'lorafleet-prov-'));

  beforeAll(async () => {
    net = new EmbeddedNetwork({ scheduler: new VirtualScheduler(), mqtt: false });
    const a = await net.start();
    directUrl = `http://127.0.0.1:${a.http!.port}`;
    proxy = new FaultProxy(directUrl, 0.2, 7);
    url = await proxy.start();
  });
  afterAll(async () => {
    await proxy.stop();
    await net.stop();
  });

  const newClient = (through: 'proxy' | 'direct' = 'proxy') =>
    new TtsClient({
      target: { url: through === 'proxy' ? url : directUrl },
      apiKey: net.apiKey,
      userAgent: 'lorafleet/test',
      concurrency: 16,
      maxAttempts: 12,
      backoffMs: 2,
      maxBackoffMs: 20,
      sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 10))), // the proxy's 1 s retries, shortened
    });

  function registered(): { is: number; js: number; ns: number; as: number; euis: Set<string> } {
    const c = { is: 0, js: 0, ns: 0, as: 0, euis: new Set<string>() };
    for (const d of net.registry.devices.values()) {
      if (d.applicationId !== 'prov-app') continue;
      if (d.is) {
        c.is++;
        c.euis.add(String(getPath(d.is, 'ids.dev_eui')));
      }
      if (d.js) c.js++;
      if (d.ns) c.ns++;
      if (d.as) c.as++;
    }
    return c;
  }

  it('provisions 500 devices exactly once each (OTAA and ABP, 1.0 and 1.1), then tears everything down', async () => {
    const journal = new Journal(join(dir, 'run1.journal'));
    const p = new Provisioner(newClient(), journal, {
      applicationId: 'prov-app',
      owner: { userId: 'admin' },
    });
    expect(await p.ensureApplication()).toBe(true);
    const key = await p.createRunKey('lorafleet-run');
    expect(net.registry.auth(key)).toBeDefined();
    for (let g = 0; g < 3; g++)
      await p.ensureGateway({
        gatewayId: `gw-${g}`,
        eui: `AA555A00000000${hex(g, 1)}`,
        frequencyPlanId: 'EU_863_870_TTN',
      });
    const specs = Array.from({ length: 500 }, (_, i) => spec(i));
    const result = await p.provisionAll(specs);
    expect(result.failed).toEqual([]);
    const r = registered();
    expect(r).toMatchObject({ is: 500, js: 250, ns: 500, as: 500 });
    expect(r.euis.size).toBe(500);
    // ABP sessions exist on the network; OTAA devices wait for their join.
    expect([...net.registry.devices.values()].filter((d) => d.session).length).toBe(250);
    expect(net.registry.gateways.size).toBe(3);
    // The proxy did inject every kind of fault, including answers lost after the server acted.
    expect(proxy.counts.rateLimited).toBeGreaterThan(0);
    expect(proxy.counts.unavailable).toBeGreaterThan(0);
    expect(proxy.counts.resetBefore).toBeGreaterThan(0);
    expect(proxy.counts.lostResponse).toBeGreaterThan(0);

    // Purge (the network key is an admin) so that the next tests can create the application again.
    await p.teardown({ devices: specs, application: 'purge' });
    expect(registered()).toMatchObject({ is: 0, js: 0, ns: 0, as: 0 });
    expect(net.registry.devices.size).toBe(0);
    // Gateways are soft-deleted, as in TTS: the IDs stay taken, the EUIs are released.
    expect([...net.registry.gateways.values()].filter((g) => typeof g.deleted_at !== 'string')).toHaveLength(
      0,
    );
    expect(net.registry.auth(key)).toBeUndefined();
    expect(net.registry.applications.has('prov-app')).toBe(false);
    // Batch deletes of at most 20 ids: 25 calls per registry for 500 devices (plus retries).
    const batchCalls = proxy.requests.filter(
      (r) => r === 'DELETE /api/v3/as/applications/prov-app/devices/batch',
    ).length;
    expect(batchCalls).toBeGreaterThanOrEqual(25);
    journal.close();
  }, 60_000);

  it('an interrupted provisioning resumes from its journal without duplicates', async () => {
    const file = join(dir, 'run2.journal');
    const specs = Array.from({ length: 120 }, (_, i) => spec(1000 + i));
    const j1 = new Journal(file);
    const p1 = new Provisioner(newClient(), j1, {
      applicationId: 'prov-app',
      owner: { userId: 'admin' },
      onDevice: (done) => {
        if (done === 50) throw new Error('interrupted');
      },
    });
    await p1.ensureApplication();
    // Provision one by one until the interruption, as a crash would stop it.
    let i = 0;
    try {
      for (; i < specs.length; i++) {
        await p1.provisionDevice(specs[i]!);
        if (i === 49) throw new Error('crash');
      }
    } catch {
      // interrupted after 50 devices
    }
    // Leave device 50 half-registered: IS only. Arranged directly: a create retried after a lost
    // answer through the proxy would meet its own first attempt (409).
    await newClient('direct').post('/applications/prov-app/devices', {
      end_device: {
        ids: {
          device_id: specs[50]!.deviceId,
          dev_eui: specs[50]!.devEui,
          ...(specs[50]!.joinEui ? { join_eui: specs[50]!.joinEui } : {}),
        },
      },
    });
    j1.close();
    expect(registered().is).toBe(51);
    const before = proxy.requests.length;

    const j2 = new Journal(file);
    expect([...j2.steps.keys()]).toHaveLength(50);
    const p2 = new Provisioner(newClient(), j2, { applicationId: 'prov-app', owner: { userId: 'admin' } });
    expect(await p2.ensureApplication()).toBe(true); // created by this run, as the journal says
    const result = await p2.provisionAll(specs);
    expect(result.failed).toEqual([]);
    const r = registered();
    expect(r.is).toBe(120);
    expect(r.ns).toBe(120);
    expect(r.as).toBe(120);
    expect(r.euis.size).toBe(120);
    // The 50 finished devices cost no request the second time.
    const second = proxy.requests.slice(before).filter((x) => /devices/.test(x)).length;
    expect(second).toBeLessThan(70 * 4 * 1.6);
    await p2.teardown({ devices: specs, application: 'purge' });
    expect(registered().is).toBe(0);
    expect(net.registry.applications.has('prov-app')).toBe(false); // purged: the ID is free again
    j2.close();
  }, 60_000);

  it('reports end_device_euis_taken with the device that holds the EUIs', async () => {
    const j = new Journal();
    const p = new Provisioner(newClient(), j, { applicationId: 'prov-app', owner: { userId: 'admin' } });
    await p.ensureApplication();
    await p.provisionDevice(spec(5000));
    const clash = { ...spec(5000), deviceId: 'other-name' };
    const e = await p.provisionDevice(clash).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(EuisTakenError);
    expect((e as EuisTakenError).holder).toEqual({ applicationId: 'prov-app', deviceId: 'dev-5000' });
    // Provisioning the same device again only brings it up to date.
    await p.provisionDevice(spec(5000));
    expect(registered().is).toBe(1);
    await p.teardown({ devices: [spec(5000)] });
  }, 30_000);
});

describe('run keys', () => {
  it('a key whose answer was lost is deleted before the next attempt: one key, the journalled one', async () => {
    const net = new EmbeddedNetwork({ scheduler: new VirtualScheduler(), mqtt: false });
    const a = await net.start();
    let lose = true;
    const losing = (async (input: string, init: RequestInit) => {
      const res = await fetch(input, init);
      if (lose && init.method === 'POST' && new URL(input).pathname.endsWith('/api-keys')) {
        lose = false;
        throw new TypeError('fetch failed'); // the key was made, the answer never arrived
      }
      return res;
    }) as typeof fetch;
    try {
      const client = new TtsClient({
        target: { url: `http://127.0.0.1:${a.http!.port}` },
        apiKey: net.apiKey,
        userAgent: 'lorafleet/test',
        fetch: losing,
        maxAttempts: 1,
      });
      const journal = new Journal();
      const p = new Provisioner(client, journal, { applicationId: 'key-app', owner: { userId: 'admin' } });
      await p.ensureApplication();
      const key = await p.createRunKey('lorafleet-keys');
      const keys = [...net.registry.applications.get('key-app')!.apiKeys.values()];
      expect(keys).toHaveLength(1);
      expect(keys[0]!.key).toBe(key);
      expect([...journal.apiKeyIds]).toEqual([keys[0]!.id]);
      await p.deleteRunKeys();
      expect(net.registry.applications.get('key-app')!.apiKeys.size).toBe(0);
    } finally {
      await net.stop();
    }
  });
});
