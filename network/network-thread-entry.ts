import { parentPort, workerData } from 'node:worker_threads';
import { WallScheduler } from '../simulator/time/scheduler.js';
import { EmbeddedNetwork } from './embedded-network.js';
import type { FromNetworkThread, NetworkThreadSnapshot, ToNetworkThread } from './network-thread.js';

/*
 * The embedded network on a thread of its own (see network-thread.ts): started here on a wall clock,
 * answering the host's API requests and snapshots by message, its event loop's stalls measured.
 */

const port = parentPort!;
const o = workerData as { rx1DelayS?: number; host?: string };

/** A stall of the loop past this is a spell in which datagrams may have waited or been dropped. */
const STALL_MS = 100;
const TICK_MS = 10;

const net = new EmbeddedNetwork({
  scheduler: new WallScheduler(),
  ...(o.rx1DelayS === undefined ? {} : { rx1DelayS: o.rx1DelayS }),
  ...(o.host === undefined ? {} : { host: o.host }),
});

/** [from, to] wall-clock ms of stalls, oldest first (the last minute's). */
const stalls: [number, number][] = [];
let expectedAt = Date.now() + TICK_MS;
const ticker = setInterval(() => {
  const now = Date.now();
  if (now - expectedAt > STALL_MS) stalls.push([expectedAt, now]);
  while (stalls.length > 0 && stalls[0]![1] < now - 60_000) stalls.shift();
  expectedAt = now + TICK_MS;
}, TICK_MS);

function snapshot(): NetworkThreadSnapshot {
  const c = net.counters();
  return {
    counters: { ns: c.ns, gs: c.gs, udp: c.udp, lns: net.lns.counters },
    stallsMs: stalls.slice(),
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
