import type { VirtualGateway } from '../gateway/gateway.js';
import { metricsFrom } from '../metrics/report-metrics.js';
import type { RunMetrics } from '../metrics/run-metrics.js';
import type { RunReport } from '../report/types.js';
import type { Shard } from '../scenario/shard.js';
import { evaluate, parseThreshold } from '../scenario/thresholds.js';
import type { Scenario } from '../scenario/types.js';
import type { DownlinkTracker } from '../tts/downlink-tracker.js';
import type { UplinkVerifier } from '../tts/uplink-verifier.js';
import type { CompactFleetRun } from './compact-fleets.js';
import type { FirmwareDevice } from './firmware-fleet.js';
import { rejectedOf, runCounts } from './run-counts.js';
import type { FirmwareReport, SimulatorHealth } from '../report/types.js';
import { verdictOf } from '../report/verdict.js';
import type { ViolationCounts, ViolationKind } from '../lorawan/violations.js';
import type { DeviceCounters } from '../device/types.js';

/** Everything a finished run hands to its report. */
export interface RunOutcome {
  scenario: Scenario;
  seed: string;
  target: string;
  virtual: boolean;
  durationMs: number;
  interrupted: boolean;
  devices: ReadonlyMap<string, FirmwareDevice>;
  compact: readonly CompactFleetRun[];
  gateways: ReadonlyMap<string, VirtualGateway>;
  verifier: UplinkVerifier;
  downlinks: DownlinkTracker;
  /** What the network counted (see RunTarget.counters). */
  network: Record<string, unknown>;
  /** Failures the network explained on its events stream, by reason. */
  reasons: Record<string, number>;
  notProvisioned: { device: string; error: string }[];
  metrics: RunMetrics;
  shard: Shard | undefined;
  /** How the simulator kept up, traffic and drain (HealthWatch). */
  health: Omit<SimulatorHealth, 'windowsLate'>;
  firmware: FirmwareReport;
  /** False for a report while the run goes on: unmatched uplinks may still be in flight, not lost. */
  settled?: boolean;
}

/** A fleet's figures in the report, and the device counter each adds up. */
const FLEET_COUNTERS = [
  ['uplinks', 'uplinks'],
  ['retransmissions', 'retransmissions'],
  ['downlinks', 'downlinks'],
  ['downlinks_missed', 'downlinksMissed'],
  ['downlinks_lost_busy', 'downlinksLostBusy'],
  ['downlinks_refused_by_gateway', 'downlinksRefusedByGateway'],
  ['downlinks_not_scheduled', 'downlinksNotScheduled'],
  ['downlinks_too_weak', 'downlinksTooWeak'],
  ['uplinks_not_sent_after_traffic', 'notSentAfterTraffic'],
  ['uplinks_unheard', 'uplinksUnheard'],
  ['beacons_received', 'beaconsReceived'],
  ['beacons_missed', 'beaconsMissed'],
  ['class_b_fallbacks', 'classBFallbacks'],
  ['ping_slot_missed', 'pingSlotMissed'],
  ['ping_slot_not_scheduled', 'pingSlotNotScheduled'],
] as const satisfies readonly (readonly [string, keyof DeviceCounters])[];

function emptyFleet(): Record<string, number> {
  const f: Record<string, number> = { devices: 0, joined: 0 };
  for (const [field] of FLEET_COUNTERS) f[field] = 0;
  return f;
}

/** The run's report: counts by fleet and gateway, the metrics, and the verdict of its thresholds. */
export function buildReport(o: RunOutcome): RunReport {
  const { scenario: s, seed, target, virtual, durationMs, interrupted, devices, gateways } = o;
  const { verifier, downlinks, network, reasons, notProvisioned, metrics: timeline, shard, compact } = o;
  const fleets: Record<string, Record<string, number>> = {};
  const violations: ViolationCounts = {};
  const violationSamples: RunReport['violationSamples'] = [];
  for (const { dev, plan } of devices.values()) {
    const c = dev.counters;
    const f = (fleets[plan.fleet.name] ??= emptyFleet());
    f.devices!++;
    if (dev.joined) f.joined!++;
    for (const [field, counter] of FLEET_COUNTERS) f[field]! += c[counter];
    for (const [k, n] of Object.entries(dev.violations) as [ViolationKind, number][])
      violations[k] = (violations[k] ?? 0) + n;
    for (const v of dev.recentViolations)
      if (violationSamples.length < 25)
        violationSamples.push({ device: plan.spec.deviceId, kind: v.kind, detail: v.detail });
  }
  for (const c of compact) {
    const k = c.fleet.counters;
    fleets[c.name] = {
      ...emptyFleet(),
      devices: c.plans.length,
      joined: c.plans.length,
      uplinks: k.uplinks,
      downlinks: k.downlinksInWindow,
      downlinks_missed: k.downlinksMissed,
    };
    if (k.downlinksBadMic > 0) violations['bad-mic'] = (violations['bad-mic'] ?? 0) + k.downlinksBadMic;
  }
  const gws: Record<string, Record<string, number>> = {};
  for (const [id, g] of gateways) {
    const c = g.counters;
    gws[id] = {
      received: c.rxReceived,
      forwarded: c.rxForwarded,
      push_data: c.pushData,
      push_ack_missing: c.pushAckMissing,
      transmitted: c.transmitted,
      tx_ack_errors: Object.entries(c.txAck)
        .filter(([k]) => k !== 'NONE')
        .reduce((a, [, n]) => a + n, 0),
    };
  }
  const rejected = rejectedOf(network);
  const counts = runCounts({
    devices,
    compact,
    verifier,
    downlinks,
    rejected,
    notProvisioned: notProvisioned.length,
    settled: o.settled ?? true,
  });
  const simulator: SimulatorHealth = { ...o.health, windowsLate: counts.simulatorLate };
  const metrics = metricsFrom(counts, verifier.latencyHistogram(), { lagP99: simulator.timerLagMs.p99 });
  const thresholds = s.thresholds.map((t) => evaluate(parseThreshold(t), metrics));
  return {
    ...verdictOf(thresholds, simulator),
    scenario: s.name,
    seed,
    target,
    time: virtual ? 'virtual' : 'wall',
    ...(shard ? { shard } : {}),
    devices: devices.size + compact.reduce((a, c) => a + c.plans.length, 0),
    gatewaysSimulated: gateways.size,
    durationMs,
    interrupted,
    thresholds,
    metrics,
    fleets,
    gateways: gws,
    network,
    violations,
    // While the run goes on, an unmatched uplink may still be on its way: nothing is lost yet.
    uplinkLosses:
      (o.settled ?? true)
        ? verifier.lossesByReason()
        : { 'out-of-range': 0, collided: 0, refused: 0, network: 0, 'simulator-late': 0 },
    downlinkLosses: {
      'gateway-refused': sumOf(fleets, 'downlinks_refused_by_gateway'),
      'device-busy': sumOf(fleets, 'downlinks_lost_busy'),
      'outside-window': sumOf(fleets, 'downlinks_missed'),
      'not-scheduled': sumOf(fleets, 'downlinks_not_scheduled'),
      'too-weak': sumOf(fleets, 'downlinks_too_weak'),
    },
    firmware: o.firmware,
    violationSamples,
    diagnostics: { reasons, notProvisioned: notProvisioned.slice(0, 10) },
    timeline: timeline.timeline(),
    distributions: timeline.distributions(),
    simulator,
  };
}

const sumOf = (fleets: Record<string, Record<string, number>>, k: string): number =>
  Object.values(fleets).reduce((a, f) => a + (f[k] ?? 0), 0);
