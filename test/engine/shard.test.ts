import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../simulator/report/types.js';
import { expand, gatewayIdPrefix } from '../../simulator/scenario/expand.js';
import { parseScenario } from '../../simulator/scenario/load.js';
import { cutsByDevices, parseShard, shardOf } from '../../simulator/scenario/shard.js';
import type { Position } from '../../simulator/radio/geometry.js';
import { RadioMedium } from '../../simulator/radio/medium.js';
import { Rng } from '../../simulator/random/rng.js';
import { defaultWorkers } from '../../simulator/cli/workers.js';
import { runCli, runCliAsync } from '../helpers/cli.js';
import { ttsStandIn } from '../helpers/tts-stand-in.js';

const dir = mkdtempSync(join(tmpdir(), 'lorafleet-shard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A place 500 m from each gateway of a 3-wide grid of six at 40 km (the grid's own coordinates). */
const CELLS = `[${[-40000, 0]
  .flatMap((y) => [-40000, 0, 40000].map((x) => `{ x: ${x + 500}, y: ${y} }`))
  .join(', ')}]`;

const text = [
  'name: sharded',
  'seed: 23',
  'duration: 90s',
  'drain: 10s',
  'load: { join_window: 40s }',
  'time: virtual',
  // Six cells 40 km apart, six devices by each gateway: no gateway hears another cell, so a shard's
  // radio is exactly the whole scenario's radio for its devices and the totals must agree exactly.
  'gateways: { count: 6, placement: { type: grid, spacing: 40000 } }',
  'fleets:',
  `  - { name: otaa, count: 24, activation: otaa, lorawan_version: 1.0.3, data_rate: 3, interval: 12s, positions: { type: list, positions: ${CELLS} } }`,
  `  - { name: abp, count: 12, activation: abp, lorawan_version: 1.1, data_rate: 3, interval: 12s, positions: { type: list, positions: ${CELLS} } }`,
  'thresholds: [ "delivery_ratio >= 0.9", "join_success_ratio == 1" ]',
].join('\n');

describe('shards', () => {
  it('split the gateways into runs and give every device to exactly one shard, near its gateways', () => {
    const x = expand(parseScenario(text, 'sharded.yaml'));
    const parts = [0, 1, 2].map((index) => shardOf(x, { index, count: 3 }));
    const gw = (i: number) => `${gatewayIdPrefix('sharded', '23')}-${i}`;
    expect(parts.map((p) => p.gateways.map((g) => g.id))).toEqual([
      [gw(0), gw(1)],
      [gw(2), gw(3)],
      [gw(4), gw(5)],
    ]);
    const ids = parts.flatMap((p) => p.devices.map((d) => d.spec.deviceId));
    expect(ids.sort()).toEqual(x.devices.map((d) => d.spec.deviceId).sort());
    for (const p of parts) {
      expect(p.total).toBe(36);
      expect(p.devices.length).toBeGreaterThan(0);
    }
    // Keys and EUIs are those of the whole scenario.
    const d = parts[2]!.devices[0]!;
    expect(d.spec).toEqual(x.devices[d.ordinal]!.spec);
  });

  it('cut the gateways where the devices divide evenly, not where the gateways do', () => {
    // Ten gateways on a grid wider than the fleet's 4 km disc: the first five hear a tenth of it.
    const wide = parseScenario(
      [
        'name: wide',
        'seed: bench-tts-1',
        'gateways: { count: 10, placement: { type: grid, spacing: 3000 } }',
        'fleets:',
        '  - { name: meters, model: compact, count: 5000, activation: abp, positions: { type: random, radius: 4000 } }',
      ].join('\n'),
      'wide.yaml',
    );
    const x = expand(wide);
    const sizes = [0, 1].map((index) => shardOf(x, { index, count: 2 }).devices.length);
    expect(sizes[0]! + sizes[1]!).toBe(5000);
    for (const n of sizes) expect(n).toBeGreaterThan(2000); // cut by gateway count: 549 and 4,451
    const three = [0, 1, 2].map((index) => shardOf(x, { index, count: 3 }));
    expect(three.flatMap((p) => p.gateways.map((g) => g.id))).toEqual(x.gateways.map((g) => g.id));
    for (const p of three) expect(p.gateways.length).toBeGreaterThan(0);
  });

  it('give each device the shard of its strongest link: heard by its shard exactly when heard at all', () => {
    // A fleet wider than its gateways' reach at SF12 and 14 dBm, with the run's shadowing: some
    // devices are heard by no gateway, some only by a gateway that is not the nearest.
    const x = expand(
      parseScenario(
        [
          'name: edges',
          'seed: edges-1',
          'gateways: { count: 6, placement: { type: grid, spacing: 6000 } }',
          'fleets:',
          '  - { name: meters, count: 400, activation: abp, positions: { type: random, radius: 14000 } }',
        ].join('\n'),
        'edges.yaml',
      ),
    );
    const heard = (gateways: typeof x.gateways, deviceId: string, position: Position) => {
      const m = new RadioMedium({ seed: x.seed, rng: new Rng(1), collisions: false });
      for (const g of gateways)
        m.addGateway({ id: g.id, position: g.position, antennaGain: 0, noiseFigure: 6 });
      m.addDevice({ id: deviceId, position, antennaGain: 0, noiseFigure: 6 });
      const t = {
        from: deviceId,
        frequency: 868_100_000,
        modulation: 'LORA' as const,
        spreadingFactor: 12,
        bandwidth: 125_000,
        eirp: 14,
        startUs: 0,
        airtimeUs: 1e6,
      };
      return m.uplink(t).length > 0;
    };
    let unheard = 0;
    for (const index of [0, 1, 2]) {
      const part = shardOf(x, { index, count: 3 });
      for (const d of part.devices) {
        const whole = heard(x.gateways, d.deviceId, d.position);
        if (!whole) unheard++;
        expect(heard(part.gateways, d.deviceId, d.position), d.deviceId).toBe(whole);
      }
    }
    expect(unheard).toBeGreaterThan(0); // the geometry does reach past the gateways
    expect(unheard).toBeLessThan(400);
  });

  it('cutsByDevices: the cut nearest an even share, each run at least one gateway', () => {
    expect(cutsByDevices([10, 10, 10, 10], 2)).toEqual([0, 2]);
    expect(cutsByDevices([1, 1, 1, 97], 2)).toEqual([0, 3]);
    expect(cutsByDevices([97, 1, 1, 1], 2)).toEqual([0, 1]);
    // Every device at one gateway: the other shards still get a gateway each.
    expect(cutsByDevices([0, 0, 100, 0, 0], 3)).toEqual([0, 1, 3]);
    expect(cutsByDevices([100, 0, 0], 3)).toEqual([0, 1, 2]);
    // No devices at all: the gateways divide evenly.
    expect(cutsByDevices([0, 0, 0, 0, 0, 0], 3)).toEqual([0, 2, 4]);
  });

  it('refuses more shards than gateways, and a malformed --shard', () => {
    const x = expand(parseScenario(text, 'sharded.yaml'));
    expect(() => shardOf(x, { index: 0, count: 7 })).toThrow(
      '--shard 0/7: the scenario has 6 gateways, and each shard needs one; use at most 6 shards',
    );
    for (const bad of ['3/3', '1', '-1/3', '1/0', 'a/b'])
      expect(() => parseShard(bad), bad).toThrow(
        `--shard: expected i/N with 0 ≤ i < N (like "0/3"), got "${bad}"`,
      );
    const r = runCli(['run', '/nonexistent.yaml', '--shard', '2/2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('lorafleet: --shard: expected i/N with 0 ≤ i < N (like "0/3"), got "2/2"\n');
  });

  it('three processes, merged, give the totals of one process with the same seed', async () => {
    const file = join(dir, 'sharded.yaml');
    writeFileSync(file, text);
    const report = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as RunReport;
    const [one, ...shards] = await Promise.all([
      runCliAsync(['run', file, '--state-dir', join(dir, 'one'), '--report', join(dir, 'one.json')]),
      ...[0, 1, 2].map((i) =>
        runCliAsync([
          'run',
          file,
          '--state-dir',
          join(dir, `s${i}`),
          '--shard',
          `${i}/3`,
          '--report',
          join(dir, `s${i}.json`),
        ]),
      ),
    ]);
    expect(one.code, one.stderr).toBe(0);
    for (const s of shards) expect(s.code, s.stderr).toBe(0);
    expect(shards[1]!.stdout).toMatch(/shard 1\/3/);

    const merged = runCli([
      'report',
      'merge',
      ...[0, 1, 2].map((i) => join(dir, `s${i}.json`)),
      '--report',
      join(dir, 'merged.json'),
      '--html',
      join(dir, 'merged.html'),
    ]);
    expect(merged.code, merged.stderr).toBe(0);
    expect(merged.stdout).toMatch(/merged from 3 shards/);
    expect(merged.stdout).toMatch(/verdict: PASS/);
    const m = report('merged.json');
    const o = report('one.json');
    const parts = [0, 1, 2].map((i) => report(`s${i}.json`));

    expect(m.devices).toBe(36);
    expect(m.gatewaysSimulated).toBe(6);
    expect(Object.keys(m.gateways).sort()).toEqual(
      [0, 1, 2, 3, 4, 5].map((i) => `${gatewayIdPrefix('sharded', '23')}-${i}`),
    );
    const totals = [
      'uplinks_sent',
      'uplinks_delivered',
      'joins_accepted',
      'devices_otaa',
      'devices_otaa_joined',
      'uplinks_lost',
      'uplinks_duplicated',
    ] as const;
    for (const k of totals) expect(m.metrics[k], k).toBe(o.metrics[k]);
    expect(m.metrics.uplinks_sent).toBeGreaterThan(100);
    // Counters are the shards' sums; the latency histogram merged exactly.
    for (const k of totals)
      expect(m.metrics[k], k).toBe(parts.reduce((a, p) => a + (p.metrics[k] as number), 0));
    const lat = (r: RunReport) => r.metrics.latency_ms as { count: number; max: number };
    expect(lat(m).count).toBe(parts.reduce((a, p) => a + lat(p).count, 0));
    expect(lat(m).max).toBe(Math.max(...parts.map((p) => lat(p).max)));
    expect(m.fleets.otaa!.devices).toBe(24);
    expect(m.fleets.abp!.uplinks).toBe(o.fleets.abp!.uplinks);
    expect(m.timeline.uplinksSent.reduce((a, b) => a + b, 0)).toBe(m.metrics.uplinks_sent);
    expect(m.thresholds.map((t) => t.pass)).toEqual([true, true]);
    expect(m.merged).toEqual({ shards: 3 });
    expect(readFileSync(join(dir, 'merged.html'), 'utf8')).toMatch(/sharded: PASS/);
    // Firmware figures add up; the ADR timeline keeps its intervals and adds slot by slot.
    expect(m.firmware.adrOverTime.intervalS).toBe(o.firmware.adrOverTime.intervalS);
    expect(m.firmware.joinRequests.total).toBe(parts.reduce((a, p) => a + p.firmware.joinRequests.total, 0));
    const slot0 = (r: RunReport) =>
      Object.values(r.firmware.adrOverTime.fleets).reduce(
        (a, t) => a + Object.values(t.dataRates).reduce((b, s) => b + (s[0] ?? 0), 0),
        0,
      );
    expect(slot0(m)).toBe(parts.reduce((a, p) => a + slot0(p), 0));
    // A report from an earlier lorafleet, without the newer firmware fields, still merges.
    const old = { ...parts[0]!, firmware: { mac: parts[0]!.firmware.mac } };
    writeFileSync(join(dir, 'old.json'), JSON.stringify(old));
    const withOld = runCli([
      'report',
      'merge',
      join(dir, 'old.json'),
      join(dir, 's1.json'),
      join(dir, 's2.json'),
    ]);
    expect(withOld.code, withOld.stderr).toBe(0);
  }, 120_000);

  it('--workers against the embedded network keeps its one world on one thread: the totals of one process', () => {
    const file = join(dir, 'sharded.yaml');
    const r = runCli([
      'run',
      file,
      '--state-dir',
      join(dir, 'w'),
      '--workers',
      '3',
      '--report',
      join(dir, 'w.json'),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('--workers 3: the embedded network is one world and runs on one thread');
    expect(r.stdout).not.toMatch(/worker threads/);
    const w = JSON.parse(readFileSync(join(dir, 'w.json'), 'utf8')) as RunReport;
    const o = JSON.parse(readFileSync(join(dir, 'one.json'), 'utf8')) as RunReport;
    expect(w.workers).toBeUndefined();
    expect(w.devices).toBe(36);
    expect(w.metrics).toEqual(o.metrics);
  }, 60_000);

  it('worker threads against a TTS target: one report of every device, each thread with its share', async () => {
    const { net, addresses: a, stop } = await ttsStandIn();
    try {
      const file = join(dir, 'workers-tts.yaml');
      writeFileSync(
        file,
        [
          'name: workers-tts',
          'seed: 31',
          'duration: 15s',
          'drain: 4s',
          'load: { join_window: 3s }',
          'target:',
          '  type: tts',
          `  url: http://127.0.0.1:${a.http!.port}`,
          '  application_id: workers-app',
          '  user_id: admin',
          '  api_key_env: LORAFLEET_WORKERS_TEST_KEY',
          `  gateway_udp: 127.0.0.1:${a.udp.port}`,
          `  mqtt_url: mqtt://127.0.0.1:${a.mqtt!.port}`,
          'gateways: { count: 3, placement: { type: grid, spacing: 1500 } }',
          'fleets:',
          '  - { name: otaa, count: 9, activation: otaa, lorawan_version: 1.0.3, data_rate: 5, interval: 5s, positions: { type: random, radius: 1200 } }',
          '  - { name: abp, count: 6, activation: abp, lorawan_version: 1.0.3, data_rate: 5, interval: 5s, positions: { type: random, radius: 1200 } }',
          'thresholds: [ "join_success_ratio == 1", "delivery_ratio >= 0.9" ]',
        ].join('\n'),
      );
      const r = await runCliAsync(
        ['run', file, '--state-dir', join(dir, 'wt'), '--workers', '3', '--report', join(dir, 'wt.json')],
        { LORAFLEET_WORKERS_TEST_KEY: net.apiKey },
      );
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/3 worker threads/);
      const w = JSON.parse(readFileSync(join(dir, 'wt.json'), 'utf8')) as RunReport;
      expect(w.workers).toBe(3);
      expect(w.devices).toBe(15);
      expect(w.gatewaysSimulated).toBe(3);
      expect(w.metrics.devices_otaa_joined).toBe(9);
      expect(w.metrics.uplinks_sent).toBeGreaterThan(20);
      expect(w.verdict).toBe('pass');
    } finally {
      await stop();
    }
  }, 120_000);

  it('chooses workers by cores, gateways and devices, and refuses impossible counts', () => {
    expect(defaultWorkers(120, 3, 8)).toBe(1);
    expect(defaultWorkers(25_000, 100, 8)).toBe(3);
    expect(defaultWorkers(1_000_000, 100, 8)).toBe(8);
    expect(defaultWorkers(1_000_000, 2, 8)).toBe(2);
    // Against a TTS target, where workers split the fleet (nothing is contacted before the refusal).
    const file = join(dir, 'sharded-tts.yaml');
    writeFileSync(
      file,
      text.replace(
        'time: virtual',
        'target: { type: tts, url: "http://127.0.0.1:9", application_id: app, user_id: admin, api_key_env: NO_SUCH_KEY, gateway_udp: "127.0.0.1:9" }',
      ),
    );
    const many = runCli(['run', file, '--workers', '7']);
    expect(many.code).toBe(2);
    expect(many.stderr).toBe(
      'lorafleet: --workers 7: the scenario has 6 gateways, and each worker serves its own; use at most 6\n',
    );
    expect(runCli(['run', file, '--workers', '0']).stderr).toBe(
      'lorafleet: --workers: expected a whole number of threads, 1 or more, got 0\n',
    );
    expect(runCli(['run', file, '--workers', '2', '--shard', '0/2']).stderr).toMatch(
      /--shard runs on one thread/,
    );
  });

  it('report merge names what does not fit: a missing shard, a repeat, another seed', () => {
    const f = (i: number) => join(dir, `s${i}.json`);
    const missing = runCli(['report', 'merge', f(0), f(2)]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('lorafleet: shard 1/3 missing\n');
    const twice = runCli(['report', 'merge', f(0), f(1), f(1)]);
    expect(twice.stderr).toBe(`lorafleet: ${f(1)}: shard 1/3 is also ${f(1)}\n`);
    const other = JSON.parse(readFileSync(f(2), 'utf8')) as RunReport;
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ ...other, seed: '24' }));
    const seed = runCli(['report', 'merge', f(0), f(1), join(dir, 'other.json')]);
    expect(seed.stderr).toBe(
      `lorafleet: ${join(dir, 'other.json')}: seed is "24", but ${f(0)} has "23"; these are not shards of one run\n`,
    );
    const notJson = runCli(['report', 'merge', join(dir, 'sharded.yaml')]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/sharded\.yaml: not JSON/);
  });
});
