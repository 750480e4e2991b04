import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  type Histogram,
} from 'hdr-histogram-js';
import {
  countsFrom,
  metricValues,
  type HealthFigures,
  type MetricValues,
  type RunCounts,
} from './registry.js';

/** The counts of a run, with downlinks by the window they came in (RX1, RX2, RXC). */
export interface RunTotals extends RunCounts {
  downlinksByWindow: Record<string, number>;
}

/** A report's `metrics`: every registry metric once, by its own name, and the latency histogram. */
export interface ReportMetrics extends MetricValues {
  downlinks_by_window: Record<string, number>;
  latency_ms: {
    p50: number;
    p90: number;
    p99: number;
    max: number;
    mean: number;
    count: number;
    hdr: string;
  };
}

export const latencyHistogram = (): Histogram =>
  build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000, numberOfSignificantValueDigits: 3 });

/**
 * A report's `metrics` from counts and the latency histogram: ratios and percentiles are computed
 * here, once, for single runs and merged ones alike.
 */
export function metricsFrom(c: RunTotals, latency: Histogram, health?: HealthFigures): ReportMetrics {
  const n = latency.totalCount;
  const at = (p: number) => (n ? latency.getValueAtPercentile(p) : 0);
  const figures = n ? { p50: at(50), p90: at(90), p99: at(99), max: latency.maxValue } : undefined;
  return {
    ...metricValues(c, figures, health),
    downlinks_by_window: { ...c.downlinksByWindow },
    latency_ms: {
      p50: at(50),
      p90: at(90),
      p99: at(99),
      max: latency.maxValue,
      mean: n ? latency.mean : 0,
      count: n,
      hdr: encodeIntoCompressedBase64(latency),
    },
  };
}

/** The counts and latency histogram back from a report's `metrics` (for merging). */
export function countsOf(metrics: ReportMetrics): { counts: RunTotals; latency: Histogram } {
  const raw = metrics as unknown as Record<string, unknown>;
  const byWindow = raw.downlinks_by_window;
  if (typeof byWindow !== 'object' || byWindow === null)
    throw new TypeError('metrics.downlinks_by_window: missing (a report from an older lorafleet?)');
  const counts: RunTotals = {
    ...countsFrom(raw),
    downlinksByWindow: { ...(byWindow as Record<string, number>) },
  };
  const hdr = (raw.latency_ms as { hdr?: unknown } | undefined)?.hdr;
  if (typeof hdr !== 'string')
    throw new TypeError('metrics.latency_ms.hdr: missing (a report from an older lorafleet?)');
  const latency = latencyHistogram();
  latency.add(decodeFromCompressedBase64(hdr));
  return { counts, latency };
}

/** Sums counts (by-window counts key by key). */
export function addCounts(a: RunTotals, b: RunTotals): RunTotals {
  const out: RunTotals = { ...a, downlinksByWindow: { ...a.downlinksByWindow } };
  for (const k of Object.keys(b) as (keyof RunTotals)[]) if (k !== 'downlinksByWindow') out[k] = a[k] + b[k];
  for (const [w, n] of Object.entries(b.downlinksByWindow))
    out.downlinksByWindow[w] = (out.downlinksByWindow[w] ?? 0) + n;
  return out;
}
