import type { MacCommand } from '../simulator/lorawan/mac/fields.js';
import type { Scheduler } from '../simulator/time/scheduler.js';
import { ApplicationServer } from './application-server.js';
import { DeviceRegistries } from './device-registries.js';
import { EventBus } from './events.js';
import { JoinServer } from './join-server.js';
import { MqttBroker } from './mqtt-broker.js';
import { NetworkServer, type NetworkServerCounters } from './network-server.js';
import { Registry } from './registry.js';
import { UdpFrontend, type GatewayUplink, type UdpFrontendCounters } from './udp-frontend.js';
import { LnsFrontend } from './lns-frontend.js';
import { getPath } from './paths.js';
import { frequencyPlan, type FrequencyPlan } from '../simulator/region/frequency-plan.js';
import { GatewayServer, type GatewayServerCounters } from './gateway-server.js';
import { HttpApi, type RateLimit } from './http-api.js';
import { NetworkStateFile } from './network-state.js';
import { notFound } from './errors.js';
import { InProcessAccess } from './in-process.js';

export interface EmbeddedNetworkOptions {
  scheduler: Scheduler;
  /** Address every server binds to (default 127.0.0.1: nothing is exposed beyond this machine). */
  host?: string;
  udpPort?: number;
  /** The Basics Station LNS listener (TTS: 1887); an ephemeral port when not given. */
  lnsPort?: number;
  mqttPort?: number;
  httpPort?: number;
  /** The key every API request needs; generated when not given. */
  apiKey?: string;
  netId?: number;
  /** RX1 delay given to OTAA devices in the Join-accept, s (default 5, as TTS). */
  rx1DelayS?: number;
  dedupWindowUs?: number;
  joinAcceptWindow?: 'RX1' | 'RX2';
  downlinkWindow?: 'RX1' | 'RX2';
  /** Start the MQTT broker (default true). */
  mqtt?: boolean;
  /** Start the HTTP API (default true). */
  http?: boolean;
  /** Rate-limit API keys on the HTTP API (off by default, as in TTS's open-source defaults). */
  rateLimit?: RateLimit;
  /** How long soft-deleted applications and gateways may be restored, ms (TTS `is.delete.restore`: 24 h). */
  restoreWindowMs?: number;
  /** User API keys (key → user ID): they manage their own applications and gateways but are not admins. */
  userKeys?: Record<string, string>;
  /** Keep registries (and so DevNonce history) in this file across restarts. */
  stateFile?: string;
}

export interface NetworkAddresses {
  udp: { host: string; port: number };
  lns: { host: string; port: number };
  mqtt?: { host: string; port: number };
  http?: { host: string; port: number };
  apiKey: string;
}

/**
 * lorafleet's own LoRaWAN network: a gateway server for Semtech UDP, Join, Network and Application
 * servers, an MQTT broker with TTS's integration topics. Reached only through the interfaces a TTS
 * deployment offers, so a scenario runs unchanged against either. A strict reference for testing,
 * not a production network server.
 */
export class EmbeddedNetwork {
  readonly registry: Registry;
  readonly events: EventBus;
  readonly devices: DeviceRegistries;
  readonly as: ApplicationServer;
  readonly js: JoinServer;
  readonly ns: NetworkServer;
  readonly gs: GatewayServer;
  readonly udp: UdpFrontend;
  readonly lns: LnsFrontend;
  readonly mqtt: MqttBroker | undefined;
  readonly http: HttpApi | undefined;
  private addresses: NetworkAddresses | undefined;
  private readonly stateFile: NetworkStateFile | undefined;

  constructor(readonly opts: EmbeddedNetworkOptions) {
    // Events carry the network's own time: the run's clock, virtual or wall.
    this.events = new EventBus(() => opts.scheduler.wallClockMs());
    this.registry = new Registry(opts.apiKey ?? Registry.generateKey());
    if (opts.stateFile) this.stateFile = new NetworkStateFile(opts.stateFile, this.registry);
    this.devices = new DeviceRegistries(this.registry);
    this.as = new ApplicationServer(this.registry, this.events);
    this.js = new JoinServer(this.registry, {
      netId: opts.netId ?? 0x000013,
      rx1DelayS: opts.rx1DelayS ?? 5,
    });
    this.gs = new GatewayServer(opts.scheduler, this.events, () => [this.udp, this.lns], this.registry);
    this.ns = new NetworkServer(this.registry, opts.scheduler, this.events, this.gs, this.js, this.as, {
      dedupWindowUs: opts.dedupWindowUs ?? 200_000,
      cooldownUs: 1_000_000,
      joinAcceptWindow: opts.joinAcceptWindow ?? 'RX1',
      downlinkWindow: opts.downlinkWindow ?? 'RX1',
      // A Join-accept leaves only once the DevNonce it used is on disk (`--state`).
      persist: () => this.saveState(),
    });
    const uplink = (u: GatewayUplink) => {
      this.gs.sync(u);
      this.ns.onGatewayUplink(u);
    };
    this.udp = new UdpFrontend(opts.scheduler, this.events, uplink);
    this.lns = new LnsFrontend(opts.scheduler, this.events, this.registry, (eui) => this.planOf(eui), uplink);
    if (opts.mqtt !== false) {
      this.mqtt = new MqttBroker(this.registry, (app, dev, op, body) => this.as.enqueue(app, dev, op, body));
      this.as.mqtt = this.mqtt;
    }
    for (const [key, userId] of Object.entries(opts.userKeys ?? {})) this.registry.addUserKey(key, userId);
    if (opts.http !== false) this.http = new HttpApi(this, opts.rateLimit, opts.restoreWindowMs);
  }

  /**
   * The network's interfaces for a client on the same scheduler (gateways, MQTT, events, downlinks as
   * scheduler events `latencyUs` apart): what a virtual-time run uses, so that it waits on no socket.
   */
  inProcess(latencyUs: number): InProcessAccess {
    return new InProcessAccess({
      scheduler: this.opts.scheduler,
      latencyUs,
      registry: this.registry,
      udp: this.udp,
      lns: this.lns,
      as: this.as,
      events: this.events,
    });
  }

  /** What the servers counted: live figures for pacing and the report (read, never written, outside). */
  counters(): {
    ns: Readonly<NetworkServerCounters>;
    gs: Readonly<GatewayServerCounters>;
    udp: Readonly<UdpFrontendCounters>;
  } {
    return { ns: this.ns.counters, gs: this.gs.counters, udp: this.udp.counters };
  }

  get apiKey(): string {
    return this.registry.adminKey;
  }

  async start(): Promise<NetworkAddresses> {
    this.stateFile?.open(this.devices);
    const host = this.opts.host ?? '127.0.0.1';
    const udp = await this.udp.start(host, this.opts.udpPort ?? 0);
    const lns = await this.lns.start(host, this.opts.lnsPort ?? 0);
    const mqtt = this.mqtt ? await this.mqtt.start(host, this.opts.mqttPort ?? 0) : undefined;
    const http = this.http ? await this.http.start(host, this.opts.httpPort ?? 0) : undefined;
    this.addresses = {
      udp: { host, port: udp.port },
      lns: { host, port: lns.port },
      ...(mqtt ? { mqtt: { host, port: mqtt.port } } : {}),
      ...(http ? { http: { host, port: http.port } } : {}),
      apiKey: this.apiKey,
    };
    return this.addresses;
  }

  /**
   * Puts what changed on disk now: after every registry change the HTTP API acknowledges and every
   * Join-accept, before the answer leaves, so that `kill -9` loses nothing acknowledged.
   */
  saveState(): void {
    this.stateFile?.flush();
  }

  async stop(): Promise<void> {
    this.stateFile?.close();
    await this.udp.stop();
    await this.lns.stop();
    await this.mqtt?.stop();
    await this.http?.stop();
  }

  /** A gateway's frequency plan: its registered one, else EU_863_870 (TTS's fallback plan is a deployment's choice). */
  private planOf(eui: string): FrequencyPlan {
    const g = this.registry.gatewayByEui(eui);
    const id = g ? (getPath(g, 'frequency_plan_ids') as string[] | undefined)?.[0] : undefined;
    return frequencyPlan(id ?? 'EU_863_870');
  }

  /** Creates an application owned by a user (the programmatic twin of `POST /users/{id}/applications`). */
  createApplication(
    id: string,
    owner: { user_id: string } | { organization_id: string } = { user_id: 'admin' },
    name?: string,
  ): void {
    const now = new Date().toISOString();
    this.registry.putApplication(id, {
      doc: { ids: { application_id: id }, ...(name ? { name } : {}), created_at: now, updated_at: now },
      apiKeys: new Map(),
      owner,
    });
  }

  /** Tells the NS to send MAC requests in a device's next downlink (to exercise device MAC handling). */
  queueMacRequests(applicationId: string, deviceId: string, cmds: MacCommand[]): void {
    const d = this.registry.device(applicationId, deviceId);
    if (d === undefined)
      throw notFound('pkg/networkserver', 'device_not_found', `end device \`${applicationId}.${deviceId}\``);
    this.ns.queueMacRequests(d, cmds);
  }
}
