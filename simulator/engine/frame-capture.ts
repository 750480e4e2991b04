import { CodecError } from '../lorawan/errors.js';
import { describePacket, type DecodeOptions } from '../lorawan/describe.js';
import type { AirFrame } from '../radio/air-frame.js';
import { PcapWriter } from '../report/pcap.js';
import {
  fateOf,
  FrameTrace,
  traceKind,
  type DeviceEventRecord,
  type TraceFilter,
  type TraceRecord,
} from '../report/trace.js';
import type { DeviceEvent } from '../device/types.js';
import { parseLoRaDatr } from '../semtech-udp/packets.js';
import type { Scheduler } from '../time/scheduler.js';
import type { Disposers } from './disposers.js';
import type { FirmwareDevice } from './firmware-fleet.js';

export interface CaptureOptions {
  /** `--trace FILE`: every frame as a JSON line. */
  trace?: string;
  traceFilter?: TraceFilter;
  /** `--pcap FILE`: every LoRa frame over LoRaTap, for Wireshark. */
  pcap?: string;
}

/** What the capture reads of the run: its clock and its devices (for their keys, never written out). */
export interface CaptureContext {
  scheduler: Scheduler;
  devices: () => ReadonlyMap<string, FirmwareDevice>;
  /** The region's data rate index of a `datr` (TxDr of a 1.1 uplink MIC). */
  dataRateOf: (datr: string | number) => number | undefined;
}

/** Where the run hands what it captures: each frame on air, and what each device made of it. */
export interface Capture {
  frame(f: AirFrame): void;
  deviceEvent(deviceId: string, e: DeviceEvent): void;
}

/** Device events worth a line of their own: an uplink already is one, as its frame. */
const TRACED_EVENTS = new Set<DeviceEvent['type']>([
  'joined',
  'join-failed',
  'downlink',
  'ack',
  'nack',
  'rejoin',
  'link-check',
  'device-time',
  'violation',
  'simulator-late',
  'gateway-refused',
  'not-scheduled',
  'too-weak',
]);

/**
 * Opens the run's frame outputs (undefined when none is asked for); both files are closed by
 * `cleanup`.
 */
export function openCapture(o: CaptureOptions, ctx: CaptureContext, cleanup: Disposers): Capture | undefined {
  if (o.trace === undefined && o.pcap === undefined) return undefined;
  const trace = o.trace === undefined ? undefined : new FrameTrace(o.trace, o.traceFilter);
  const pcap = o.pcap === undefined ? undefined : new PcapWriter(o.pcap);
  if (trace) cleanup.defer('frame trace', () => trace.close());
  if (pcap) cleanup.defer('pcap', () => pcap.close());
  const keys = new DeviceKeys(ctx);
  return {
    frame: (f) => {
      if (pcap) capture(pcap, ctx.scheduler, f);
      if (trace) traceFrame(trace, ctx.scheduler, keys, f);
    },
    deviceEvent: (deviceId, e) => {
      if (!trace || !TRACED_EVENTS.has(e.type) || !trace.wants('event', deviceId)) return;
      const atUs = ctx.scheduler.now();
      trace.write({
        atUs,
        time: new Date(ctx.scheduler.wallClockMs(atUs)).toISOString(),
        wallTime: new Date().toISOString(),
        dir: 'device',
        kind: 'event',
        device: deviceId,
        event: eventJson(e),
      });
    },
  };
}

/** A device event as JSON: bytes as hex. */
function eventJson(e: DeviceEvent): DeviceEventRecord['event'] {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(e))
    out[k] = v instanceof Uint8Array ? Buffer.from(v).toString('hex').toUpperCase() : v;
  return out as DeviceEventRecord['event'];
}

function capture(pcap: PcapWriter, scheduler: Scheduler, f: AirFrame): void {
  const lora = parseLoRaDatr(f.datr);
  if (!lora) return; // LoRaTap carries LoRa frames only
  const best =
    f.dir === 'up'
      ? f.receptions.filter((r) => r.lost === undefined).sort((a, b) => b.rssi - a.rssi)[0]
      : undefined;
  pcap.frame(
    scheduler.wallClockMs(f.startUs),
    {
      frequencyHz: f.frequencyHz,
      bandwidthHz: lora.bandwidthHz,
      spreadingFactor: lora.spreadingFactor,
      ...(best ? { rssi: best.rssi, snr: best.snr } : {}),
    },
    f.phyPayload,
  );
}

function traceFrame(trace: FrameTrace, scheduler: Scheduler, keys: DeviceKeys, f: AirFrame): void {
  const kind = traceKind(f.phyPayload) ?? 'proprietary';
  const decoded = keys.describe(f, kind);
  if (!trace.wants(kind, decoded.device)) return;
  const r: TraceRecord = {
    atUs: f.startUs,
    time: new Date(scheduler.wallClockMs(f.startUs)).toISOString(),
    wallTime: new Date().toISOString(),
    dir: f.dir,
    kind,
    device: decoded.device,
    ...(f.dir === 'up'
      ? {
          gateways: f.receptions.map((x) => ({
            id: x.gatewayId,
            rssi: Math.round(x.rssi * 10) / 10,
            snr: Math.round(x.snr * 10) / 10,
            ...(x.lost ? { lost: x.lost } : {}),
          })),
        }
      : {
          gateway: f.gatewayId,
          heardBy: f.heardBy.map((x) => ({
            device: x.deviceId,
            rssi: Math.round(x.rssi * 10) / 10,
            snr: Math.round(x.snr * 10) / 10,
          })),
        }),
    frequencyHz: f.frequencyHz,
    datr: f.datr,
    airtimeUs: Math.round(f.airtimeUs),
    eirpDbm: f.eirpDbm,
    fate: fateOf(f),
    phyPayload: Buffer.from(f.phyPayload).toString('hex').toUpperCase(),
    frame: decoded.frame,
  };
  trace.write(r);
}

/**
 * The keys a firmware device holds, to decode its frames as it would: session keys for data frames,
 * its root key for joins. They go into the decoder only; the record carries what it decoded.
 */
class DeviceKeys {
  private readonly byDevAddr = new Map<number, string>();

  constructor(private readonly ctx: CaptureContext) {}

  private devices(): ReadonlyMap<string, FirmwareDevice> {
    return this.ctx.devices();
  }

  describe(f: AirFrame, kind: string): { device: string | null; frame: TraceRecord['frame'] } {
    if (f.dir === 'up') {
      const txDr = this.ctx.dataRateOf(f.datr);
      const tx = { txCh: f.channel, ...(txDr === undefined ? {} : { txDr }) };
      return { device: f.deviceId, frame: this.decode(f.phyPayload, f.deviceId, 'up', tx) };
    }
    if (kind === 'join') {
      // A Join-accept names no device: it is the one whose key opens it — among its listeners first,
      // then (a device that did not hear it) among every device still waiting for one.
      for (const h of f.heardBy) {
        const frame = this.decode(f.phyPayload, h.deviceId, 'down');
        if (frame.micValid === true) return { device: h.deviceId, frame };
      }
      for (const [id, e] of this.devices()) {
        if (e.dev.cycle?.join === undefined) continue;
        const frame = this.decode(f.phyPayload, id, 'down');
        if (frame.micValid === true) return { device: id, frame };
      }
      return { device: null, frame: this.decode(f.phyPayload, undefined, 'down') };
    }
    const device = this.ownerOf(f.phyPayload);
    return { device: device ?? null, frame: this.decode(f.phyPayload, device, 'down') };
  }

  private ownerOf(phy: Uint8Array): string | undefined {
    if (phy.length < 5) return undefined;
    const addr = (phy[1]! | (phy[2]! << 8) | (phy[3]! << 16) | (phy[4]! << 24)) >>> 0;
    const known = this.byDevAddr.get(addr);
    if (known !== undefined && this.devices().get(known)?.dev.devAddr === addr) return known;
    for (const [id, e] of this.devices())
      if (e.dev.devAddr === addr) {
        this.byDevAddr.set(addr, id);
        return id;
      }
    return undefined;
  }

  private decode(
    phy: Uint8Array,
    deviceId: string | undefined,
    dir: 'up' | 'down',
    tx: Pick<DecodeOptions, 'txDr' | 'txCh'> = {},
  ): Record<string, unknown> {
    const dev = deviceId === undefined ? undefined : this.devices().get(deviceId)?.dev;
    const o: DecodeOptions = { ...tx };
    if (dev) {
      const c = dev.config;
      const s = dev.session;
      if (s) {
        o.lorawan = s.version;
        // Read one by one: a slab device's keys are accessors (byte-slab.ts), not own fields.
        const k = s.keys;
        o.fNwkSIntKey = k.fNwkSIntKey;
        o.sNwkSIntKey = k.sNwkSIntKey;
        o.nwkSEncKey = k.nwkSEncKey;
        o.appSKey = k.appSKey;
        if (s.version === '1.0') o.nwkSKey = k.fNwkSIntKey;
        // The upper 16 bits of the frame counter the frame's direction uses (LoRaWAN 1.1 §4.3.1.5).
        const fCnt = dir === 'up' ? s.fCntUp : Math.max(s.nFCntDown ?? 0, s.aFCntDown ?? 0);
        o.fCntMsb = Math.floor(fCnt / 0x10000);
        // A 1.1 downlink that acknowledges a confirmed uplink has that uplink's FCnt in its MIC (§4.4).
        const c = dev.cycle;
        if (dir === 'down' && c?.confirmed && c.fCnt !== undefined) o.confFCnt = c.fCnt % 0x10000;
      }
      if (c.activation === 'otaa') {
        if (c.version === '1.1') {
          o.nwkKey = c.nwkKey;
          o.devEui = c.devEui;
          o.joinEui = c.joinEui;
          const devNonce = dev.cycle?.join?.devNonce;
          if (devNonce !== undefined) o.devNonce = devNonce;
        } else o.appKey = c.appKey;
      }
    }
    try {
      return describePacket(phy, o);
    } catch (e) {
      if (e instanceof CodecError) return { error: e.message };
      throw e;
    }
  }
}
