import { rekeyTransient, transientKey } from '../../crypto/aes.js';
import { dataDownlinkMic11, dataMic10 } from '../../crypto/frame-crypto.js';
import type { DevAddr } from '../../crypto/types.js';
import { buildDataFrame, type SessionKeys } from '../lorawan/frame-security.js';
import type { Rng } from '../random/rng.js';
import { timeOnAir } from '../region/airtime.js';
import { dataRate as regionDataRate, txPowerEirp } from '../region/channels.js';
import type { DataRate, Region } from '../region/types.js';
import type { Scheduler, TimerHandle } from '../time/scheduler.js';
import { DeviceConfigError } from './errors.js';
import type { HeardDownlink } from './types.js';

export interface CompactFleetOptions {
  count: number;
  region: Region;
  /** Session crypto: 1.0 (NwkSKey, AppSKey) or 1.1 (FNwkSIntKey, SNwkSIntKey, NwkSEncKey, AppSKey). */
  version: '1.0' | '1.1';
  dataRate: number;
  /** TXPower index (0 = max EIRP). */
  txPower?: number;
  fPort: number;
  payloadSize: number;
  /** Mean µs between a device's uplinks; each interval is drawn uniformly within ±`jitter` of it. */
  intervalUs: number;
  jitter?: number;
  /** µs after `start()` within which each device sends its first uplink. */
  spreadUs?: number;
  /** RX1 delay of the sessions, seconds (RX2 one second later). */
  rx1DelayS?: number;
  /** A receive window accepts a downlink starting this many µs either side of its opening. */
  rxWindowToleranceUs?: number;
  devAddr(i: number): number;
  /** The device index with this DevAddr, or -1 when it is not one of the fleet's. */
  indexOf(devAddr: number): number;
  /**
   * Writes device i's session keys into `out` (32 bytes for 1.0, 64 for 1.1, in the order above).
   * Called on the device's first uplink, never before: an idle device holds no keys.
   */
  sessionKeys(i: number, out: Uint8Array): void;
  rng: Rng;
  /**
   * Where FCntUp survives the process: the bound a device resumes from, and a reservation written
   * before the first frame that reaches it (FCntUp never goes back, LoRaWAN 1.0.4 §4.3.1.5).
   */
  fCnts?: {
    initial(i: number): number;
    reserve(i: number, bound: number): void;
    /**
     * Every device's bound at once, `bounds[i]` for device i: a fleet starting up writes them in a
     * few writes, not a system call for each device's first frame.
     */
    reserveAll?(bounds: Uint32Array): void;
  };
  /** Whether device i sends now (load stages); an inactive device keeps its turn and skips it. */
  active?: (i: number, nowUs: number) => boolean;
}

/** One uplink on air. `device` is the index in the fleet. */
export interface CompactTransmission {
  device: number;
  devAddr: number;
  fCnt: number;
  fPort: number;
  /**
   * The application payload in clear: the fleet's own buffer, rewritten for its next uplink, so valid
   * during this callback only (copy it to keep it). One allocation fewer per uplink.
   */
  payload: Uint8Array;
  phyPayload: Uint8Array;
  frequency: number;
  channel: number;
  datr: string;
  spreadingFactor: number;
  bandwidth: number;
  codr: '4/5';
  eirp: number;
  startUs: number;
  airtimeUs: number;
}

export interface CompactFleetCounters {
  uplinks: number;
  /** Downlinks that opened in RX1 or RX2 with a valid MIC. */
  downlinksInWindow: number;
  /** Downlinks for a fleet device outside both windows (the network was late or early). */
  downlinksMissed: number;
  downlinksBadMic: number;
  /** …of those, the ones that came while the simulator's own timers ran late (not the network's). */
  simulatorLate: number;
}

/**
 * Many class A devices with established sessions (ABP, or OTAA after the join), sending unconfirmed
 * uplinks — the load of a fleet at scale. The state a device needs between uplinks lives in typed
 * arrays indexed by device (FCntUp, next transmit time, end of the last uplink, last FCntDown, session
 * keys once derived, the FCntUp reserved on disk): about 65 bytes a device, no object, no closure and no timer each. One heap
 * orders the devices by their next transmit time and one scheduler timer waits for the earliest, so
 * the same code runs in wall time and virtual time. Frames are built with transient keys (one ECB
 * cipher per key per frame, nothing cached per device) through the same buildDataFrame as
 * VirtualDevice, so the bytes are those of a full device. Receive windows are checked for every
 * downlink addressed to a fleet device: opening time (RX1DELAY and RX1DELAY + 1 s after the uplink,
 * LoRaWAN 1.0.4 §3.3.1) and MIC.
 *
 * What a VirtualDevice does beyond this (joins, MAC commands, ADR, confirmed traffic, duty-cycle
 * bookkeeping per band) is not here: it is the firmware-behaviour path, one object per device.
 */
export class CompactFleet {
  readonly counters: CompactFleetCounters = {
    uplinks: 0,
    downlinksInWindow: 0,
    downlinksMissed: 0,
    downlinksBadMic: 0,
    simulatorLate: 0,
  };
  private readonly fCntUp: Uint32Array;
  private readonly reserved: Uint32Array;
  private readonly nextAt: Float64Array;
  private readonly lastEnd: Float64Array;
  private readonly fCntDown: Uint32Array;
  private readonly keys: Uint8Array;
  private readonly keyed: Uint8Array;
  private readonly heap: Uint32Array;
  private heapSize = 0;
  private readonly keyBytes: number;
  private readonly dr: Extract<DataRate, { modulation: 'LORA' }>;
  private readonly airtime: number;
  private readonly eirp: number;
  private readonly frequencies: number[];
  private readonly payload: Uint8Array;
  private readonly payloadView: DataView;
  /** Reused for every frame (rekeyed): no key objects allocated per uplink. */
  private readonly k = [0, 1, 2, 3].map(() => transientKey(new Uint8Array(16)));
  private readonly frameKeys: SessionKeys;
  private timer: TimerHandle | undefined;
  private timerAt = Number.POSITIVE_INFINITY;
  private running = false;

  constructor(
    private readonly o: CompactFleetOptions,
    private readonly scheduler: Scheduler,
    private readonly radio: (tx: CompactTransmission) => void,
    /** Planned versus actual transmit time, µs (wall time shows the scheduler's lag). */
    private readonly onLag?: (lagUs: number) => void,
  ) {
    const n = o.count;
    const d = regionDataRate(o.region, o.dataRate);
    if (d.modulation !== 'LORA')
      throw new DeviceConfigError(
        'fleet',
        'data_rate',
        `DR${o.dataRate} is not LoRa; the compact fleet sends LoRa`,
      );
    this.dr = d;
    this.fCntUp = new Uint32Array(n);
    this.reserved = new Uint32Array(n);
    if (o.fCnts) for (let i = 0; i < n; i++) this.fCntUp[i] = this.reserved[i] = o.fCnts.initial(i);
    this.nextAt = new Float64Array(n);
    this.lastEnd = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
    this.fCntDown = new Uint32Array(n);
    this.keyBytes = o.version === '1.0' ? 32 : 64;
    this.keys = new Uint8Array(n * this.keyBytes);
    this.keyed = new Uint8Array(n);
    this.heap = new Uint32Array(n);
    this.payload = new Uint8Array(o.payloadSize);
    this.payloadView = new DataView(this.payload.buffer);
    this.frameKeys =
      this.keyBytes === 32
        ? { fNwkSIntKey: this.k[0]!, sNwkSIntKey: this.k[0]!, nwkSEncKey: this.k[0]!, appSKey: this.k[1]! }
        : { fNwkSIntKey: this.k[0]!, sNwkSIntKey: this.k[1]!, nwkSEncKey: this.k[2]!, appSKey: this.k[3]! };
    this.frequencies = o.region.defaultChannels.map((c) => c.frequency);
    // MHDR 1 + FHDR 7 + FPort 1 + payload + MIC 4.
    this.airtime = timeOnAir(d, 13 + o.payloadSize, 'up');
    this.eirp = txPowerEirp(o.region, o.txPower ?? 0);
    // A fleet that would break the regional duty cycle is a configuration error, not a load.
    const problem = dutyCycleProblem(o);
    if (problem !== undefined) throw new DeviceConfigError('fleet', 'interval', problem);
  }

  get size(): number {
    return this.o.count;
  }

  /** The first uplink of each device falls uniformly within `spreadUs` from now. */
  start(): void {
    const now = this.scheduler.now();
    const spread = this.o.spreadUs ?? this.o.intervalUs;
    const f = this.o.fCnts;
    if (f?.reserveAll) {
      // Each device sends within the first interval: its first reservation, made for all of them now.
      for (let i = 0; i < this.o.count; i++)
        if (this.fCntUp[i]! >= this.reserved[i]!) this.reserved[i] = this.fCntUp[i]! + FCNT_RESERVE;
      f.reserveAll(this.reserved);
    }
    for (let i = 0; i < this.o.count; i++) {
      this.nextAt[i] = now + this.o.rng.next() * spread;
      this.push(i);
    }
    this.running = true;
    this.arm();
  }

  stop(): void {
    this.running = false;
    if (this.timer) this.scheduler.cancel(this.timer);
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
  }

  fCnt(i: number): number {
    return this.fCntUp[i]!;
  }

  private arm(): void {
    if (!this.running || this.heapSize === 0) return;
    const at = this.nextAt[this.heap[0]!]!;
    if (this.timer !== undefined && this.timerAt <= at) return;
    if (this.timer) this.scheduler.cancel(this.timer);
    this.timerAt = at;
    this.timer = this.scheduler.at(at, this.fire);
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = this.scheduler.now();
    const jitter = this.o.jitter ?? 0.1;
    while (this.running && this.heapSize > 0 && this.nextAt[this.heap[0]!]! <= now) {
      const i = this.pop();
      if (this.onLag) this.onLag(this.scheduler.clockNow() - this.nextAt[i]!);
      if (this.o.active?.(i, now) ?? true) this.send(i, now);
      this.nextAt[i] = this.nextAt[i]! + this.o.intervalUs * (1 - jitter + 2 * jitter * this.o.rng.next());
      this.push(i);
    }
    this.arm();
  };

  private sessionKeys(i: number): SessionKeys {
    const b = this.keyBytes;
    if (this.keyed[i] === 0) {
      this.o.sessionKeys(i, this.keys.subarray(i * b, (i + 1) * b));
      this.keyed[i] = 1;
    }
    for (let j = 0; j < b / 16; j++) rekeyTransient(this.k[j]!, this.keys, i * b + j * 16);
    return this.frameKeys;
  }

  private send(i: number, now: number): void {
    const fCnt = this.fCntUp[i]!;
    if (this.o.fCnts && fCnt >= this.reserved[i]!) {
      this.reserved[i] = fCnt + FCNT_RESERVE;
      this.o.fCnts.reserve(i, this.reserved[i]!);
    }
    const devAddr = this.o.devAddr(i) >>> 0;
    const p = this.payload;
    // A payload a receiver can check: the frame counter and the device index.
    if (p.length >= 4) this.payloadView.setUint32(0, fCnt);
    if (p.length >= 8) this.payloadView.setUint32(4, i);
    const channel = Math.floor(this.o.rng.next() * this.frequencies.length);
    const phyPayload = buildDataFrame(
      {
        mType: 'UnconfirmedDataUp',
        devAddr: devAddr as DevAddr,
        fCtrl: {},
        fCnt: fCnt & 0xffff,
        fOpts: EMPTY,
        fPort: this.o.fPort,
        frmPayload: p,
      },
      this.sessionKeys(i),
      this.o.version === '1.0'
        ? { version: '1.0', fCnt }
        : { version: '1.1', fCnt, confFCnt: 0, txDr: this.o.dataRate, txCh: channel },
    );
    this.fCntUp[i] = fCnt + 1;
    this.lastEnd[i] = now + this.airtime;
    this.counters.uplinks++;
    this.radio({
      device: i,
      devAddr,
      fCnt,
      fPort: this.o.fPort,
      payload: p,
      phyPayload,
      frequency: this.frequencies[channel]!,
      channel,
      datr: this.dr.datr,
      spreadingFactor: this.dr.spreadingFactor,
      bandwidth: this.dr.bandwidth,
      codr: '4/5',
      eirp: this.eirp,
      startUs: now,
      airtimeUs: this.airtime,
    });
  }

  /**
   * A downlink the radio delivered to the fleet's area: counted when it is a data downlink for one of
   * the fleet's devices, opening in its RX1 or RX2 (± tolerance) with a valid MIC; other frames are
   * not addressed to these devices and are ignored.
   */
  hear(d: HeardDownlink): void {
    const phy = d.phyPayload;
    if (phy.length < 12) return;
    const mType = phy[0]! >> 5;
    if (mType !== 3 && mType !== 5) return;
    const devAddr = (phy[1]! | (phy[2]! << 8) | (phy[3]! << 16) | (phy[4]! << 24)) >>> 0;
    const i = this.o.indexOf(devAddr);
    if (i < 0 || i >= this.o.count || this.keyed[i] === 0) return;
    const rx1 = this.lastEnd[i]! + (this.o.rx1DelayS ?? 1) * 1e6;
    const tol = this.o.rxWindowToleranceUs ?? 20_000;
    const inWindow = Math.abs(d.startUs - rx1) <= tol || Math.abs(d.startUs - (rx1 + 1e6)) <= tol;
    if (!inWindow) {
      if (this.scheduler.lateBetween(this.lastEnd[i]!, this.scheduler.now())) this.counters.simulatorLate++;
      else this.counters.downlinksMissed++;
      return;
    }
    // The 32-bit FCntDown closest above the last one with these low 16 bits (LoRaWAN 1.1 §4.3.1.5).
    const low = phy[6]! | (phy[7]! << 8);
    const last = this.fCntDown[i]!;
    let full = (last & 0xffff0000) | low;
    if (full < last) full += 0x10000;
    const keys = this.sessionKeys(i);
    const n = phy.length - 4;
    const mic =
      this.o.version === '1.0'
        ? dataMic10(keys.sNwkSIntKey, 'down', devAddr, full >>> 0, phy, n)
        : dataDownlinkMic11(keys.sNwkSIntKey, 0, devAddr, full >>> 0, phy, n);
    for (let k = 0; k < 4; k++)
      if (mic[k] !== phy[n + k]) {
        this.counters.downlinksBadMic++;
        return;
      }
    this.fCntDown[i] = full >>> 0;
    this.counters.downlinksInWindow++;
  }

  // A binary min-heap of device indices keyed by nextAt.
  private push(i: number): void {
    const h = this.heap;
    const t = this.nextAt;
    let k = this.heapSize++;
    const at = t[i]!;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      const p = h[parent]!;
      if (t[p]! <= at) break;
      h[k] = p;
      k = parent;
    }
    h[k] = i;
  }

  private pop(): number {
    const h = this.heap;
    const t = this.nextAt;
    const top = h[0]!;
    const last = h[--this.heapSize]!;
    const n = this.heapSize;
    if (n === 0) return top;
    const at = t[last]!;
    let k = 0;
    for (;;) {
      let c = 2 * k + 1;
      if (c >= n) break;
      if (c + 1 < n && t[h[c + 1]!]! < t[h[c]!]!) c++;
      if (t[h[c]!]! >= at) break;
      h[k] = h[c]!;
      k = c;
    }
    h[k] = last;
    return top;
  }
}

const EMPTY = new Uint8Array(0);
/** FCntUp is reserved on disk this far ahead: a write every 64 frames of a device. */
const FCNT_RESERVE = 64;

/**
 * Why a compact fleet's interval breaks the region's duty cycle on its default channels (its
 * shortest gap, jitter taken off, is less than its airtime allows), or undefined when it does not:
 * checked before a run registers anything, and again when the fleet is made.
 */
export function dutyCycleProblem(
  o: Pick<CompactFleetOptions, 'region' | 'dataRate' | 'payloadSize' | 'intervalUs' | 'jitter'>,
): string | undefined {
  const d = regionDataRate(o.region, o.dataRate);
  // MHDR 1 + FHDR 7 + FPort 1 + payload + MIC 4.
  const airtime = timeOnAir(d, 13 + o.payloadSize, 'up');
  const dutyCycle = Math.min(
    1,
    ...o.region.defaultChannels.map(
      (c) =>
        o.region.subBands.find((b) => c.frequency >= b.minFrequency && c.frequency <= b.maxFrequency)
          ?.dutyCycle ?? 1,
    ),
  );
  if (!(dutyCycle > 0 && dutyCycle < 1)) return undefined;
  const minInterval = airtime / dutyCycle;
  if (o.intervalUs * (1 - (o.jitter ?? 0.1)) >= minInterval) return undefined;
  return `${o.intervalUs / 1e6}s breaks the ${dutyCycle * 100} % duty cycle: at least ${(minInterval / 1e6).toFixed(1)}s at DR${o.dataRate}`;
}
