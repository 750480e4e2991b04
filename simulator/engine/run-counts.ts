import type { RunTotals } from '../metrics/report-metrics.js';
import type { DownlinkTracker } from '../tts/downlink-tracker.js';
import type { UplinkVerifier } from '../tts/uplink-verifier.js';
import type { CompactFleetRun } from './compact-fleets.js';
import type { FirmwareDevice } from './firmware-fleet.js';

/** The refusals, by reason, in what a target counted (RunTarget.counters). */
export function rejectedOf(network: Record<string, unknown>): Record<string, number> {
  return (network.rejected as Record<string, number> | undefined) ?? {};
}

/** Where a run's counts come from, while it runs and when it ends. */
export interface CountSources {
  devices: ReadonlyMap<string, FirmwareDevice>;
  compact: readonly CompactFleetRun[];
  verifier: UplinkVerifier;
  downlinks: DownlinkTracker;
  /** Refusals the network counted, by reason (RunTarget.counters). */
  rejected: Record<string, number>;
  notProvisioned: number;
  /**
   * The run is over: an uplink still unmatched is lost. Before that it may be in flight, so a live
   * count of lost uplinks stays 0 (a counter that only grows, as Prometheus expects).
   */
  settled: boolean;
}

/** The counts every metric of the registry is made of: one computation for the report and live figures. */
export function runCounts(o: CountSources): RunTotals {
  const v = o.verifier.stats();
  const dl = o.downlinks.stats();
  let joinsRequested = 0;
  let joinsAccepted = 0;
  let otaa = 0;
  let otaaJoined = 0;
  let windowMiss = 0;
  let confirmedAcked = 0;
  let confirmedUnacked = 0;
  let simulatorLate = 0;
  let beaconsReceived = 0;
  let beaconsMissed = 0;
  let pingSlotMissed = 0;
  let pingSlotNotScheduled = 0;
  for (const { dev, plan } of o.devices.values()) {
    const c = dev.counters;
    joinsRequested += c.joinRequests;
    joinsAccepted += c.joinAccepts;
    if (plan.spec.activation === 'otaa') {
      otaa++;
      if (dev.joined) otaaJoined++;
    }
    windowMiss += c.downlinksMissed;
    confirmedAcked += c.confirmedAcked;
    confirmedUnacked += c.confirmedUnacked;
    simulatorLate += c.simulatorLate;
    beaconsReceived += c.beaconsReceived;
    beaconsMissed += c.beaconsMissed;
    pingSlotMissed += c.pingSlotMissed;
    pingSlotNotScheduled += c.pingSlotNotScheduled;
  }
  for (const c of o.compact) {
    windowMiss += c.fleet.counters.downlinksMissed;
    simulatorLate += c.fleet.counters.simulatorLate;
  }
  return {
    uplinksSent: v.expected,
    uplinksDelivered: v.delivered,
    uplinksLost: o.settled ? v.lost : 0,
    uplinksDuplicated: v.duplicated,
    uplinksCorrupted: v.corrupted,
    joinsRequested,
    joinsAccepted,
    devicesOtaa: otaa,
    devicesOtaaJoined: otaaJoined,
    rxWindowMiss: windowMiss,
    confirmedAcked,
    confirmedUnacked,
    downlinksScheduled: dl.scheduled,
    downlinksReceived: dl.delivered,
    downlinksNoUplink: dl.noUplink,
    beaconsReceived,
    beaconsMissed,
    pingSlotDownlinks: dl.byWindow.PING ?? 0,
    pingSlotNotScheduled,
    pingSlotMissed,
    downlinksByWindow: dl.byWindow,
    networkRejections: Object.values(o.rejected).reduce((a, n) => a + n, 0),
    devicesNotProvisioned: o.notProvisioned,
    simulatorLate,
  };
}
