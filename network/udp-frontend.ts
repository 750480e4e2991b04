import { createSocket, type Socket } from 'node:dgram';
import { bytesToHex } from '../crypto/types.js';
import { UdpPacketError } from '../simulator/semtech-udp/errors.js';
import { decodeUdpPacket, encodeUdpPacket, type TxPk } from '../simulator/semtech-udp/packets.js';
import type { DatagramPeer, GatewayTransport } from '../simulator/semtech-udp/transport.js';
import { checkRxPk, type CheckedRxPk } from './rxpk.js';
import type { Scheduler } from '../simulator/time/scheduler.js';
import type { EntityIds, EventBus } from './events.js';

/** TTS's UDP frontend forgets a gateway after a minute without traffic (`connection-expires`). */
const CONNECTION_EXPIRES_US = 60_000_000;
const PRUNE_EVERY_US = 10_000_000;
/** More than a concentrator could have received between two PUSH_DATA. */
const MAX_RXPK_PER_DATAGRAM = 256;

/** One gateway's copy of an uplink, as the network received it: the checked rxpk fields, and where and when. */
export type GatewayUplink = Omit<CheckedRxPk, 'data'> & {
  gatewayEui: string;
  /** Scheduler µs when the network received it. */
  receivedAtUs: number;
};

interface GatewayLink {
  eui: string;
  downlinkPath?: DatagramPeer;
  lastSeen: number;
  txAcks: number;
}

export interface UdpFrontendCounters {
  pushData: number;
  pullData: number;
  txAck: number;
  rxpk: number;
  duplicateInDatagram: number;
  malformed: Record<string, number>;
  pullResp: number;
  noDownlinkPath: number;
}

/**
 * The gateway side of the Semtech UDP protocol v2, as The Things Stack's UDP frontend behaves
 * (pkg/gatewayserver/io/udp): PUSH_DATA and PULL_DATA are acknowledged at once, a PULL_DATA sets the
 * gateway's downlink path, PULL_RESP goes to that path with a token remembered for the TX_ACK.
 * Identical payloads inside one PUSH_DATA are reduced to the strongest copy.
 */
export class UdpFrontend {
  private socket: Socket | undefined;
  private readonly links = new Map<string, GatewayLink>();
  private readonly tokens = new Map<number, (error: string) => void>();
  private readonly identifiers = new Map<string, EntityIds[]>();
  private nextToken = 1;
  private nextPeer = 1;
  private lastPrune = 0;
  readonly counters: UdpFrontendCounters = {
    pushData: 0,
    pullData: 0,
    txAck: 0,
    rxpk: 0,
    duplicateInDatagram: 0,
    malformed: {},
    pullResp: 0,
    noDownlinkPath: 0,
  };

  constructor(
    private readonly scheduler: Scheduler,
    private readonly events: EventBus,
    private readonly onUplink: (u: GatewayUplink) => void,
  ) {}

  async start(host: string, port: number): Promise<{ address: string; port: number }> {
    const s = createSocket('udp4');
    this.socket = s;
    s.on('message', (msg, from) =>
      this.onMessage(msg, {
        key: `${from.address}:${from.port}`,
        send: (b) => this.socket?.send(b, from.port, from.address),
      }),
    );
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(port, host, () => {
        s.off('error', reject);
        resolve();
      });
    });
    s.setRecvBufferSize(8 * 1024 * 1024);
    return s.address();
  }

  async stop(): Promise<void> {
    const s = this.socket;
    this.socket = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  /**
   * Gateways in this process on the same scheduler: each datagram arrives `latencyUs` after it was
   * sent, as a scheduler event, with no socket and no wall-clock wait in between (virtual-time runs).
   */
  inProcessTransport(latencyUs: number): GatewayTransport {
    return (handlers) => {
      let open = true;
      const peer: DatagramPeer = {
        key: `in-process:${this.nextPeer++}`,
        send: (b) => {
          this.scheduler.after(latencyUs, () => {
            if (open) handlers.message(b);
          });
        },
      };
      return Promise.resolve({
        send: (b: Buffer, sent?: () => void) => {
          if (!open) return;
          const copy = Buffer.from(b);
          this.scheduler.after(latencyUs, () => this.onMessage(copy, peer));
          sent?.();
        },
        close: () => {
          open = false;
          return Promise.resolve();
        },
        address: () => undefined,
      });
    };
  }

  hasDownlinkPath(eui: string): boolean {
    return this.links.get(eui)?.downlinkPath !== undefined;
  }

  connectedGateways(): string[] {
    return [...this.links.keys()];
  }

  private malformed(reason: string): void {
    this.counters.malformed[reason] = (this.counters.malformed[reason] ?? 0) + 1;
  }

  private onMessage(msg: Buffer, from: DatagramPeer): void {
    let p;
    try {
      p = decodeUdpPacket(msg);
    } catch (e) {
      if (e instanceof UdpPacketError) return this.malformed(e.reason);
      throw e;
    }
    if (p.type === 'PUSH_DATA' || p.type === 'PULL_DATA') {
      // Acknowledge first, before any processing (TTS writeAckFor).
      from.send(
        encodeUdpPacket({
          type: p.type === 'PUSH_DATA' ? 'PUSH_ACK' : 'PULL_ACK',
          version: p.version,
          token: p.token,
        }),
      );
    }
    if (p.type !== 'PUSH_DATA' && p.type !== 'PULL_DATA' && p.type !== 'TX_ACK')
      return this.malformed('type');
    const eui = bytesToHex(p.gatewayEui);
    let link = this.links.get(eui);
    if (link === undefined) {
      link = { eui, lastSeen: 0, txAcks: 0 };
      this.links.set(eui, link);
      this.events.publish('gs.gateway.connect', [
        { gateway_ids: { gateway_id: `eui-${eui.toLowerCase()}`, eui } },
      ]);
    }
    link.lastSeen = this.scheduler.now();
    this.prune(link.lastSeen);
    switch (p.type) {
      case 'PULL_DATA':
        this.counters.pullData++;
        link.downlinkPath = from;
        return;
      case 'TX_ACK': {
        this.counters.txAck++;
        link.txAcks++;
        const done = this.tokens.get(p.token);
        if (done === undefined) return this.malformed('token');
        this.tokens.delete(p.token);
        // The result is untrusted text: a known-looking name, success when absent, else UNKNOWN_ERROR.
        const ack = (p.body as { txpk_ack?: unknown } | undefined)?.txpk_ack;
        const error =
          typeof ack === 'object' && ack !== null ? (ack as { error?: unknown }).error : undefined;
        done(
          error === undefined
            ? 'NONE'
            : typeof error === 'string' && /^[A-Z_]{1,32}$/.test(error)
              ? error
              : 'UNKNOWN_ERROR',
        );
        return;
      }
      case 'PUSH_DATA': {
        this.counters.pushData++;
        const rxpk = (p.body as { rxpk?: unknown }).rxpk;
        if (rxpk === undefined) return;
        if (!Array.isArray(rxpk) || rxpk.length > MAX_RXPK_PER_DATAGRAM)
          return this.malformed('rxpk.not-array');
        this.onPushData(eui, rxpk);
      }
    }
  }

  /**
   * Forgets gateways silent for longer than TTS's UDP connection expiry (1 min): one-off EUIs from a
   * flood do not grow the table. Swept at most every 10 s.
   */
  private prune(now: number): void {
    if (now - this.lastPrune < PRUNE_EVERY_US) return;
    this.lastPrune = now;
    for (const [eui, link] of this.links)
      if (now - link.lastSeen > CONNECTION_EXPIRES_US) this.links.delete(eui);
  }

  private onPushData(eui: string, rxpk: unknown[]): void {
    const now = this.scheduler.now();
    // Copies of one frame in one datagram (several demodulators): the strongest goes on. Most
    // datagrams hold one rxpk, and few more than a handful: a list, not a map.
    const best: GatewayUplink[] = [];
    const keys: string[] = [];
    for (const entry of rxpk) {
      const rx = checkRxPk(entry);
      if (rx === 'skip') continue; // CRC failed or absent: not forwarded
      if ('refused' in rx) {
        this.malformed(rx.refused);
        continue;
      }
      this.counters.rxpk++;
      const u: GatewayUplink = {
        phyPayload: rx.phyPayload,
        tmst: rx.tmst,
        tmms: rx.tmms,
        frequency: rx.frequency,
        datr: rx.datr,
        codr: rx.codr,
        rssi: rx.rssi,
        snr: rx.snr,
        channel: rx.channel,
        gatewayEui: eui,
        receivedAtUs: now,
      };
      const i = keys.indexOf(rx.data);
      if (i < 0) {
        keys.push(rx.data);
        best.push(u);
        continue;
      }
      this.counters.duplicateInDatagram++;
      if (best[i]!.rssi < u.rssi) best[i] = u;
    }
    for (const u of best) {
      this.events.publish('gs.up.receive', this.identifiersOf(eui), () => ({
        '@type': 'type.googleapis.com/ttn.lorawan.v3.GatewayUplinkMessage',
        raw_payload: Buffer.from(u.phyPayload).toString('base64'),
        rssi: u.rssi,
        snr: u.snr,
        timestamp: u.tmst,
      }));
      this.onUplink(u);
    }
  }

  /** A gateway's identifiers on its events, made once (every copy of every uplink publishes one). */
  private identifiersOf(eui: string): EntityIds[] {
    let ids = this.identifiers.get(eui);
    if (ids === undefined) {
      if (this.identifiers.size >= 10_000) this.identifiers.clear();
      ids = Object.freeze([
        Object.freeze({ gateway_ids: Object.freeze({ gateway_id: `eui-${eui.toLowerCase()}`, eui }) }),
      ]) as EntityIds[];
      this.identifiers.set(eui, ids);
    }
    return ids;
  }

  /**
   * Sends a PULL_RESP to the gateway's downlink path; `done` gets the TX_ACK result ('NONE' on success).
   * Returns false when the gateway has sent no PULL_DATA yet (no path).
   */
  sendDownlink(eui: string, txpk: TxPk, done: (error: string) => void): boolean {
    const link = this.links.get(eui);
    const path = link?.downlinkPath;
    if (path === undefined) {
      this.counters.noDownlinkPath++;
      return false;
    }
    const token = this.nextToken;
    this.nextToken = (this.nextToken % 0xffff) + 1;
    this.tokens.set(token, done);
    this.counters.pullResp++;
    path.send(encodeUdpPacket({ type: 'PULL_RESP', version: 2, token, body: { txpk } }));
    return true;
  }
}
