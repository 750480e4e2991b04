import { BEACON_PERIOD_S, BEACON_RESERVED_MS, encodeBeacon, nextBeaconGpsMs } from '../lorawan/beacon.js';
import { loraTimeOnAir } from '../region/airtime.js';
import { gpsTimeMs } from '../semtech-udp/packets.js';
import type { Scheduler, TimerHandle } from '../time/scheduler.js';

/** A gateway's class B beacon: the region's beacon channel and data rate, the gateway's position. */
export interface BeaconConfig {
  /** Hz: the beacon's channel for a beacon time (GPS s); regions with several hop between them. */
  frequencyAt: (beaconTimeS: number) => number;
  datr: string;
  spreadingFactor: number;
  /** Hz */
  bandwidth: number;
  /** dBm radiated. */
  eirp: number;
  location?: { lat: number; lon: number };
}

export interface BeaconTransmission {
  frequency: number;
  startUs: number;
  airtimeUs: number;
  phyPayload: Uint8Array;
}

/**
 * Beacons as a GPS-locked packet forwarder sends them (lora_pkt_fwd's beacon thread): every 128 s
 * when GPS time mod 128 = 0, with Time and the antenna's coordinates (InfoDesc 0), preamble of 10
 * symbols, no CRC, IQ not inverted (LoRaWAN 1.0.4 §13.1). The reserved interval after each beacon is
 * kept free of downlinks (the JIT queue answers COLLISION_BEACON).
 */
export class Beaconing {
  private timer: TimerHandle | undefined;
  sent = 0;
  /** Beacons not sent: the radio was still sending a downlink. */
  skipped = 0;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly c: BeaconConfig,
    private readonly transmit: (b: BeaconTransmission) => boolean,
  ) {}

  start(): void {
    this.next();
  }

  stop(): void {
    if (this.timer) this.scheduler.cancel(this.timer);
    this.timer = undefined;
  }

  /** Whether a frame of `airtimeUs` from `startUs` would overlap a beacon's reserved interval. */
  collides(startUs: number, airtimeUs: number): boolean {
    const gps = this.gpsAt(startUs);
    const period = BEACON_PERIOD_S * 1000;
    const beaconGps = Math.floor(gps / period) * period;
    const reservedEndUs = startUs + (beaconGps + BEACON_RESERVED_MS - gps) * 1000;
    const nextBeaconUs = startUs + (beaconGps + period - gps) * 1000;
    return startUs < reservedEndUs || startUs + airtimeUs > nextBeaconUs;
  }

  private gpsAt(atUs: number): number {
    return gpsTimeMs(this.scheduler.wallClockMs(atUs));
  }

  private next(): void {
    const now = this.scheduler.now();
    const gps = this.gpsAt(now);
    const due = nextBeaconGpsMs(gps + 1);
    this.timer = this.scheduler.at(now + (due - gps) * 1000, () => this.send(due));
  }

  private send(gpsMs: number): void {
    const phyPayload = encodeBeacon(
      {
        gpsTimeS: Math.round(gpsMs / 1000),
        infoDesc: 0,
        latitude: this.c.location?.lat ?? 0,
        longitude: this.c.location?.lon ?? 0,
      },
      this.c.spreadingFactor,
    );
    const airtimeUs = loraTimeOnAir(phyPayload.length, {
      spreadingFactor: this.c.spreadingFactor,
      bandwidth: this.c.bandwidth,
      preambleSymbols: 10,
      explicitHeader: false,
      crc: false,
    });
    const frequency = this.c.frequencyAt(Math.round(gpsMs / 1000));
    if (this.transmit({ frequency, startUs: this.scheduler.now(), airtimeUs, phyPayload })) this.sent++;
    else this.skipped++;
    this.next();
  }
}
