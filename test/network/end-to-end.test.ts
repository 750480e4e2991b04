import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aes128Key, eui64 } from '../../crypto/index.js';
import { StateStore } from '../../simulator/device/state-store.js';
import { EmbeddedNetwork } from '../../network/embedded-network.js';
import { REGIONS } from '../../simulator/region/index.js';
import { FleetHarness } from '../helpers/fleet-harness.js';

const APP = 'e2e-app';
const APP_KEY_A = '2B7E151628AED2A6ABF7158809CF4F3C';
const APP_KEY_B = '000102030405060708090A0B0C0D0E0F';
const NWK_KEY_B = '0F0E0D0C0B0A09080706050403020100';

interface Msg {
  topic: string;
  body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

describe('end to end over loopback: devices → radio → 2 gateways → UDP → embedded network → MQTT, and back', () => {
  const fleet = new FleetHarness();
  let net: EmbeddedNetwork;
  let client: mqtt.MqttClient;
  let httpPort: number;
  const messages: Msg[] = [];

  function provisionOtaa(
    deviceId: string,
    devEui: string,
    version: 'MAC_V1_0_3' | 'MAC_V1_1',
    appKey: string,
    nwkKey?: string,
  ) {
    const ids = { device_id: deviceId, dev_eui: devEui, join_eui: '70B3D57ED0000000' };
    net.devices.create(APP, { ids });
    net.devices.set(
      'js',
      APP,
      deviceId,
      { ids, root_keys: { app_key: { key: appKey }, ...(nwkKey ? { nwk_key: { key: nwkKey } } : {}) } },
      [
        'ids.device_id',
        'ids.dev_eui',
        'ids.join_eui',
        'root_keys.app_key.key',
        ...(nwkKey ? ['root_keys.nwk_key.key'] : []),
      ],
    );
    net.devices.set(
      'ns',
      APP,
      deviceId,
      {
        ids,
        supports_join: true,
        lorawan_version: version,
        lorawan_phy_version: 'PHY_V1_0_3_REV_A',
        frequency_plan_id: 'EU_863_870',
      },
      [
        'ids.device_id',
        'ids.dev_eui',
        'ids.join_eui',
        'supports_join',
        'lorawan_version',
        'lorawan_phy_version',
        'frequency_plan_id',
      ],
    );
    net.devices.set('as', APP, deviceId, { ids }, ['ids.device_id', 'ids.dev_eui', 'ids.join_eui']);
  }

  beforeAll(async () => {
    net = new EmbeddedNetwork({ scheduler: fleet.sched, rx1DelayS: 1 });
    const addr = await net.start();
    httpPort = addr.http!.port;
    net.createApplication(APP);
    const key = net.registry.addApiKey(APP, 'e2e', [
      'RIGHT_APPLICATION_TRAFFIC_READ',
      'RIGHT_APPLICATION_TRAFFIC_DOWN_WRITE',
    ]);
    client = await mqtt.connectAsync(`mqtt://127.0.0.1:${addr.mqtt!.port}`, {
      username: APP,
      password: key.key,
      reconnectPeriod: 0,
    });
    await client.subscribeAsync([
      `v3/${APP}/devices/+/up`,
      `v3/${APP}/devices/+/join`,
      `v3/${APP}/devices/+/down/+`,
    ]);
    client.on('message', (topic, payload) => messages.push({ topic, body: JSON.parse(payload.toString()) }));
    await fleet.addGateway('gw-a', 'AA555A0000000001', 0, addr.udp.port);
    await fleet.addGateway('gw-b', 'AA555A0000000002', 1500, addr.udp.port);
    provisionOtaa('dev-a', '0004A30B001C0001', 'MAC_V1_0_3', APP_KEY_A);
    provisionOtaa('dev-b', '0004A30B001C0002', 'MAC_V1_1', APP_KEY_B, NWK_KEY_B);
    await fleet.pump(100);
  });

  afterAll(async () => {
    await client?.endAsync();
    await fleet.stop();
    await net.stop();
  });

  it('an OTAA 1.0.3 device and a 1.1 device join; the join messages reach MQTT', async () => {
    const common = {
      joinEui: eui64('70B3D57ED0000000'),
      deviceClass: 'A' as const,
      region: REGIONS.EU868,
      activation: 'otaa' as const,
      dataRate: 5,
      enforceDutyCycle: false,
    };
    const a = fleet.addDevice(
      {
        ...common,
        id: 'dev-a',
        devEui: eui64('0004A30B001C0001'),
        version: '1.0.3',
        appKey: aes128Key(APP_KEY_A),
      },
      400,
    );
    const b = fleet.addDevice(
      {
        ...common,
        id: 'dev-b',
        devEui: eui64('0004A30B001C0002'),
        version: '1.1',
        appKey: aes128Key(APP_KEY_B),
        nwkKey: aes128Key(NWK_KEY_B),
      },
      800,
    );
    a.start();
    b.start();
    await fleet.until(() => a.joined && b.joined, 60_000);
    await fleet.pump(200);
    expect(
      messages
        .filter((m) => m.topic.endsWith('/join'))
        .map((m) => m.body.end_device_ids.device_id)
        .sort(),
    ).toEqual(['dev-a', 'dev-b']);
    expect(net.ns.counters.joinAccepts).toBe(2);
    // Both gateways heard both joins: one accept each.
    expect(net.ns.counters.duplicates).toBeGreaterThanOrEqual(2);
  });

  it('unconfirmed and confirmed uplinks arrive once each on MQTT, deduplicated, with the right payload', async () => {
    const a = fleet.devices.get('dev-a')!;
    const b = fleet.devices.get('dev-b')!;
    a.send(10, Uint8Array.of(0xa1, 0x01));
    b.send(11, Uint8Array.of(0xb1, 0x01), true);
    await fleet.until(() => messages.filter((m) => m.topic.endsWith('/up')).length >= 2, 30_000);
    await fleet.until(() => !a.busy && !b.busy, 30_000);
    a.send(10, Uint8Array.of(0xa1, 0x02), true);
    b.send(11, Uint8Array.of(0xb1, 0x02));
    await fleet.until(() => messages.filter((m) => m.topic.endsWith('/up')).length >= 4, 30_000);
    await fleet.pump(3000);
    const ups = messages.filter((m) => m.topic.endsWith('/up'));
    expect(ups).toHaveLength(4);
    const byDev = (id: string) =>
      ups.filter((m) => m.body.end_device_ids.device_id === id).map((m) => m.body.uplink_message);
    expect(
      byDev('dev-a').map((u) => [
        u.f_port,
        Buffer.from(u.frm_payload, 'base64').toString('hex'),
        u.confirmed === true, // absent when false: TTS omits zero values
      ]),
    ).toEqual([
      [10, 'a101', false],
      [10, 'a102', true],
    ]);
    expect(
      byDev('dev-b').map((u) => [
        u.f_port,
        Buffer.from(u.frm_payload, 'base64').toString('hex'),
        u.confirmed === true, // absent when false: TTS omits zero values
      ]),
    ).toEqual([
      [11, 'b101', true],
      [11, 'b102', false],
    ]);
    // Each uplink was heard by both gateways: one message, two rx_metadata entries.
    expect(byDev('dev-a')[0].rx_metadata).toHaveLength(2);
    // The confirmed uplinks were acknowledged.
    expect(a.counters.confirmedAcked + b.counters.confirmedAcked).toBe(2);
    expect(a.counters.retransmissions + b.counters.retransmissions).toBe(0);
  });

  it('a downlink pushed through the HTTP API reaches the device in RX1; one pushed over MQTT follows', async () => {
    const a = fleet.devices.get('dev-a')!;
    const since = fleet.deviceEvents.length;
    const res = await fetch(
      `http://127.0.0.1:${httpPort}/api/v3/as/applications/${APP}/devices/dev-a/down/push`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${net.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          downlinks: [{ f_port: 42, frm_payload: Buffer.from('hello').toString('base64') }],
        }),
      },
    );
    expect(res.status).toBe(200);
    client.publish(
      `v3/${APP}/devices/dev-a/down/push`,
      JSON.stringify({ downlinks: [{ f_port: 43, frm_payload: Buffer.from('world').toString('base64') }] }),
    );
    await fleet.until(() => messages.filter((m) => m.topic.endsWith('/down/queued')).length >= 2, 10_000);
    const downs = () =>
      fleet.deviceEvents.slice(since).filter((e) => e.deviceId === 'dev-a' && e.type === 'downlink') as {
        fPort: number | null;
        payload: Uint8Array;
        window: string;
      }[];
    a.send(10, Uint8Array.of(0xa1, 0x03));
    await fleet.until(() => downs().length >= 1, 30_000);
    // FPending was set: the device sends an uplink soon by itself and gets the second downlink.
    await fleet.until(() => downs().length >= 2, 30_000);
    expect(downs().map((d) => [d.fPort, Buffer.from(d.payload).toString(), d.window])).toEqual([
      [42, 'hello', 'RX1'],
      [43, 'world', 'RX1'],
    ]);
    await fleet.pump(500);
    expect(messages.filter((m) => m.topic === `v3/${APP}/devices/dev-a/down/sent`)).toHaveLength(2);
  });

  it('a reused DevNonce is rejected, with the reason visible', async () => {
    // A 1.0.3 device that lost its state: the same random seed draws the same DevNonce again.
    const common = {
      joinEui: eui64('70B3D57ED0000000'),
      deviceClass: 'A' as const,
      region: REGIONS.EU868,
      activation: 'otaa' as const,
      dataRate: 5,
      enforceDutyCycle: false,
    };
    const cfg = {
      ...common,
      id: 'dev-c',
      devEui: eui64('0004A30B001C0003'),
      version: '1.0.3' as const,
      appKey: aes128Key(APP_KEY_A),
      joinRetryDelayMs: [600_000, 600_000] as const,
    };
    provisionOtaa('dev-c', '0004A30B001C0003', 'MAC_V1_0_3', APP_KEY_A);
    const rejects: string[] = [];
    net.events.subscribe({
      identifiers: [{ application_ids: { application_id: APP } }],
      names: ['js.join.reject'],
      send: (e) => rejects.push((e.data as { name: string }).name),
    });
    const first = fleet.addDevice(cfg, 300, StateStore.memory(), 'same-seed');
    first.start();
    await fleet.until(() => first.joined, 30_000);
    first.stop();
    const again = fleet.addDevice(cfg, 300, StateStore.memory(), 'same-seed');
    again.start();
    await fleet.until(() => rejects.length > 0, 30_000);
    expect(rejects).toEqual(['dev_nonce_reused']);
    expect(net.ns.counters.rejected.dev_nonce_reused).toBe(1);
    expect(again.joined).toBe(false);
  });
});
