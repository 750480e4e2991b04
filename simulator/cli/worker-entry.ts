import { parentPort, workerData } from 'node:worker_threads';
import { runScenario } from '../engine/run.js';
import type { Shard } from '../scenario/shard.js';
import type { Scenario } from '../scenario/types.js';
import type { FromWorker, ToWorker } from './workers.js';

/** One worker thread: one shard of the scenario, with its own scheduler, gateways and devices. */
const data = workerData as {
  scenario: Scenario;
  shard: Shard;
  virtualTime: boolean;
  stateDir?: string;
  userAgent?: string;
};
const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);
let stop: () => void = () => undefined;
const stopSignal = new Promise<void>((r) => (stop = r));
port.on('message', (m: ToWorker) => {
  if (m.type === 'stop') stop();
});

// Observations go to the main thread with each progress tick, not one message each.
const batch = { sent: 0, joinRequests: 0, joinAccepts: 0, latenciesMs: [] as number[] };

runScenario(data.scenario, {
  virtualTime: data.virtualTime,
  shard: data.shard,
  ...(data.stateDir ? { stateDir: data.stateDir } : {}),
  ...(data.userAgent ? { userAgent: data.userAgent } : {}),
  stopSignal,
  metricsListener: {
    uplinkSent: () => batch.sent++,
    delivered: (ms) => batch.latenciesMs.push(ms),
    joinRequest: () => batch.joinRequests++,
    joinAccept: () => batch.joinAccepts++,
  },
  onProgress: (progress) => {
    post({ type: 'progress', progress, observed: { ...batch } });
    batch.sent = batch.joinRequests = batch.joinAccepts = 0;
    batch.latenciesMs = [];
  },
}).then(
  (report) => post({ type: 'report', report }),
  (e: unknown) =>
    post({
      type: 'error',
      message: e instanceof Error ? e.message : String(e),
      code: (e as { code?: string }).code,
    }),
);
