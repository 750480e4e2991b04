import { readFileSync } from 'node:fs';
import {
  EmbeddedNetwork,
  NetworkThread,
  type InProcessAccess,
  type NetworkAddresses,
} from '../../network/index.js';
import type { Expanded } from '../scenario/expand.js';
import type { Scenario } from '../scenario/types.js';
import type { Scheduler } from '../time/scheduler.js';
import { apiKeyFrom, TtsClient } from '../tts/http-client.js';
import { FAILURE_EVENT_NAMES, subscriptionIdentifiers } from '../tts/events-stream.js';
import type { Logger } from '../tts/logger.js';
import type { Disposers } from './disposers.js';

/**
 * What a run talks to: a TTS deployment or the embedded network, reached the same way — the HTTP API,
 * the gateway server's Semtech UDP port, MQTT and the events stream.
 */
export interface RunTarget {
  readonly type: 'embedded' | 'tts';
  readonly client: TtsClient;
  readonly udp: { host: string; port: number };
  /** The gateway server's Basics Station endpoint, and the Authorization header stations send. */
  readonly lns?: { url: string; authorization?: string; ca?: Buffer };
  readonly mqttUrl: string;
  /**
   * Event names the events stream is asked for, where the target can filter by pattern; undefined:
   * every event of the subscribed identifiers.
   */
  readonly eventNames?: string[];
  /** Whom the events stream follows: the identifiers whose failures the run reports. */
  eventIdentifiers(applicationId: string, x: Expanded): Record<string, unknown>[];
  /**
   * A count that grows while the network takes in traffic, for virtual-time pacing; undefined where
   * the network's own counts are out of reach (a TTS deployment).
   */
  activity?(): number;
  /**
   * The network in this process on the run's own virtual clock: gateways, MQTT, events and downlinks
   * as scheduler events, so that the run waits on no socket and depends on its scenario and seed alone.
   */
  readonly inProcess?: InProcessAccess;
  /** What the network itself counted, for the report; `rejected` where it explained refusals. */
  counters(rejectedByEvents: Record<string, number>): Record<string, unknown>;
  /** Brings `counters` up to date where they are read from elsewhere (a network thread). */
  settle?(): Promise<void>;
  /**
   * The embedded network on a thread of its own: whether its loop stalled (datagrams waiting or
   * dropped in its socket) at some wall-clock time in [fromMs, toMs].
   */
  networkStalledBetween?(fromMs: number, toMs: number): boolean;
}

export interface TargetOptions {
  scheduler: Scheduler;
  /** Reach an embedded network in process (virtual time), not over loopback sockets. */
  inProcess?: boolean;
  /**
   * Register with an embedded network through its HTTP API called in this process (the same routes,
   * rights and errors, no TCP round trip a device), not over loopback HTTP.
   */
  provisionInProcess?: boolean;
  /** In wall time, run the embedded network on a worker thread of its own (default: on this one). */
  networkThread?: boolean;
  userAgent?: string;
  logger?: Logger;
}

/** The scenario's target, started where it is the embedded network; stopped by `cleanup`. */
export async function openTarget(s: Scenario, cleanup: Disposers, o: TargetOptions): Promise<RunTarget> {
  return s.target.type === 'embedded' ? embeddedTarget(s, cleanup, o) : ttsTarget(s, o);
}

/**
 * One way from the simulator to the in-process network and back, µs: a gateway's backhaul and the
 * integration's hop on a LAN, so that a datagram and its answer are two scheduler events, not one.
 */
const IN_PROCESS_LATENCY_US = 2_000;

/** What an embedded network offers wherever it runs: the API client, its addresses, the events asked for. */
function embeddedAccess(
  s: Scenario,
  o: TargetOptions,
  a: NetworkAddresses,
  fetch: typeof globalThis.fetch | undefined,
): Omit<RunTarget, 'counters'> {
  return {
    type: 'embedded',
    client: new TtsClient({
      target: { url: `http://127.0.0.1:${a.http!.port}` },
      apiKey: a.apiKey,
      userAgent: o.userAgent ?? 'lorafleet',
      concurrency: s.target.provisioning_concurrency,
      ...(o.logger ? { logger: o.logger } : {}),
      ...(o.provisionInProcess && fetch ? { fetch } : {}),
    }),
    udp: a.udp,
    lns: { url: `ws://127.0.0.1:${a.lns.port}`, authorization: `Bearer ${a.apiKey}` },
    mqttUrl: `mqtt://127.0.0.1:${a.mqtt!.port}`,
    // Only what explains a failure: the rest of the stream would cost the network more than the run.
    eventNames: [...FAILURE_EVENT_NAMES],
    // The embedded network publishes its NS events to application subscriptions too: one identifier
    // covers every device, however large the fleet.
    eventIdentifiers: (applicationId) => [{ application_ids: { application_id: applicationId } }],
  };
}

async function embeddedTarget(s: Scenario, cleanup: Disposers, o: TargetOptions): Promise<RunTarget> {
  if (o.networkThread && !o.inProcess) return threadTarget(s, cleanup, o);
  const net = new EmbeddedNetwork({ scheduler: o.scheduler, rx1DelayS: 1 });
  const a = await net.start();
  cleanup.defer('embedded network', () => net.stop());
  return {
    ...embeddedAccess(s, o, a, net.http?.fetch),
    ...(o.inProcess ? { inProcess: net.inProcess(IN_PROCESS_LATENCY_US) } : {}),
    activity: () =>
      net.counters().udp.pushData + net.lns.counters.connections + sum(net.lns.counters.records),
    counters: () => {
      const c = net.counters();
      return { ...c.ns, udp: c.udp, lns: net.lns.counters };
    },
  };
}

/** The embedded network on its own thread (wall time): the same interfaces, its counts by message. */
async function threadTarget(s: Scenario, cleanup: Disposers, o: TargetOptions): Promise<RunTarget> {
  const net = await NetworkThread.start({ rx1DelayS: 1 });
  cleanup.defer('embedded network thread', () => net.stop());
  return {
    ...embeddedAccess(s, o, net.addresses, net.fetch),
    counters: () => {
      const c = net.snapshot().counters;
      return { ...c.ns, udp: c.udp, lns: c.lns };
    },
    settle: async () => {
      await net.refresh();
    },
    networkStalledBetween: (fromMs, toMs) => net.stalledBetween(fromMs, toMs),
  };
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, n) => a + n, 0);

/**
 * Identifiers on one events stream (the embedded network refuses more, as a bound on one request):
 * every gateway, then the first devices, which stand for the fleet.
 */
const MAX_EVENT_IDENTIFIERS = 1000;

/** TTS's application subscriptions miss ns.up.*: follow devices one by one, and every gateway. */
function ttsEventIdentifiers(applicationId: string, x: Expanded): Record<string, unknown>[] {
  const gatewayIds = x.gateways.slice(0, MAX_EVENT_IDENTIFIERS).map((g) => g.id);
  const deviceIds = x.devices.slice(0, MAX_EVENT_IDENTIFIERS - gatewayIds.length).map((d) => d.deviceId);
  return subscriptionIdentifiers(applicationId, deviceIds, gatewayIds);
}

/** A `type: tts` target: the API client (key from the environment), the gateway server and MQTT addresses. */
export function ttsTarget(s: Scenario, o: { userAgent?: string; logger?: Logger }): RunTarget {
  const t = s.target!;
  const apiKey = apiKeyFrom({ env: t.api_key_env! });
  const client = new TtsClient({
    target: {
      ...(t.url ? { url: t.url } : {}),
      ...(t.tenant ? { tenant: t.tenant } : {}),
      ...(t.cluster ? { cluster: t.cluster } : {}),
      ...(t.ttn ? { ttn: true } : {}),
    },
    apiKey,
    userAgent: o.userAgent ?? 'lorafleet',
    concurrency: t.provisioning_concurrency,
    ...(o.logger ? { logger: o.logger } : {}),
  });
  const [host, port] = t.gateway_udp!.split(':');
  return {
    type: 'tts',
    client,
    udp: { host: host!, port: Number(port) },
    ...(t.gateway_lns
      ? {
          lns: {
            url: t.gateway_lns,
            authorization: `Bearer ${apiKey}`,
            // Checked when the scenario loaded: readable, a PEM certificate.
            ...(t.gateway_lns_ca ? { ca: readFileSync(t.gateway_lns_ca) } : {}),
          },
        }
      : {}),
    mqttUrl: t.mqtt_url ?? `mqtts://${new URL(client.urls.cluster).host}:8883`,
    eventNames: [...FAILURE_EVENT_NAMES],
    eventIdentifiers: ttsEventIdentifiers,
    counters: (rejected) => ({ rejected }),
  };
}
