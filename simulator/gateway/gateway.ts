import { Beaconing, type BeaconConfig } from './beaconing.js';
import { bytesToHex } from '../../crypto/types.js';
import type { Rng } from '../random/rng.js';
import { loraTimeOnAir, fskTimeOnAir, type CodingRate } from '../region/airtime.js';
import type { Scheduler, TimerHandle } from '../time/scheduler.js';
import { InvalidTxPk, UdpPacketError } from '../semtech-udp/errors.js';
import type { DatagramLink, GatewayTransport } from '../semtech-udp/transport.js';
import { udpTransport } from './udp-link.js';
import { PushDataWriter } from '../semtech-udp/push-data-writer.js';
import { PendingPushes } from './pending-pushes.js';
import {
  decodeBase64,
  decodeUdpPacket,
  gpsTimeMs,
  parseLoRaDatr,
  PROTOCOL_VERSION,
  statTime,
  TX_ACK_ERRORS,
  wallClockFromGpsMs,
  type TxAckError,
  type TxPk,
} from '../semtech-udp/packets.js';

/**
 * Concentrator timing limits of the packet_forwarder's just-in-time queue (jitqueue.c): a TX must be
 * queued at least TX_START_DELAY + TX_MARGIN_DELAY + TX_JIT_DELAY before it starts, and at most
 * TX_MAX_ADVANCE_DELAY ahead.
 */
export const TX_MIN_LEAD_US = 1_500 + 1_000 + 30_000;
export const TX_MAX_ADVANCE_US = 512_000_000;
const JIT_QUEUE_SIZE = 32;

/** TX powers (dBm, conducted) of the sx1302_hal EU868 sample tx_lut: a PULL_RESP must name one of them. */
export const DEFAULT_TX_POWERS = [-6, -3, 0, 3, 6, 10, 11, 12, 13, 14, 16, 20, 23, 25, 26, 27];

export interface GatewayConfig {
  /** 8 bytes, most significant first. */
  eui: Uint8Array;
  server: { host: string; port: number };
  /** Local address of the gateway's socket (default 127.0.0.1). */
  bindAddress?: string;
  /**
   * How datagrams reach the network (default: a UDP socket to `server`); an in-process network on the
   * same virtual clock passes its own, so that a run depends on nothing but its scenario and seed.
   */
  transport?: GatewayTransport;
  /** µs between PULL_DATA (default 5 s, the packet_forwarder's DEFAULT_KEEPALIVE). */
  keepaliveIntervalUs?: number;
  /** µs between stat reports (default 30 s); 0 disables them. */
  statIntervalUs?: number;
  /** µs to wait for a PUSH_ACK before counting it missing (default 100 ms, PUSH_TIMEOUT_MS). */
  pushTimeoutUs?: number;
  /** µs during which received packets are gathered into one PUSH_DATA (default 10 ms, FETCH_SLEEP_MS). */
  batchWindowUs?: number;
  /** Packets per PUSH_DATA at most (default 8, NB_PKT_MAX). */
  maxBatch?: number;
  /** TX range of the radio, Hz. */
  txFrequencyRange: readonly [number, number];
  /** Supported `powe` values, dBm. */
  txPowers?: readonly number[];
  /** dBi; the radiated power of a downlink is `powe` + this. */
  antennaGain?: number;
  /** With GPS: rxpk carry `time` and `tmms`, TX by `tmms` works; without, `tmms` gets GPS_UNLOCKED. */
  gps?: boolean;
  location?: { lat: number; lon: number; alt: number };
  /** Also report each packet in an `rsig` array, as multi-antenna (v2) gateways such as Kerlink iBTS do. */
  rsig?: boolean;
  /** Initial value of the 32-bit µs counter (default: random, as a real concentrator's). */
  tmstStart?: number;
  /** Class B beacons every 128 s (needs `gps`). */
  beacon?: BeaconConfig;
}

/** A packet the radio model delivered to this gateway, at the end of its reception. */
export interface UplinkReception {
  phyPayload: Uint8Array;
  /** Hz */
  frequency: number;
  modulation: 'LORA' | 'FSK';
  datr: string | number;
  codr?: CodingRate;
  rssi: number;
  snr: number;
  /** IF channel of the concentrator (0–9). */
  channel?: number;
  rfChain?: number;
  /**
   * When the frame ended on air (scheduler µs): `tmst` and `time` are stamped from it, as a
   * concentrator stamps the radio event, not from when a late timer got round to it. Default: now.
   */
  endUs?: number;
}

/** A downlink leaving the antenna, at its scheduled time. */
export interface DownlinkTransmission {
  gatewayEui: Uint8Array;
  /** Scheduler µs at which the transmission starts. */
  startUs: number;
  tmst: number;
  airtimeUs: number;
  /** Hz */
  frequency: number;
  modulation: 'LORA' | 'FSK';
  datr: string | number;
  codr?: string;
  /** dBm EIRP (powe + antenna gain). */
  eirp: number;
  ipol: boolean;
  crc: boolean;
  phyPayload: Uint8Array;
  /** A class B beacon, sent by the gateway itself (not a LoRaWAN frame). */
  beacon?: true;
}

export interface GatewayCounters {
  pushData: number;
  pushAck: number;
  pushAckMissing: number;
  pullData: number;
  pullAck: number;
  pullAckMissing: number;
  pullResp: number;
  txAck: Record<TxAckError, number>;
  transmitted: number;
  /** Admitted frames the carrier kept off the air at their start (a station's duty cycle, LBT, dwell). */
  txWithheld: number;
  rxReceived: number;
  rxForwarded: number;
  statSent: number;
  /** Datagrams from the network that could not be understood, by reason. */
  malformed: Record<string, number>;
  sendErrors: number;
}

export type GatewayEvent =
  | { event: 'malformed'; reason: string; message: string }
  | {
      event: 'tx_rejected';
      error: TxAckError;
      tmst?: number;
      frequency?: number;
      /** The frame refused, and when it was asked to start (scheduler µs) where `tmst` says so. */
      phyPayload?: Uint8Array;
      startUs?: number;
    }
  | { event: 'tx_withheld'; reason: string; phyPayload: Uint8Array; startUs: number }
  | { event: 'push_ack_missing'; token: number }
  | { event: 'pull_ack_missing'; token: number }
  | { event: 'send_error'; message: string };

export interface GatewayHooks {
  /** A downlink goes on air now. */
  onTransmit?: (tx: DownlinkTransmission) => void;
  /** Things worth logging; nothing here is fatal. */
  onEvent?: (e: GatewayEvent) => void;
}

interface ScheduledTx {
  startUs: number;
  endUs: number;
  timer: TimerHandle;
}

const U32 = 0x1_0000_0000;

/**
 * A virtual gateway speaking the Semtech UDP packet-forwarder protocol v2 to a network server, on one
 * UDP socket (PULL_RESP carries no EUI: the network routes downlinks by source address). Time comes
 * from the scheduler; the concentrator counter `tmst` is that time plus a random start, mod 2^32.
 */
export class VirtualGateway {
  readonly euiHex: string;
  readonly counters: GatewayCounters;
  private link: DatagramLink | undefined;
  private readonly tmstStart: number;
  private readonly batch = new PushDataWriter();
  private batchTimer: TimerHandle | undefined;
  private readonly pendingPush: PendingPushes;
  private pullToken = -1;
  private pullAcked = true;
  private keepaliveTimer: TimerHandle | undefined;
  private statTimer: TimerHandle | undefined;
  private pendingStat: string | undefined;
  private scheduledTx: ScheduledTx[] = [];
  /** The radio sends one frame at a time: the end of the frame on air, once it left the JIT queue. */
  private onAirUntil = 0;
  private beaconing: Beaconing | undefined;
  private readonly header: Buffer;
  private stopped = false;
  // Per stat interval, as the packet_forwarder resets its meas_* counters each report.
  private interval = { rxnb: 0, rxok: 0, rxfw: 0, upSent: 0, upAcked: 0, dwnb: 0, txnb: 0 };

  constructor(
    private readonly config: GatewayConfig,
    private readonly scheduler: Scheduler,
    private readonly rng: Rng,
    private readonly hooks: GatewayHooks = {},
  ) {
    if (config.eui.length !== 8) throw new UdpPacketError('field', 'gateway EUI must be 8 bytes');
    this.euiHex = bytesToHex(config.eui);
    this.tmstStart = config.tmstStart ?? rng.nextUint32();
    this.pendingPush = new PendingPushes(
      scheduler,
      config.pushTimeoutUs ?? 100_000,
      (token) => {
        this.counters.pushAckMissing++;
        this.hooks.onEvent?.({ event: 'push_ack_missing', token });
      },
      config.transport === undefined,
    );
    this.header = Buffer.alloc(12);
    this.header[0] = PROTOCOL_VERSION;
    this.header.set(config.eui, 4);
    this.counters = {
      pushData: 0,
      pushAck: 0,
      pushAckMissing: 0,
      pullData: 0,
      pullAck: 0,
      pullAckMissing: 0,
      pullResp: 0,
      txAck: Object.fromEntries(TX_ACK_ERRORS.map((k) => [k, 0])) as Record<TxAckError, number>,
      transmitted: 0,
      txWithheld: 0,
      rxReceived: 0,
      rxForwarded: 0,
      statSent: 0,
      malformed: {},
      sendErrors: 0,
    };
  }

  /** The concentrator counter at scheduler time `atUs` (default now). */
  tmst(atUs = this.scheduler.now()): number {
    return (this.tmstStart + Math.floor(atUs)) % U32;
  }

  /** The local UDP address the network sees this gateway at. */
  address(): { address: string; port: number } | undefined {
    return this.link?.address();
  }

  async start(): Promise<void> {
    const transport = this.config.transport ?? udpTransport(this.config.server, this.config.bindAddress);
    this.link = await transport({ message: (msg) => this.onMessage(msg), error: (e) => this.sendError(e) });
    // Servers send no downlink before the first PULL_DATA: open the path at once.
    this.keepalive();
    const stat = this.config.statIntervalUs ?? 30_000_000;
    if (stat > 0) this.statTimer = this.scheduler.after(stat, () => this.statTick(stat));
    const b = this.config.beacon;
    if (b !== undefined && this.config.gps !== false) {
      this.beaconing = new Beaconing(this.scheduler, b, (t) => {
        if (this.stopped || t.startUs < this.onAirUntil) return false;
        this.onAirUntil = t.startUs + t.airtimeUs;
        this.hooks.onTransmit?.({
          gatewayEui: this.config.eui,
          startUs: t.startUs,
          tmst: this.tmst(t.startUs),
          airtimeUs: t.airtimeUs,
          frequency: t.frequency,
          modulation: 'LORA',
          datr: b.datr,
          eirp: b.eirp,
          ipol: false,
          crc: false,
          phyPayload: t.phyPayload,
          beacon: true,
        });
        return true;
      });
      this.beaconing.start();
    }
  }

  /** Beacons sent, and not sent because a downlink held the radio. */
  beacons(): { sent: number; skipped: number } {
    return { sent: this.beaconing?.sent ?? 0, skipped: this.beaconing?.skipped ?? 0 };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.beaconing?.stop();
    for (const t of [this.batchTimer, this.keepaliveTimer, this.statTimer]) if (t) this.scheduler.cancel(t);
    for (const s of this.scheduledTx) this.scheduler.cancel(s.timer);
    this.pendingPush.clear();
    this.scheduledTx = [];
    const link = this.link;
    this.link = undefined;
    await link?.close();
  }

  /**
   * A packet whose reception ends now. It is forwarded in the next PUSH_DATA: at once when the batch
   * is full, else when the batch window closes.
   */
  receive(rx: UplinkReception): void {
    if (this.stopped) return;
    this.counters.rxReceived++;
    this.interval.rxnb++;
    this.interval.rxok++;
    const forward = this.link?.forward;
    if (forward !== undefined) {
      const now = rx.endUs ?? this.scheduler.now();
      const wall = this.config.gps !== false ? this.scheduler.wallClockMs(now) : undefined;
      forward.call(this.link, {
        phyPayload: rx.phyPayload,
        frequency: rx.frequency,
        datr: rx.datr,
        rssi: Math.round(rx.rssi),
        snr: Math.round(rx.snr * 10) / 10,
        tmst: this.tmst(now),
        ...(wall !== undefined ? { gpsMs: gpsTimeMs(wall), wallMs: wall } : {}),
      });
      this.counters.rxForwarded++;
      this.interval.rxfw++;
      return;
    }
    const now = rx.endUs ?? this.scheduler.now();
    const wallMs = this.config.gps !== false ? this.scheduler.wallClockMs(now) : undefined;
    this.batch.rxpk({
      tmst: this.tmst(now),
      wallMs,
      gpsMs: wallMs === undefined ? 0 : gpsTimeMs(wallMs),
      chan: rx.channel ?? 0,
      rfch: rx.rfChain ?? 0,
      frequencyHz: rx.frequency,
      modulation: rx.modulation,
      datr: rx.datr,
      codr: rx.codr ?? '4/5',
      snr: rx.snr,
      rssi: rx.rssi,
      rsig: this.config.rsig === true,
      data: rx.phyPayload,
    });
    this.counters.rxForwarded++;
    this.interval.rxfw++;
    if (this.batch.count >= (this.config.maxBatch ?? 8)) this.flush();
    else this.batchTimer ??= this.scheduler.after(this.config.batchWindowUs ?? 10_000, () => this.flush());
  }

  private flush(): void {
    if (this.batchTimer) {
      this.scheduler.cancel(this.batchTimer);
      this.batchTimer = undefined;
    }
    if (this.batch.count === 0 && this.pendingStat === undefined) return;
    const token = this.rng.nextUint32() & 0xffff;
    const head = this.header;
    head[1] = token >>> 8;
    head[2] = token & 0xff;
    head[3] = 0x00;
    const stat = this.pendingStat;
    this.pendingStat = undefined;
    this.pushData(token, this.batch.finish(head, stat));
  }

  private pushData(token: number, datagram: Buffer): void {
    this.counters.pushData++;
    this.interval.upSent++;
    this.pendingPush.sending(token);
    this.link?.send(datagram, () => {
      if (!this.stopped) this.pendingPush.sent(token);
    });
  }

  private keepalive(): void {
    if (this.stopped) return;
    if (!this.pullAcked && this.pullToken >= 0) {
      this.counters.pullAckMissing++;
      this.hooks.onEvent?.({ event: 'pull_ack_missing', token: this.pullToken });
    }
    this.pullToken = this.rng.nextUint32() & 0xffff;
    this.pullAcked = false;
    const b = Buffer.from(this.header);
    b[1] = this.pullToken >>> 8;
    b[2] = this.pullToken & 0xff;
    b[3] = 0x02;
    this.send(b);
    this.counters.pullData++;
    this.keepaliveTimer = this.scheduler.after(this.config.keepaliveIntervalUs ?? 5_000_000, () =>
      this.keepalive(),
    );
  }

  private statTick(interval: number): void {
    if (this.stopped) return;
    const i = this.interval;
    const loc = this.config.location;
    const stat = {
      time: statTime(this.scheduler.wallClockMs()),
      ...(loc
        ? { lati: Number(loc.lat.toFixed(5)), long: Number(loc.lon.toFixed(5)), alti: Math.round(loc.alt) }
        : {}),
      rxnb: i.rxnb,
      rxok: i.rxok,
      rxfw: i.rxfw,
      ackr: i.upSent === 0 ? 100 : Number(((100 * i.upAcked) / i.upSent).toFixed(1)),
      dwnb: i.dwnb,
      txnb: i.txnb,
    };
    this.interval = { rxnb: 0, rxok: 0, rxfw: 0, upSent: 0, upAcked: 0, dwnb: 0, txnb: 0 };
    this.pendingStat = JSON.stringify(stat);
    this.counters.statSent++;
    this.flush();
    this.statTimer = this.scheduler.after(interval, () => this.statTick(interval));
  }

  private send(b: Buffer): void {
    this.link?.send(b);
  }

  private sendError(e: Error): void {
    this.counters.sendErrors++;
    this.hooks.onEvent?.({ event: 'send_error', message: e.message });
  }

  private malformed(reason: string, message: string): void {
    this.counters.malformed[reason] = (this.counters.malformed[reason] ?? 0) + 1;
    this.hooks.onEvent?.({ event: 'malformed', reason, message });
  }

  private onMessage(msg: Buffer): void {
    if (this.stopped) return;
    let p;
    try {
      p = decodeUdpPacket(msg);
    } catch (e) {
      if (e instanceof UdpPacketError) return this.malformed(e.reason, e.message);
      throw e;
    }
    // The packet_forwarder accepts only its own protocol version.
    if (p.version !== PROTOCOL_VERSION) return this.malformed('version', `protocol version ${p.version}`);
    switch (p.type) {
      case 'PUSH_ACK': {
        if (!this.pendingPush.acked(p.token))
          return this.malformed('token', `PUSH_ACK for unknown token ${p.token}`);
        this.counters.pushAck++;
        this.interval.upAcked++;
        return;
      }
      case 'PULL_ACK':
        if (p.token !== this.pullToken)
          return this.malformed('token', `PULL_ACK for unknown token ${p.token}`);
        this.pullAcked = true;
        this.counters.pullAck++;
        return;
      case 'PULL_RESP':
        this.counters.pullResp++;
        this.interval.dwnb++;
        return this.onPullResp(p.token, p.body.txpk);
      default:
        return this.malformed('type', `unexpected ${p.type} from the network`);
    }
  }

  private onPullResp(token: number, txpk: TxPk | undefined): void {
    let tx: Omit<DownlinkTransmission, 'startUs' | 'tmst' | 'airtimeUs'>;
    let airtime: number;
    try {
      ({ tx, airtime } = this.parseTxpk(txpk));
    } catch (e) {
      // Values out of range: the JIT queue refuses them and the forwarder says so in a TX_ACK.
      if (e instanceof InvalidTxPk) {
        this.malformed('txpk', e.message);
        return this.txAck(token, 'UNKNOWN');
      }
      // Missing or invalid mandatory members: the packet_forwarder drops the request with no TX_ACK.
      if (e instanceof UdpPacketError) return this.malformed('txpk', e.message);
      throw e;
    }
    const request = txpk!; // parseTxpk has checked it
    const result = this.admit(request, tx, airtime);
    if (typeof result === 'string') {
      this.txAck(token, result);
      this.hooks.onEvent?.({
        event: 'tx_rejected',
        error: result,
        tmst: request.tmst,
        frequency: tx.frequency,
        phyPayload: tx.phyPayload,
        ...(typeof request.tmst === 'number' ? { startUs: this.startOfTmst(request.tmst) } : {}),
      });
      return;
    }
    const { start, tmst } = result;
    const entry: ScheduledTx = {
      startUs: start,
      endUs: start + airtime,
      timer: this.scheduler.at(start, () => {
        this.scheduledTx = this.scheduledTx.filter((s) => s !== entry);
        const held = this.link?.transmitting?.(token, {
          frequency: tx.frequency,
          startUs: start,
          tmst,
          airtimeUs: airtime,
        });
        if (held !== undefined) {
          this.counters.txWithheld++;
          if (held.final)
            this.hooks.onEvent?.({
              event: 'tx_withheld',
              reason: held.reason,
              phyPayload: tx.phyPayload,
              startUs: start,
            });
          return;
        }
        this.onAirUntil = start + airtime;
        this.counters.transmitted++;
        this.interval.txnb++;
        this.hooks.onTransmit?.({ ...tx, startUs: start, tmst, airtimeUs: airtime });
      }),
    };
    this.scheduledTx.push(entry);
    this.txAck(token, 'NONE');
  }

  private parseTxpk(t: TxPk | undefined): {
    tx: Omit<DownlinkTransmission, 'startUs' | 'tmst' | 'airtimeUs'>;
    airtime: number;
  } {
    if (typeof t !== 'object' || t === null) throw new UdpPacketError('field', 'txpk is not an object');
    if (t.imme !== true && typeof t.tmst !== 'number' && typeof t.tmms !== 'number') {
      throw new UdpPacketError('field', 'txpk has none of imme, tmst, tmms');
    }
    if (typeof t.freq !== 'number' || !Number.isFinite(t.freq))
      throw new UdpPacketError('field', 'txpk.freq missing');
    if (typeof t.rfch !== 'number') throw new UdpPacketError('field', 'txpk.rfch missing');
    if (t.modu !== 'LORA' && t.modu !== 'FSK')
      throw new UdpPacketError('field', `txpk.modu ${JSON.stringify(t.modu)}`);
    if (typeof t.size !== 'number') throw new UdpPacketError('field', 'txpk.size missing');
    const phyPayload = decodeBase64(t.data, 'txpk.data');
    const crc = t.ncrc !== true;
    // Values a concentrator cannot send (SX1301/SX1302): refused by the JIT queue, never scheduled
    // with an absurd airtime that would block the gateway for the rest of the run.
    const invalid = (why: string) => new InvalidTxPk(why);
    if (phyPayload.length === 0 || phyPayload.length > 255)
      throw invalid(`payload of ${phyPayload.length} bytes (1 to 255)`);
    if (t.prea !== undefined && !(Number.isInteger(t.prea) && t.prea >= 6 && t.prea <= 65535))
      throw invalid(`preamble ${JSON.stringify(t.prea)} (6 to 65535 symbols)`);
    let airtime: number;
    if (t.modu === 'LORA') {
      const lora = parseLoRaDatr(t.datr);
      if (!lora) throw new UdpPacketError('field', `txpk.datr ${JSON.stringify(t.datr)}`);
      const sf = lora.spreadingFactor;
      const bw = lora.bandwidthHz / 1000;
      if (sf < 5 || sf > 12) throw invalid(`SF${sf} (5 to 12)`);
      if (bw !== 125 && bw !== 250 && bw !== 500) throw invalid(`BW${bw} (125, 250 or 500 kHz)`);
      const codr = t.codr === '2/3' ? '4/6' : t.codr === '1/2' ? '4/8' : t.codr;
      if (codr !== '4/5' && codr !== '4/6' && codr !== '4/7' && codr !== '4/8') {
        throw new UdpPacketError('field', `txpk.codr ${JSON.stringify(t.codr)}`);
      }
      airtime = loraTimeOnAir(phyPayload.length, {
        spreadingFactor: sf,
        bandwidth: lora.bandwidthHz,
        codingRate: codr,
        preambleSymbols: Math.max(6, t.prea ?? 8),
        crc,
      });
    } else {
      if (typeof t.datr !== 'number' || typeof t.fdev !== 'number')
        throw new UdpPacketError('field', 'FSK txpk needs numeric datr and fdev');
      if (!(t.datr >= 500 && t.datr <= 250_000)) throw invalid(`FSK bit rate ${t.datr} (500 to 250000)`);
      if (!(t.fdev > 0 && t.fdev <= 200_000)) throw invalid(`FSK deviation ${t.fdev}`);
      airtime = fskTimeOnAir(phyPayload.length, t.datr, Math.max(3, t.prea ?? 5));
    }
    return {
      airtime,
      tx: {
        gatewayEui: this.config.eui,
        frequency: Math.round(t.freq * 1e6),
        modulation: t.modu,
        datr: t.datr,
        codr: t.codr,
        eirp: (t.powe ?? 0) + (this.config.antennaGain ?? 0),
        ipol: t.ipol === true,
        crc,
        phyPayload,
      },
    };
  }

  /** The concentrator's checks, in the packet_forwarder's order; a TX_ACK error, or when to send. */
  private admit(
    t: TxPk,
    tx: Omit<DownlinkTransmission, 'startUs' | 'tmst' | 'airtimeUs'>,
    airtime: number,
  ): TxAckError | { start: number; tmst: number } {
    const now = this.scheduler.now();
    if (t.imme !== true && typeof t.tmst !== 'number' && this.config.gps === false) return 'GPS_UNLOCKED';
    const [fMin, fMax] = this.config.txFrequencyRange;
    if (tx.frequency < fMin || tx.frequency > fMax) return 'TX_FREQ';
    if (!(this.config.txPowers ?? DEFAULT_TX_POWERS).includes(t.powe ?? 0)) return 'TX_POWER';
    let lead: number;
    if (t.imme === true) {
      lead = TX_MIN_LEAD_US + 1;
    } else if (typeof t.tmst === 'number') {
      lead = (t.tmst - this.tmst(now) + U32) % U32;
      // More than half the counter ahead means it is behind us: the moment has passed.
      if (lead > U32 / 2) return 'TOO_LATE';
    } else {
      lead = (wallClockFromGpsMs(t.tmms!) - this.scheduler.wallClockMs(now)) * 1000;
    }
    if (lead <= TX_MIN_LEAD_US) return 'TOO_LATE';
    if (lead > TX_MAX_ADVANCE_US) return 'TOO_EARLY';
    const start = now + lead;
    if (this.beaconing?.collides(start, airtime)) return 'COLLISION_BEACON';
    if (this.scheduledTx.length >= JIT_QUEUE_SIZE || start < this.onAirUntil) return 'COLLISION_PACKET';
    for (const s of this.scheduledTx)
      if (start < s.endUs && s.startUs < start + airtime) return 'COLLISION_PACKET';
    return { start, tmst: this.tmst(start) };
  }

  /** The scheduler time a `tmst` names: the nearest, ahead or (a moment passed) behind. */
  private startOfTmst(tmst: number): number {
    const now = this.scheduler.now();
    const lead = (tmst - this.tmst(now) + U32) % U32;
    return lead > U32 / 2 ? now - (U32 - lead) : now + lead;
  }

  private txAck(token: number, error: TxAckError): void {
    this.counters.txAck[error]++;
    const head = Buffer.from(this.header);
    head[1] = token >>> 8;
    head[2] = token & 0xff;
    head[3] = 0x05;
    // packet_forwarder v4 sends no JSON on success.
    this.send(
      error === 'NONE' ? head : Buffer.concat([head, Buffer.from(`{"txpk_ack":{"error":"${error}"}}`)]),
    );
  }
}
