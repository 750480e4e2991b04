import type { Scheduler } from '../simulator/time/scheduler.js';
import type { GatewayTransport } from '../simulator/semtech-udp/transport.js';
import type { ApplicationServer } from './application-server.js';
import type { EntityIds, EventBus } from './events.js';
import { applicationOf, compileNames } from './events.js';
import type { Registry } from './registry.js';
import { authenticate, requireApplicationRight } from './rights.js';
import { ttsCopy } from './tts-json.js';
import type { UdpFrontend } from './udp-frontend.js';
import type { LnsChannel, LnsFrontend } from './lns-frontend.js';

/**
 * The network's interfaces for a client in the same process and on the same scheduler: the gateway
 * server's Semtech UDP, the MQTT integration, the events stream and the downlink queue, each as a
 * scheduler event `latencyUs` after the other side acted. The same checks as over the wire apply (API
 * key rights, TTS's JSON with zero values left out), so a run in virtual time sees what it would see
 * on sockets — only without waiting for wall-clock I/O, so that it depends on its scenario and seed alone.
 */
export class InProcessAccess {
  constructor(
    private readonly o: {
      scheduler: Scheduler;
      latencyUs: number;
      registry: Registry;
      udp: UdpFrontend;
      lns: LnsFrontend;
      as: ApplicationServer;
      events: EventBus;
    },
  ) {}

  /** Gateways reach the gateway server through this (VirtualGateway `transport`). */
  get gatewayTransport(): GatewayTransport {
    return this.o.udp.inProcessTransport(this.o.latencyUs);
  }

  /** A Basics Station's traffic connection: its records, each way, as scheduler events. */
  stationChannel(eui: string, onText: (t: string) => void): LnsChannel {
    return this.o.lns.inProcess(eui, this.o.latencyUs, onText);
  }

  /**
   * The application's messages, as the MQTT integration publishes them (`v3/{app}/devices/{dev}/…`),
   * for a key with RIGHT_APPLICATION_TRAFFIC_READ. Returns the unsubscribe.
   */
  subscribeApplication(
    applicationId: string,
    key: string,
    onMessage: (topic: string, message: Record<string, unknown>) => void,
  ): () => void {
    requireApplicationRight(
      this.o.registry,
      authenticate(this.o.registry, key),
      applicationId,
      'RIGHT_APPLICATION_TRAFFIC_READ',
    );
    const prefix = `v3/${applicationId}/`;
    const sub = (topic: string, message: Record<string, unknown>) => {
      if (!topic.startsWith(prefix)) return;
      const copy = ttsCopy(message) as Record<string, unknown>;
      this.later(() => onMessage(topic, copy));
    };
    this.o.as.subscribers.add(sub);
    return () => this.o.as.subscribers.delete(sub);
  }

  /** The events stream for application identifiers (names: exact or /regex/), as `POST /events`. */
  subscribeEvents(
    identifiers: EntityIds[],
    names: string[],
    key: string,
    onEvent: (event: Record<string, unknown>) => void,
  ): () => void {
    const auth = authenticate(this.o.registry, key);
    for (const i of identifiers) {
      const app = applicationOf(i);
      if (app !== undefined)
        requireApplicationRight(this.o.registry, auth, app, 'RIGHT_APPLICATION_TRAFFIC_READ');
    }
    compileNames(names);
    return this.o.events.subscribe({
      identifiers,
      names,
      send: (e) => {
        const copy = ttsCopy(e) as Record<string, unknown>;
        this.later(() => onEvent(copy));
      },
    });
  }

  /**
   * `POST /as/applications/{app}/devices/{dev}/down/push`: queued `latencyUs` from now, as a request
   * would be; a refusal (NetworkError, as the HTTP API's) goes to `onError`.
   */
  pushDownlinks(
    applicationId: string,
    deviceId: string,
    key: string,
    body: { downlinks: unknown[] },
    onError: (e: Error) => void,
  ): void {
    const copy = ttsCopy(body);
    this.later(() => {
      try {
        requireApplicationRight(
          this.o.registry,
          authenticate(this.o.registry, key),
          applicationId,
          'RIGHT_APPLICATION_TRAFFIC_DOWN_WRITE',
        );
        this.o.as.enqueue(applicationId, deviceId, 'push', copy);
      } catch (e) {
        onError(e as Error);
      }
    });
  }

  private later(fn: () => void): void {
    this.o.scheduler.after(this.o.latencyUs, fn);
  }
}
