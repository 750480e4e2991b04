import { parseDuration } from './duration.js';

/** Metrics a threshold can name; latencies are in ms ("latency_p99 < 2s" works too). */
export const METRIC_NAMES = [
  'delivery_ratio',
  'join_success_ratio',
  'latency_p50',
  'latency_p90',
  'latency_p99',
  'latency_max',
  'rx_window_miss',
  'downlink_delivery_ratio',
  'confirmed_ack_ratio',
  'uplinks_sent',
  'uplinks_delivered',
  'uplinks_lost',
  'uplinks_duplicated',
  'joins_accepted',
  'network_rejections',
  'devices_not_provisioned',
];

export interface Threshold {
  text: string;
  metric: string;
  op: '>=' | '<=' | '==' | '<' | '>';
  value: number;
}

export interface ThresholdResult extends Threshold {
  actual: number | null;
  pass: boolean;
}

export function parseThreshold(text: string): Threshold {
  const m = /^([a-z_0-9]+)\s*(>=|<=|==|<|>)\s*(\d+(?:\.\d+)?(?:ms|s)?)$/.exec(text.trim());
  if (!m) throw new Error(`not a threshold: ${text}`);
  const raw = m[3]!;
  const value = /[a-z]$/.test(raw) ? parseDuration(raw)! : Number(raw);
  return { text, metric: m[1]!, op: m[2] as Threshold['op'], value };
}

/** A metric missing from the run (null) fails its threshold: nothing was measured to pass it. */
export function evaluate(t: Threshold, metrics: Record<string, number | null>): ThresholdResult {
  const actual = metrics[t.metric] ?? null;
  let pass = false;
  if (actual !== null && Number.isFinite(actual)) {
    switch (t.op) {
      case '>=':
        pass = actual >= t.value;
        break;
      case '<=':
        pass = actual <= t.value;
        break;
      case '==':
        pass = Math.abs(actual - t.value) < 1e-9;
        break;
      case '<':
        pass = actual < t.value;
        break;
      case '>':
        pass = actual > t.value;
    }
  }
  return { ...t, actual, pass };
}
