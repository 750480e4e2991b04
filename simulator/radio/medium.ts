import { hashString, stableNormalOfPair, type Rng } from '../random/rng.js';
import { FSK_DEMODULATION_FLOOR, loraDemodulationFloor } from '../region/demodulation.js';
import { distance, type Position } from './geometry.js';
import {
  CAPTURE_THRESHOLD_DB,
  DEFAULT_PATH_LOSS,
  noiseFloor,
  pathLoss,
  type PathLossModel,
} from './propagation.js';

/**
 * No shadowing value is further from its mean than this many σ: Rng.normal (Marsaglia polar) draws
 * |z| = sqrt(-2 ln s) · |u|/sqrt(s) ≤ sqrt(-2 ln s), and s ≥ 2^-62 when u and v are multiples of
 * 2^-31, so |z| < 9.3. A link beyond that margin is below the floor whatever its shadowing.
 */
const MAX_NORMAL_Z = 9.5;

/** What a transmission is, as far as the air is concerned. */
export interface Transmission {
  /** Who sends: a device or gateway id known to the medium. */
  from: string;
  /** Hz */
  frequency: number;
  modulation: 'LORA' | 'FSK';
  /** LoRa only. */
  spreadingFactor?: number;
  /** Hz (LoRa), or the FSK receiver bandwidth. */
  bandwidth: number;
  /** dBm EIRP (antenna gain of the sender included). */
  eirp: number;
  /** µs, scheduler time */
  startUs: number;
  /** µs */
  airtimeUs: number;
}

/** One receiver hearing one transmission. `lost` may be set later, while the transmission is still on air. */
export interface Reception {
  readonly to: string;
  readonly transmission: Transmission;
  /** dBm */
  readonly rssi: number;
  /** dB */
  readonly snr: number;
  lost?: 'collision';
}

export interface Node {
  id: string;
  position: Position;
  /** dBi, receive side (a sender's gain is part of its EIRP). */
  antennaGain: number;
  /** dB */
  noiseFigure: number;
}

export interface MediumOptions {
  pathLoss?: PathLossModel;
  /** Per-packet fading on top of the per-link shadowing, dB σ (default 0). */
  fadingSigma?: number;
  /** Model same-frequency, same-SF overlaps (with capture). Off by default. */
  collisions?: boolean;
  /** Seed of the per-link shadowing: fixed per pair, whatever the order of events. */
  seed: number | string;
  rng: Rng;
}

export interface MediumCounters {
  transmissions: number;
  receptions: number;
  belowFloor: number;
  collisions: number;
}

/**
 * Who hears what. Nodes (gateways and devices) have positions; a transmission yields, for every
 * other node of the opposite kind that can demodulate it, a Reception with its own RSSI and SNR.
 * With collisions on, receptions that overlap in time on the same frequency and SF at the same
 * receiver destroy each other unless one is ≥ 6 dB stronger (capture), which survives.
 */
export class RadioMedium {
  private readonly gateways = new Map<string, Node>();
  private readonly devices = new Map<string, Node>();
  private readonly model: PathLossModel;
  private readonly fadingSigma: number;
  /** Per receiver: receptions still on air (collision candidates). */
  private readonly onAir = new Map<string, Reception[]>();
  /** Every transmission that may still be on air, for carrier sense (listen before talk). */
  private live: Transmission[] = [];
  private liveKept = 64;
  readonly counters: MediumCounters = { transmissions: 0, receptions: 0, belowFloor: 0, collisions: 0 };

  /** The hash of `${seed}/`, where every link's shadowing key starts (stableNormal's). */
  private readonly seedHash: number;

  constructor(private readonly opts: MediumOptions) {
    this.seedHash = mediumSeedHash(opts.seed);
    this.model = opts.pathLoss ?? DEFAULT_PATH_LOSS;
    this.fadingSigma = opts.fadingSigma ?? 0;
  }

  addGateway(node: Node): void {
    this.gateways.set(node.id, node);
  }

  addDevice(node: Node): void {
    this.devices.set(node.id, node);
  }

  removeDevice(id: string): void {
    this.devices.delete(id);
  }

  /** Mean RSSI of a link without fading: shadowing is fixed per pair of nodes, the same both ways (reciprocity). */
  linkRssi(tx: Transmission, from: Node, to: Node): number {
    return this.unshadowedRssi(tx, from, to) - this.shadowing(from, to);
  }

  private unshadowedRssi(tx: Transmission, from: Node, to: Node): number {
    return tx.eirp - pathLoss(this.model, distance(from.position, to.position)) + to.antennaGain;
  }

  private shadowing(from: Node, to: Node): number {
    return shadowingDb(this.model, this.seedHash, from, to);
  }

  /** An uplink: which gateways hear it. */
  uplink(tx: Transmission): Reception[] {
    return this.transmit(tx, this.devices, this.gateways.values());
  }

  /** A downlink: which devices hear it (the caller checks which of them listen on that channel then). */
  /**
   * Receptions of a gateway's transmission: at every device, or only at `to` (the devices that may be
   * listening, see ListenerIndex) — the others could not have received it anyway.
   */
  downlink(tx: Transmission, to?: Iterable<string>): Reception[] {
    if (to === undefined) return this.transmit(tx, this.gateways, this.devices.values());
    const nodes: Node[] = [];
    for (const id of to) {
      const n = this.devices.get(id);
      if (n !== undefined) nodes.push(n);
    }
    return this.transmit(tx, this.gateways, nodes);
  }

  /**
   * The strongest signal on `frequency` at `gatewayId`'s antenna at `atUs`, dBm (−Infinity when the
   * channel is quiet): what a concentrator's clear-channel assessment measures before it transmits.
   */
  carrierRssi(gatewayId: string, frequency: number, atUs: number): number {
    const gw = this.gateways.get(gatewayId);
    let max = -Infinity;
    if (gw === undefined) return max;
    for (const tx of this.live) {
      if (tx.frequency !== frequency || tx.from === gatewayId) continue;
      if (tx.startUs > atUs || tx.startUs + tx.airtimeUs <= atUs) continue;
      const from = this.devices.get(tx.from) ?? this.gateways.get(tx.from);
      if (from !== undefined) max = Math.max(max, this.linkRssi(tx, from, gw));
    }
    return max;
  }

  /** Keeps `tx` for carrier sense; drops those that ended before it began, once the list doubled. */
  private keepLive(tx: Transmission): void {
    this.live.push(tx);
    if (this.live.length < 2 * this.liveKept) return;
    this.live = this.live.filter((t) => t.startUs + t.airtimeUs > tx.startUs);
    this.liveKept = Math.max(64, this.live.length);
  }

  private transmit(tx: Transmission, senders: Map<string, Node>, receivers: Iterable<Node>): Reception[] {
    const from = senders.get(tx.from);
    if (from === undefined) return [];
    this.counters.transmissions++;
    this.keepLive(tx);
    const out: Reception[] = [];
    const floor =
      tx.modulation === 'LORA' ? loraDemodulationFloor(tx.spreadingFactor ?? 12) : FSK_DEMODULATION_FLOOR;
    const mostShadowingDb = MAX_NORMAL_Z * this.model.shadowingSigma;
    for (const to of receivers) {
      // Drawn for every receiver, heard or not: the stream of fading values is the run's, not the geometry's.
      const fading = this.fadingSigma > 0 ? this.opts.rng.normal(0, this.fadingSigma) : 0;
      const unshadowed = this.unshadowedRssi(tx, from, to) + fading;
      const noise = noiseFloor(tx.bandwidth, to.noiseFigure);
      // Too far for even the most favourable shadowing: no need to work out this link's.
      if (unshadowed + mostShadowingDb - noise < floor) {
        this.counters.belowFloor++;
        continue;
      }
      const rssi = unshadowed - this.shadowing(from, to);
      const snr = rssi - noise;
      if (snr < floor) {
        this.counters.belowFloor++;
        continue;
      }
      const rx: Reception = { to: to.id, transmission: tx, rssi, snr };
      if (this.opts.collisions) this.collide(rx);
      out.push(rx);
      this.counters.receptions++;
    }
    return out;
  }

  private collide(rx: Reception): void {
    const tx = rx.transmission;
    const list = (this.onAir.get(rx.to) ?? []).filter(
      (o) => o.transmission.startUs + o.transmission.airtimeUs > tx.startUs,
    );
    for (const other of list) {
      const o = other.transmission;
      if (
        o.frequency !== tx.frequency ||
        o.spreadingFactor !== tx.spreadingFactor ||
        o.modulation !== tx.modulation
      )
        continue;
      if (o.startUs >= tx.startUs + tx.airtimeUs) continue;
      // Overlap: the stronger survives if it is at least CAPTURE_THRESHOLD_DB above the weaker.
      if (rx.rssi - other.rssi >= CAPTURE_THRESHOLD_DB) this.lose(other);
      else if (other.rssi - rx.rssi >= CAPTURE_THRESHOLD_DB) this.lose(rx);
      else {
        this.lose(other);
        this.lose(rx);
      }
    }
    list.push(rx);
    this.onAir.set(rx.to, list);
  }

  private lose(r: Reception): void {
    if (r.lost === undefined) {
      r.lost = 'collision';
      this.counters.collisions++;
    }
  }
}

/** The hash of a run's seed that a medium's shadowing starts from. */
export function mediumSeedHash(seed: number | string): number {
  return hashString(`${seed}/`);
}

/**
 * What a link between two nodes loses, dB: path loss over their distance and the shadowing of the
 * pair, fixed for the run and the same both ways (reciprocity) — a medium's link without its fading.
 */
export function linkLossDb(
  model: PathLossModel,
  seedHash: number,
  a: { id: string; position: Position },
  b: { id: string; position: Position },
): number {
  return pathLoss(model, distance(a.position, b.position)) + shadowingDb(model, seedHash, a, b);
}

/** The shadowing of a pair of nodes, dB: drawn once for the pair from the run's seed. */
function shadowingDb(model: PathLossModel, seedHash: number, a: { id: string }, b: { id: string }): number {
  const sigma = model.shadowingSigma;
  if (sigma <= 0) return 0;
  return a.id < b.id
    ? stableNormalOfPair(seedHash, a.id, b.id, sigma)
    : stableNormalOfPair(seedHash, b.id, a.id, sigma);
}
