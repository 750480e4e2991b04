import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedNetwork } from '../../network/embedded-network.js';
import { WallScheduler } from '../../simulator/time/scheduler.js';
import { TtsClient } from '../../simulator/tts/http-client.js';
import { Journal } from '../../simulator/tts/journal.js';
import { Provisioner } from '../../simulator/tts/provisioning.js';
import { MqttConnectError, UplinkVerifier } from '../../simulator/tts/uplink-verifier.js';

// The MQTT integration refuses what a key may not do without dropping the connection (issue 13
// item 2): a forbidden SUBSCRIBE gets SUBACK 0x80, a forbidden PUBLISH is dropped.
const sched = new WallScheduler();
let net: EmbeddedNetwork;
let url: string;
let readKey: string;
let client: TtsClient;

beforeAll(async () => {
  net = new EmbeddedNetwork({ scheduler: sched });
  const a = await net.start();
  url = `mqtt://127.0.0.1:${a.mqtt!.port}`;
  client = new TtsClient({
    target: { url: `http://127.0.0.1:${a.http!.port}` },
    apiKey: net.apiKey,
    userAgent: 'lorafleet/test',
  });
  for (const app of ['mine-app', 'other-app']) {
    const p = new Provisioner(client, new Journal(), { applicationId: app, owner: { userId: 'admin' } });
    await p.ensureApplication();
    await p.provisionDevice({
      deviceId: 'dev-1',
      devEui: app === 'mine-app' ? '00000000000000E1' : '00000000000000E2',
      activation: 'abp',
      lorawanVersion: '1.0.3',
      frequencyPlanId: 'EU_863_870',
      devAddr: app === 'mine-app' ? '260000E1' : '260000E2',
      fNwkSIntKey: '11'.repeat(16),
      appSKey: '22'.repeat(16),
      rx1Delay: 1,
    });
  }
  const k = await client.post<{ key: string }>('/applications/mine-app/api-keys', {
    name: 'read-only',
    rights: ['RIGHT_APPLICATION_TRAFFIC_READ'],
  });
  readKey = k.key;
});
afterAll(async () => {
  await net.stop();
  sched.stop();
});

const queued = async (app: string) =>
  ((await client.get<{ items?: unknown[] }>(`/as/applications/${app}/devices/dev-1/down`)).items ?? [])
    .length;

describe('MQTT refusals keep the connection', () => {
  it('SUBACK 0x80 for another application, granted for its own; forbidden publishes dropped', async () => {
    const c = await mqtt.connectAsync(url, { username: 'mine-app', password: readKey, reconnectPeriod: 0 });
    try {
      // MQTT.js turns SUBACK 0x80 into a rejection: the broker refused, and said so in the SUBACK.
      const refused = await c.subscribeAsync('v3/other-app/devices/+/up').then(
        (g) => g[0]!.qos,
        (e: Error) => e.message,
      );
      expect([128, 'Subscribe error: Unspecified error']).toContain(refused);
      const granted = await c.subscribeAsync('v3/mine-app/devices/+/up');
      expect(granted[0]!.qos).toBe(0);
      const push = JSON.stringify({ downlinks: [{ f_port: 3, frm_payload: 'AQI=' }] });
      // No DOWN_WRITE right on its own application, no right at all on the other one.
      await c.publishAsync('v3/mine-app/devices/dev-1/down/push', push);
      await c.publishAsync('v3/other-app/devices/dev-1/down/push', push);
      await new Promise((r) => setTimeout(r, 200));
      expect(await queued('mine-app')).toBe(0);
      expect(await queued('other-app')).toBe(0);
      expect(c.connected).toBe(true);
      expect((await c.subscribeAsync('v3/mine-app/devices/+/join'))[0]!.qos).toBe(0);
    } finally {
      await c.endAsync();
    }
  });

  it('the uplink verifier names the missing right when its subscription is refused', async () => {
    const k = await client.post<{ key: string }>('/applications/mine-app/api-keys', {
      name: 'no-traffic',
      rights: ['RIGHT_APPLICATION_DEVICES_READ'],
    });
    const v = new UplinkVerifier();
    const e = await v.connect(url, 'mine-app', k.key, 'mine-app').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MqttConnectError);
    expect((e as Error).message).toMatch(
      /refused the subscription .* needs RIGHT_APPLICATION_TRAFFIC_READ on mine-app/,
    );
  });
});
