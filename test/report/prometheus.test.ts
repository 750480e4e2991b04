import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { listenAddress } from '../../simulator/cli/run-command.js';
import { MAX_LABEL_VALUES, startPrometheus } from '../../simulator/report/prometheus.js';
import { runCli } from '../helpers/cli.js';
import { counts, progress } from '../helpers/progress.js';
import { METRIC_NAMES, prometheusSeries } from '../../simulator/metrics/registry.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lorafleet-prom-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `name{labels} value` lines of the exposition format, by name and label text. */
function samples(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const i = line.lastIndexOf(' ');
    m.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return m;
}

describe('the Prometheus exporter', () => {
  it('serves every registry metric, the latency histogram and gauges on /metrics, labelled with the scenario', async () => {
    const p = await startPrometheus({ host: '127.0.0.1', port: 0 }, { scenario: 'demo' });
    try {
      expect(p.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      p.listener.delivered!(40);
      p.listener.delivered!(300);
      p.listener.delivered!(3000);
      const tick = (n: number, joined: number, bad: number) =>
        progress({
          joined,
          counts: counts({
            uplinksSent: 4 + n,
            uplinksDelivered: 3,
            joinsRequested: 2,
            joinsAccepted: 1,
            downlinksScheduled: 4 + n,
            downlinksReceived: 3 + n,
          }),
          violations: { 'bad-mic': bad },
          timerLagP99Ms: 40 * joined,
        });
      p.update(tick(0, 7, 1));
      p.update(tick(2, 8, 2));
      // A figure that went down (a worker's tick arriving late) does not take a counter back.
      p.update(tick(1, 8, 2));

      const res = await fetch(p.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      const s = samples(text);
      const l = '{scenario="demo"}';
      // Every metric of the registry is exposed under the series the README names.
      for (const name of METRIC_NAMES)
        expect(text, `${name} as ${prometheusSeries(name)}`).toContain(`# TYPE ${prometheusSeries(name)} `);
      expect(s.get(`lorafleet_uplinks_sent_total${l}`)).toBe(6);
      expect(s.get(`lorafleet_uplinks_delivered_total${l}`)).toBe(3);
      expect(s.get(`lorafleet_joins_requested_total${l}`)).toBe(2);
      expect(s.get(`lorafleet_joins_accepted_total${l}`)).toBe(1);
      expect(s.get(`lorafleet_devices${l}`)).toBe(10);
      expect(s.get(`lorafleet_devices_joined${l}`)).toBe(8);
      // Counters fed from cumulative progress grow by the difference, never twice.
      expect(s.get(`lorafleet_downlinks_scheduled_total${l}`)).toBe(6);
      expect(s.get(`lorafleet_downlinks_received_total${l}`)).toBe(5);
      expect(s.get('lorafleet_violations_total{kind="bad-mic",scenario="demo"}')).toBe(2);
      // Ratios are gauges of the latest tick: 3 of 5 sent delivered.
      expect(s.get(`lorafleet_delivery_ratio${l}`)).toBeCloseTo(3 / 5, 9);
      // The simulator's own lag, latest tick, in seconds.
      expect(s.get(`lorafleet_simulator_lag_p99_seconds${l}`)).toBeCloseTo(0.32, 9);
      // 40 ms, 300 ms and 3 s in seconds buckets.
      expect(s.get('lorafleet_uplink_latency_seconds_bucket{le="0.05",scenario="demo"}')).toBe(1);
      expect(s.get('lorafleet_uplink_latency_seconds_bucket{le="0.5",scenario="demo"}')).toBe(2);
      expect(s.get('lorafleet_uplink_latency_seconds_bucket{le="5",scenario="demo"}')).toBe(3);
      expect(s.get(`lorafleet_uplink_latency_seconds_sum${l}`)).toBeCloseTo(3.34, 6);
      expect(s.get(`lorafleet_uplink_latency_seconds_count${l}`)).toBe(3);
      // The process's own health, to tell a saturated simulator from a slow network.
      expect([...s.keys()].some((k) => k.startsWith('lorafleet_nodejs_eventloop_lag'))).toBe(true);
      expect([...s.keys()].some((k) => k.startsWith('lorafleet_process_cpu_seconds_total'))).toBe(true);
      expect(text).not.toContain('process_process_');

      expect((await fetch(p.url.replace('/metrics', '/'))).status).toBe(404);
    } finally {
      await p.close();
    }
  });

  it('labels series by fleet, gateway and reason, with a bounded number of label values', async () => {
    const p = await startPrometheus({ host: '127.0.0.1', port: 0 }, { scenario: 'demo' });
    try {
      const gateways = (k: number) =>
        Object.fromEntries(
          Array.from({ length: 130 }, (_, i) => [
            `gw-${i}`,
            { received: k * (i + 1), forwarded: k * (i + 1), transmitted: 1, txAckErrors: 0 },
          ]),
        );
      const reasons = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`ns.up.data.drop: r${i}`, 2]));
      const tick = (k: number) =>
        progress({
          breakdown: {
            fleets: {
              meters: { devices: 5, joined: 4, uplinksSent: 10 * k, uplinksDelivered: 9 * k },
              trackers: { devices: 5, joined: 5, uplinksSent: 3 * k, uplinksDelivered: 3 * k },
            },
            gateways: gateways(k),
            transmissionsLost: { 'out-of-range': 7 * k, collided: 2 * k },
            downlinkLosses: {
              'gateway-refused': k,
              'device-busy': 0,
              'outside-window': 0,
              'not-scheduled': 0,
              'too-weak': 0,
            },
            reasons,
          },
        });
      p.update(tick(1));
      p.update(tick(2));
      const text = await (await fetch(p.url)).text();
      const s = samples(text);
      expect(s.get('lorafleet_fleet_uplinks_sent_total{fleet="meters",scenario="demo"}')).toBe(20);
      expect(s.get('lorafleet_fleet_uplinks_delivered_total{fleet="trackers",scenario="demo"}')).toBe(6);
      expect(s.get('lorafleet_fleet_devices_joined{fleet="meters",scenario="demo"}')).toBe(4);
      expect(s.get('lorafleet_gateway_uplinks_received_total{gateway="gw-0",scenario="demo"}')).toBe(2);
      expect(s.get('lorafleet_transmissions_lost_total{reason="out-of-range",scenario="demo"}')).toBe(14);
      expect(s.get('lorafleet_downlinks_lost_total{reason="gateway-refused",scenario="demo"}')).toBe(2);
      // 130 gateways: the first 100 by name, the other 30 added up under "other".
      const received = [...s.keys()].filter((k) => k.startsWith('lorafleet_gateway_uplinks_received_total{'));
      expect(received).toHaveLength(MAX_LABEL_VALUES.gateway + 1);
      let other = 0;
      for (let i = MAX_LABEL_VALUES.gateway; i < 130; i++) other += 2 * (i + 1);
      expect(s.get('lorafleet_gateway_uplinks_received_total{gateway="other",scenario="demo"}')).toBe(other);
      // 25 reasons in the network's words: 20 of them, and the rest as "other".
      const refusals = [...s.keys()].filter((k) => k.startsWith('lorafleet_network_refusals_total{'));
      expect(refusals).toHaveLength(MAX_LABEL_VALUES.reason + 1);
      expect(s.get('lorafleet_network_refusals_total{reason="other",scenario="demo"}')).toBe(10);
    } finally {
      await p.close();
    }
  });

  it('reads host:port, a bare port or [IPv6]:port, loopback by default; refuses anything else', () => {
    expect(listenAddress('127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(listenAddress('9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(listenAddress(':9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(listenAddress('0.0.0.0:80')).toEqual({ host: '0.0.0.0', port: 80 });
    expect(listenAddress('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    for (const bad of ['localhost', '127.0.0.1:99999', '127.0.0.1:', 'a:b:9']) {
      expect(() => listenAddress(bad), bad).toThrow(
        `--prometheus: expected host:port like "127.0.0.1:9464", got "${bad}"`,
      );
    }
  });
});

const scenario = [
  'name: prom-live',
  'seed: 5',
  'duration: 60s',
  'drain: 5s',
  'fleets:',
  '  - { name: sensors, count: 10, activation: otaa, lorawan_version: 1.1, data_rate: 5, interval: 5s }',
  'thresholds: [ "delivery_ratio >= 0.9" ]',
].join('\n');

describe('lorafleet run --prometheus --html', () => {
  it('serves live metrics while the run goes on, then writes the HTML report', async () => {
    const file = join(dir, 'prom-live.yaml');
    writeFileSync(file, scenario);
    const html = join(dir, 'prom-live.html');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'simulator/cli/main.ts',
        'run',
        file,
        '--virtual-time',
        '--state-dir',
        dir,
        '--prometheus',
        '127.0.0.1:0',
        '--html',
        html,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 },
    );
    let stderr = '';
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        const m = /prometheus: metrics at (http:\/\/\S+)/.exec(stderr);
        if (m) resolve(m[1]!);
      });
      child.on('close', () => reject(new Error(`exited before serving metrics: ${stderr}`)));
    });
    const exited = new Promise<number | null>((r) => child.on('close', r));
    let done = false;
    void exited.then(() => (done = true));
    // Scrape like Prometheus would, until the run has sent and delivered something.
    let last = new Map<string, number>();
    while (!done) {
      try {
        last = samples(await (await fetch(url)).text());
      } catch {
        break; // the run ended and closed the port
      }
      if ((last.get('lorafleet_uplinks_delivered_total{scenario="prom-live"}') ?? 0) > 5) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(last.get('lorafleet_devices{scenario="prom-live"}')).toBe(10);
    expect(last.get('lorafleet_joins_accepted_total{scenario="prom-live"}')).toBeGreaterThan(0);
    expect(last.get('lorafleet_uplinks_sent_total{scenario="prom-live"}')).toBeGreaterThan(5);
    expect(last.get('lorafleet_uplinks_delivered_total{scenario="prom-live"}')).toBeGreaterThan(5);
    // The same by fleet.
    expect(
      last.get('lorafleet_fleet_uplinks_sent_total{fleet="sensors",scenario="prom-live"}'),
    ).toBeGreaterThan(5);

    expect(await exited).toBe(0);
    expect(stdout).toMatch(/verdict: PASS/);
    // The port is closed once the run is over.
    await expect(fetch(url)).rejects.toThrow();
    expect(existsSync(html)).toBe(true);
    const page = readFileSync(html, 'utf8');
    expect(page).toMatch(/<title>lorafleet — prom-live: PASS<\/title>/);
    expect(page).not.toMatch(/<script src=|<link [^>]*href=/);
  }, 60_000);

  it('exits 2 with one line when the address is malformed or taken', async () => {
    const file = join(dir, 'prom-bad.yaml');
    writeFileSync(file, scenario);
    const bad = runCli(['run', file, '--virtual-time', '--state-dir', dir, '--prometheus', 'localhost']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(
      'lorafleet: --prometheus: expected host:port like "127.0.0.1:9464", got "localhost"',
    );

    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    try {
      const r = runCli([
        'run',
        file,
        '--virtual-time',
        '--state-dir',
        dir,
        '--prometheus',
        `127.0.0.1:${port}`,
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--prometheus 127.0.0.1:${port}: cannot listen (listen EADDRINUSE`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      taken.close();
    }
  });
});
