import { fork } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { build } from 'hdr-histogram-js';
import {
  CompactFleet,
  type CompactFleetOptions,
  type CompactTransmission,
} from '../simulator/device/compact-fleet.js';
import { VirtualDevice } from '../simulator/device/device.js';
import { deviceConfigFor } from '../simulator/engine/firmware-fleet.js';
import { expand } from '../simulator/scenario/expand.js';
import { parseScenario } from '../simulator/scenario/load.js';
import type { DeviceRadio } from '../simulator/device/types.js';
import { StateStore } from '../simulator/device/state-store.js';
import { ByteSlab } from '../simulator/device/byte-slab.js';
import { VirtualGateway } from '../simulator/gateway/gateway.js';
import { Rng } from '../simulator/random/rng.js';
import { REGIONS } from '../simulator/region/index.js';
import { VirtualScheduler, WallScheduler, type Scheduler } from '../simulator/time/scheduler.js';
import type { BenchResult } from './harness.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * Heap plus array buffers (a fleet in typed arrays lives in the second) after a full GC. Array buffers are freed on a background thread after the
 * GC that finds them dead, so their count settles a moment later: it is read after a pause.
 */
async function memory(): Promise<number> {
  gc();
  gc();
  await new Promise((r) => setTimeout(r, 100));
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const BASE = 0x26000000;
const keyOf = (i: number, out: Uint8Array) => {
  // Cheap and distinct per device; what the bench measures is the fleet, not key derivation.
  for (let j = 0; j < out.length; j++) out[j] = (i * 131 + j * 17) & 0xff;
};

function compactFleet(
  count: number,
  scheduler: Scheduler,
  radio: (tx: CompactTransmission) => void,
  over: Partial<CompactFleetOptions> = {},
  onLag?: (us: number) => void,
): CompactFleet {
  return new CompactFleet(
    {
      count,
      region: REGIONS.EU868,
      version: '1.0',
      dataRate: 5,
      fPort: 2,
      payloadSize: 12,
      intervalUs: 60e6,
      devAddr: (i) => BASE + i,
      indexOf: (a) => a - BASE,
      sessionKeys: keyOf,
      rng: new Rng('bench'),
      ...over,
    },
    scheduler,
    radio,
    onLag,
  );
}

/** `count` class A ABP devices as `lorafleet run` plans them (keys and EUIs derived from the seed). */
const abpPlans = (count: number) =>
  expand(
    parseScenario(
      [
        'name: device-heap',
        'seed: bench-1',
        'duration: 1m',
        'gateways: { count: 1 }',
        'fleets:',
        `  - { name: meters, count: ${count}, activation: abp, lorawan_version: 1.0.3, data_rate: 5, interval: 1m, payload: { type: counter, size: 12 } }`,
      ].join('\n'),
      'device-heap.yaml',
    ),
  ).devices;

/** Devices `from` … `from + count − 1` of such a fleet, configured by the engine's own code (firmware-fleet.ts). */
function virtualDevices(
  from: number,
  count: number,
  scheduler: Scheduler,
  radio: DeviceRadio,
  store: StateStore,
  slab: ByteSlab,
): VirtualDevice[] {
  return abpPlans(from + count)
    .slice(from)
    .map(
      (plan) =>
        new VirtualDevice(
          deviceConfigFor(plan, REGIONS.EU868, true, slab),
          scheduler,
          radio,
          new Rng(plan.deviceId),
          store,
        ),
    );
}

/**
 * Heap a VirtualDevice holds between uplinks: started, one uplink sent and its receive windows
 * closed. Measured as the growth from a second 10,000 devices over the first, so the fleet's
 * bounded caches (cipher keys) and fixed costs, filled by the first, are not charged to each device.
 */
async function virtualDeviceHeap(): Promise<number> {
  const scheduler = new VirtualScheduler(0);
  const N = 10_000;
  const radio: DeviceRadio = { transmit: () => undefined };
  const store = StateStore.memory();
  const slab = new ByteSlab();
  const devices: VirtualDevice[] = [];
  const payload = new Uint8Array(12);
  // The plans of a batch are let go before the heap is read: only the devices stay.
  const add = (from: number) => {
    for (const d of virtualDevices(from, N, scheduler, radio, store, slab)) {
      devices.push(d);
      d.start();
      d.send(2, payload);
    }
    scheduler.advanceBy(10e6); // past RX2
  };
  add(0);
  const first = await memory();
  add(N);
  const perDevice = ((await memory()) - first) / N;
  if (devices.some((d) => d.counters.uplinks !== 1))
    throw new Error('a bench device did not send its uplink');
  for (const d of devices) d.stop();
  return perDevice;
}

/** Bytes per idle device: a CompactFleet of `n`, against VirtualDevices between uplinks. */
export async function memoryBenches(sizes: number[]): Promise<BenchResult[]> {
  const scheduler = new VirtualScheduler(0);
  const perVirtual = await virtualDeviceHeap();
  const out: BenchResult[] = [];
  for (const n of sizes) {
    const before = await memory();
    let fleet: CompactFleet | undefined = compactFleet(n, scheduler, () => undefined);
    fleet.start();
    const idle = ((await memory()) - before) / n;
    fleet.stop();
    fleet = undefined;
    await new Promise((r) => setImmediate(r));
    out.push({
      name: `scale.memory-per-idle-device.${n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}k`}`,
      ops_per_s: 0,
      value: idle,
      unit: 'B',
      baseline: 'VirtualDevice',
      baseline_ops_per_s: 0,
      baseline_value: perVirtual,
      ratio: perVirtual / idle,
    });
  }
  const compact = out[0]!.value!;
  out.push({
    name: 'scale.virtual-device-idle-heap',
    ops_per_s: 0,
    value: perVirtual,
    unit: 'B',
    baseline: 'compact device',
    baseline_ops_per_s: 0,
    baseline_value: compact,
    ratio: compact / perVirtual,
    detail:
      "a class A ABP VirtualDevice between uplinks (MAC state, session, counters, its entry in the fleet's state store), the growth from a second 10,000; target 1,024 B",
  });
  return out;
}

async function startSink(): Promise<{ worker: Worker; port: number; count: () => Promise<number> }> {
  const worker = new Worker(new URL('./udp-sink.mjs', import.meta.url));
  const [{ port }] = (await once(worker, 'message')) as [{ port: number }];
  return {
    worker,
    port,
    count: async () => {
      worker.postMessage('count');
      const [c] = (await once(worker, 'message')) as [{ rxpk: number }];
      return c.rxpk;
    },
  };
}

async function gatewayTo(port: number, scheduler: Scheduler, n: number): Promise<VirtualGateway> {
  const gw = new VirtualGateway(
    {
      eui: Uint8Array.from([0xaa, 0x55, 0x5a, 0, 0, 0, 0, n]),
      server: { host: '127.0.0.1', port },
      txFrequencyRange: [863e6, 870e6],
      statIntervalUs: 0,
      pushTimeoutUs: 5_000_000,
    },
    scheduler,
    new Rng(n),
  );
  await gw.start();
  return gw;
}

/** Every uplink heard by `gw` as a good SF7 reception: the radio is not what these benches measure. */
const receiver = (gw: VirtualGateway) => (phy: Uint8Array) =>
  gw.receive({
    phyPayload: phy,
    frequency: 868_100_000,
    modulation: 'LORA',
    datr: 'SF7BW125',
    codr: '4/5',
    rssi: -80,
    snr: 7,
  });

/**
 * Uplinks/s from devices to a loopback sink answering PUSH_ACK, on this one thread: frame build
 * (crypto), the fleet's scheduling, the gateway's rxpk JSON and datagrams. Virtual time runs as fast
 * as the CPU allows; only what reached the sink counts.
 */
export async function endToEnd(kind: 'compact' | 'virtual', devices: number, ms: number): Promise<number> {
  const sink = await startSink();
  const scheduler = new VirtualScheduler(0);
  const gw = await gatewayTo(sink.port, scheduler, 1);
  const rx = receiver(gw);
  let stop: () => void;
  if (kind === 'compact') {
    const fleet = compactFleet(devices, scheduler, (tx) => rx(tx.phyPayload), {
      intervalUs: 10e6,
      spreadUs: 10e6,
    });
    fleet.start();
    stop = () => fleet.stop();
  } else {
    const radio: DeviceRadio = { transmit: (tx) => rx(tx.phyPayload) };
    const store = StateStore.memory();
    const slab = new ByteSlab();
    const all = virtualDevices(0, devices, scheduler, radio, store, slab);
    for (const d of all) d.start();
    // Each device sends every 10 s, as the compact fleet does.
    const tick = (d: VirtualDevice) => {
      if (!d.busy) d.send(2, new Uint8Array(12), false);
    };
    all.forEach((d, i) => {
      const again = () => {
        tick(d);
        scheduler.after(10e6, again);
      };
      scheduler.at((i / devices) * 10e6, again);
    });
    stop = () => all.forEach((d) => d.stop());
  }
  const first = await sink.count();
  const start = performance.now();
  while (performance.now() - start < ms) {
    scheduler.advanceBy(20_000);
    await new Promise((r) => setImmediate(r));
  }
  const elapsed = performance.now() - start;
  stop();
  await new Promise((r) => setTimeout(r, 200));
  const arrived = (await sink.count()) - first;
  await gw.stop();
  sink.worker.postMessage('stop');
  await once(sink.worker, 'exit');
  return (arrived * 1000) / elapsed;
}

/**
 * The fleet path in wall time at `perS` uplinks/s offered (`devices` compact devices, each uplink heard
 * by `gateways` gateways): CPU of this process per uplink sent, µs, over `ms` after a second of warm-up.
 * The sink is a child process, so that only the path is counted — the baseline of a run at the same
 * rate and with as many receptions an uplink.
 */
export async function fleetPathCpuAt(
  perS: number,
  devices: number,
  ms: number,
  gateways = 1,
): Promise<{ cpuPerUplinkUs: number; uplinksPerS: number }> {
  const child = fork(fileURLToPath(new URL('./udp-sink.mjs', import.meta.url)));
  try {
    const [{ port }] = (await once(child, 'message')) as [{ port: number }];
    const count = async () => {
      child.send('count');
      const [c] = (await once(child, 'message')) as [{ rxpk: number }];
      return c.rxpk;
    };
    const scheduler = new WallScheduler();
    const gws = await Promise.all(
      Array.from({ length: gateways }, (_, i) => gatewayTo(port, scheduler, 3 + i)),
    );
    const rxs = gws.map(receiver);
    const intervalUs = (devices / perS) * 1e6;
    const fleet = compactFleet(devices, scheduler, (tx) => rxs.forEach((rx) => rx(tx.phyPayload)), {
      intervalUs,
      spreadUs: intervalUs,
    });
    fleet.start();
    await new Promise((r) => setTimeout(r, 1000));
    const [c0, u0, t0] = [await count(), process.cpuUsage(), performance.now()];
    await new Promise((r) => setTimeout(r, ms));
    const [u1, t1] = [process.cpuUsage(), performance.now()];
    const arrived = ((await count()) - c0) / gateways;
    fleet.stop();
    scheduler.stop();
    for (const gw of gws) await gw.stop();
    return {
      cpuPerUplinkUs: (u1.user + u1.system - u0.user - u0.system) / arrived,
      uplinksPerS: (arrived * 1000) / (t1 - t0),
    };
  } finally {
    child.send('stop');
    await once(child, 'exit');
  }
}

export async function endToEndBenches(ms: number): Promise<BenchResult[]> {
  const compact = await endToEnd('compact', 100_000, Math.max(ms, 3000));
  const virtual = await endToEnd('virtual', 10_000, Math.max(ms, 3000));
  return [
    {
      name: 'scale.uplinks-per-s-one-core',
      ops_per_s: compact,
      baseline: 'VirtualDevice',
      baseline_ops_per_s: virtual,
      ratio: compact / virtual,
    },
  ];
}

/**
 * Planned versus actual transmit time in wall time, 100,000 devices at 10,000 uplinks/s through a
 * gateway to the loopback sink: the fleet's one heap and one timer against one setTimeout per device.
 */
export async function lagBenches(ms: number): Promise<BenchResult[]> {
  const run = async (kind: 'compact' | 'setTimeout') => {
    const sink = await startSink();
    const scheduler = new WallScheduler();
    const gw = await gatewayTo(sink.port, scheduler, 2);
    const lag = build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 60_000_000,
      numberOfSignificantValueDigits: 3,
    });
    const rx = receiver(gw);
    const duration = Math.max(ms, 5000);
    const devices = 100_000;
    const interval = 10e6;
    let stop: () => void;
    // The first second fills the heap and warms up; lag counts from then on.
    const warmUntil = scheduler.now() + 1e6;
    if (kind === 'compact') {
      const fleet = compactFleet(
        devices,
        scheduler,
        (tx) => rx(tx.phyPayload),
        { intervalUs: interval, spreadUs: interval },
        (us) => {
          if (scheduler.now() > warmUntil) lag.recordValue(Math.max(1, Math.round(us)));
        },
      );
      fleet.start();
      stop = () => fleet.stop();
    } else {
      const timers: NodeJS.Timeout[] = [];
      const t0 = performance.now();
      const frame = new Uint8Array(25);
      for (let i = 0; i < devices; i++) {
        const planned = (((i * 7919) % devices) * (interval / devices)) / 1000;
        const fire = (at: number) => {
          const now = performance.now() - t0;
          if (now * 1000 > 1e6) lag.recordValue(Math.max(1, Math.round((now - at) * 1000)));
          rx(frame);
          timers[i] = setTimeout(() => fire(at + interval / 1000), at + interval / 1000 - now);
        };
        timers[i] = setTimeout(() => fire(planned), planned);
      }
      stop = () => timers.forEach((t) => clearTimeout(t));
    }
    await new Promise((r) => setTimeout(r, duration));
    stop();
    scheduler.stop();
    await gw.stop();
    sink.worker.postMessage('stop');
    await once(sink.worker, 'exit');
    return {
      p50: lag.getValueAtPercentile(50) / 1000,
      p99: lag.getValueAtPercentile(99) / 1000,
      n: lag.totalCount,
    };
  };
  const compact = await run('compact');
  const naive = await run('setTimeout');
  return [
    {
      name: 'scale.schedule-lag-p99-at-10k-per-s',
      ops_per_s: 0,
      value: compact.p99,
      unit: 'ms',
      baseline: 'setTimeout-per-device',
      baseline_ops_per_s: 0,
      baseline_value: naive.p99,
      ratio: naive.p99 / Math.max(compact.p99, 0.001),
      detail: `p50 ${compact.p50.toFixed(2)} ms, ${compact.n} uplinks timed (baseline p50 ${naive.p50.toFixed(2)} ms)`,
    },
  ];
}
