import { isMetricName, type MetricValues } from '../metrics/registry.js';
import { parseDuration } from './duration.js';
import { scenarioSchema } from './schema.js';

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

/** The grammar of a threshold, from the scenario schema (`thresholds.items.pattern`): one source. */
const THRESHOLD = new RegExp(scenarioSchema.properties.thresholds!.items!.pattern!, 'u');

export function parseThreshold(text: string): Threshold {
  const g = THRESHOLD.exec(text.trim())?.groups;
  if (!g) throw new Error(`not a threshold: ${text}`);
  const raw = g.value!;
  const value = /[a-z]$/.test(raw) ? parseDuration(raw)! : Number(raw);
  return { text, metric: g.metric!, op: g.op as Threshold['op'], value };
}

/**
 * A metric missing from the run (null), or one the registry does not know (a report from another
 * version), fails its threshold: nothing was measured to pass it.
 */
export function evaluate(t: Threshold, metrics: Partial<MetricValues>): ThresholdResult {
  const actual = isMetricName(t.metric) ? (metrics[t.metric] ?? null) : null;
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
