import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { provisionScenario } from '../../simulator/engine/provision.js';
import { runScenario } from '../../simulator/engine/run.js';
import { summaryText } from '../../simulator/report/summary.js';
import { expand } from '../../simulator/scenario/expand.js';
import { loadScenario, parseScenario } from '../../simulator/scenario/load.js';
import { runCli } from '../helpers/cli.js';
import { expectCleanPass, tempDirs } from '../helpers/reruns.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { tmp, cleanup } = tempDirs('lorafleet-engine-');
afterAll(cleanup);

describe('runScenario against the embedded network, in virtual time', () => {
  // A fresh embedded network each run gives new Join Server records (JoinNonce from 1 again): the 1.1
  // devices must be re-commissioned, not refuse the Join-accept and fail the verdict (issue 12 point 5).
  it('passes the quickstart three times in a row on one state directory, then twice with teardown: keep', async () => {
    const s = loadScenario(join(root, 'scenarios/quickstart.yaml'));
    const stateDir = tmp();
    for (let run = 1; run <= 5; run++) {
      const teardown = run <= 3 ? ('delete' as const) : ('keep' as const);
      const r = await runScenario({ ...s, teardown }, { virtualTime: true, stateDir });
      const m = r.metrics;
      expect(m.join_success_ratio, `run ${run}`).toBe(1);
      for (const t of r.thresholds) expect(t, `run ${run}: ${t.text}`).toMatchObject({ pass: true });
      expect(r.verdict, `run ${run}`).toBe('pass');
    }
  }, 120_000);

  // Issue 12 acceptance: every way onto a network (OTAA 1.0.3 / 1.1, ABP 1.0.3 / 1.1, class C), three
  // runs with the default teardown and two with `teardown: keep`, on one state directory. A rerun
  // registers ABP sessions with the counters the devices reached, so neither side sees a replay, a
  // MIC over the wrong FCntDown, or a JoinNonce going backwards — faults of the simulator's own state.
  it('passes every-activation three times with teardown delete, then twice with keep', async () => {
    const s = loadScenario(join(root, 'scenarios/every-activation.yaml'));
    const stateDir = tmp();
    const policies = ['delete', 'delete', 'delete', 'keep', 'keep'] as const;
    for (const [i, teardown] of policies.entries()) {
      const r = await runScenario({ ...s, teardown }, { stateDir });
      const what = `run ${i + 1} (${teardown})`;
      expectCleanPass(r, what);
      for (const f of ['otaa-103', 'otaa-11', 'abp-103', 'abp-11', 'class-c'])
        expect(r.fleets[f], `${what}: ${f}`).toMatchObject({ devices: 6, joined: 6 });
    }
  }, 400_000);

  it('runs the quickstart to a passing verdict with every uplink accounted for', async () => {
    const s = loadScenario(join(root, 'scenarios/quickstart.yaml'));
    const r = await runScenario(s, { virtualTime: true, stateDir: tmp() });

    expect(r.time).toBe('virtual');
    expect(r.target).toContain('embedded');
    expect(r.thresholds).toHaveLength(5);
    for (const t of r.thresholds) expect(t, t.text).toMatchObject({ pass: true });
    expect(r.verdict).toBe('pass');

    const m = r.metrics;
    expect(m.join_success_ratio).toBe(1);
    expect(m.devices_not_provisioned).toBe(0);
    expect(m.joins_accepted).toBeGreaterThanOrEqual(100);
    // 45 s of traffic at one uplink per ~15 s per device, 120 devices: a few hundred uplinks.
    expect(m.uplinks_sent).toBeGreaterThan(200);
    expect(m.uplinks_delivered).toBeLessThanOrEqual(m.uplinks_sent);
    expect(m.uplinks_delivered / m.uplinks_sent).toBeGreaterThanOrEqual(0.95);
    expect(m.downlinks_scheduled).toBeGreaterThan(0);
    expect(r.fleets['meters']).toBeDefined();
    expect(Object.keys(r.gateways)).toHaveLength(6);
    expect(summaryText(r)).toMatch(/PASS/);

    // The timeline behind the HTML plots adds up to the same totals as the counters.
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    expect(sum(r.timeline.uplinksSent)).toBe(m.uplinks_sent);
    expect(sum(r.timeline.uplinksDelivered)).toBe(m.uplinks_delivered);
    expect(sum(r.timeline.joinRequests)).toBe(m.joins_requested);
    expect(sum(r.timeline.joinAccepts)).toBe(m.joins_accepted);
    expect(sum(r.distributions.latencyMs.counts)).toBe(m.uplinks_delivered);
    const heard = sum(Object.values(r.gateways).map((g) => g.received!));
    expect(sum(r.distributions.rssiDbm.counts)).toBe(heard);
    expect(sum(r.distributions.snrDb.counts)).toBe(heard);
    // SNR as a concentrator reports it: devices a few hundred metres away are not 40 dB above noise.
    const snr = r.distributions.snrDb;
    const top = snr.counts.findLastIndex((c) => c > 0);
    expect(snr.start + top * snr.width).toBe(14); // the strongest saturate at the top
    expect(snr.counts[top]).toBeGreaterThan(0);
    // One bucket per second over 45 s of traffic and the drain.
    expect(r.timeline.bucketMs).toBe(1000);
    expect(r.timeline.uplinksSent.length).toBeGreaterThanOrEqual(44);
    const p99 = r.timeline.latencyP99Ms.filter((v): v is number => v !== null);
    // Per-bucket histograms keep two significant digits: within 1 % of the run's maximum.
    expect(Math.max(...p99)).toBeLessThanOrEqual(m.latency_max! * 1.01);
  }, 60_000);

  it('starts the embedded network when the scenario names no target, and never writes a key into the report', async () => {
    const s = parseScenario(
      [
        'name: secrets',
        'seed: 7',
        'duration: 20s',
        'drain: 3s',
        // No target: the embedded network is started in-process.
        'fleets:',
        '  - { name: aa, count: 4, activation: otaa, lorawan_version: 1.1, data_rate: 5, interval: 5s }',
        '  - { name: bb, count: 4, activation: abp, lorawan_version: 1.1, data_rate: 5, interval: 5s }',
      ].join('\n'),
      'secrets.yaml',
    );
    const r = await runScenario(s, { virtualTime: true, stateDir: tmp() });
    expect(r.target).toBe('embedded');
    const json = JSON.stringify(r).toUpperCase();
    const keys = expand(s).devices.flatMap((d) =>
      Object.entries(d.spec)
        .filter(([k]) => /key$/i.test(k))
        .map(([, v]) => String(v).toUpperCase()),
    );
    expect(keys.length).toBe(4 * 2 + 4 * 4);
    for (const k of keys) expect(json).not.toContain(k);
    expect(r.metrics.uplinks_delivered).toBeGreaterThan(0);
  }, 60_000);

  it('delivers class C downlinks queued at the same moment through one gateway', async () => {
    // One gateway transmits one frame at a time: the network must offer the refused ones again.
    const s = parseScenario(
      [
        'name: class-c',
        'seed: 3',
        'duration: 2m',
        'drain: 10s',
        'target: { type: embedded }',
        'gateways: { count: 1 }',
        'fleets:',
        '  - name: cc',
        '    count: 8',
        '    activation: otaa',
        '    class: C',
        '    data_rate: 5',
        '    positions: { type: random, radius: 800 }',
        '    interval: 1m',
        "    downlinks: { per_device: 2, f_port: 9, payload: { type: hex, value: 'AB' }, after: 30s }",
      ].join('\n'),
      'class-c.yaml',
    );
    const r = await runScenario(s, { virtualTime: true, stateDir: tmp() });
    const m = r.metrics;
    expect(m.downlinks_scheduled).toBe(16);
    expect(m.downlink_delivery_ratio).toBe(1);
    expect(m.rx_window_miss).toBe(0);
    expect(r.fleets['cc']).toMatchObject({ downlinks: 16, downlinks_lost_busy: 0 });
  }, 60_000);

  it('runs a compact fleet beside firmware devices: every uplink delivered, FCntUp continued in the next run', async () => {
    const text = [
      'name: compact',
      'seed: 31',
      'duration: 2m',
      'drain: 10s',
      'gateways: { count: 3, placement: { type: grid, spacing: 2000 } }',
      'load: { stages: [ { duration: 1m, target: "100%" } ] }',
      'fleets:',
      '  - { name: bulk, model: compact, count: 600, activation: abp, lorawan_version: 1.0.3, data_rate: 5, interval: 60s, positions: { type: random, radius: 2500 } }',
      '  - { name: bulk11, model: compact, count: 150, activation: abp, lorawan_version: 1.1, data_rate: 5, interval: 60s, positions: { type: random, radius: 2500 } }',
      '  - { name: firmware, count: 20, activation: otaa, lorawan_version: 1.0.3, data_rate: 5, interval: 30s }',
      'thresholds: [ "delivery_ratio >= 0.97", "rx_window_miss == 0" ]',
    ].join('\n');
    const dir = tmp();
    const run = () => runScenario(parseScenario(text, 'compact.yaml'), { virtualTime: true, stateDir: dir });
    const r = await run();
    const m = r.metrics;
    expect(r.devices).toBe(770);
    expect(r.fleets.bulk).toMatchObject({ devices: 600, joined: 600 });
    // Two minutes at one uplink a minute: about two each (the first falls within the first minute).
    expect(r.fleets.bulk!.uplinks).toBeGreaterThanOrEqual(600 * 1.6);
    expect(r.fleets.bulk!.uplinks).toBeLessThanOrEqual(600 * 2.4);
    // The ramp activates devices in scenario order: bulk11 comes last, so it starts later.
    expect(r.fleets.bulk11!.uplinks).toBeGreaterThanOrEqual(150 * 1.0);
    expect(r.fleets.bulk11!.uplinks! / 150).toBeLessThan(r.fleets.bulk!.uplinks! / 600);
    expect(m.uplinks_sent).toBe(
      r.fleets.bulk!.uplinks! + r.fleets.bulk11!.uplinks! + r.fleets.firmware!.uplinks!,
    );
    expect(m.uplinks_delivered! / m.uplinks_sent!).toBeGreaterThanOrEqual(0.97);
    expect(m.uplinks_duplicated).toBe(0);
    expect(r.verdict, summaryText(r)).toBe('pass');

    // FCntUp bounds are on disk by device; a second run continues above them.
    const bounds = () =>
      new Uint32Array(Uint8Array.from(readFileSync(join(dir, 'compact.bulk.fcnt'))).buffer);
    const first = bounds();
    expect(first.length).toBe(600);
    expect(Math.min(...first)).toBe(64);
    await run();
    expect(Math.min(...bounds())).toBe(128);
  }, 120_000);

  it("holds a stage's target uplink rate", async () => {
    const text = [
      'name: rate',
      'seed: 8',
      'duration: 2m',
      'drain: 5s',
      'load: { stages: [ { duration: 1m, target: "5/s" } ] }',
      'fleets:',
      '  - { name: bulk, model: compact, count: 1000, activation: abp, data_rate: 5, interval: 100s, positions: { type: random, radius: 1500 } }',
    ].join('\n');
    const r = await runScenario(parseScenario(text, 'rate.yaml'), { virtualTime: true, stateDir: tmp() });
    // 1,000 devices every 100 s could send 10/s; the stage ramps to half of them and holds.
    const held = r.timeline.uplinksSent.slice(70, 120);
    const rate = held.reduce((a, b) => a + b, 0) / held.length;
    expect(rate).toBeGreaterThan(4);
    expect(rate).toBeLessThan(6);
    const ramp = r.timeline.uplinksSent.slice(0, 30).reduce((a, b) => a + b, 0) / 30;
    expect(ramp).toBeLessThan(rate * 0.75);
  }, 60_000);

  it('stops early on the stop signal and still reports (wall time)', async () => {
    const s = parseScenario(
      [
        'name: stop',
        'duration: 1h',
        'drain: 2s',
        'target: { type: embedded }',
        'fleets:',
        '  - { name: aa, count: 5, activation: abp, data_rate: 5, interval: 10s }',
      ].join('\n'),
      'stop.yaml',
    );
    let stop!: () => void;
    const stopSignal = new Promise<void>((r) => (stop = r));
    const started = Date.now();
    const pending = runScenario(s, {
      virtualTime: false,
      stateDir: tmp(),
      stopSignal,
      onProgress: (p) => {
        if (p.counts.uplinksSent >= 3) stop();
      },
    });
    const r = await pending;
    expect(r.interrupted).toBe(true);
    expect(Date.now() - started).toBeLessThan(40_000);
    expect(r.metrics.uplinks_sent).toBeGreaterThanOrEqual(3);
  }, 60_000);
});

describe('lorafleet run', () => {
  it('exits 1 when a threshold fails, and writes the JSON report', () => {
    const d = tmp();
    const file = join(d, 'strict.yaml');
    writeFileSync(
      file,
      [
        'name: strict',
        'duration: 20s',
        'drain: 3s',
        'target: { type: embedded }',
        'fleets:',
        '  - { name: aa, count: 3, activation: abp, data_rate: 5, interval: 5s }',
        'thresholds:',
        "  - 'delivery_ratio >= 0.5'",
        "  - 'latency_p99 < 1ms'",
      ].join('\n'),
    );
    const report = join(d, 'report.json');
    const log = join(d, 'run.log');
    const r = runCli([
      'run',
      file,
      '--virtual-time',
      '--report',
      report,
      '--state-dir',
      join(d, 'state'),
      '--log',
      log,
    ]);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL/);
    const json = JSON.parse(readFileSync(report, 'utf8')) as {
      verdict: string;
      thresholds: { text: string; pass: boolean }[];
    };
    expect(json.verdict).toBe('fail');
    expect(json.thresholds.map((t) => t.pass)).toEqual([true, false]);

    // pino JSON lines: the run's phases, and never a key (the ABP devices' keys derive from the seed).
    const lines = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string; level: number });
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        'run started',
        'provisioned',
        'traffic started',
        'draining',
        'teardown done',
        'run finished',
      ]),
    );
    const text = readFileSync(log, 'utf8').toUpperCase();
    const s = parseScenario(readFileSync(file, 'utf8'), 'strict.yaml');
    for (const dev of expand(s).devices)
      for (const [k, v] of Object.entries(dev.spec))
        if (/key$/i.test(k)) expect(text).not.toContain(String(v).toUpperCase());
  });

  it('exits 2 with file, line and field for a broken scenario, before any traffic', () => {
    const d = tmp();
    const file = join(d, 'broken.yaml');
    writeFileSync(file, 'name: broken\nfleets:\n  - name: aa\n    count: -3\n');
    const r = runCli(['run', file, '--virtual-time']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:4 fleets[0].count`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('runScenario against a tts target', () => {
  it('provisions through the API, sends over Semtech UDP, verifies over MQTT, follows the events stream, tears down', async () => {
    // A standalone embedded network plays the deployment: the run reaches it only as it would reach TTS.
    const { EmbeddedNetwork } = await import('../../network/embedded-network.js');
    const { WallScheduler } = await import('../../simulator/time/scheduler.js');
    const sched = new WallScheduler();
    const net = new EmbeddedNetwork({ scheduler: sched, rx1DelayS: 1 });
    const a = await net.start();
    process.env.LORAFLEET_ENGINE_TEST_KEY = net.apiKey;
    try {
      const s = parseScenario(
        [
          'name: remote-run',
          'seed: 5',
          'duration: 12s',
          'drain: 4s',
          'target:',
          '  type: tts',
          `  url: http://127.0.0.1:${a.http!.port}`,
          '  application_id: remote-run-app',
          '  user_id: admin',
          '  api_key_env: LORAFLEET_ENGINE_TEST_KEY',
          `  gateway_udp: 127.0.0.1:${a.udp.port}`,
          `  mqtt_url: mqtt://127.0.0.1:${a.mqtt!.port}`,
          'gateways: { count: 1 }',
          'load: { join_window: 2s }',
          'fleets:',
          '  - { name: abp, count: 3, activation: abp, data_rate: 5, interval: 3s, positions: { type: random, radius: 300 } }',
          '  - { name: otaa, count: 2, activation: otaa, lorawan_version: 1.1, data_rate: 5, interval: 3s, positions: { type: random, radius: 300 } }',
        ].join('\n'),
        'remote-run.yaml',
      );
      // Provisioned ahead (as `lorafleet provision` does); then the Join Server is made to remember a
      // DevNonce no device can exceed, so otaa-1 is refused, and only the events stream says why.
      const state = tmp();
      await provisionScenario(s, { stateDir: state });
      const js = net.registry.device('remote-run-app', 'otaa-1')!.js as Record<string, unknown>;
      js.last_dev_nonce = 65535;

      const r = await runScenario(s, { stateDir: state });
      expect(r.target).toBe('tts');
      const m = r.metrics;
      expect(m.devices_not_provisioned).toBe(0);
      expect(m.join_success_ratio).toBe(0.5);
      expect(r.diagnostics.reasons['js.join.reject: dev_nonce_too_small']).toBeGreaterThan(0);
      expect(m.uplinks_sent).toBeGreaterThan(5);
      expect(m.uplinks_delivered).toBe(m.uplinks_sent);
      // Teardown removed everything it registered.
      expect(net.registry.devices.size).toBe(0);
      // Gateways are soft-deleted, as TTS does: none is live any more.
      expect(
        [...net.registry.gateways.values()].filter((g) => typeof g.deleted_at !== 'string'),
      ).toHaveLength(0);
    } finally {
      delete process.env.LORAFLEET_ENGINE_TEST_KEY;
      await net.stop();
      sched.stop();
    }
  }, 60_000);
});
