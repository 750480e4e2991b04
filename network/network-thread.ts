import type { Worker } from 'node:worker_threads';
import { startWorker } from '../simulator/io/worker.js';
import type { NetworkServerCounters } from './network-server.js';
import type { GatewayServerCounters } from './gateway-server.js';
import type { UdpFrontendCounters } from './udp-frontend.js';
import type { LnsFrontend } from './lns-frontend.js';
import type { NetworkAddresses } from './embedded-network.js';
import { LorafleetError } from '../crypto/errors.js';

/** What the network thread counted, and when its event loop stalled (wall-clock ms). */
export interface NetworkThreadSnapshot {
  counters: {
    ns: NetworkServerCounters;
    gs: GatewayServerCounters;
    udp: UdpFrontendCounters;
    lns: LnsFrontend['counters'];
  };
  stallsMs: [number, number][];
}

export type ToNetworkThread =
  | {
      type: 'fetch';
      id: number;
      url: string;
      method: string;
      headers: Record<string, string>;
      body?: string;
    }
  | { type: 'snapshot'; id: number }
  | { type: 'stop'; id: number };

export type FromNetworkThread =
  | { type: 'ready'; id: 0; addresses: NetworkAddresses }
  | { type: 'response'; id: number; status: number; headers: [string, string][]; body: string }
  | { type: 'snapshot'; id: number; snapshot: NetworkThreadSnapshot }
  | { type: 'stopped'; id: number }
  | { type: 'failed'; id: number; message: string };

export class NetworkThreadError extends LorafleetError {
  constructor(message: string) {
    super('NETWORK_THREAD', message);
  }
}

/** How often the host asks for fresh counts while the network runs, ms. */
const SNAPSHOT_EVERY_MS = 500;

/**
 * The embedded network on a worker thread of this process, for runs in wall time: gateways reach it
 * over loopback UDP and the application over MQTT as before, but its work (parsing every PUSH_DATA,
 * de-duplication, MIC checks, publishing) no longer waits behind the simulator's on one event loop.
 * The API is called by message (the same routes, keys and errors, no TCP round trip a device);
 * the events stream, which streams, over loopback HTTP.
 */
export class NetworkThread {
  private readonly waiting = new Map<number, (m: FromNetworkThread) => void>();
  private nextId = 1;
  private latest: NetworkThreadSnapshot | undefined;
  private poll: NodeJS.Timeout | undefined;
  private failure: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    readonly addresses: NetworkAddresses,
  ) {
    worker.on('message', (m: FromNetworkThread) => {
      const done = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (m.type === 'snapshot') this.latest = m.snapshot;
      done?.(m);
    });
    worker.on('error', (e) => this.fail(new NetworkThreadError(`the network thread failed: ${e.message}`)));
    worker.on('exit', (code) =>
      this.fail(new NetworkThreadError(`the network thread exited (code ${code})`)),
    );
    this.poll = setInterval(() => void this.refresh().catch(() => undefined), SNAPSHOT_EVERY_MS);
    this.poll.unref();
  }

  /** Starts the network on its own thread; resolves once its servers listen. */
  static async start(o: { rx1DelayS?: number; host?: string } = {}): Promise<NetworkThread> {
    const worker = startWorker(import.meta.url, 'network-thread-entry', { workerData: o });
    const first = await new Promise<FromNetworkThread>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) =>
        reject(new NetworkThreadError(`the network thread exited (code ${code})`)),
      );
    }).catch(async (e: unknown) => {
      await worker.terminate();
      throw e instanceof LorafleetError
        ? e
        : new NetworkThreadError(`the network thread failed: ${String(e)}`);
    });
    if (first.type !== 'ready') {
      await worker.terminate();
      throw new NetworkThreadError(
        `the network thread did not start: ${first.type === 'failed' ? first.message : first.type}`,
      );
    }
    const t = new NetworkThread(worker, first.addresses);
    await t.refresh();
    return t;
  }

  get apiKey(): string {
    return this.addresses.apiKey;
  }

  /** The HTTP API as a `fetch`: by message, except the events stream (loopback HTTP). */
  readonly fetch: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' || input instanceof URL ? input : input.url);
    if (url.pathname.endsWith('/events')) return fetch(input, init);
    if (init?.body !== undefined && init.body !== null && typeof init.body !== 'string')
      throw new NetworkThreadError('the network thread takes string request bodies only');
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
    const m = await this.ask({
      type: 'fetch',
      id: 0,
      url: url.href,
      method: init?.method ?? 'GET',
      headers,
      ...(typeof init?.body === 'string' ? { body: init.body } : {}),
    });
    if (m.type !== 'response') throw new NetworkThreadError(`the network thread did not answer: ${m.type}`);
    // A body is not allowed with 204, 205 and 304.
    const empty = m.status === 204 || m.status === 205 || m.status === 304;
    return new Response(empty ? null : m.body, { status: m.status, headers: m.headers });
  };

  /** The latest counts (at most SNAPSHOT_EVERY_MS old; `refresh` for fresh ones). */
  snapshot(): NetworkThreadSnapshot {
    return this.latest!;
  }

  /** Fresh counts from the thread. */
  async refresh(): Promise<NetworkThreadSnapshot> {
    const m = await this.ask({ type: 'snapshot', id: 0 });
    if (m.type !== 'snapshot') throw new NetworkThreadError(`the network thread did not answer: ${m.type}`);
    return m.snapshot;
  }

  /** Whether the network's loop stalled at some time in [fromMs, toMs] (wall clock), as last reported. */
  stalledBetween(fromMs: number, toMs: number): boolean {
    for (const [from, to] of this.latest?.stallsMs ?? []) if (from <= toMs && to >= fromMs) return true;
    return false;
  }

  async stop(): Promise<void> {
    clearInterval(this.poll);
    if (this.failure === undefined) await this.ask({ type: 'stop', id: 0 }).catch(() => undefined);
    this.failure ??= new NetworkThreadError('the network thread was stopped');
    await this.worker.terminate();
  }

  private ask(m: ToNetworkThread): Promise<FromNetworkThread> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, (a) =>
        a.type === 'failed' ? reject(new NetworkThreadError(`the network thread: ${a.message}`)) : resolve(a),
      );
      this.worker.postMessage({ ...m, id });
    });
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const done of this.waiting.values()) done({ type: 'failed', id: 0, message: e.message });
    this.waiting.clear();
  }
}
