import type { RunTotals } from '../../simulator/metrics/report-metrics.js';
import type { Progress } from '../../simulator/report/types.js';

/** Counts of a run that has done nothing yet, with some of them set. */
export const counts = (over: Partial<RunTotals> = {}): RunTotals => ({
  uplinksSent: 0,
  uplinksDelivered: 0,
  uplinksLost: 0,
  uplinksDuplicated: 0,
  uplinksCorrupted: 0,
  joinsRequested: 0,
  joinsAccepted: 0,
  devicesOtaa: 0,
  devicesOtaaJoined: 0,
  rxWindowMiss: 0,
  confirmedAcked: 0,
  confirmedUnacked: 0,
  downlinksScheduled: 0,
  downlinksReceived: 0,
  downlinksNoUplink: 0,
  beaconsReceived: 0,
  beaconsMissed: 0,
  pingSlotDownlinks: 0,
  pingSlotNotScheduled: 0,
  pingSlotMissed: 0,
  networkRejections: 0,
  devicesNotProvisioned: 0,
  simulatorLate: 0,
  downlinksByWindow: {},
  ...over,
});

/** A progress tick of a 60 s run of 10 devices, with some of its figures set. */
export const progress = (over: Partial<Progress> = {}): Progress => ({
  timeMs: Date.UTC(2026, 11, 6, 12, 0, 1),
  elapsedMs: 1000,
  durationMs: 60_000,
  joined: 0,
  devices: 10,
  counts: counts(),
  latencyP50Ms: null,
  latencyP99Ms: null,
  errors: 0,
  refusals: 0,
  violations: {},
  timerLagP99Ms: 0,
  breakdown: {
    fleets: {},
    gateways: {},
    transmissionsLost: { 'out-of-range': 0, collided: 0 },
    downlinkLosses: {
      'gateway-refused': 0,
      'device-busy': 0,
      'outside-window': 0,
      'not-scheduled': 0,
      'too-weak': 0,
    },
    reasons: {},
  },
  ...over,
});
