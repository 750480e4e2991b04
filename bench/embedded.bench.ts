import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { EmbeddedNetwork } from '../network/index.js';
import { runScenario, type RunOptions } from '../simulator/engine/run.js';
import type { RunReport } from '../simulator/report/types.js';
import type { DeviceSpec } from '../simulator/scenario/device-spec.js';
import { parseScenario } from '../simulator/scenario/load.js';
import { VirtualScheduler } from '../simulator/time/scheduler.js';
import { asSetRequest, isCreateBody, nsSetRequest } from '../simulator/tts/requests.js';
import type { BenchResult } from './harness.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A compact ABP fleet against the embedded network in virtual time: what `lorafleet run` does at scale. */
const scaleScenario = (devices: number, duration: string, interval = '2m', jitter = '30s') =>
  parseScenario(
    [
      'name: embedded-bench',
      'seed: bench-1',
      `duration: ${duration}`,
      'drain: 10s',
      'gateways: { count: 10, placement: { type: grid, spacing: 3000 } }',
      'fleets:',
      `  - { name: meters, model: compact, count: ${devices}, activation: abp, lorawan_version: 1.0.3, data_rate: 5, interval: ${interval}, jitter: ${jitter}, payload: { type: counter, size: 12 }, positions: { type: random, radius: 4000 } }`,
    ].join('\n'),
    'embedded-bench.yaml',
  );

/** A run in a fresh state directory, with how long provisioning took (wall ms). */
async function timedRun(
  devices: number,
  duration: string,
  o: Pick<RunOptions, 'sockets' | 'virtualTime' | 'networkThread'>,
  scenario = scaleScenario(devices, duration),
): Promise<{ r: RunReport; provisionMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'lorafleet-bench-embedded-'));
  const startMs = performance.now();
  let provisionMs = 0;
  try {
    const r = await runScenario(scenario, {
      virtualTime: true,
      stateDir: dir,
      ...o,
      // From the start (the network's own start is a few ms of it) to the first traffic.
      onPhase: (phase) => {
        if (phase === 'traffic') provisionMs = performance.now() - startMs;
      },
    });
    return { r, provisionMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The embedded target in virtual time: registrations per second in process against over loopback
 * HTTP, and verified uplinks (delivered to the application and matched) per CPU-second of the run's
 * traffic, against the fleet path's uplinks per second on one core (`fleetPathPerS`, measured in the
 * same bench run) — how much the network, verifier and metrics cost beside the devices.
 */
export async function embeddedBenches(fleetPathPerS: number): Promise<BenchResult[]> {
  const devices = 5000;
  await timedRun(500, '1m', {}); // warm-up
  const inProcess = await timedRun(devices, '10m', {});
  const overHttp = await timedRun(devices, '1m', { sockets: true });
  const regIn = (devices * 1000) / inProcess.provisionMs;
  const regHttp = (devices * 1000) / overHttp.provisionMs;
  const h = inProcess.r.simulator;
  const cpuS = (h.cpuShare * h.wallMs) / 1000;
  const perCoreS = inProcess.r.metrics.uplinks_delivered / cpuS;
  return [
    {
      name: 'embedded.registrations-per-s',
      ops_per_s: regIn,
      baseline: 'loopback HTTP',
      baseline_ops_per_s: regHttp,
      ratio: regIn / regHttp,
      detail: `${devices} compact ABP devices through the API client`,
    },
    {
      name: 'embedded.verified-uplinks-per-core-s',
      ops_per_s: perCoreS,
      baseline: 'fleet path, one core',
      baseline_ops_per_s: fleetPathPerS,
      ratio: perCoreS / fleetPathPerS,
      detail: `${inProcess.r.metrics.uplinks_delivered} uplinks of ${devices} compact devices in 10 simulated minutes, ${(h.wallMs / 1000).toFixed(1)} s wall, CPU ${Math.round(h.cpuShare * 100)} %; target 20,000`,
    },
  ];
}

/**
 * The embedded target in wall time, `perS` uplinks/s offered for `seconds` (a device every 10 s, as
 * DR5 under the 1 % duty cycle allows): the share of uplinks delivered to the application and
 * matched. Target: 10,000/s for 5 minutes, at least 99.9 % delivered.
 */
export async function embeddedWallBenches(seconds: number, perS = 10_000): Promise<BenchResult[]> {
  const devices = perS * 10;
  const { r } = await timedRun(
    devices,
    `${seconds}s`,
    // As `lorafleet run` does in wall time: the network on a thread of its own.
    { virtualTime: false, networkThread: true },
    scaleScenario(devices, `${seconds}s`, '10s', '1s'),
  );
  const m = r.metrics;
  const h = r.simulator;
  const l = r.uplinkLosses;
  // Of the uplinks a gateway heard: one no gateway heard (the scenario's geometry) is no one's load.
  const heard = m.uplinks_sent - l['out-of-range'] - l.collided;
  return [
    {
      name: 'embedded.wall-time-delivered',
      ops_per_s: m.uplinks_delivered / seconds,
      baseline: 'uplinks a gateway heard',
      baseline_ops_per_s: heard / seconds,
      ratio: m.uplinks_delivered / Math.max(1, heard),
      detail:
        `${devices} compact ABP devices, ${perS} uplinks/s offered for ${seconds} s in wall time, network on its own thread: ` +
        `${m.uplinks_delivered}/${heard} heard by a gateway delivered (${m.uplinks_sent - heard} of ${m.uplinks_sent} sent heard by none; ` +
        `lost to the simulator's own lag ${l['simulator-late']}, to the network ${l.network}), timer lag p99 ${h.timerLagMs.p99} ms, ` +
        `CPU ${Math.round(h.cpuShare * 100)} %; target 10,000/s for 5 min, ≥ 99.9 % delivered`,
    },
  ];
}

/**
 * Heap the embedded network holds per registered device (registries of the IS, JS, NS and AS, with
 * an ABP session), against the bytes of the registration requests themselves: the network's overhead
 * over what it was told.
 */
export async function networkMemoryBenches(devices = 20_000): Promise<BenchResult[]> {
  const net = new EmbeddedNetwork({
    scheduler: new VirtualScheduler(0),
    mqtt: false,
    http: false,
  });
  await net.start();
  net.createApplication('bench', { user_id: 'admin' });
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  let requestBytes = 0;
  for (let i = 0; i < devices; i++) {
    const hex = (n: number, w: number) => n.toString(16).toUpperCase().padStart(w, '0');
    const s: DeviceSpec = {
      deviceId: `dev-${i}`,
      devEui: `00A0${hex(i, 12)}`,
      joinEui: '0000000000000000',
      activation: 'abp',
      lorawanVersion: '1.0.3',
      frequencyPlanId: 'EU_863_870',
      devAddr: hex(0x26000000 + i, 8),
      fNwkSIntKey: hex(i, 32),
      appSKey: hex(i + 1, 32),
    };
    const create = isCreateBody(s);
    net.devices.create('bench', create.end_device);
    requestBytes += JSON.stringify(create).length;
    // An ABP device has nothing at the JS (as provisioning does it).
    for (const [c, r] of [
      ['ns', nsSetRequest(s)],
      ['as', asSetRequest(s)],
    ] as const) {
      net.devices.set(c, 'bench', s.deviceId, r.body.end_device, r.paths);
      requestBytes += JSON.stringify(r).length;
    }
  }
  gc();
  gc();
  const perDevice = (process.memoryUsage().heapUsed - before) / devices;
  await net.stop();
  return [
    {
      name: 'embedded.heap-per-registered-device',
      ops_per_s: 0,
      value: perDevice,
      unit: 'B',
      baseline: 'its registration requests (JSON)',
      baseline_ops_per_s: 0,
      baseline_value: requestBytes / devices,
      ratio: requestBytes / devices / perDevice,
      detail: `${devices} ABP devices; target 2,048 B`,
    },
  ];
}
