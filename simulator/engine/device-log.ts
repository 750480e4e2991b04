import type { DeviceEvent } from '../device/types.js';
import { CodecError } from '../lorawan/errors.js';
import { decodePHYPayload } from '../lorawan/phy-payload.js';
import type { AirFrame } from '../radio/air-frame.js';
import type { DeviceDirectory, DeviceRow } from '../report/types.js';
import type { Scheduler } from '../time/scheduler.js';

/** Devices the dashboard keeps figures for, and of those, how many keep a frame log, of how many lines. */
export const DEVICE_LOG_LIMITS = { devices: 100_000, logs: 10_000, lines: 24 } as const;

interface Entry {
  row: DeviceRow;
  lines?: string[];
  /** Its DevAddr, from its own data frames: which downlinks heard are its own. */
  devAddr?: number;
}

/**
 * The live dashboard's view of the devices: a row of figures each (bounded), and each device's
 * latest frames and events as lines, from the frames on air and the devices' own events. Frames are
 * described from their headers alone (no keys are used or kept).
 */
export class DeviceLog implements DeviceDirectory {
  private readonly entries = new Map<string, Entry>();
  private logs = 0;
  private sorted: string[] | undefined;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly fleetOf: (deviceId: string) => string | undefined,
  ) {}

  /** A device that exists from the start (compact fleets have a session from the first frame). */
  add(id: string, joined: boolean): void {
    const e = this.entry(id);
    if (e && joined) e.row.joined = true;
  }

  frame(f: AirFrame): void {
    if (f.dir === 'up') {
      const e = this.entry(f.deviceId);
      if (!e) return;
      const best = f.receptions.filter((r) => r.lost === undefined).sort((a, b) => b.rssi - a.rssi)[0];
      if (best) {
        e.row.lastRssi = Math.round(best.rssi * 10) / 10;
        e.row.lastSnr = Math.round(best.snr * 10) / 10;
      }
      const frame = headerText(f.phyPayload);
      const devAddr = devAddrOf(f.phyPayload);
      if (devAddr !== undefined) {
        e.devAddr = devAddr;
        e.row.uplinks++;
      }
      const heard =
        f.receptions.length === 0
          ? 'heard by no gateway'
          : best
            ? `heard by ${f.receptions.filter((r) => r.lost === undefined).length} (best ${e.row.lastRssi} dBm, SNR ${e.row.lastSnr} dB)`
            : `collided at every gateway (${f.receptions.length})`;
      this.line(e, `↑ ${frame}  ${radioText(f)}  ${heard}`);
      return;
    }
    // A device hears others' frames too: only its own data downlinks are its story (a Join-accept
    // names no device; the device's `joined` event tells that it got one).
    const devAddr = devAddrOf(f.phyPayload);
    if (devAddr === undefined) return;
    for (const h of f.heardBy) {
      const e = this.entries.get(h.deviceId);
      if (e && e.devAddr === devAddr)
        this.line(e, `↓ ${headerText(f.phyPayload)}  ${radioText(f)}  from ${f.gatewayId}`);
    }
  }

  event(id: string, ev: DeviceEvent): void {
    const e = this.entry(id);
    if (!e) return;
    switch (ev.type) {
      case 'joined':
        e.row.joined = true;
        return this.line(e, `• joined (attempt ${ev.attempt}), DevAddr ${hex32(ev.devAddr)}`);
      case 'join-failed':
        return this.line(e, `• no Join-accept (attempt ${ev.attempt})`);
      case 'downlink':
        e.row.downlinks++;
        return this.line(
          e,
          `• received in ${ev.window}: FCnt ${ev.fCnt}${ev.fPort === null ? '' : ` FPort ${ev.fPort}`}${ev.confirmed ? ' (confirmed)' : ''}`,
        );
      case 'violation':
        e.row.violations++;
        return this.line(e, `• VIOLATION ${ev.kind}: ${ev.detail}`);
      case 'mac':
        return this.line(
          e,
          `• MAC ${ev.dir === 'down' ? 'from the network' : 'sent'}: ${ev.commands.join(', ')}`,
        );
      case 'gateway-refused':
        return this.line(
          e,
          `• ${ev.joinAccept ? 'Join-accept' : 'downlink'} refused by the gateway (${ev.error})`,
        );
      case 'not-scheduled':
        return this.line(
          e,
          `• ${ev.joinAccept ? 'Join-accept' : 'downlink'} not scheduled: the network had no gateway with room for it`,
        );
      case 'too-weak':
        return this.line(
          e,
          `• ${ev.joinAccept ? 'Join-accept' : 'downlink'} sent through a gateway too far to hear it`,
        );
      case 'simulator-late':
        return this.line(e, `• lost to the simulator's own lag: ${ev.detail}`);
      default:
        return;
    }
  }

  search(query: string, limit: number): { devices: DeviceRow[]; matched: number; total: number } {
    this.sorted ??= [...this.entries.keys()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    const q = query.trim().toLowerCase();
    const devices: DeviceRow[] = [];
    let matched = 0;
    for (const id of this.sorted) {
      if (q !== '' && !id.toLowerCase().includes(q)) continue;
      matched++;
      if (devices.length < limit) devices.push({ ...this.entries.get(id)!.row });
    }
    return { devices, matched, total: this.entries.size };
  }

  log(id: string): string[] | undefined {
    const e = this.entries.get(id);
    if (e === undefined) return undefined;
    return (
      e.lines ?? [
        `(frames are kept for the first ${DEVICE_LOG_LIMITS.logs} devices; follow this one with --trace FILE --trace-devices ${id})`,
      ]
    );
  }

  private entry(id: string): Entry | undefined {
    const known = this.entries.get(id);
    if (known !== undefined || this.entries.size >= DEVICE_LOG_LIMITS.devices) return known;
    const e: Entry = {
      row: {
        id,
        fleet: this.fleetOf(id) ?? '',
        joined: false,
        uplinks: 0,
        downlinks: 0,
        violations: 0,
        lastRssi: null,
        lastSnr: null,
      },
    };
    if (this.logs < DEVICE_LOG_LIMITS.logs) {
      e.lines = [];
      this.logs++;
    }
    this.entries.set(id, e);
    this.sorted = undefined;
    return e;
  }

  private line(e: Entry, text: string): void {
    if (e.lines === undefined) return;
    const t = new Date(this.scheduler.wallClockMs()).toISOString().slice(11, 23);
    e.lines.push(`${t}  ${text}`);
    if (e.lines.length > DEVICE_LOG_LIMITS.lines) e.lines.shift();
  }
}

/** The DevAddr of a data frame (MType 010 to 101), from its header. */
function devAddrOf(phy: Uint8Array): number | undefined {
  const mType = phy.length >= 8 ? phy[0]! >> 5 : -1;
  if (mType < 2 || mType > 5) return undefined;
  return (phy[1]! | (phy[2]! << 8) | (phy[3]! << 16) | (phy[4]! << 24)) >>> 0;
}

const hex32 = (n: number) => (n >>> 0).toString(16).toUpperCase().padStart(8, '0');

/** A frame's header in a few words: MType, then DevNonce or DevAddr, FCnt, FPort. */
function headerText(phy: Uint8Array): string {
  try {
    const p = decodePHYPayload(phy);
    switch (p.mType) {
      case 'JoinRequest':
        return `JoinRequest DevNonce ${p.devNonce.toString(16).toUpperCase().padStart(4, '0')}`;
      case 'JoinAccept':
      case 'Proprietary':
        return p.mType;
      case 'RejoinRequest':
        return `RejoinRequest type ${p.rejoinType}`;
      default:
        return `${p.mType} DevAddr ${hex32(p.devAddr)} FCnt ${p.fCnt}${p.fPort === null ? '' : ` FPort ${p.fPort}`}${p.fOpts.length > 0 ? ` FOpts ${p.fOpts.length} B` : ''}`;
    }
  } catch (e) {
    if (e instanceof CodecError) return `undecodable (${e.message})`;
    throw e;
  }
}

function radioText(f: AirFrame): string {
  return `${(f.frequencyHz / 1e6).toFixed(1)} MHz ${String(f.datr)} ${f.eirpDbm} dBm`;
}
