import { performance } from 'node:perf_hooks';
import { aes128Key, eui64 } from '../crypto/index.js';
import { EmbeddedNetwork } from '../network/index.js';
import { REGIONS } from '../simulator/region/index.js';
import { asSetRequest, isCreateBody, jsSetRequest, nsSetRequest } from '../simulator/tts/requests.js';
import type { DeviceSpec } from '../simulator/scenario/device-spec.js';
import { FleetHarness } from '../test/helpers/fleet-harness.js';
import type { BenchResult } from './harness.js';

const hex = (n: number, bytes: number) =>
  n
    .toString(16)
    .toUpperCase()
    .padStart(bytes * 2, '0');

/**
 * A join storm against the embedded network: `devices` OTAA devices (LoRaWAN 1.0.3) behind 100
 * gateways start joining within ten seconds of virtual time, over real UDP on loopback, and retry as
 * firmware does until every one has a session. Joins/s is counted in wall time, from the first
 * Join-request to the last JoinAccept. Devices are registered in the network's registries directly
 * (the same request bodies as over its HTTP API, without the HTTP), so the figure is the join path:
 * device crypto, radio, gateways, Semtech UDP, the NS, the JS and back.
 */
export async function joinStormBenches(devices: number): Promise<BenchResult[]> {
  const h = new FleetHarness({ listeners: true, keepTraffic: false });
  const net = new EmbeddedNetwork({ scheduler: h.sched, mqtt: false, http: false, rx1DelayS: 1 });
  const { udp } = await net.start();
  net.createApplication('storm', { user_id: 'admin' });
  const gateways = 100;
  const span = 100_000; // metres: a gateway every kilometre along a line, devices among them
  for (let g = 0; g < gateways; g++)
    await h.addGateway(
      `gw-${g}`,
      `AA555A00000${hex(g, 2)}0`.slice(0, 16),
      (g + 0.5) * (span / gateways),
      udp.port,
    );
  const appKey = '2B7E151628AED2A6ABF7158809CF4F3C';
  for (let i = 0; i < devices; i++) {
    const s: DeviceSpec = {
      deviceId: `dev-${i}`,
      devEui: `00A0${hex(i, 6)}`,
      joinEui: '70B3D57ED0000001',
      activation: 'otaa',
      lorawanVersion: '1.0.3',
      frequencyPlanId: 'EU_863_870',
      appKey,
    };
    net.devices.create('storm', isCreateBody(s).end_device);
    for (const [c, r] of [
      ['js', jsSetRequest(s)],
      ['ns', nsSetRequest(s)],
      ['as', asSetRequest(s)],
    ] as const)
      net.devices.set(c, 'storm', s.deviceId, r.body.end_device, r.paths);
    const dev = h.addDevice(
      {
        id: s.deviceId,
        devEui: eui64(s.devEui),
        joinEui: eui64(s.joinEui!),
        appKey: aes128Key(appKey),
        version: '1.0.3',
        activation: 'otaa',
        deviceClass: 'A',
        region: REGIONS.EU868,
        dataRate: 5,
        joinRetryDelayMs: [5000, 15000],
      },
      ((i * 7919) % devices) * (span / devices),
    );
    h.sched.at(h.sched.now() + ((i * 104729) % devices) * (10e6 / devices), () => dev.start());
  }
  const start = performance.now();
  const all = [...h.devices.values()];
  let joined = 0;
  for (let t = 0; t < 1800 && joined < devices; t++) {
    await h.pump(1000);
    joined = 0;
    for (const d of all) if (d.joined) joined++;
  }
  const seconds = (performance.now() - start) / 1000;
  const requests = all.reduce((a, d) => a + d.counters.joinRequests, 0);
  await h.stop();
  await net.stop();
  return [
    {
      name: `scale.join-storm-${devices >= 1000 ? `${devices / 1000}k` : devices}-otaa`,
      ops_per_s: joined / seconds,
      baseline: 'Join-requests/s',
      baseline_ops_per_s: requests / seconds,
      ratio: joined / requests,
      detail: `${joined}/${devices} joined after ${requests} Join-requests, ${seconds.toFixed(1)} s wall, ${(h.sched.now() / 1e6) | 0} s virtual`,
    },
  ];
}
