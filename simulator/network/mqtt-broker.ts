import { createServer, type Server } from 'node:net';
import { Aedes, type AuthenticateError } from 'aedes';
import { listen } from './listen.js';
import type { Registry } from './registry.js';

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
          ('admin' in auth || auth.applicationId === app);
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
        if (!this.hasRight(c.lorafleetKey, 'RIGHT_APPLICATION_TRAFFIC_READ'))
          return done(new Error('no traffic read right'), null);
        // '#' and 'v3/#' mean this application's topics (TTS rewrites them to v3/{uid}/#).
        if (sub.topic === '#' || sub.topic === 'v3/#') sub.topic = `v3/${c.lorafleetApp}/#`;
        const parts = sub.topic.split('/');
        if (parts[0] !== 'v3' || (parts[1] !== c.lorafleetApp && parts[1] !== '+'))
          return done(new Error('not this application'), null);
        if (parts[1] === '+') parts[1] = c.lorafleetApp;
        sub.topic = parts.join('/');
        done(null, sub);
      },
      authorizePublish: (client, packet, done) => {
        const c = client as unknown as { lorafleetApp: string; lorafleetKey: string } | null;
        if (c === null) return done(null); // the broker's own messages
        const m = TOPIC.exec(packet.topic);
        if (!m || m[1]!.split('@')[0] !== c.lorafleetApp) return done(new Error('topic not allowed'));
        if (!this.hasRight(c.lorafleetKey, 'RIGHT_APPLICATION_TRAFFIC_DOWN_WRITE'))
          return done(new Error('no downlink right'));
        let body: unknown;
        try {
          body = JSON.parse(packet.payload.toString());
        } catch {
          return done(new Error('payload is not JSON'));
        }
        try {
          this.onDownlink(c.lorafleetApp, m[2]!, m[3] as 'push' | 'replace', body);
        } catch (e) {
          return done(e as Error);
        }
        done(null);
      },
    });
    this.aedes = aedes;
    this.server = createServer(aedes.handle);
    return listen(this.server, host, port);
  }

  private hasRight(key: string, right: string): boolean {
    const auth = this.registry.auth(key);
    if (auth === undefined) return false;
    return 'admin' in auth || auth.rights.includes('RIGHT_APPLICATION_ALL') || auth.rights.includes(right);
  }

  publish(topic: string, message: unknown): void {
    this.aedes?.publish(
      {
        cmd: 'publish',
        topic,
        payload: Buffer.from(JSON.stringify(message)),
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
