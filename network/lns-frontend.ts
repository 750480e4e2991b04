import { createServer, type IncomingMessage, type Server } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { id6Eui, parseEui } from '../simulator/basic-station/eui.js';
import { LnsMessageError } from '../simulator/basic-station/errors.js';
import {
  dataRateTable,
  extendTmst,
  phyPayloadOf,
  stationRegion,
  sx1301Conf,
  xtimeOf,
  xtimeSession,
  xtimeTmst,
} from '../simulator/basic-station/frames.js';
import { parseUpstream, type DnmsgMsg, type UpstreamMsg } from '../simulator/basic-station/messages.js';
import { dataRate, dataRateIndex } from '../simulator/region/channels.js';
import type { FrequencyPlan } from '../simulator/region/frequency-plan.js';
import { gpsTimeMs, type TxPk } from '../simulator/semtech-udp/packets.js';
import type { Scheduler } from '../simulator/time/scheduler.js';
import type { EventBus } from './events.js';
import type { GatewayFrontend } from './gateway-server.js';
import type { Registry } from './registry.js';
import type { GatewayUplink } from './udp-frontend.js';

/** What travels between a station and the LNS: text records, in order, both ways. */
export interface LnsChannel {
  send(text: string): void;
  close(): void;
}

interface Station {
  eui: string;
  channel: LnsChannel;
  /** The session in the station's last xtime, and its µs clock then (48 bits). */
  session: number;
  clockUs: number;
  dntxed: Map<number, (error: string) => void>;
}

export interface LnsFrontendCounters {
  connections: number;
  records: Record<string, number>;
  malformed: Record<string, number>;
  dntxed: number;
}

const U48 = 2 ** 48;

/**
 * The LNS side of LoRa Basics Station, as TTS's gateway server `basic-station` listener serves it
 * (pkg/gatewayserver/io/ws/lbslns): `/router-info` answers where to connect, `/traffic/eui-…` carries
 * the records. Uplinks are put back together into PHYPayloads and go where the UDP frontend's go; a
 * downlink becomes a `dnmsg` for RX1 of a class A frame, `RxDelay` 1 and `xtime` one second before it,
 * as TTS sends every downlink (its GS has already chosen the window and the time).
 */
export class LnsFrontend implements GatewayFrontend {
  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  private readonly stations = new Map<string, Station>();
  private nextDiid = 1;
  readonly counters: LnsFrontendCounters = { connections: 0, records: {}, malformed: {}, dntxed: 0 };

  constructor(
    private readonly scheduler: Scheduler,
    private readonly events: EventBus,
    private readonly registry: Registry,
    private readonly planOf: (eui: string) => FrequencyPlan,
    private readonly onUplink: (u: GatewayUplink) => void,
  ) {}

  async start(host: string, port: number): Promise<{ address: string; port: number }> {
    const server = createServer((_req, res) => res.writeHead(426).end('WebSocket only\n'));
    const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
    this.server = server;
    this.wss = wss;
    server.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'ws://x').pathname;
      const traffic = /^\/traffic\/(?:eui-)?([0-9A-Fa-f-:]{1,40})$/.exec(path);
      if (path !== '/router-info' && !traffic) return socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      if (!this.authorized(req)) return socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      wss.handleUpgrade(req, socket, head, (ws) => {
        if (path === '/router-info') return this.discovery(ws, req);
        this.traffic(ws, traffic![1]!);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const a = server.address() as { address: string; port: number };
    return { address: a.address, port: a.port };
  }

  async stop(): Promise<void> {
    for (const s of this.stations.values()) s.channel.close();
    this.stations.clear();
    for (const c of this.wss?.clients ?? []) c.terminate();
    this.wss?.close();
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  /** A station in this process on the same scheduler: records arrive `latencyUs` later, no socket. */
  inProcess(eui: string, latencyUs: number, onText: (t: string) => void): LnsChannel {
    let open = true;
    const station: LnsChannel = {
      send: (t) => this.scheduler.after(latencyUs, () => open && onText(t)),
      close: () => (open = false),
    };
    const toLns = this.connect(parseEui(eui, 'router'), station);
    return {
      send: (t) => this.scheduler.after(latencyUs, () => open && toLns(t)),
      close: () => {
        open = false;
        this.disconnect(parseEui(eui, 'router'), station);
      },
    };
  }

  hasDownlinkPath(eui: string): boolean {
    return this.stations.has(eui);
  }

  /**
   * A frame as TTS's lbslns sends it: by GPS time for class B (AbsoluteTimeDownlinkMessage: dC 1,
   * DR, Freq, gpstime), else as class A in RX1 with RxDelay 1 and xtime a second before it — its GS
   * has already chosen the window and the moment.
   */
  sendDownlink(eui: string, txpk: TxPk, done: (error: string) => void): boolean {
    const s = this.stations.get(eui);
    const dr = dataRateIndex(this.planOf(eui).region, txpk.datr);
    if (s === undefined || dr === undefined || (txpk.tmms === undefined && txpk.tmst === undefined))
      return false;
    const freq = Math.round(txpk.freq * 1e6);
    const when =
      txpk.tmms !== undefined
        ? { dC: 1, DR: dr, Freq: freq, gpstime: txpk.tmms * 1000 }
        : {
            dC: 0,
            RxDelay: 1,
            RX1DR: dr,
            RX1Freq: freq,
            // The 32-bit tmst back onto the station's 48-bit clock, nearest to where it last was.
            xtime: xtimeOf(s.session, (extendTmst(s.clockUs, txpk.tmst!) - 1_000_000 + U48) % U48),
          };
    const m: DnmsgMsg = {
      msgtype: 'dnmsg',
      DevEui: '00-00-00-00-00-00-00-00',
      diid: this.nextDiid++,
      pdu: Buffer.from(txpk.data, 'base64').toString('hex').toUpperCase(),
      priority: 25,
      rctx: 0,
      MuxTime: this.scheduler.wallClockMs() / 1000,
      ...when,
    };
    s.dntxed.set(m.diid, done);
    // No dntxed for a frame the station did not send: forget it after a minute.
    this.scheduler.after(60_000_000, () => s.dntxed.delete(m.diid));
    s.channel.send(JSON.stringify(m));
    return true;
  }

  connectedGateways(): string[] {
    return [...this.stations.keys()];
  }

  /** TTS: an Authorization header must be a key it knows; none at all is a gateway without auth. */
  private authorized(req: IncomingMessage): boolean {
    const h = req.headers.authorization;
    if (h === undefined) return true;
    const key = h.replace(/^Bearer\s+/i, '').trim();
    return this.registry.auth(key) !== undefined;
  }

  private discovery(ws: WebSocket, req: IncomingMessage): void {
    ws.once('message', (data) => {
      let reply: Record<string, unknown>;
      try {
        const q = JSON.parse(String(data)) as { router?: unknown };
        const eui = parseEui(q.router, 'router');
        const host = req.headers.host ?? 'localhost';
        reply = { router: id6Eui(eui), muxs: '::0', uri: `ws://${host}/traffic/eui-${eui}` };
      } catch (e) {
        reply = { error: e instanceof LnsMessageError ? e.message : 'router: not JSON' };
      }
      ws.send(JSON.stringify(reply), () => ws.close());
    });
  }

  private traffic(ws: WebSocket, id: string): void {
    let eui: string;
    try {
      eui = parseEui(id.includes('-') && id.length === 23 ? id : id.replace(/-/g, ''), 'router');
    } catch {
      return ws.close(1008, 'router: not an EUI');
    }
    const channel: LnsChannel = { send: (t) => ws.send(t), close: () => ws.close() };
    const onText = this.connect(eui, channel);
    ws.on('message', (data, isBinary) => (isBinary ? this.malformed('binary') : onText(String(data))));
    ws.on('close', () => this.disconnect(eui, channel));
    ws.on('error', () => this.disconnect(eui, channel));
  }

  private connect(eui: string, channel: LnsChannel): (text: string) => void {
    this.stations.get(eui)?.channel.close();
    const s: Station = { eui, channel, session: 0, clockUs: 0, dntxed: new Map() };
    this.stations.set(eui, s);
    this.counters.connections++;
    this.events.publish('gs.gateway.connect', [
      { gateway_ids: { gateway_id: `eui-${eui.toLowerCase()}`, eui } },
    ]);
    return (text) => this.onRecord(s, text);
  }

  private disconnect(eui: string, channel: LnsChannel): void {
    if (this.stations.get(eui)?.channel !== channel) return;
    this.stations.delete(eui);
    this.events.publish('gs.gateway.disconnect', [
      { gateway_ids: { gateway_id: `eui-${eui.toLowerCase()}`, eui } },
    ]);
  }

  private malformed(field: string): void {
    this.counters.malformed[field] = (this.counters.malformed[field] ?? 0) + 1;
  }

  /** A station's record: anything malformed in it is counted by field, never thrown. */
  private onRecord(s: Station, text: string): void {
    try {
      this.record(s, parseUpstream(text));
    } catch (e) {
      if (e instanceof LnsMessageError) return this.malformed(e.field);
      throw e;
    }
  }

  private record(s: Station, m: UpstreamMsg): void {
    this.counters.records[m.msgtype] = (this.counters.records[m.msgtype] ?? 0) + 1;
    switch (m.msgtype) {
      case 'version':
        return s.channel.send(JSON.stringify(this.routerConfig(s.eui)));
      case 'timesync':
        return s.channel.send(
          JSON.stringify({
            msgtype: 'timesync',
            txtime: m.txtime,
            gpstime: gpsTimeMs(this.scheduler.wallClockMs()) * 1000,
          }),
        );
      case 'dntxed': {
        const done = s.dntxed.get(m.diid);
        if (done === undefined) return this.malformed('diid');
        s.dntxed.delete(m.diid);
        this.counters.dntxed++;
        return done('NONE');
      }
      default: {
        const phy = phyPayloadOf(m);
        const region = this.planOf(s.eui).region;
        const d = region.dataRates[m.DR];
        if (d === undefined) return this.malformed('DR');
        s.session = xtimeSession(m.upinfo.xtime);
        s.clockUs = m.upinfo.xtime % U48;
        this.onUplink({
          phyPayload: phy,
          tmst: xtimeTmst(m.upinfo.xtime),
          frequency: m.Freq,
          datr: dataRate(region, m.DR).datr,
          rssi: m.upinfo.rssi,
          snr: m.upinfo.snr,
          channel: 0,
          tmms: m.upinfo.gpstime > 0 ? Math.round(m.upinfo.gpstime / 1000) : undefined,
          codr: undefined,
          gatewayEui: s.eui,
          receivedAtUs: this.scheduler.now(),
        });
      }
    }
  }

  /** The channel plan a station gets after `version` (its region's data rates and frequency range). */
  private routerConfig(eui: string): Record<string, unknown> {
    const plan = this.planOf(eui);
    const region = plan.region;
    const uplinks = plan.uplinkChannels.map((c) => c.frequency);
    const std = plan.loraStandardChannel;
    const stdDr = std ? region.dataRates[std.dataRate] : undefined;
    const freqs = [...uplinks, region.rx2.frequency];
    return {
      msgtype: 'router_config',
      NetID: null,
      JoinEui: null,
      region: stationRegion(region),
      hwspec: 'sx1301/1',
      freq_range: [Math.min(...freqs) - 1_000_000, Math.max(...freqs) + 1_000_000],
      DRs: dataRateTable(region),
      sx1301_conf: [
        sx1301Conf(
          uplinks,
          std && stdDr?.modulation === 'LORA'
            ? {
                frequency: std.frequency,
                bandwidthHz: stdDr.bandwidth,
                spreadingFactor: stdDr.spreadingFactor,
              }
            : undefined,
        ),
      ],
      nocca: true,
      nodc: true,
      nodwell: true,
      MuxTime: this.scheduler.wallClockMs() / 1000,
    };
  }
}
