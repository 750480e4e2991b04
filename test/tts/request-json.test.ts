import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedNetwork } from '../../network/embedded-network.js';
import { checkTtsJson, END_DEVICE_FIELDS, GATEWAY_FIELDS } from '../../network/tts-json.js';
import { expand } from '../../simulator/scenario/expand.js';
import { parseScenario } from '../../simulator/scenario/load.js';
import { VirtualScheduler } from '../../simulator/time/scheduler.js';
import { TtsClient } from '../../simulator/tts/http-client.js';
import { Journal } from '../../simulator/tts/journal.js';
import { Provisioner } from '../../simulator/tts/provisioning.js';

// Every body lorafleet sends while provisioning and tearing down, held to the form TTS itself writes
// (tts-api.md Part 4): bare wrapper values, enums as TTS names them, 64-bit integers as strings, hex
// EUIs and keys. `refused` would be a 400 from TTS; `form` is accepted but not TTS's own way.
const scenario = parseScenario(
  [
    'name: json-check',
    'seed: 5',
    'gateways: { count: 2 }',
    'fleets:',
    '  - { name: otaa-103, count: 2, activation: otaa, lorawan_version: 1.0.3 }',
    '  - { name: otaa-11, count: 2, activation: otaa, lorawan_version: 1.1 }',
    '  - { name: abp-103, count: 2, activation: abp, lorawan_version: 1.0.3 }',
    '  - { name: abp-11, count: 2, activation: abp, lorawan_version: 1.1 }',
    '  - { name: class-c, count: 2, activation: otaa, class: C }',
  ].join('\n'),
  'json-check.yaml',
);

describe("request bodies against TTS's JSON rules", () => {
  let net: EmbeddedNetwork;
  let url: string;
  beforeAll(async () => {
    net = new EmbeddedNetwork({ scheduler: new VirtualScheduler(), mqtt: false });
    url = `http://127.0.0.1:${(await net.start()).http!.port}`;
  });
  afterAll(() => net.stop());

  it('finds no problem in any body of a provisioning and teardown of every device kind', async () => {
    const sent: { method: string; path: string; body: Record<string, unknown> }[] = [];
    const recording = (async (input: string, init: RequestInit) => {
      if (typeof init.body === 'string')
        sent.push({
          method: init.method ?? 'GET',
          path: new URL(input).pathname,
          body: JSON.parse(init.body) as Record<string, unknown>,
        });
      return fetch(input, init);
    }) as typeof fetch;
    const client = new TtsClient({
      target: { url },
      apiKey: net.apiKey,
      userAgent: 'lorafleet/test',
      fetch: recording,
    });
    const x = expand(scenario);
    const p = new Provisioner(client, new Journal(), {
      applicationId: 'json-check',
      owner: { userId: 'admin' },
    });
    await p.ensureApplication();
    await p.createRunKey('lorafleet-json-check');
    for (const g of x.gateways)
      await p.ensureGateway({ gatewayId: g.id, eui: g.eui, frequencyPlanId: x.plan.id });
    // ABP sessions registered anew carry the counters their devices reached.
    const specs = x.devices.map((d) =>
      d.spec.activation === 'abp' ? { ...d.spec, counters: { fCntUp: 70_000, nFCntDown: 3 } } : d.spec,
    );
    expect((await p.provisionAll(specs)).failed).toEqual([]);
    // Updating an existing device (a rerun) goes through the IS update body too.
    await p.provisionDevice({ ...specs[0]!, deviceId: specs[0]!.deviceId });
    await p.teardown({ devices: specs, application: 'delete' });

    const deviceBodies = sent.filter((r) => 'end_device' in r.body);
    const gatewayBodies = sent.filter((r) => 'gateway' in r.body);
    // IS create, JS, NS and AS per device (no JS for ABP): all of them were seen and checked.
    expect(deviceBodies.filter((r) => r.path.includes('/ns/')).length).toBe(specs.length);
    expect(deviceBodies.filter((r) => r.path.includes('/js/')).length).toBe(6);
    expect(gatewayBodies).toHaveLength(2);
    for (const r of deviceBodies) {
      expect(
        checkTtsJson(r.body.end_device, END_DEVICE_FIELDS, 'end_device'),
        `${r.method} ${r.path}`,
      ).toEqual([]);
      // Every path a field mask names is a field TTS knows the JSON form of.
      const paths = (r.body.field_mask as { paths?: string[] } | undefined)?.paths ?? [];
      for (const path of paths) expect(Object.keys(END_DEVICE_FIELDS), `${r.path}: ${path}`).toContain(path);
    }
    for (const r of gatewayBodies)
      expect(checkTtsJson(r.body.gateway, GATEWAY_FIELDS, 'gateway'), `${r.method} ${r.path}`).toEqual([]);
    // The checker itself catches the mistakes TTS refuses, and the forms TTS never writes.
    expect(
      checkTtsJson(
        { mac_settings: { rx1_delay: { value: 1 }, rx2_frequency: 869525000 }, ids: { dev_eui: 'ab' } },
        END_DEVICE_FIELDS,
        'end_device',
      ).map((q) => [q.path, q.severity]),
    ).toEqual([
      ['end_device.ids.dev_eui', 'form'],
      ['end_device.mac_settings.rx1_delay', 'refused'],
      ['end_device.mac_settings.rx2_frequency', 'form'],
    ]);
  });
});
