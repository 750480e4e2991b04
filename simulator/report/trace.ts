import type { AirFrame } from '../radio/air-frame.js';
import { BufferedFile } from './buffered-file.js';

/**
 * What a line is, for `--trace-kinds`: joins (requests, rejoins, accepts), data up, data down, and
 * what a device made of them (`event`: joined, a downlink in a window, an ACK, a violation…).
 */
export const TRACE_KINDS = ['join', 'uplink', 'downlink', 'event'] as const;
export type TraceKind = (typeof TRACE_KINDS)[number];

/** A frame's kind from its MHDR (LoRaWAN 1.1 §4.2.1): MType in the top three bits. */
export function traceKind(phyPayload: Uint8Array): TraceKind | undefined {
  const mType = (phyPayload[0] ?? 0xff) >> 5;
  if (mType === 0 || mType === 1 || mType === 6) return 'join';
  if (mType === 2 || mType === 4) return 'uplink';
  if (mType === 3 || mType === 5) return 'downlink';
  return undefined;
}

/** `meters-1*,trackers-?` → a test of device IDs (`*` any run of characters, `?` one). */
export function deviceFilter(globs: string): (id: string) => boolean {
  const res = globs
    .split(',')
    .map((g) => g.trim())
    .filter((g) => g !== '')
    .map(
      (g) =>
        new RegExp(
          `^${g
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '.*')
            .replace(/\?/g, '.')}$`,
        ),
    );
  return (id) => res.some((r) => r.test(id));
}

/** What became of a frame on air. */
export type FrameFate = 'received' | 'collided' | 'out-of-range' | 'heard' | 'unheard';

export function fateOf(f: AirFrame): FrameFate {
  if (f.dir === 'down') return f.heardBy.length > 0 ? 'heard' : 'unheard';
  if (f.receptions.length === 0) return 'out-of-range';
  return f.receptions.some((r) => r.lost === undefined) ? 'received' : 'collided';
}

/** One line of a frame trace; `frame` is the decoded frame (`packet decode --json` names), never keys. */
export interface TraceRecord {
  atUs: number;
  /** The run's clock at `atUs` (virtual or wall), ISO 8601. */
  time: string;
  /** The host's clock when the frame was traced (differs from `time` in virtual time). */
  wallTime: string;
  dir: 'up' | 'down';
  kind: TraceKind | 'proprietary';
  device: string | null;
  gateway?: string;
  gateways?: { id: string; rssi: number; snr: number; lost?: 'collision' }[];
  heardBy?: { device: string; rssi: number; snr: number }[];
  frequencyHz: number;
  datr: string | number;
  airtimeUs: number;
  eirpDbm: number;
  fate: FrameFate;
  phyPayload: string;
  frame: Record<string, unknown>;
}

/** One thing a device did or saw, as its own line of the trace (never its keys). */
export interface DeviceEventRecord {
  atUs: number;
  time: string;
  wallTime: string;
  dir: 'device';
  kind: 'event';
  device: string;
  /** The device event's type (joined, downlink, ack, nack, violation, simulator-late…) and its fields. */
  event: Record<string, unknown> & { type: string };
}

export type TraceLine = TraceRecord | DeviceEventRecord;

export interface TraceFilter {
  devices?: (id: string) => boolean;
  kinds?: readonly TraceKind[];
}

/**
 * `--trace FILE`: every frame on air as a JSON line, streamed (a run of a million uplinks holds none
 * of them), filtered by device and kind.
 */
export class FrameTrace {
  private readonly out: BufferedFile;
  written = 0;

  constructor(
    path: string,
    private readonly filter: TraceFilter = {},
  ) {
    this.out = new BufferedFile(path);
  }

  /** Whether a frame of this kind, about this device (null: not known), is wanted. */
  wants(kind: TraceKind | 'proprietary', device: string | null): boolean {
    if (this.filter.kinds && (kind === 'proprietary' || !this.filter.kinds.includes(kind))) return false;
    if (this.filter.devices && (device === null || !this.filter.devices(device))) return false;
    return true;
  }

  write(r: TraceLine): void {
    this.out.write(Buffer.from(`${JSON.stringify(r)}\n`));
    this.written++;
  }

  close(): void {
    this.out.close();
  }
}
