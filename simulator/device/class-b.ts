import { classBPingOffset } from '../../crypto/ping-slot.js';
import {
  BEACON_LESS_OPERATION_S,
  BEACON_PERIOD_S,
  BEACON_RESERVED_MS,
  decodeBeacon,
  PING_SLOT_MS,
} from '../lorawan/beacon.js';
import { CodecError } from '../lorawan/errors.js';
import { pingSlotFrequency } from '../region/class-b.js';
import type { TimerHandle } from '../time/scheduler.js';
import type { VirtualDevice } from './device.js';
import type { HeardDownlink } from './types.js';
import { dataCycle } from './uplink.js';

/*
 * Class B (LoRaWAN L2 1.0.4 §12–§13): the device finds a beacon, tells the network its ping-slot
 * periodicity (PingSlotInfoReq), and once both are done opens a ping slot every pingPeriod × 30 ms
 * from the offset the beacon time and its DevAddr give. It follows the beacon every 128 s; without
 * one for two hours it goes back to class A, and looks for a beacon again.
 */

const PERIOD_US = BEACON_PERIOD_S * 1_000_000;
/** How far from where it is expected a tracked beacon may start (the device's timing error, generous). */
const BEACON_TOLERANCE_US = 50_000;

export interface ClassBState {
  /** 0–7: a ping slot every 2^periodicity seconds (pingPeriod 2^(5+periodicity) slots). */
  periodicity: number;
  lastBeacon?: { atUs: number; gpsS: number };
  /** The network acknowledged the periodicity (PingSlotInfoAns). */
  answered: boolean;
  /** Ping slots open, ClassB set in uplinks: a beacon within two hours and the periodicity acknowledged. */
  active: boolean;
  /** What the last uplink's ClassB bit told the network: all it knows of this device's ping slots. */
  announced?: boolean;
  check?: TimerHandle;
}

/** A class B device with a session asks for its ping slots (uplink.ts) and starts looking for a beacon. */
export function startClassB(dev: VirtualDevice, periodicity: number): void {
  if (dev.classB !== undefined && dev.classB.check) dev.scheduler.cancel(dev.classB.check);
  dev.classB = { periodicity, answered: false, active: false };
}

/** PingSlotInfoAns: the request is done (it rides no further uplink). */
export function pingSlotInfoAnswered(dev: VirtualDevice): boolean {
  const b = dev.classB;
  if (b === undefined) return false;
  b.answered = true;
  activate(dev, b);
  return true;
}

function activate(dev: VirtualDevice, b: ClassBState): void {
  if (b.active || !b.answered || b.lastBeacon === undefined) return;
  b.active = true;
  dev.emit({ type: 'class-b', active: true });
  // LoRaWAN 1.0.4 §12.1: the network learns of the switch from the ClassB bit: an uplink soon tells it,
  // past the beacon-reserved time, where its answer could not go out (a gateway beacons then).
  if (dev.uplinkSoon === undefined)
    dev.uplinkSoon = dev.scheduler.after(BEACON_RESERVED_MS * 1000 + 1_000_000, () => {
      dev.uplinkSoon = undefined;
      if (dev.cycle === undefined && dev.session !== undefined && !dev.stopped)
        dataCycle(dev, dev.nextUplink());
    });
}

/** A beacon on the air where this device may hear it. */
export function hearBeacon(dev: VirtualDevice, d: HeardDownlink): void {
  const b = dev.classB;
  if (b === undefined || dev.stopped) return;
  const r = dev.config.region;
  const dr = r.dataRates[r.beacon.dataRate];
  if (
    dr === undefined ||
    dr.modulation !== 'LORA' ||
    d.datr !== dr.datr ||
    !(dev.mac.beaconFrequency !== undefined ? [dev.mac.beaconFrequency] : r.beacon.frequencies).includes(
      d.frequency,
    )
  )
    return;
  // Acquisition: where GPS time from DeviceTimeAns says the beacon is due. Tracking: where the last
  // beacon says. Its radio busy sending: the beacon is not heard.
  if (b.lastBeacon === undefined && !listensForBeaconAt(dev, d.startUs)) return;
  if (b.lastBeacon !== undefined) {
    const off = (d.startUs - b.lastBeacon.atUs) % PERIOD_US;
    if (Math.min(off, PERIOD_US - off) > BEACON_TOLERANCE_US) return;
  }
  if (d.startUs < dev.transmittingUntil) return;
  let beacon;
  try {
    beacon = decodeBeacon(d.phyPayload, dr.spreadingFactor);
  } catch (e) {
    if (e instanceof CodecError) return;
    throw e;
  }
  if (!beacon.timeCrcOk || (b.lastBeacon !== undefined && b.lastBeacon.atUs >= d.startUs - 1000)) return;
  b.lastBeacon = { atUs: d.startUs, gpsS: beacon.gpsTimeS };
  dev.counters.beaconsReceived++;
  dev.emit({ type: 'beacon', gpsTimeS: beacon.gpsTimeS });
  activate(dev, b);
  watch(dev, b, d.startUs + PERIOD_US);
}

/**
 * Whether a searching device listens for a beacon at `atUs`. From 1.0.3 it knows GPS time only from
 * DeviceTimeAns and opens its receiver where that time puts a multiple of 128 s (1.0.4 §13.1): no
 * answer, no beacon; a wrong answer, the beacon is missed. A 1.0.2 device (no DeviceTimeReq) scans.
 */
function listensForBeaconAt(dev: VirtualDevice, atUs: number): boolean {
  if (dev.config.version === '1.0.2') return true;
  const t = dev.lastDeviceTime;
  if (t === undefined) return false;
  const gpsS = t.gpsEpochSeconds + t.fractionalSecondUnits / 256 + (atUs - t.atUs) / 1e6;
  const off = gpsS - Math.round(gpsS / BEACON_PERIOD_S) * BEACON_PERIOD_S;
  return Math.abs(off) * 1e6 <= BEACON_TOLERANCE_US;
}

/** After each beacon due: missed or not; two hours without one and class B ends. */
function watch(dev: VirtualDevice, b: ClassBState, dueUs: number): void {
  if (b.check) dev.scheduler.cancel(b.check);
  b.check = dev.scheduler.at(dueUs + BEACON_TOLERANCE_US + 1, () => {
    if (dev.stopped || dev.classB !== b || b.lastBeacon === undefined) return;
    if (b.lastBeacon.atUs >= dueUs - BEACON_TOLERANCE_US) return; // heard: hearBeacon watches on
    dev.counters.beaconsMissed++;
    dev.emit({ type: 'beacon-missed' });
    if (dueUs - b.lastBeacon.atUs >= BEACON_LESS_OPERATION_S * 1_000_000) {
      dev.counters.classBFallbacks++;
      b.active = false;
      b.lastBeacon = undefined; // acquisition again: any beacon will do
      dev.emit({ type: 'class-b', active: false });
      return;
    }
    watch(dev, b, dueUs + PERIOD_US);
  });
}

/** Whether a downlink starts in one of this device's ping slots, on the ping-slot channel. */
export function inPingSlot(dev: VirtualDevice, d: HeardDownlink, toleranceUs: number): boolean {
  const b = dev.classB;
  if (b === undefined || !b.active || b.lastBeacon === undefined || dev.session === undefined) return false;
  const r = dev.config.region;
  const k = Math.floor((d.startUs - b.lastBeacon.atUs + toleranceUs) / PERIOD_US);
  if (k < 0) return false;
  const beaconTimeS = b.lastBeacon.gpsS + BEACON_PERIOD_S * k;
  const freq = dev.mac.pingSlotFrequency ?? pingSlotFrequency(r, beaconTimeS, dev.session.devAddr);
  const dr = r.dataRates[dev.mac.pingSlotDataRate ?? r.beacon.dataRate];
  if (d.frequency !== freq || d.datr !== dr?.datr) return false;
  const pingPeriod = 2 ** (5 + b.periodicity);
  const offset = classBPingOffset(beaconTimeS, dev.session.devAddr, pingPeriod);
  const rel = d.startUs - (b.lastBeacon.atUs + k * PERIOD_US + BEACON_RESERVED_MS * 1000);
  const n = Math.round(rel / (PING_SLOT_MS * 1000));
  if (n < offset || n >= 4096 || (n - offset) % pingPeriod !== 0) return false;
  return Math.abs(rel - n * PING_SLOT_MS * 1000) <= toleranceUs;
}
