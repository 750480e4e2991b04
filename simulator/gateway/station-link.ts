import WebSocket from 'ws';
import { dashedEui } from '../basic-station/eui.js';
import { LnsMessageError } from '../basic-station/errors.js';
import {
  extendTmst,
  listeningFrequencies,
  uplinkMessage,
  xtimeOf,
  xtimeTmst,
} from '../basic-station/frames.js';
import { parseDownstream, type DnmsgMsg, type RouterConfigMsg } from '../basic-station/messages.js';
import { dataRate, dataRateIndex } from '../region/channels.js';
import type { Region } from '../region/types.js';
import { decodeUdpPacket, encodeUdpPacket, type RxPk, type TxPk } from '../semtech-udp/packets.js';
import type {
  DatagramHandlers,
  DatagramLink,
  ForwardedFrame,
  GatewayTransport,
  OutgoingFrame,
} from '../semtech-udp/transport.js';
import { STATION_TX_REFUSALS, StationTxRules, type StationTxRefusal } from './station-tx-rules.js';

/** One open connection to an LNS, text records both ways (a WebSocket, or the same process). */
export interface LnsChannel {
  send(text: string): void;
  close(): void;
}

/** Opens the traffic connection of gateway `eui`; `closed` runs when the other side ends it. */
export type LnsConnect = (
  eui: string,
  onText: (t: string) => void,
  closed: () => void,
) => Promise<LnsChannel>;

export interface StationOptions {
  /** 16 hex digits. */
  eui: string;
  region: Region;
  connect: LnsConnect;
  /** The concentrator session in each xtime (a station picks one when its radio starts). */
  session: number;
  /** Pause before reconnecting after the LNS closed the connection, ms; doubles up to 30 s. */
  reconnectMs?: number;
  /**
   * What the concentrator hears on a channel at a moment, dBm: its clear-channel assessment where
   * router_config leaves listen-before-talk on (KR920, AS923JP). Without it the channel is always clear.
   */
  carrierSense?: (frequency: number, atUs: number) => number;
  sleep?: (ms: number) => Promise<void>;
}

const U32 = 2 ** 32;
/** Basics Station's class C retry: 100 ms later, up to 10 times (s2conf.h CLASS_C_BACKOFF_BY/_MAX). */
const CLASS_C_BACKOFF_US = 100_000;
const CLASS_C_BACKOFF_MAX = 10;

/** A dnmsg handed to the concentrator, and where it stands among its tries. */
interface PendingDownlink {
  m: DnmsgMsg;
  devEui: string;
  /** rx1: class A RX1 (RX2 left as the alternative); retry: class C; once: RX2 only, or class B. */
  phase: 'rx1' | 'retry' | 'once';
  tries: number;
  drIndex: number;
}

/**
 * A virtual gateway speaking LoRa Basics Station instead of Semtech UDP. The gateway's radio side is
 * the same (its receptions, its just-in-time queue); this link carries them as the LNS protocol does:
 * `version` on connect, uplinks split into `jreq`/`updf`/`propdf` with `xtime` and radio metadata,
 * `dnmsg` into a frame for the concentrator at `xtime` + `RxDelay`, `dntxed` once it went out.
 * Semtech's acknowledgements have no Basics Station twin (WebSocket delivers in order): they are
 * answered here, so the gateway counts none missing.
 */
export function stationTransport(o: StationOptions): GatewayTransport {
  return async (handlers) => {
    const link = new StationLink(o, handlers);
    await link.open();
    return link;
  };
}

class StationLink implements DatagramLink {
  private channel: LnsChannel | undefined;
  private closing = false;
  /** The concentrator's 32-bit clock extended to 48 bits, as xtime carries it. */
  private clockUs = 0;
  private readonly sent = new Map<number, PendingDownlink>();
  /** What router_config left on of the station's own transmit checks. */
  private rules: StationTxRules | undefined;
  private drs: readonly (readonly number[])[] | undefined;
  /** What `router_config` set: the frequencies the concentrator listens on (all, without sx1301_conf), the TX range. */
  private listening: Set<number> | 'all' | undefined;
  private freqRange: readonly [number, number] | undefined;
  /** GPS µs minus the concentrator's µs, from `timesync` (0 until the LNS answered). */
  private gpsOffsetUs = 0;
  readonly counters = {
    records: 0,
    malformed: {} as Record<string, number>,
    reconnects: 0,
    /** Uplinks dropped: before router_config, or on a channel the plan does not have. */
    notListening: 0,
    /** dnmsg outside router_config's freq_range. */
    txRefused: 0,
    /** Tries kept off the air by the station's own checks, by reason (a later try may have gone). */
    txHeld: Object.fromEntries(STATION_TX_REFUSALS.map((r) => [r, 0])) as Record<StationTxRefusal, number>,
  };

  constructor(
    private readonly o: StationOptions,
    private readonly handlers: DatagramHandlers,
  ) {}

  async open(): Promise<void> {
    this.channel = await this.o.connect(
      this.o.eui,
      (t) => this.onText(t),
      () => void this.reconnect(),
    );
    this.channel.send(
      JSON.stringify({
        msgtype: 'version',
        station: 'lorafleet-station',
        firmware: 'virtual',
        package: 'lorafleet',
        model: 'lorafleet-virtual-gateway',
        protocol: 2,
        features: '',
      }),
    );
  }

  /** With a growing pause, as a station does, until it connects again or the link is closed. */
  private async reconnect(): Promise<void> {
    this.channel = undefined;
    const sleep = this.o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (let pause = this.o.reconnectMs ?? 1000; !this.closing; pause = Math.min(pause * 2, 30_000)) {
      await sleep(pause);
      if (this.closing) return;
      try {
        await this.open();
        this.counters.reconnects++;
        return;
      } catch (e) {
        this.handlers.error(e as Error);
      }
    }
  }

  send(datagram: Buffer, sent?: () => void): void {
    const p = decodeUdpPacket(datagram);
    const ack = (type: 'PUSH_ACK' | 'PULL_ACK') =>
      this.handlers.message(encodeUdpPacket({ type, version: p.version, token: p.token }));
    switch (p.type) {
      case 'PUSH_DATA':
        for (const rx of ((p.body as { rxpk?: RxPk[] }).rxpk ?? []) as RxPk[]) this.uplink(rx);
        ack('PUSH_ACK');
        break;
      case 'PULL_DATA':
        ack('PULL_ACK');
        break;
      case 'TX_ACK':
        this.txAck(p.token, (p.body as { txpk_ack?: { error?: string } } | undefined)?.txpk_ack?.error);
        break;
    }
    sent?.();
  }

  async close(): Promise<void> {
    this.closing = true;
    this.channel?.close();
    this.channel = undefined;
  }

  address(): undefined {
    return undefined;
  }

  /** A frame from PUSH_DATA (a gateway that only speaks Semtech's datagrams to its carrier). */
  private uplink(rx: RxPk): void {
    if (rx.stat !== 1) return; // a station forwards only frames with a good CRC
    this.forward({
      phyPayload: Buffer.from(rx.data, 'base64'),
      frequency: Math.round(rx.freq * 1e6),
      datr: rx.datr,
      rssi: rx.rssi,
      snr: rx.lsnr ?? 0,
      tmst: rx.tmst,
      ...(rx.tmms !== undefined ? { gpsMs: rx.tmms } : {}),
      ...(rx.time ? { wallMs: Date.parse(rx.time) } : {}),
    });
  }

  /** A received frame, as jreq, updf or propdf. */
  forward(f: ForwardedFrame): void {
    const dr = dataRateIndex(this.o.region, f.datr);
    if (dr === undefined || this.channel === undefined) return;
    // A concentrator hears only the channels router_config gave it, and nothing before.
    if (this.listening === undefined || (this.listening !== 'all' && !this.listening.has(f.frequency))) {
      this.counters.notListening++;
      return;
    }
    const us = extendTmst(this.clockUs, f.tmst);
    this.clockUs = us;
    const gpstime =
      f.gpsMs !== undefined ? f.gpsMs * 1000 : this.gpsOffsetUs === 0 ? 0 : Math.round(us + this.gpsOffsetUs);
    const m = uplinkMessage(f.phyPayload, {
      DR: dr,
      Freq: f.frequency,
      upinfo: {
        rctx: 0,
        xtime: xtimeOf(this.o.session, us),
        gpstime,
        rssi: f.rssi,
        snr: f.snr,
        ...(f.wallMs !== undefined ? { rxtime: f.wallMs / 1000 } : {}),
      },
    });
    this.channel.send(JSON.stringify(m));
  }

  /** The concentrator refused the frame: a station reports nothing for a frame it did not send. */
  private txAck(token: number, error: string | undefined): void {
    if (error !== undefined && error !== 'NONE') this.sent.delete(token);
  }

  /**
   * The frame is due on air: the station's checks (duty cycle, listen before talk, dwell time), then
   * `dntxed`. A frame held back tries its alternative — RX2 for class A, 100 ms later for class C.
   */
  transmitting(token: number, tx: OutgoingFrame): { reason: string; final: boolean } | undefined {
    const p = this.sent.get(token);
    if (p === undefined) return undefined;
    this.sent.delete(token);
    const refusal = this.rules?.check(tx, (f, atUs) => this.o.carrierSense?.(f, atUs) ?? -Infinity);
    if (refusal === undefined) {
      this.rules?.sent(tx);
      this.dntxed(p, tx);
      return undefined;
    }
    this.counters.txHeld[refusal]++;
    return { reason: refusal, final: !this.alternative(token, p, tx) };
  }

  private dntxed(p: PendingDownlink, tx: OutgoingFrame): void {
    const us = extendTmst(this.clockUs, tx.tmst);
    this.channel?.send(
      JSON.stringify({
        msgtype: 'dntxed',
        diid: p.m.diid,
        DevEui: p.devEui,
        DR: p.drIndex,
        Freq: tx.frequency,
        rctx: 0,
        xtime: xtimeOf(this.o.session, us),
        txtime: 0,
        gpstime: this.gpsOffsetUs === 0 ? 0 : Math.round(us + this.gpsOffsetUs),
      }),
    );
  }

  /** Hands the concentrator the held frame's next try; false when there is none. */
  private alternative(token: number, p: PendingDownlink, tx: OutgoingFrame): boolean {
    const m = p.m;
    if (p.phase === 'rx1' && m.RX2DR !== undefined && m.RX2Freq !== undefined) {
      const next: PendingDownlink = { ...p, phase: 'once', drIndex: m.RX2DR };
      this.toConcentrator(token, next, m.RX2Freq, { tmst: (tx.tmst + 1_000_000) % U32 });
      return true;
    }
    if (p.phase === 'retry' && p.tries < CLASS_C_BACKOFF_MAX) {
      const next: PendingDownlink = { ...p, tries: p.tries + 1 };
      this.toConcentrator(token, next, tx.frequency, { tmst: (tx.tmst + CLASS_C_BACKOFF_US) % U32 });
      return true;
    }
    return false;
  }

  private onText(text: string): void {
    this.counters.records++;
    let m;
    try {
      m = parseDownstream(text);
    } catch (e) {
      if (!(e instanceof LnsMessageError)) throw e;
      this.counters.malformed[e.field] = (this.counters.malformed[e.field] ?? 0) + 1;
      return;
    }
    if (m.msgtype === 'router_config') this.configure(m);
    else if (m.msgtype === 'dnmsg') this.downlink(m);
    else if (m.txtime !== undefined && m.gpstime !== undefined) this.gpsOffsetUs = m.gpstime - m.txtime;
  }

  /** router_config: the data rates, the channels to listen on, the TX range; then a clock sync. */
  private configure(m: RouterConfigMsg): void {
    this.drs = m.DRs;
    this.freqRange = m.freq_range;
    const rules = StationTxRules.of(m, this.o.region);
    this.rules = rules.active ? rules : undefined;
    const confs = m.sx1301_conf ?? [];
    if (confs.length === 0) this.listening = 'all';
    else {
      const all = new Set<number>();
      for (const c of confs) for (const f of listeningFrequencies(c)) all.add(f);
      this.listening = all;
    }
    // timesync: txtime is the concentrator's µs clock; the answer's gpstime gives its GPS offset.
    this.channel?.send(JSON.stringify({ msgtype: 'timesync', txtime: this.clockUs }));
  }

  private downlink(m: DnmsgMsg): void {
    // Class B: at a GPS time, on the ping slot's DR and frequency (the concentrator needs GPS).
    const classB = m.dC === 1 && m.gpstime !== undefined;
    const rx2 = !classB && (m.RX1DR === undefined || m.RX1Freq === undefined);
    const drIndex = classB ? m.DR : rx2 ? m.RX2DR : m.RX1DR;
    const freq = classB ? m.Freq : rx2 ? m.RX2Freq : m.RX1Freq;
    const d = drIndex === undefined ? undefined : this.o.region.dataRates[drIndex];
    // The LNS's DR table (router_config) names the data rate; the region's must agree.
    const sf = drIndex === undefined ? undefined : this.drs?.[drIndex]?.[0];
    if (
      d === undefined ||
      freq === undefined ||
      (sf !== undefined && d.modulation === 'LORA' && sf !== d.spreadingFactor)
    ) {
      this.counters.malformed.dnmsg = (this.counters.malformed.dnmsg ?? 0) + 1;
      return;
    }
    if (this.freqRange !== undefined && (freq < this.freqRange[0] || freq > this.freqRange[1])) {
      this.counters.txRefused++;
      return;
    }
    const rxDelayS = Math.max(1, m.RxDelay ?? 1) + (rx2 ? 1 : 0);
    const imme = m.dC === 2 && m.xtime === undefined;
    const when: { imme: true } | { tmst: number } | { tmms: number } = classB
      ? { tmms: Math.round(m.gpstime! / 1000) }
      : imme
        ? { imme: true as const }
        : { tmst: (xtimeTmst(m.xtime ?? 0) + rxDelayS * 1_000_000) % U32 };
    const phase = m.dC === 2 ? 'retry' : !classB && !rx2 ? 'rx1' : 'once';
    const p: PendingDownlink = { m, devEui: dashedEui(m.DevEui), phase, tries: 0, drIndex: drIndex! };
    this.toConcentrator(m.diid & 0xffff, p, freq, when);
  }

  /** A PULL_RESP for the gateway's concentrator: `p`'s frame at `freq` and `when`. */
  private toConcentrator(
    token: number,
    p: PendingDownlink,
    freq: number,
    when: { imme: true } | { tmst: number } | { tmms: number },
  ): void {
    const d = this.o.region.dataRates[p.drIndex]!;
    const txpk: TxPk = {
      imme: 'imme' in when,
      ...('imme' in when ? {} : when),
      freq: freq / 1e6,
      rfch: 0,
      powe: 14,
      modu: d.modulation === 'FSK' ? 'FSK' : 'LORA',
      datr: dataRate(this.o.region, p.drIndex).datr,
      ...(d.modulation === 'FSK' ? { fdev: 25000 } : { codr: '4/5' }),
      ipol: true,
      size: p.m.pdu.length / 2,
      data: Buffer.from(p.m.pdu, 'hex').toString('base64'),
      ncrc: true,
    };
    this.sent.set(token, p);
    this.handlers.message(encodeUdpPacket({ type: 'PULL_RESP', version: 2, token, body: { txpk } }));
  }
}

/**
 * Connects over WebSocket as a station does: `/router-info` first (it answers where the traffic
 * endpoint is), then that `uri`. `authorization` is sent as the Authorization header (TTS: an API key
 * with gateway link rights).
 */
export function webSocketConnect(o: { url: string; authorization?: string; ca?: Buffer }): LnsConnect {
  const headers = o.authorization ? { Authorization: o.authorization } : undefined;
  const open = (url: string) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url, { ...(headers ? { headers } : {}), ...(o.ca ? { ca: o.ca } : {}) });
      ws.once('open', () => resolve(ws));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`${url}: HTTP ${res.statusCode}`)));
    });
  return async (eui, onText, closed) => {
    const info = await open(`${o.url.replace(/\/$/, '')}/router-info`);
    const reply = await new Promise<{ uri?: string; error?: string }>((resolve, reject) => {
      info.once('message', (d) => {
        try {
          resolve(JSON.parse(String(d)) as { uri?: string; error?: string });
        } catch (e) {
          reject(e as Error);
        }
      });
      info.once('close', () => reject(new Error('router-info closed without an answer')));
      info.send(JSON.stringify({ router: dashedEui(eui) }));
    });
    info.close();
    if (reply.error !== undefined || typeof reply.uri !== 'string')
      throw new Error(`router-info: ${reply.error ?? 'no uri'}`);
    const ws = await open(reply.uri);
    let ours = false;
    ws.on('message', (d) => onText(String(d)));
    ws.on('close', () => ours || closed());
    ws.on('error', () => undefined);
    return {
      send: (t) => ws.readyState === WebSocket.OPEN && ws.send(t),
      close: () => {
        ours = true;
        ws.close();
      },
    };
  };
}
