import { parseDuration } from '../scenario/duration.js';
import { nextInterval, payloadFor } from '../scenario/expand.js';
import type { FleetSpec } from '../scenario/types.js';
import type { Scheduler } from '../time/scheduler.js';
import type { FirmwareDevice } from './firmware-fleet.js';

/** A downlink the scenario asks the application to queue for a device (`fleets[].downlinks`). */
export interface PlannedDownlink {
  deviceId: string;
  /** Its number among the device's downlinks, from 0. */
  k: number;
  fPort: number;
  bytes: Uint8Array;
  confirmed: boolean;
}

export interface TrafficOptions {
  scheduler: Scheduler;
  /** Scheduler µs: traffic starts here (joins spread over `joinWindowUs`) and ends at `endAt`. */
  startAt: number;
  endAt: number;
  joinWindowUs: number;
  /** Devices in the scenario, for the load stages' share (the same devices are active in any shard). */
  total: number;
  /** The share of devices the load stages have active `sinceStartUs` after the start. */
  activeShare: (sinceStartUs: number) => number;
  stopping: () => boolean;
  pushDownlink: (d: PlannedDownlink) => void;
}

/**
 * Each firmware device's day: it starts somewhere in the join window, sends its fleet's uplinks at the
 * fleet's interval while the load stages have it active, and gets the fleet's planned downlinks.
 */
export function scheduleTraffic(devices: Iterable<FirmwareDevice>, o: TrafficOptions): void {
  const { scheduler } = o;
  for (const e of devices) {
    // By the device's place in the whole scenario, so a ramp activates the same devices in any shard.
    const order = e.plan.ordinal / Math.max(1, o.total);
    const start = o.startAt + e.rng.uniform(0, o.joinWindowUs);
    const f = e.plan.fleet;
    scheduler.at(start, () => e.dev.start());
    const tick = () => {
      if (o.stopping() || scheduler.now() >= o.endAt) return;
      if (e.dev.joined && !e.dev.busy && order < o.activeShare(scheduler.now() - o.startAt)) {
        const payload = payloadFor(f.payload, e.rng, e.n++);
        e.dev.send(f.f_port, payload, e.rng.next() < f.confirmed);
      }
      scheduler.after(nextInterval(f, e.rng) * 1000, tick);
    };
    scheduler.at(start + e.rng.uniform(0, parseDuration(f.interval)! * 1000), tick);
    scheduleDownlinks(e, f, start, o);
  }
}

function scheduleDownlinks(e: FirmwareDevice, f: FleetSpec, start: number, o: TrafficOptions): void {
  const dl = f.downlinks;
  if (!dl?.per_device) return;
  const afterUs = parseDuration(dl.after)! * 1000;
  for (let k = 0; k < dl.per_device; k++) {
    o.scheduler.at(start + o.joinWindowUs + afterUs * (k + 1), () => {
      if (o.stopping() || !e.dev.joined) return;
      const bytes = payloadFor(dl.payload, e.rng, k);
      o.pushDownlink({
        deviceId: e.plan.spec.deviceId,
        k,
        fPort: dl.f_port,
        bytes,
        confirmed: dl.confirmed,
      });
    });
  }
}
