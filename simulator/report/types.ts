import type { ReportMetrics, RunTotals } from '../metrics/report-metrics.js';
import type { ViolationCounts, ViolationKind } from '../lorawan/violations.js';
import type { DistributionsJson, TimelineJson } from '../metrics/run-metrics.js';
import type { ThresholdResult } from '../scenario/thresholds.js';
import type { DownlinkLossReason, UplinkLossReason } from '../metrics/losses.js';

/** Where a run is, for the live display. */
export type RunPhase = 'provisioning' | 'traffic' | 'draining' | 'teardown';

export interface Progress {
  /** The run's clock (ms since 1970; virtual in virtual time). */
  timeMs: number;
  elapsedMs: number;
  durationMs: number;
  joined: number;
  devices: number;
  /** The counts every metric is made of, so far (lost uplinks only once the run is over). */
  counts: RunTotals;
  /** End-to-end latency so far, ms (null before the first delivery). */
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  /** Refusals the network explained so far (events), plus spec violations the devices saw. */
  errors: number;
  /** Of `errors`, the refusals and failures the network explained (events stream). */
  refusals: number;
  /** The spec violations the devices saw so far, by kind. */
  violations: ViolationCounts;
  /** How late the simulator's own timers run, p99 so far, ms (0 in virtual time). */
  timerLagP99Ms: number;
  /** The same figures by fleet, gateway and reason. */
  breakdown: ProgressBreakdown;
}

/** A run's live figures by fleet, gateway and reason (labelled series, the dashboard's tables). */
export interface ProgressBreakdown {
  fleets: Record<string, { devices: number; joined: number; uplinksSent: number; uplinksDelivered: number }>;
  gateways: Record<string, { received: number; forwarded: number; transmitted: number; txAckErrors: number }>;
  /**
   * Transmissions (joins, uplinks, retransmissions) heard by no gateway, or destroyed at every one
   * that heard them: per transmission, since a retransmission may still deliver the uplink.
   */
  transmissionsLost: Record<'out-of-range' | 'collided', number>;
  downlinkLosses: Record<DownlinkLossReason, number>;
  /** Refusals and failures the network explained, by its reason. */
  reasons: Record<string, number>;
}

/** What the firmware devices did: MAC commands each way, data rates and powers per fleet, joins. */
export interface FirmwareReport {
  /**
   * MAC commands by name: in downlinks the devices received, and in uplinks they sent; the requests
   * the devices had to refuse (by request); uplinks that repeated a sticky answer (RXParamSetupAns,
   * RXTimingSetupAns, DlChannelAns) because no downlink had come since.
   */
  mac: {
    fromNetwork: Record<string, number>;
    fromDevices: Record<string, number>;
    refused: Record<string, number>;
    stickyRepeats: number;
    /** Answers still waiting for an uplink to ride on when the run ended, by name. */
    pendingAtEnd: Record<string, number>;
  };
  /** Data frames per fleet by data rate (`DR0`…) and by EIRP (dBm): where ADR took them. */
  dataRates: Record<string, Record<string, number>>;
  txPowerDbm: Record<string, Record<string, number>>;
  /**
   * The same per interval of `intervalS` from the start of traffic (index 0 is the first): how ADR
   * moved each fleet over the run.
   */
  adrOverTime: {
    intervalS: number;
    fleets: Record<string, { dataRates: Record<string, number[]>; txPowerDbm: Record<string, number[]> }>;
  };
  /** Confirmed uplinks acknowledged and not, and retransmissions (NbTrans repeats included). */
  confirmed: { acked: number; unacked: number; retransmissions: number };
  /** Downlinks the devices received, by window (`RXC`: class C's continuous window). */
  downlinksByWindow: Record<string, number>;
  classCDevices: number;
  /**
   * Join-requests of the OTAA devices: in all, the most one device needed, and how many devices
   * needed each number (`{"1": 85, "2": 15}`).
   */
  joinRequests: { devices: number; total: number; max: number; perDevice: Record<string, number> };
}

/** Percentiles of a lag, ms. */
export interface LagFigures {
  p50: number;
  p99: number;
  max: number;
}

/**
 * How the simulator itself kept up: what tells its own lag from the network's faults. Wall-clock
 * figures: they differ from machine to machine even where everything else of a run does not.
 */
export interface SimulatorHealth {
  clock: 'wall' | 'virtual';
  /** Wall time of traffic and drain, ms. */
  wallMs: number;
  /** Simulated seconds per wall second over traffic and drain (1 in wall time, more in virtual time). */
  speed: number;
  /** Process CPU time over wall time (1 = one core busy the whole time). */
  cpuShare: number;
  /** How late the simulator's own timers ran (wall time; 0 in virtual time, where nothing waits). */
  timerLagMs: LagFigures;
  /** Node's event-loop delay (wall time only). */
  eventLoopLagMs: LagFigures;
  /** Timers that ran more than 20 ms late (a receive window's tolerance). */
  timersLate: number;
  /** Receive windows lost to that lag: the `simulator_late` metric, never counted against the network. */
  windowsLate: number;
}

export interface RunReport {
  /**
   * `inconclusive`: thresholds failed while the simulator itself ran late, so the failure may be its
   * own and not the network's (`inconclusive` says why; exit code 2).
   */
  verdict: 'pass' | 'fail' | 'inconclusive';
  /** Why the verdict is inconclusive. */
  inconclusive?: string;
  scenario: string;
  seed: string;
  target: string;
  time: 'wall' | 'virtual';
  /** Present when the report is one shard's (`shard`) or merged from shards (`merged`). */
  shard?: { index: number; count: number };
  merged?: { shards: number };
  /** Worker threads the run was spread over (`--workers`), when more than one. */
  workers?: number;
  /** Devices and gateways this run simulated. */
  devices: number;
  gatewaysSimulated: number;
  durationMs: number;
  interrupted: boolean;
  thresholds: ThresholdResult[];
  metrics: ReportMetrics;
  fleets: Record<string, Record<string, number>>;
  gateways: Record<string, Record<string, number>>;
  network: Record<string, unknown>;
  violations: ViolationCounts;
  /**
   * Why the lost uplinks (`uplinks_lost`) never reached the application: out of range of every
   * gateway, collided at every gateway that heard them, or received by a gateway and not delivered
   * by the network. The three add up to `uplinks_lost`.
   */
  uplinkLosses: Record<UplinkLossReason, number>;
  /**
   * Frames for the devices (application downlinks, MAC answers, Join-accepts) that did not reach
   * them, by why: counted by the devices, so only for the firmware devices.
   */
  downlinkLosses: Record<DownlinkLossReason, number>;
  /** What the firmware devices did (MAC, data rates, joins). */
  firmware: FirmwareReport;
  /** A few of the violations with their details, to see exactly where the network broke the spec. */
  violationSamples: { device: string; kind: ViolationKind; detail: string }[];
  /** `notProvisioned`: the first few devices the target refused, with its reason. */
  diagnostics: { reasons: Record<string, number>; notProvisioned: { device: string; error: string }[] };
  /** Per time bucket from the start of traffic: what the HTML report plots. */
  timeline: TimelineJson;
  distributions: DistributionsJson;
  simulator: SimulatorHealth;
}

/** One device as the live dashboard's table shows it. */
export interface DeviceRow {
  id: string;
  fleet: string;
  joined: boolean;
  uplinks: number;
  downlinks: number;
  violations: number;
  lastRssi: number | null;
  lastSnr: number | null;
}

/** The run's devices for the live dashboard: a search over them, and each one's recent story. */
export interface DeviceDirectory {
  /** Devices whose ID contains `query` (case-insensitive), in ID order, at most `limit`. */
  search(query: string, limit: number): { devices: DeviceRow[]; matched: number; total: number };
  /** The device's latest frames and events as lines, oldest first; undefined for an unknown device. */
  log(id: string): string[] | undefined;
}

/** Where a run sends what a live view shows: its devices, then a partial report now and then. */
export interface LiveReportSink {
  devices(d: DeviceDirectory): void;
  /** The report so far (thresholds evaluated on what has happened) and where the run is. */
  snapshot(r: RunReport, state: LiveState): void;
}

/** Where a run still going is, for a live page (absent from the final report). */
export interface LiveState {
  phase: string;
  elapsedMs: number;
  durationMs: number;
  /** Transmissions the radio lost so far (an uplink is lost only once the run is over). */
  transmissionsLost?: Record<string, number>;
}
