import type { Progress } from '../report/types.js';
import type { DownlinkTracker } from '../tts/downlink-tracker.js';
import type { UplinkVerifier } from '../tts/uplink-verifier.js';
import type { CompactFleetRun } from './compact-fleets.js';
import type { FirmwareDevice } from './firmware-fleet.js';
import { GATEWAY_PATH } from './refusals.js';

/** The live figures of a run so far, for the progress line and exporters. */
export function progressOf(o: {
  elapsedMs: number;
  durationMs: number;
  reasons: Record<string, number>;
  devices: ReadonlyMap<string, FirmwareDevice>;
  compact: readonly CompactFleetRun[];
  verifier: UplinkVerifier;
  downlinks: DownlinkTracker;
}): Progress {
  let joined = 0;
  let sent = 0;
  let joinRequests = 0;
  let misses = 0;
  let errors = Object.entries(o.reasons)
    .filter(([k]) => !k.startsWith(GATEWAY_PATH))
    .reduce((a, [, n]) => a + n, 0);
  let compactDevices = 0;
  for (const e of o.devices.values()) {
    if (e.dev.joined) joined++;
    sent += e.dev.counters.uplinks;
    joinRequests += e.dev.counters.joinRequests;
    misses += e.dev.counters.downlinksMissed;
    for (const n of Object.values(e.dev.violations)) errors += n;
  }
  for (const c of o.compact) {
    compactDevices += c.plans.length;
    joined += c.plans.length;
    sent += c.fleet.counters.uplinks;
    misses += c.fleet.counters.downlinksMissed;
  }
  const live = o.verifier.live();
  const dl = o.downlinks.stats();
  return {
    elapsedMs: o.elapsedMs,
    durationMs: o.durationMs,
    joined,
    devices: o.devices.size + compactDevices,
    uplinksSent: sent,
    uplinksDelivered: live.delivered,
    latencyP50Ms: live.p50,
    latencyP99Ms: live.p99,
    errors,
    joinRequests,
    downlinksScheduled: dl.scheduled,
    downlinksReceived: dl.delivered,
    rxWindowMisses: misses,
  };
}
