import type { ReportMetrics, RunTotals } from '../metrics/report-metrics.js';
import type { ViolationCounts, ViolationKind } from '../lorawan/violations.js';
import type { DistributionsJson, TimelineJson } from '../metrics/run-metrics.js';
import type { ThresholdResult } from '../scenario/thresholds.js';

export interface Progress {
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
  /** The spec violations the devices saw so far, by kind. */
  violations: ViolationCounts;
}

export interface RunReport {
  verdict: 'pass' | 'fail';
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
  /** A few of the violations with their details, to see exactly where the network broke the spec. */
  violationSamples: { device: string; kind: ViolationKind; detail: string }[];
  /** `notProvisioned`: the first few devices the target refused, with its reason. */
  diagnostics: { reasons: Record<string, number>; notProvisioned: { device: string; error: string }[] };
  /** Per time bucket from the start of traffic: what the HTML report plots. */
  timeline: TimelineJson;
  distributions: DistributionsJson;
}
