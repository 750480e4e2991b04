import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { WallScheduler } from '../simulator/time/scheduler.js';
import { EmbeddedNetwork } from './embedded-network.js';
import { LoopSpells } from './loop-spells.js';
import type { FromNetworkThread, NetworkThreadSnapshot, ToNetworkThread } from './network-thread.js';

/*
 * The embedded network on a thread of its own (see network-thread.ts): started here on a wall clock,
 * answering the host's API requests and snapshots by message, its event loop's stalls and saturated
 * spells measured (loop-spells.ts).
 */

const port = parentPort!;
const o = workerData as { rx1DelayS?: number; host?: string };

const net = new EmbeddedNetwork({
  scheduler: new WallScheduler(),
  ...(o.rx1DelayS === undefined ? {} : { rx1DelayS: o.rx1DelayS }),
  ...(o.host === undefined ? {} : { host: o.host }),
});

/** A 10 ms tick more than 100 ms late (a stall), or 100 ms more than 90 % busy (saturated). */
const spells = new LoopSpells(Date.now(), {
  tickMs: 10,
  stallMs: 100,
  windowMs: 100,
  saturated: 0.9,
  keepMs: 60_000,
});
let utilization = performance.eventLoopUtilization();
const ticker = setInterval(
  () =>
    spells.tick(Date.now(), () => {
      const u = performance.eventLoopUtilization(utilization);
      utilization = performance.eventLoopUtilization();
      return u.utilization;
    }),
  10,
);

function snapshot(): NetworkThreadSnapshot {
  const c = net.counters();
  return {
    counters: { ns: c.ns, gs: c.gs, udp: c.udp, lns: net.lns.counters },
    stallsMs: spells.spells.slice(),
  };
}

async function answer(m: ToNetworkThread): Promise<FromNetworkThread | undefined> {
  switch (m.type) {
    case 'fetch': {
      const res = await net.http!.fetch(m.url, {
        method: m.method,
        headers: m.headers,
        ...(m.body === undefined ? {} : { body: m.body }),
      });
      const headers: [string, string][] = [];
      res.headers.forEach((v, k) => headers.push([k, v]));
      return { type: 'response', id: m.id, status: res.status, headers, body: await res.text() };
    }
    case 'snapshot':
      return { type: 'snapshot', id: m.id, snapshot: snapshot() };
    case 'stop':
      clearInterval(ticker);
      await net.stop();
      return { type: 'stopped', id: m.id };
  }
}

port.on('message', (m: ToNetworkThread) => {
  answer(m).then(
    (reply) => reply && port.postMessage(reply),
    (e: unknown) =>
      port.postMessage({
        type: 'failed',
        id: m.id,
        message: e instanceof Error ? e.message : String(e),
      } satisfies FromNetworkThread),
  );
});

net.start().then(
  (addresses) => port.postMessage({ type: 'ready', id: 0, addresses } satisfies FromNetworkThread),
  (e: unknown) =>
    port.postMessage({
      type: 'failed',
      id: 0,
      message: e instanceof Error ? e.message : String(e),
    } satisfies FromNetworkThread),
);
