/**
 * The one list of a run's metrics: the report's `metrics`, the thresholds a scenario may set, the end
 * summary, the HTML report and the README's table are all read from here.
 */

/** The counts a run's figures are made of: they add across worker threads and shards. */
export interface RunCounts {
  uplinksSent: number;
  uplinksDelivered: number;
  uplinksLost: number;
  uplinksDuplicated: number;
  uplinksCorrupted: number;
  joinsRequested: number;
  joinsAccepted: number;
  devicesOtaa: number;
  devicesOtaaJoined: number;
  rxWindowMiss: number;
  confirmedAcked: number;
  confirmedUnacked: number;
  downlinksScheduled: number;
  downlinksReceived: number;
  /**
   * Application downlinks still queued at the end whose device sent no uplink a gateway heard after
   * they were queued: class A had nothing to answer, so the run's length, not the network, kept them.
   */
  downlinksNoUplink: number;
  /** Class B: beacons the devices received, and beacons due that they did not hear. */
  beaconsReceived: number;
  beaconsMissed: number;
  /** Class B: application downlinks received in a ping slot. */
  pingSlotDownlinks: number;
  /** Class B downlinks the network could not place in any ping slot. */
  pingSlotNotScheduled: number;
  /** Class B downlinks sent in an announced ping slot that the device missed (beacon lost, radio busy). */
  pingSlotMissed: number;
  networkRejections: number;
  devicesNotProvisioned: number;
  /** Receive windows lost to the simulator's own lag (wall time under load), not to the network. */
  simulatorLate: number;
}

/** Latency percentiles of delivered uplinks, ms (absent when nothing was delivered). */
export interface LatencyFigures {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** How the simulator itself kept time (wall time): what tells its lag from the network's. */
export interface HealthFigures {
  /** 99th percentile of how late its timers ran, ms (0 in virtual time: nothing waits for the clock). */
  lagP99: number;
}

/** Metrics that count something: always a number. */
export type CountMetric =
  | 'uplinks_sent'
  | 'uplinks_delivered'
  | 'uplinks_lost'
  | 'uplinks_duplicated'
  | 'uplinks_corrupted'
  | 'joins_requested'
  | 'joins_accepted'
  | 'devices_otaa'
  | 'devices_otaa_joined'
  | 'rx_window_miss'
  | 'confirmed_acked'
  | 'confirmed_unacked'
  | 'downlinks_scheduled'
  | 'downlinks_received'
  | 'downlinks_no_uplink'
  | 'beacons_received'
  | 'beacons_missed'
  | 'ping_slot_downlinks'
  | 'ping_slot_missed_by_network'
  | 'ping_slot_missed_by_device'
  | 'network_rejections'
  | 'devices_not_provisioned'
  | 'simulator_late';

/** Ratios and latencies: null when nothing was there to measure. */
export type MeasuredMetric =
  | 'delivery_ratio'
  | 'join_success_ratio'
  | 'downlink_delivery_ratio'
  | 'confirmed_ack_ratio'
  | 'latency_p50'
  | 'latency_p90'
  | 'latency_p99'
  | 'latency_max'
  | 'simulator_lag_p99';

export type MetricName = CountMetric | MeasuredMetric;

type CountDef = { unit: 'count'; count: keyof RunCounts; help: string };
type MeasuredDef =
  | { unit: 'ratio'; of: (c: RunCounts) => number | null; help: string }
  | { unit: 'ms'; latency: keyof LatencyFigures; help: string }
  | { unit: 'ms'; health: keyof HealthFigures; help: string };
type MetricDef = CountDef | MeasuredDef;

const ratio = (n: number, d: number) => (d === 0 ? null : n / d);

export const METRICS = {
  delivery_ratio: {
    unit: 'ratio',
    of: (c) => ratio(c.uplinksDelivered, c.uplinksSent),
    help: 'application uplinks delivered to the application (MQTT) / sent',
  },
  join_success_ratio: {
    unit: 'ratio',
    of: (c) => ratio(c.devicesOtaaJoined, c.devicesOtaa),
    help: 'OTAA devices that joined / OTAA devices',
  },
  downlink_delivery_ratio: {
    unit: 'ratio',
    of: (c) => ratio(c.downlinksReceived, c.downlinksScheduled - c.downlinksNoUplink),
    help: 'application downlinks received / scheduled, less those whose device sent no uplink after',
  },
  confirmed_ack_ratio: {
    unit: 'ratio',
    of: (c) => ratio(c.confirmedAcked, c.confirmedAcked + c.confirmedUnacked),
    help: 'confirmed uplinks acknowledged / confirmed uplinks finished',
  },
  latency_p50: { unit: 'ms', latency: 'p50', help: 'median uplink latency, air to MQTT' },
  latency_p90: { unit: 'ms', latency: 'p90', help: '90th percentile uplink latency' },
  latency_p99: { unit: 'ms', latency: 'p99', help: '99th percentile uplink latency' },
  latency_max: { unit: 'ms', latency: 'max', help: 'largest uplink latency' },
  uplinks_sent: {
    unit: 'count',
    count: 'uplinksSent',
    help: 'application uplinks sent (first transmissions)',
  },
  uplinks_delivered: { unit: 'count', count: 'uplinksDelivered', help: 'uplinks that reached MQTT' },
  uplinks_lost: {
    unit: 'count',
    count: 'uplinksLost',
    help: 'uplinks that never reached MQTT (known when the run ends)',
  },
  uplinks_duplicated: { unit: 'count', count: 'uplinksDuplicated', help: 'uplinks MQTT delivered twice' },
  uplinks_corrupted: {
    unit: 'count',
    count: 'uplinksCorrupted',
    help: 'uplinks delivered with another payload than sent',
  },
  joins_requested: { unit: 'count', count: 'joinsRequested', help: 'Join-requests sent' },
  joins_accepted: { unit: 'count', count: 'joinsAccepted', help: 'Join-accepts devices accepted' },
  devices_otaa: { unit: 'count', count: 'devicesOtaa', help: 'OTAA devices simulated' },
  devices_otaa_joined: { unit: 'count', count: 'devicesOtaaJoined', help: 'OTAA devices that joined' },
  rx_window_miss: {
    unit: 'count',
    count: 'rxWindowMiss',
    help: 'downlinks for a device that came outside its receive windows',
  },
  confirmed_acked: { unit: 'count', count: 'confirmedAcked', help: 'confirmed uplinks acknowledged' },
  confirmed_unacked: {
    unit: 'count',
    count: 'confirmedUnacked',
    help: 'confirmed uplinks given up on without an ACK',
  },
  downlinks_scheduled: {
    unit: 'count',
    count: 'downlinksScheduled',
    help: 'application downlinks the scenario queued',
  },
  downlinks_received: {
    unit: 'count',
    count: 'downlinksReceived',
    help: 'application downlinks their device received',
  },
  downlinks_no_uplink: {
    unit: 'count',
    count: 'downlinksNoUplink',
    help: 'application downlinks still queued at the end, their device having sent no uplink since (nothing to answer)',
  },
  beacons_received: {
    unit: 'count',
    count: 'beaconsReceived',
    help: 'class B beacons the devices received',
  },
  beacons_missed: {
    unit: 'count',
    count: 'beaconsMissed',
    help: 'class B beacons due that a device did not hear',
  },
  ping_slot_downlinks: {
    unit: 'count',
    count: 'pingSlotDownlinks',
    help: 'application downlinks a class B device received in a ping slot',
  },
  ping_slot_missed_by_network: {
    unit: 'count',
    count: 'pingSlotNotScheduled',
    help: 'class B downlinks the network said it could not schedule in any ping slot',
  },
  ping_slot_missed_by_device: {
    unit: 'count',
    count: 'pingSlotMissed',
    help: 'class B downlinks sent in an announced ping slot the device missed: beacon lost since, or radio busy',
  },
  network_rejections: {
    unit: 'count',
    count: 'networkRejections',
    help: 'uplinks and joins the network refused, with its reason',
  },
  devices_not_provisioned: {
    unit: 'count',
    count: 'devicesNotProvisioned',
    help: 'devices the target refused to register (not simulated)',
  },
  simulator_late: {
    unit: 'count',
    count: 'simulatorLate',
    help: 'receive windows lost to the simulator’s own lag, not counted against the network',
  },
  simulator_lag_p99: {
    unit: 'ms',
    health: 'lagP99',
    help: '99th percentile of how late the simulator’s own timers ran (0 in virtual time)',
  },
} as const satisfies { [K in CountMetric]: CountDef } & { [K in MeasuredMetric]: MeasuredDef };

export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

export const isMetricName = (name: string): name is MetricName => Object.hasOwn(METRICS, name);

/** Every metric's value; null where nothing was measured (a ratio over nothing, no latency). */
export type MetricValues = { [K in CountMetric]: number } & { [K in MeasuredMetric]: number | null };

/** The values of every metric from the run's counts and latency figures. */
export function metricValues(
  c: RunCounts,
  latency: LatencyFigures | undefined,
  health?: HealthFigures,
): MetricValues {
  const out = {} as Record<MetricName, number | null>;
  for (const name of METRIC_NAMES) {
    const def: MetricDef = METRICS[name];
    out[name] =
      def.unit === 'count'
        ? c[def.count]
        : def.unit === 'ratio'
          ? def.of(c)
          : 'health' in def
            ? (health?.[def.health] ?? null)
            : (latency?.[def.latency] ?? null);
  }
  return out as MetricValues;
}

/** The counts back from metric values (for merging reports). */
/** Counts reports from earlier lorafleet versions lack: read as 0 when merging them. */
const ADDED_LATER: ReadonlySet<string> = new Set([
  'downlinks_no_uplink',
  'beacons_received',
  'beacons_missed',
  'ping_slot_downlinks',
  'ping_slot_missed_by_network',
  'ping_slot_missed_by_device',
]);

export function countsFrom(values: Record<string, unknown>, where = 'metrics'): RunCounts {
  const out = {} as RunCounts;
  for (const name of METRIC_NAMES) {
    const def: MetricDef = METRICS[name];
    if (def.unit !== 'count') continue;
    const v = values[name] ?? (ADDED_LATER.has(name) ? 0 : undefined);
    if (typeof v !== 'number')
      throw new TypeError(`${where}.${name}: expected a number, got ${JSON.stringify(v)}`);
    out[def.count] = v;
  }
  return out;
}

/** A metric's value as people read it: latencies in ms or s, ratios as percentages. */
export function formatMetricValue(
  v: number | null | undefined,
  name: string,
  formatMs: (ms: number) => string,
): string {
  if (v === null || v === undefined) return 'n/a';
  const def = isMetricName(name) ? METRICS[name] : undefined;
  if (def?.unit === 'ms') return formatMs(v);
  if (def?.unit === 'ratio') return `${(v * 100).toFixed(2)} %`;
  return String(v);
}

/** The key figures the end summary and the HTML report lead with: a label and the metrics it shows. */
export const KEY_FIGURES: readonly { label: string; metrics: readonly MetricName[] }[] = [
  { label: 'joins accepted / requested', metrics: ['joins_accepted', 'joins_requested'] },
  { label: 'uplinks delivered / sent', metrics: ['uplinks_delivered', 'uplinks_sent'] },
  { label: 'uplinks lost / duplicated', metrics: ['uplinks_lost', 'uplinks_duplicated'] },
  { label: 'latency p50 / p99 / max', metrics: ['latency_p50', 'latency_p99', 'latency_max'] },
  { label: 'downlinks received / scheduled', metrics: ['downlinks_received', 'downlinks_scheduled'] },
  { label: 'receive-window misses', metrics: ['rx_window_miss'] },
  { label: 'network rejections', metrics: ['network_rejections'] },
];

/** The one latency histogram the `ms` metrics are quantiles of, in Prometheus (seconds, as its convention). */
export const LATENCY_SERIES = 'lorafleet_uplink_latency_seconds';

/**
 * The Prometheus series a metric is exposed as (`--prometheus`): a count is a counter
 * (`lorafleet_<name>_total`), a ratio a gauge (`lorafleet_<name>`), a latency a quantile of the
 * latency histogram (`histogram_quantile(0.99, …)` gives `latency_p99`), the simulator's lag a gauge
 * in seconds.
 */
export function prometheusSeries(name: MetricName): string {
  const def: MetricDef = METRICS[name];
  if (def.unit === 'count') return `lorafleet_${name}_total`;
  if (def.unit === 'ratio') return `lorafleet_${name}`;
  // The simulator's own lag is a gauge of its own, in seconds; the latencies are one histogram.
  return 'health' in def ? `lorafleet_${name}_seconds` : LATENCY_SERIES;
}

/** The metrics as a Markdown table (README.md, between `<!-- metrics -->` markers). */
export function metricsMarkdown(): string {
  const unit = { count: 'count', ratio: '0–1', ms: 'ms' } as const;
  const rows = METRIC_NAMES.map(
    (n) => `| \`${n}\` | ${unit[METRICS[n].unit]} | ${METRICS[n].help} | \`${prometheusSeries(n)}\` |`,
  );
  return ['| metric | unit | what it counts | Prometheus |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
