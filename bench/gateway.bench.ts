import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { VirtualGateway, type UplinkReception } from '../simulator/gateway/gateway.js';
import { Rng } from '../simulator/random/rng.js';
import { WallScheduler } from '../simulator/time/scheduler.js';
import { stationTransport, webSocketConnect } from '../simulator/gateway/station-link.js';
import { EU868 } from '../simulator/region/eu868.js';
import type { BenchResult } from './harness.js';

const FRAME = Uint8Array.from(Buffer.from('40f17dbe4900020001954378762b11ff0d', 'hex'));

async function startSink(file = './udp-sink.mjs'): Promise<{
  worker: Worker;
  port: number;
  count: () => Promise<{ rxpk: number }>;
}> {
  const worker = new Worker(new URL(file, import.meta.url));
  const [{ port }] = (await once(worker, 'message')) as [{ port: number }];
  const count = async () => {
    worker.postMessage('count');
    const [c] = (await once(worker, 'message')) as [{ rxpk: number }];
    return c;
  };
  return { worker, port, count };
}

/**
 * Uplinks/s one gateway forwards to a loopback sink that answers PUSH_ACK: rxpk JSON, batching,
 * datagram send and ack matching, all on this thread. Counted at the sink, so only what arrived counts.
 */
async function uplinksPerSecond(maxBatch: number, ms: number, station = false): Promise<number> {
  const sink = await startSink(station ? './lns-sink.mjs' : './udp-sink.mjs');
  const eui = 'AA555A0000000001';
  const scheduler = new WallScheduler();
  const gw = new VirtualGateway(
    {
      eui: Uint8Array.from(Buffer.from(eui, 'hex')),
      server: { host: '127.0.0.1', port: sink.port },
      ...(station
        ? {
            transport: stationTransport({
              eui,
              region: EU868,
              session: 1,
              connect: webSocketConnect({ url: `ws://127.0.0.1:${sink.port}` }),
            }),
          }
        : {}),
      txFrequencyRange: [863e6, 870e6],
      maxBatch,
      statIntervalUs: 0,
      pushTimeoutUs: 1_000_000,
    },
    scheduler,
    new Rng(1),
  );
  await gw.start();
  const rx: UplinkReception = {
    phyPayload: FRAME,
    frequency: 868_100_000,
    modulation: 'LORA',
    datr: 'SF7BW125',
    codr: '4/5',
    rssi: -80,
    snr: 7.5,
  };
  const before = (await sink.count()).rxpk;
  const start = performance.now();
  // Offer uplinks in bursts and let the event loop send and receive between them.
  while (performance.now() - start < ms) {
    for (let i = 0; i < 256; i++) gw.receive(rx);
    await new Promise((r) => setImmediate(r));
  }
  const elapsed = performance.now() - start;
  await new Promise((r) => setTimeout(r, 100));
  const delivered = (await sink.count()).rxpk - before;
  await gw.stop();
  scheduler.stop();
  sink.worker.postMessage('stop');
  await once(sink.worker, 'exit');
  return (delivered * 1000) / elapsed;
}

export async function gatewayBenches(ms: number): Promise<BenchResult[]> {
  const batched = await uplinksPerSecond(8, Math.max(ms, 1500));
  const single = await uplinksPerSecond(1, Math.max(ms, 1500));
  // Basics Station sends one record per uplink: its baseline is the Semtech forwarder batching 8.
  const station = await uplinksPerSecond(8, Math.max(ms, 1500), true);
  return [
    {
      name: 'gateway.rxpk-to-udp-sink',
      ops_per_s: batched,
      baseline: 'one-datagram-per-uplink',
      baseline_ops_per_s: single,
      ratio: batched / single,
    },
    {
      name: 'gateway.basic-station-to-lns-sink',
      ops_per_s: station,
      baseline: 'semtech-udp-batched',
      baseline_ops_per_s: batched,
      ratio: station / batched,
      detail:
        'a virtual gateway on Basics Station: jreq/updf records over a WebSocket to an LNS in another thread',
    },
  ];
}
