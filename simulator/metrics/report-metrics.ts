import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  type Histogram,
} from 'hdr-histogram-js';

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
  downlinksByWindow: Record<string, number>;
  networkRejections: number;
  devicesNotProvisioned: number;
}

/** Where each count lives in a report's `metrics` (dotted names; the underscored ones are for thresholds). */
const KEYS: Record<Exclude<keyof RunCounts, 'downlinksByWindow'>, string> = {
  uplinksSent: 'uplinks.sent',
  uplinksDelivered: 'uplinks.delivered',
  uplinksLost: 'uplinks.lost',
  uplinksDuplicated: 'uplinks.duplicated',
  uplinksCorrupted: 'uplinks.corrupted',
  joinsRequested: 'joins.requested',
  joinsAccepted: 'joins.accepted',
  devicesOtaa: 'devices.otaa',
  devicesOtaaJoined: 'devices.otaa_joined',
  rxWindowMiss: 'rx_window_miss',
  confirmedAcked: 'confirmed.acked',
  confirmedUnacked: 'confirmed.unacked',
  downlinksScheduled: 'downlinks.scheduled',
  downlinksReceived: 'downlinks.received',
  networkRejections: 'network_rejections',
  devicesNotProvisioned: 'devices_not_provisioned',
};

export const latencyHistogram = (): Histogram =>
  build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: 3 });

const ratio = (n: number, d: number) => (d === 0 ? null : n / d);

/**
 * A report's `metrics` from counts and the latency histogram: the threshold metrics (ratios and
 * percentiles computed here, once, for single runs and merged ones alike) and the raw counts.
 */
export function metricsFrom(c: RunCounts, latency: Histogram): Record<string, unknown> {
  const n = latency.totalCount;
  const thresholdMetrics: Record<string, number | null> = {
    delivery_ratio: ratio(c.uplinksDelivered, c.uplinksSent),
    join_success_ratio: ratio(c.devicesOtaaJoined, c.devicesOtaa),
    latency_p50: n ? latency.getValueAtPercentile(50) : null,
    latency_p90: n ? latency.getValueAtPercentile(90) : null,
    latency_p99: n ? latency.getValueAtPercentile(99) : null,
    latency_max: n ? latency.maxValue : null,
    rx_window_miss: c.rxWindowMiss,
    downlink_delivery_ratio: ratio(c.downlinksReceived, c.downlinksScheduled),
    confirmed_ack_ratio: ratio(c.confirmedAcked, c.confirmedAcked + c.confirmedUnacked),
    uplinks_sent: c.uplinksSent,
    uplinks_delivered: c.uplinksDelivered,
    uplinks_lost: c.uplinksLost,
    uplinks_duplicated: c.uplinksDuplicated,
    joins_accepted: c.joinsAccepted,
    network_rejections: c.networkRejections,
    devices_not_provisioned: c.devicesNotProvisioned,
  };
  const raw: Record<string, unknown> = {};
  for (const [k, key] of Object.entries(KEYS)) raw[key] = c[k as keyof typeof KEYS];
  return {
    ...thresholdMetrics,
    ...raw,
    'downlinks.by_window': c.downlinksByWindow,
    latency_ms: {
      p50: n ? latency.getValueAtPercentile(50) : 0,
      p90: n ? latency.getValueAtPercentile(90) : 0,
      p99: n ? latency.getValueAtPercentile(99) : 0,
      max: latency.maxValue,
      mean: n ? latency.mean : 0,
      count: n,
      hdr: encodeIntoCompressedBase64(latency),
    },
  };
}

/** The counts and latency histogram back from a report's `metrics` (for merging). */
export function countsOf(metrics: Record<string, unknown>): { counts: RunCounts; latency: Histogram } {
  const counts = {
    downlinksByWindow: { ...(metrics['downlinks.by_window'] as Record<string, number>) },
  } as RunCounts;
  for (const [k, key] of Object.entries(KEYS)) {
    const v = metrics[key];
    if (typeof v !== 'number')
      throw new TypeError(`metrics.${key}: expected a number, got ${JSON.stringify(v)}`);
    (counts as unknown as Record<string, number>)[k] = v;
  }
  const hdr = (metrics.latency_ms as { hdr?: unknown } | undefined)?.hdr;
  if (typeof hdr !== 'string')
    throw new TypeError('metrics.latency_ms.hdr: missing (a report from an older lorafleet?)');
  const latency = latencyHistogram();
  latency.add(decodeFromCompressedBase64(hdr));
  return { counts, latency };
}

/** Sums counts (by-window counts key by key). */
export function addCounts(a: RunCounts, b: RunCounts): RunCounts {
  const out = { ...a, downlinksByWindow: { ...a.downlinksByWindow } };
  for (const k of Object.keys(KEYS) as (keyof typeof KEYS)[]) out[k] = a[k] + b[k];
  for (const [w, n] of Object.entries(b.downlinksByWindow))
    out.downlinksByWindow[w] = (out.downlinksByWindow[w] ?? 0) + n;
  return out;
}
