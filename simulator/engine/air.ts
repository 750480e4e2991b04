import type { BeaconConfig } from '../gateway/beaconing.js';
import { VirtualGateway, type DownlinkTransmission } from '../gateway/gateway.js';
import type { HeardDownlink, RefusedDownlink, UnheardDownlink } from '../device/types.js';
import type { Position } from '../radio/geometry.js';
import type { ListenerIndex, Listening, RxWindowOnAir } from '../radio/listeners.js';
import type { RadioMedium, Transmission } from '../radio/medium.js';
import type { Rng } from '../random/rng.js';
import { parseLoRaDatr } from '../semtech-udp/packets.js';
import type { Scheduler } from '../time/scheduler.js';
import type { GatewayTransport } from '../semtech-udp/transport.js';
import type { AirFrame, OnAir, RadioFate } from '../radio/air-frame.js';
import { concentratorSnr } from '../radio/propagation.js';

/** A frame a device puts on air: what the medium needs to decide who hears it, and what gateways forward. */
export interface UplinkOnAir {
  deviceId: string;
  /** The frame's FCntUp (data frames): what ties it to the uplink the application should see. */
  fCnt?: number;
  kind?: 'join' | 'rejoin' | 'data';
  frequency: number;
  modulation: 'LORA' | 'FSK';
  spreadingFactor?: number | undefined;
  bandwidth: number;
  eirp: number;
  /** Scheduler µs. */
  startUs: number;
  airtimeUs: number;
  phyPayload: Uint8Array;
  datr: string | number;
  codr: '4/5';
  channel: number;
  /**
   * The receive windows the device opens after this frame, when other devices' frames may be taken in
   * them (a compact fleet hears only frames to its own DevAddrs, which reach it whenever they are sent).
   */
  rxWindows?: RxWindowOnAir[];
}

/** Whatever hears downlinks for one device ID: a VirtualDevice, or a compact fleet for its members. */
export interface DownlinkHearer {
  hear(d: HeardDownlink): void;
  /** A gateway refused to send a frame (TX_ACK error) at a moment this device may have listened. */
  refused?(d: RefusedDownlink): void;
  /** The network said the device's answer could not be scheduled on any gateway (events stream). */
  notScheduled?(kind: 'join' | 'data', deviceId: string): void;
  /** A gateway sent a frame this device may have listened for, below its demodulation floor here. */
  notHeard?(d: UnheardDownlink): void;
  /** A class B beacon reached this device's antenna. */
  hearBeacon?(d: HeardDownlink): void;
  /** Whether this device's key opens Join-accept `phy` (its MIC holds): the accept is for it. */
  opensJoinAccept?(phy: Uint8Array): boolean;
  /** This device's last frame reached no gateway (out of range of all, or collided at each). */
  uplinkLost?(fate: 'out-of-range' | 'collided'): void;
}

export interface GatewayOnAir {
  id: string;
  eui: Buffer;
  position: Position;
  antennaGain: number;
  server: { host: string; port: number };
  /** How the gateway reaches its server (default: UDP to `server`). */
  transport?: GatewayTransport;
  txFrequencyRange: readonly [number, number];
  rng: Rng;
  /** A GPS-locked gateway sending class B beacons. */
  beacon?: BeaconConfig;
}

export interface AirOptions {
  scheduler: Scheduler;
  medium: RadioMedium;
  /** Route downlinks only to devices that may be listening; without it, every device in range hears. */
  listeners?: ListenerIndex;
  /** Each reception a gateway goes on to forward (RSSI and SNR distributions). */
  onReception?: (rssi: number, snr: number) => void;
}

/**
 * How long traffic keeps the air busy after a frame, µs: a network answers within its receive windows
 * (RX2 at 2 s for data, join-accept delay 2 at 6 s), so virtual time advances in small steps until then.
 */
const BUSY_AFTER_US = { data: 2_500_000, join: 7_000_000, downlink: 2_000_000 } as const;

/** Radio ↔ gateways ↔ devices: the one wiring the engine, the test harness and the benches share. */
export class Air {
  readonly gateways = new Map<string, VirtualGateway>();
  private readonly hearers = new Map<string, DownlinkHearer>();
  /** Until when (scheduler µs) frames are in flight and the network may still answer. */
  busyUntilUs = 0;
  private frameSeen: ((f: AirFrame) => void) | undefined;
  private uplinkEnded: ((tx: UplinkOnAir, fate: RadioFate) => void) | undefined;

  /** Sees each uplink as it ends, with what the radio made of it (cheap: no object per frame). */
  onUplinkEnd(fn: (tx: UplinkOnAir, fate: RadioFate) => void): void {
    this.uplinkEnded = fn;
  }

  /** Sees each frame on air with who heard it (frame traces, captures). */
  onFrame(fn: (f: AirFrame) => void): void {
    this.frameSeen = fn;
  }

  constructor(private readonly o: AirOptions) {}

  /** A gateway on air and connected to its server; the caller stops it. */
  async addGateway(g: GatewayOnAir): Promise<VirtualGateway> {
    const { medium, scheduler } = this.o;
    medium.addGateway({ id: g.id, position: g.position, antennaGain: g.antennaGain, noiseFigure: 6 });
    const gw = new VirtualGateway(
      {
        eui: g.eui,
        server: g.server,
        ...(g.transport ? { transport: g.transport } : {}),
        txFrequencyRange: [g.txFrequencyRange[0], g.txFrequencyRange[1]],
        antennaGain: g.antennaGain,
        ...(g.beacon ? { gps: true, beacon: g.beacon } : {}),
      },
      scheduler,
      g.rng,
      {
        onTransmit: (tx) => this.downlink(g.id, tx),
        onEvent: (e) => {
          if (e.event === 'tx_rejected' && e.phyPayload !== undefined && e.startUs !== undefined)
            this.refused({ phyPayload: e.phyPayload, startUs: e.startUs, error: e.error });
          // A station's own transmit rules kept the frame off the air: the gateway's doing as well.
          if (e.event === 'tx_withheld')
            this.refused({ phyPayload: e.phyPayload, startUs: e.startUs, error: `station ${e.reason}` });
        },
      },
    );
    this.gateways.set(g.id, gw);
    await gw.start();
    return gw;
  }

  /** What gateway `gatewayId` hears on `frequency` at `atUs`, dBm: its clear-channel assessment. */
  carrierRssi(gatewayId: string, frequency: number, atUs: number): number {
    return this.o.medium.carrierRssi(gatewayId, frequency, atUs);
  }

  /** A device at `position`, heard by the medium; `hearer` gets what reaches its antenna. */
  addDevice(id: string, position: Position, hearer?: DownlinkHearer): void {
    this.o.medium.addDevice({ id, position, antennaGain: 0, noiseFigure: 6 });
    if (hearer) this.hearers.set(id, hearer);
  }

  /** A device ID that `hearer` answers for (compact fleets hear for all their members). */
  hearFor(id: string, hearer: DownlinkHearer): void {
    this.hearers.set(id, hearer);
  }

  /** Downlinks to `devAddr` may be for device `id` (it joined, or was activated by personalization). */
  address(devAddr: number, id: string): void {
    this.o.listeners?.address(devAddr, id);
  }

  /** A class C device: it listens whenever it is not transmitting. */
  continuous(id: string): void {
    this.o.listeners?.continuous(id);
  }

  /** A frame on air from a device: who hears it now, and the gateways that do forward it when it ends. */
  uplink(tx: UplinkOnAir): void {
    const { medium, scheduler, listeners } = this.o;
    this.markBusy(tx.kind === 'join' || tx.kind === 'rejoin' ? BUSY_AFTER_US.join : BUSY_AFTER_US.data);
    if (tx.rxWindows) listeners?.windows(tx.deviceId, tx.rxWindows, scheduler.now());
    const receptions = medium.uplink({
      from: tx.deviceId,
      frequency: tx.frequency,
      modulation: tx.modulation,
      spreadingFactor: tx.spreadingFactor,
      bandwidth: tx.bandwidth,
      eirp: tx.eirp,
      startUs: tx.startUs,
      airtimeUs: tx.airtimeUs,
    });
    scheduler.at(tx.startUs + tx.airtimeUs, () => {
      const fate = radioFate(receptions);
      if (this.uplinkEnded) this.uplinkEnded(tx, fate);
      // No gateway got it: the device's missing answer is the radio's doing, not the network's.
      if (fate !== 'received') this.hearers.get(tx.deviceId)?.uplinkLost?.(fate);
      for (const rx of receptions) {
        if (rx.lost) continue;
        const snr = concentratorSnr(rx.snr);
        this.o.onReception?.(rx.rssi, snr);
        this.gateways.get(rx.to)?.receive({
          phyPayload: tx.phyPayload,
          frequency: tx.frequency,
          modulation: tx.modulation,
          datr: tx.datr,
          codr: tx.codr,
          rssi: rx.rssi,
          snr,
          channel: tx.channel % 8,
          endUs: tx.startUs + tx.airtimeUs,
        });
      }
      this.frameSeen?.({
        ...onAir(tx),
        dir: 'up',
        deviceId: tx.deviceId,
        channel: tx.channel,
        receptions: receptions.map((r) => ({
          gatewayId: r.to,
          rssi: r.rssi,
          snr: concentratorSnr(r.snr),
          ...(r.lost ? { lost: r.lost } : {}),
        })),
      });
    });
  }

  private markBusy(forUs: number): void {
    this.busyUntilUs = Math.max(this.busyUntilUs, this.o.scheduler.now() + forUs);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.gateways.values()].map((g) => g.stop()));
  }

  /** A device the network named as having an answer it could not schedule. */
  notScheduled(deviceId: string, kind: 'join' | 'data'): void {
    this.hearers.get(deviceId)?.notScheduled?.(kind, deviceId);
  }

  /** The device a refused frame was for is told: its loss is the gateway's. */
  private refused(d: RefusedDownlink): void {
    const l = this.listening(d.startUs, undefined, d.phyPayload);
    if (l === undefined) {
      for (const h of this.hearers.values()) h.refused?.(d);
      return;
    }
    for (const id of l.ids) this.hearers.get(id)?.refused?.({ ...d, ...forDevice(l, id) });
  }

  /** Who may take a frame, and who it is for (see ListenerIndex); undefined: every device may. */
  private listening(atUs: number, frequency: number | undefined, phy: Uint8Array): Listening | undefined {
    return this.o.listeners?.candidates(
      atUs,
      frequency,
      phy,
      (id) => this.hearers.get(id)?.opensJoinAccept?.(phy) === true,
    );
  }

  /** Devices that follow beacons (class B): the only ones a beacon is delivered to. */
  private readonly beaconListeners = new Set<string>();

  listenForBeacons(deviceId: string): void {
    this.beaconListeners.add(deviceId);
  }

  private beacon(gatewayId: string, tx: DownlinkTransmission): void {
    if (this.beaconListeners.size === 0) return;
    const heard = this.o.medium.downlink(fromGateway(gatewayId, tx), this.beaconListeners);
    for (const rx of heard) this.hearers.get(rx.to)?.hearBeacon?.(heardAt(tx, rx));
  }

  private downlink(gatewayId: string, tx: DownlinkTransmission): void {
    if (tx.beacon) return this.beacon(gatewayId, tx);
    this.markBusy(BUSY_AFTER_US.downlink);
    const l = this.listening(tx.startUs, tx.frequency, tx.phyPayload);
    const heard = this.o.medium.downlink(fromGateway(gatewayId, tx), l?.ids);
    this.frameSeen?.({
      ...onAir(tx),
      dir: 'down',
      gatewayId,
      heardBy: heard.map((rx) => ({ deviceId: rx.to, rssi: rx.rssi, snr: rx.snr })),
    });
    for (const rx of heard) this.hearers.get(rx.to)?.hear(heardAt(tx, rx, l));
    // Who may have listened and heard nothing: a frame for them was lost to distance, not withheld.
    if (heard.length === (l?.ids.size ?? this.hearers.size)) return;
    const reached = new Set(heard.map((rx) => rx.to));
    for (const id of l?.ids ?? this.hearers.keys())
      if (!reached.has(id))
        this.hearers
          .get(id)
          ?.notHeard?.({ phyPayload: tx.phyPayload, startUs: tx.startUs, ...forDevice(l, id) });
  }
}

/** A gateway's frame as one device's radio got it. */
function heardAt(
  tx: DownlinkTransmission,
  rx: { to: string; rssi: number; snr: number },
  l?: Listening,
): HeardDownlink {
  return {
    phyPayload: tx.phyPayload,
    frequency: tx.frequency,
    datr: tx.datr,
    startUs: tx.startUs,
    airtimeUs: tx.airtimeUs,
    rssi: rx.rssi,
    snr: rx.snr,
    ...forDevice(l, rx.to),
  };
}

/** For a Join-accept whose addressee the air found: whether device `id` is it. */
function forDevice(l: Listening | undefined, id: string): { forThisDevice?: boolean } {
  if (l === undefined || l.addressee === undefined || l.joinAccept !== true) return {};
  return { forThisDevice: l.addressee === id };
}

/** A gateway's transmission as the radio medium takes it. */
function fromGateway(gatewayId: string, tx: DownlinkTransmission): Transmission {
  const lora = parseLoRaDatr(tx.datr);
  return {
    from: gatewayId,
    frequency: tx.frequency,
    modulation: tx.modulation,
    spreadingFactor: lora?.spreadingFactor,
    bandwidth: lora?.bandwidthHz ?? 125_000,
    eirp: tx.eirp,
    startUs: tx.startUs,
    airtimeUs: tx.airtimeUs,
  };
}

/** A frame's radio fields, as a trace or capture names them. */
function onAir(tx: UplinkOnAir | DownlinkTransmission): OnAir {
  return {
    frequencyHz: tx.frequency,
    datr: tx.datr,
    startUs: tx.startUs,
    airtimeUs: tx.airtimeUs,
    eirpDbm: tx.eirp,
    phyPayload: tx.phyPayload,
  };
}

function radioFate(receptions: readonly { lost?: 'collision' }[]): RadioFate {
  if (receptions.length === 0) return 'out-of-range';
  for (const r of receptions) if (r.lost === undefined) return 'received';
  return 'collided';
}
