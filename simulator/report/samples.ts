import { METRICS, METRIC_NAMES, metricValues, type MetricName } from '../metrics/registry.js';
import { BufferedFile } from './buffered-file.js';
import type { Progress } from './types.js';

const UNIT = { count: 'counter', ratio: 'rate', ms: 'trend' } as const;

/**
 * `--out json=FILE`: the run's figures as a stream of JSON lines, one point per metric and simulated
 * second, in the shape of k6's JSON output (`{"type":"Metric",…}` once per metric, then
 * `{"type":"Point","metric":…,"data":{"time","value","tags"}}`), so tools that read k6's output read
 * this too. Counts are cumulative; ratios and latencies are the run's so far; the file is streamed.
 */
export class SampleWriter {
  private readonly out: BufferedFile;
  private lastElapsedMs = Number.NEGATIVE_INFINITY;
  points = 0;

  constructor(
    path: string,
    private readonly tags: Record<string, string>,
  ) {
    this.out = new BufferedFile(path);
    for (const name of SAMPLED) {
      const def = METRICS[name];
      this.line({
        type: 'Metric',
        metric: name,
        data: {
          name,
          type: UNIT[def.unit],
          contains: def.unit === 'ms' ? 'time' : 'default',
          thresholds: [],
        },
      });
    }
  }

  /** One progress tick; ticks of the same simulated instant are written once. */
  sample(p: Progress): void {
    if (p.elapsedMs === this.lastElapsedMs) return;
    this.lastElapsedMs = p.elapsedMs;
    const values = metricValues(
      p.counts,
      p.latencyP50Ms === null
        ? undefined
        : {
            p50: p.latencyP50Ms,
            p90: p.latencyP99Ms ?? p.latencyP50Ms,
            p99: p.latencyP99Ms ?? p.latencyP50Ms,
            max: p.latencyP99Ms ?? p.latencyP50Ms,
          },
      { lagP99: p.timerLagP99Ms },
    );
    const time = new Date(p.timeMs).toISOString();
    for (const name of SAMPLED) {
      const value = values[name];
      if (value === null) continue;
      this.line({ type: 'Point', metric: name, data: { time, value, tags: this.tags } });
      this.points++;
    }
  }

  close(): void {
    this.out.close();
  }

  private line(o: unknown): void {
    this.out.write(Buffer.from(`${JSON.stringify(o)}\n`));
  }
}

/** Live progress carries p50 and p99 only: the p90 and max of a run are in its report, not here. */
const SAMPLED: MetricName[] = METRIC_NAMES.filter((n) => n !== 'latency_p90' && n !== 'latency_max');
