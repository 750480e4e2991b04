import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Progress } from './types.js';
import { listen } from '../io/listen.js';
import type { RunMetricsListener } from '../metrics/run-metrics.js';
import {
  LATENCY_SERIES,
  METRIC_NAMES,
  METRICS,
  metricValues,
  prometheusSeries,
  type CountMetric,
  type MeasuredMetric,
} from '../metrics/registry.js';

/** Latency buckets (seconds): a loopback network answers in tens of ms, TTS over the internet in hundreds. */
const LATENCY_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];

export interface PrometheusExporter {
  /** Where Prometheus scrapes: `http://host:port/metrics`. */
  readonly url: string;
  /** Give this to the run (`RunOptions.metricsListener`): each delivery's latency. */
  readonly listener: RunMetricsListener;
  /** Feeds the figures that come with each progress tick (gauges and the counters they imply). */
  update(p: Progress): void;
  close(): Promise<void>;
}

/**
 * Live run metrics on `/metrics` for Prometheus, derived from the metric registry: every count as a
 * counter, every ratio as a gauge, the latencies as one histogram (fed per delivery by the run's
 * listener); spec violations by kind; device gauges; and the process's own metrics (heap, event-loop
 * lag), which show when the simulator rather than the network is the bottleneck.
 */
export async function startPrometheus(
  address: { host: string; port: number },
  labels: { scenario: string },
): Promise<PrometheusExporter> {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  // prom-client's own names already start with process_ and nodejs_: the prefix is ours alone
  // (lorafleet_process_cpu_seconds_total, lorafleet_nodejs_eventloop_lag_p99_seconds).
  collectDefaultMetrics({ register: registry, prefix: 'lorafleet_' });
  const registers = [registry];
  const counts = new Map<CountMetric, Counter>();
  const ratios = new Map<MeasuredMetric, Gauge>();
  for (const name of METRIC_NAMES) {
    const def = METRICS[name];
    const help = def.help[0]!.toUpperCase() + def.help.slice(1);
    if (def.unit === 'count')
      counts.set(name as CountMetric, new Counter({ name: prometheusSeries(name), help, registers }));
    else if (def.unit === 'ratio')
      ratios.set(name as MeasuredMetric, new Gauge({ name: prometheusSeries(name), help, registers }));
  }
  const lag = new Gauge({
    name: prometheusSeries('simulator_lag_p99'),
    help: `${METRICS.simulator_lag_p99.help[0]!.toUpperCase()}${METRICS.simulator_lag_p99.help.slice(1)}, seconds`,
    registers,
  });
  const latency = new Histogram({
    name: LATENCY_SERIES,
    help: 'End-to-end uplink latency, radio transmit to application MQTT message (latency_p50 … latency_max)',
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const violations = new Counter({
    name: 'lorafleet_violations_total',
    help: 'Places the network left the spec as a device saw it, by kind',
    labelNames: ['kind'],
    registers,
  });
  const devices = new Gauge({ name: 'lorafleet_devices', help: 'Devices in the run', registers });
  const joined = new Gauge({ name: 'lorafleet_devices_joined', help: 'Devices with a session', registers });
  // Counters grow by the difference between cumulative progress figures, never twice.
  const last = new Map<string, number>();
  const grow = (c: Counter, key: string, value: number, label?: { kind: string }) => {
    const before = last.get(key) ?? 0;
    if (value > before) {
      if (label) c.inc(label, value - before);
      else c.inc(value - before);
    }
    last.set(key, Math.max(before, value));
  };
  const listener: RunMetricsListener = { delivered: (ms) => latency.observe(ms / 1000) };

  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '/').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: scrape /metrics\n');
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
      (e: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${e.message}\n`),
    );
  });
  const a = await listen(server, address.host, address.port);
  const host = a.address.includes(':') ? `[${a.address}]` : a.address;
  return {
    url: `http://${host}:${a.port}/metrics`,
    listener,
    update(p) {
      devices.set(p.devices);
      joined.set(p.joined);
      lag.set(p.timerLagP99Ms / 1000);
      const values = metricValues(p.counts, undefined);
      for (const [name, c] of counts) grow(c, name, values[name]);
      for (const [name, g] of ratios) {
        const v = values[name];
        if (v !== null) g.set(v);
      }
      for (const [kind, n] of Object.entries(p.violations))
        grow(violations, `violation:${kind}`, n, { kind });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
