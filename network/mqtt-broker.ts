import { createServer, type Server } from 'node:net';
import { Aedes, type AuthenticateError } from 'aedes';
import { listen } from '../simulator/io/listen.js';
import type { Registry } from './registry.js';
import { ttsJson } from './tts-json.js';

/** Where refused and consumed publishes go: `$` topics match no wildcard, and clients may not subscribe. */
const DROPPED_TOPIC = '$lorafleet/dropped';

/** What the AS does with a downlink an MQTT client publishes (down/push, down/replace). */
export type DownlinkPublish = (
  applicationId: string,
  deviceId: string,
  op: 'push' | 'replace',
  body: unknown,
) => void;

const TOPIC = /^v3\/([^/]+)\/devices\/([^/]+)\/down\/(push|replace)$/;

/**
 * The Application Server's MQTT integration, on an embedded aedes broker: username = application id
 * (or app@tenant), password = an API key of that application; subscriptions need TRAFFIC_READ,
 * publishing downlinks TRAFFIC_DOWN_WRITE (TTS pkg/applicationserver/io/mqtt). QoS 0.
 */
export class MqttBroker {
  private aedes: Aedes | undefined;
  private server: Server | undefined;

  constructor(
    private readonly registry: Registry,
    private readonly onDownlink: DownlinkPublish,
  ) {}

  async start(host: string, port: number): Promise<{ address: string; port: number }> {
    const aedes = await Aedes.createBroker({
      authenticate: (client, username, password, done) => {
        const app = (username ?? '').split('@')[0]!;
        const auth = this.registry.auth(password?.toString());
        const ok =
          auth !== undefined &&
          this.registry.applications.has(app) &&
          this.registry.rightsOn(auth, app) !== undefined;
        if (!ok) {
          const e = new Error('not authorized') as AuthenticateError;
          e.returnCode = 5;
          return done(e, false);
        }
        (client as unknown as { lorafleetApp: string; lorafleetKey: string }).lorafleetApp = app;
        (client as unknown as { lorafleetKey: string }).lorafleetKey = password!.toString();
        done(null, true);
      },
      authorizeSubscribe: (client, sub, done) => {
        const c = client as unknown as { lorafleetApp: string; lorafleetKey: string };
        // A refused subscription is a SUBACK 0x80 (done(null, null)); the connection stays (MQTT 3.1.1 §3.9.3).
        if (!this.hasRight(c.lorafleetKey, c.lorafleetApp, 'RIGHT_APPLICATION_TRAFFIC_READ'))
          return done(null, null);
        // '#' and 'v3/#' mean this application's topics (TTS rewrites them to v3/{uid}/#).
        if (sub.topic === '#' || sub.topic === 'v3/#') sub.topic = `v3/${c.lorafleetApp}/#`;
        const parts = sub.topic.split('/');
        if (parts[0] !== 'v3' || (parts[1] !== c.lorafleetApp && parts[1] !== '+')) return done(null, null);
        if (parts[1] === '+') parts[1] = c.lorafleetApp;
        sub.topic = parts.join('/');
        done(null, sub);
      },
      authorizePublish: (client, packet, done) => {
        const c = client as unknown as { lorafleetApp: string; lorafleetKey: string } | null;
        if (c === null) return done(null); // the broker's own messages
        // A refused publish is dropped and the client stays connected, as TTS's AS does: aedes closes the
        // connection on an error, so the message is sent where no subscription can reach it instead.
        const drop = () => {
          packet.topic = DROPPED_TOPIC;
          done(null);
        };
        const m = TOPIC.exec(packet.topic);
        if (!m || m[1]!.split('@')[0] !== c.lorafleetApp) return drop();
        if (!this.hasRight(c.lorafleetKey, c.lorafleetApp, 'RIGHT_APPLICATION_TRAFFIC_DOWN_WRITE'))
          return drop();
        let body: unknown;
        try {
          body = JSON.parse(packet.payload.toString());
        } catch {
          return drop();
        }
        try {
          this.onDownlink(c.lorafleetApp, m[2]!, m[3] as 'push' | 'replace', body);
        } catch {
          return drop();
        }
        // The AS consumes down/push and down/replace; nothing is forwarded to subscribers.
        drop();
      },
    });
    this.aedes = aedes;
    this.server = createServer(aedes.handle);
    return listen(this.server, host, port);
  }

  private hasRight(key: string, applicationId: string, right: string): boolean {
    const auth = this.registry.auth(key);
    if (auth === undefined) return false;
    const rights = this.registry.rightsOn(auth, applicationId);
    return rights === 'all' || (rights !== undefined && rights.includes(right));
  }

  publish(topic: string, message: unknown): void {
    // QoS 0 and never retained (as TTS): with no client connected no one can receive it, and a
    // virtual run (which reads the messages in process) pays nothing for the broker.
    if (this.aedes === undefined || this.aedes.connectedClients === 0) return;
    this.aedes.publish(
      {
        cmd: 'publish',
        topic,
        payload: Buffer.from(ttsJson(message)),
        qos: 0,
        retain: false,
        dup: false,
      },
      () => undefined,
    );
  }

  async stop(): Promise<void> {
    const a = this.aedes;
    const s = this.server;
    this.aedes = undefined;
    this.server = undefined;
    if (s) {
      await new Promise<void>((r) => {
        s.close(() => r());
        if (a) a.close(() => undefined);
      });
    }
  }
}
