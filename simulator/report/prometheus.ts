import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Progress, ProgressBreakdown } from './types.js';
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
  const labelled = labelledSeries(registers);
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
      labelled.update(p.breakdown);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Label values a series takes at most (a fleet, gateway or reason beyond them is counted as `other`). */
export const MAX_LABEL_VALUES = { fleet: 50, gateway: 100, reason: 20 } as const;

/**
 * The first `max` values seen keep their own label; later ones share `other`, so that ten thousand
 * gateways or a network's free-text reasons cannot blow up the series count.
 */
class BoundedLabel {
  private readonly kept = new Set<string>();
  constructor(private readonly max: number) {}
  of(value: string): string {
    if (this.kept.has(value)) return value;
    if (this.kept.size < this.max) {
      this.kept.add(value);
      return value;
    }
    return 'other';
  }
}

/** Counters that grow by the difference between cumulative figures, per label value. */
class LabelledCounter {
  private readonly last = new Map<string, number>();
  constructor(
    private readonly counter: Counter,
    private readonly label: string,
    private readonly bound: BoundedLabel,
  ) {}
  /** Cumulative figures by label value; values past the bound add up under `other`. */
  set(figures: Iterable<[string, number]>): void {
    const now = new Map<string, number>();
    for (const [k, n] of figures) {
      const v = this.bound.of(k);
      now.set(v, (now.get(v) ?? 0) + n);
    }
    for (const [v, n] of now) {
      const before = this.last.get(v) ?? 0;
      if (n > before) this.counter.inc({ [this.label]: v }, n - before);
      this.last.set(v, Math.max(before, n));
    }
  }
}

type Label = 'fleet' | 'gateway' | 'reason';
type Figures = (b: ProgressBreakdown) => Iterable<[string, number]>;
const byFleet =
  (k: keyof ProgressBreakdown['fleets'][string]): Figures =>
  (b) =>
    Object.entries(b.fleets).map(([f, x]) => [f, x[k]]);
const byGateway =
  (k: keyof ProgressBreakdown['gateways'][string]): Figures =>
  (b) =>
    Object.entries(b.gateways).map(([g, x]) => [g, x[k]]);

/** The labelled counters: series, help, label, and where each takes its figures from. */
const LABELLED: [name: string, help: string, label: Label, figures: Figures][] = [
  [
    'lorafleet_fleet_uplinks_sent_total',
    'Application uplinks sent, by fleet',
    'fleet',
    byFleet('uplinksSent'),
  ],
  [
    'lorafleet_fleet_uplinks_delivered_total',
    'Application uplinks delivered to the application, by fleet',
    'fleet',
    byFleet('uplinksDelivered'),
  ],
  [
    'lorafleet_gateway_uplinks_received_total',
    'Frames a gateway received, by gateway',
    'gateway',
    byGateway('received'),
  ],
  [
    'lorafleet_gateway_uplinks_forwarded_total',
    'Frames a gateway forwarded to the network, by gateway',
    'gateway',
    byGateway('forwarded'),
  ],
  [
    'lorafleet_gateway_downlinks_transmitted_total',
    'Downlinks a gateway put on air, by gateway',
    'gateway',
    byGateway('transmitted'),
  ],
  [
    'lorafleet_gateway_tx_ack_errors_total',
    'Downlinks a gateway refused (TX_ACK error), by gateway',
    'gateway',
    byGateway('txAckErrors'),
  ],
  [
    'lorafleet_transmissions_lost_total',
    'Device transmissions the radio lost: heard by no gateway (out-of-range) or destroyed at every one (collided)',
    'reason',
    (b) => Object.entries(b.transmissionsLost),
  ],
  [
    'lorafleet_downlinks_lost_total',
    'Frames for devices that never reached them, by reason',
    'reason',
    (b) => Object.entries(b.downlinkLosses),
  ],
  [
    'lorafleet_network_refusals_total',
    'Refusals and failures the network explained on its events stream, by its reason',
    'reason',
    (b) => Object.entries(b.reasons),
  ],
];

/** The series labelled by fleet, gateway and reason (ProgressBreakdown). */
function labelledSeries(registers: Registry[]): { update(b: ProgressBreakdown): void } {
  // Fleets and gateways keep the same names across their series; each reason series has its own.
  const fleet = new BoundedLabel(MAX_LABEL_VALUES.fleet);
  const gateway = new BoundedLabel(MAX_LABEL_VALUES.gateway);
  const series = LABELLED.map(([name, help, label, figures]) => {
    const bound =
      label === 'fleet' ? fleet : label === 'gateway' ? gateway : new BoundedLabel(MAX_LABEL_VALUES.reason);
    const c = new LabelledCounter(new Counter({ name, help, labelNames: [label], registers }), label, bound);
    return { c, figures };
  });
  const joined = new Gauge({
    name: 'lorafleet_fleet_devices_joined',
    help: 'Devices with a session, by fleet',
    labelNames: ['fleet'],
    registers,
  });
  return {
    update(b) {
      for (const { c, figures } of series) c.set(figures(b));
      const byLabel = new Map<string, number>();
      for (const [f, x] of Object.entries(b.fleets)) {
        const v = fleet.of(f);
        byLabel.set(v, (byLabel.get(v) ?? 0) + x.joined);
      }
      for (const [v, n] of byLabel) joined.set({ fleet: v }, n);
    },
  };
}
