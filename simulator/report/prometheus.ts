import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Progress } from './types.js';
import { listen } from '../io/listen.js';
import type { RunMetricsListener } from '../metrics/run-metrics.js';

/** Latency buckets (seconds): a loopback network answers in tens of ms, TTS over the internet in hundreds. */
const LATENCY_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];

export interface PrometheusExporter {
  /** Where Prometheus scrapes: `http://host:port/metrics`. */
  readonly url: string;
  /** Give this to the run (`RunOptions.metricsListener`): each uplink, delivery and join. */
  readonly listener: RunMetricsListener;
  /** Feeds the figures that come with each progress tick (gauges and the counters they imply). */
  update(p: Progress): void;
  close(): Promise<void>;
}

/**
 * Live run metrics on `/metrics` for Prometheus: per-observation counters and the latency histogram
 * from the run's listener, device gauges from progress ticks, and the process's own metrics (heap,
 * event-loop lag), which show when the simulator rather than the network is the bottleneck.
 */
export async function startPrometheus(
  address: { host: string; port: number },
  labels: { scenario: string },
): Promise<PrometheusExporter> {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry, prefix: 'lorafleet_process_' });
  const counter = (name: string, help: string) => new Counter({ name, help, registers: [registry] });
  const gauge = (name: string, help: string) => new Gauge({ name, help, registers: [registry] });
  const sent = counter('lorafleet_uplinks_sent_total', 'Application uplinks the devices transmitted');
  const delivered = counter(
    'lorafleet_uplinks_delivered_total',
    'Uplinks that reached the application (MQTT), matched by device, FCnt and bytes',
  );
  const joinRequests = counter('lorafleet_join_requests_total', 'Join-requests the devices transmitted');
  const joinAccepts = counter('lorafleet_join_accepts_total', 'JoinAccepts the devices accepted');
  const latency = new Histogram({
    name: 'lorafleet_uplink_latency_seconds',
    help: 'End-to-end uplink latency, radio transmit to application MQTT message',
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const devices = gauge('lorafleet_devices', 'Devices in the run');
  const joined = gauge('lorafleet_devices_joined', 'Devices with a session');
  const fromProgress = {
    downlinksScheduled: counter('lorafleet_downlinks_scheduled_total', 'Downlinks pushed to the network'),
    downlinksReceived: counter('lorafleet_downlinks_received_total', 'Pushed downlinks the devices received'),
    rxWindowMisses: counter(
      'lorafleet_rx_window_misses_total',
      'Downlinks that arrived outside a receive window',
    ),
    errors: counter(
      'lorafleet_errors_total',
      'Refusals the network explained plus spec violations the devices saw',
    ),
  };
  const last: Record<keyof typeof fromProgress, number> = {
    downlinksScheduled: 0,
    downlinksReceived: 0,
    rxWindowMisses: 0,
    errors: 0,
  };
  const listener: RunMetricsListener = {
    uplinkSent: () => sent.inc(),
    delivered: (ms) => {
      delivered.inc();
      latency.observe(ms / 1000);
    },
    joinRequest: () => joinRequests.inc(),
    joinAccept: () => joinAccepts.inc(),
  };

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
      for (const k of Object.keys(fromProgress) as (keyof typeof fromProgress)[]) {
        const v = p[k];
        if (v > last[k]) fromProgress[k].inc(v - last[k]);
        last[k] = v;
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
