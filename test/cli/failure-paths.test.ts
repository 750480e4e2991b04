import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedNetwork } from '../../network/embedded-network.js';
import { getPath } from '../../network/paths.js';
import { VirtualScheduler } from '../../simulator/time/scheduler.js';
import { runCliAsync } from '../helpers/cli.js';
import { closedPort } from '../helpers/ports.js';
import { FaultProxy } from '../helpers/fault-proxy.js';

// What a run and `provision` do when something fails (issue 12 point 9): one line and exit 2, and
// nothing of the run left on the target; provisioning through a storm of 500s; Ctrl-C in provision.
const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lorafleet-failures-'));

let net: EmbeddedNetwork;
let api: string;
let udp: number;
const env = () => ({ LORAFLEET_TEST_API_KEY: net.apiKey });

function scenarioFile(name: string, target: Record<string, string | number>, fleets: string[]): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      `name: ${name}`,
      'seed: 3',
      'duration: 20s',
      'drain: 1s',
      'target:',
      '  type: tts',
      `  application_id: ${name}-app`,
      '  user_id: admin',
      '  api_key_env: LORAFLEET_TEST_API_KEY',
      `  gateway_udp: 127.0.0.1:${udp}`,
      ...Object.entries(target).map(([k, v]) => `  ${k}: ${v}`),
      'gateways: { count: 1 }',
      'fleets:',
      ...fleets.map((f) => `  - ${f}`),
    ].join('\n'),
  );
  return file;
}

/** Devices of an application that are complete in every registry they need. */
function devicesOf(app: string): { total: number; complete: number } {
  let total = 0;
  let complete = 0;
  for (const d of net.registry.devices.values()) {
    if (d.applicationId !== app) continue;
    total++;
    const otaa = getPath(d.ns ?? {}, 'supports_join') === true;
    if (d.is && d.ns && d.as && (!otaa || d.js)) complete++;
  }
  return { total, complete };
}

beforeAll(async () => {
  net = new EmbeddedNetwork({ scheduler: new VirtualScheduler(), mqtt: false });
  const a = await net.start();
  api = `http://127.0.0.1:${a.http!.port}`;
  udp = a.udp.port;
});
afterAll(async () => {
  await net.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('failure paths', () => {
  it('MQTT unreachable: exit 2 with one line naming the broker, before the fleet is registered; the run key and application are removed', async () => {
    const port = await closedPort();
    const file = scenarioFile('no-mqtt', { url: api, mqtt_url: `mqtt://127.0.0.1:${port}` }, [
      '{ name: ff, count: 40, activation: otaa }',
    ]);
    const started = Date.now();
    const r = await runCliAsync(['run', file, '--state-dir', join(dir, 's1')], env());
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^lorafleet: cannot connect to the MQTT broker at 127\.0\.0\.1:\d+: ECONNREFUSED/,
      ),
    ]);
    expect(Date.now() - started).toBeLessThan(30_000);
    expect(devicesOf('no-mqtt-app').total).toBe(0);
    // The application the run created is soft-deleted, with no key of the run left on it.
    const app = net.registry.applications.get('no-mqtt-app');
    expect(app === undefined || typeof app.doc.deleted_at === 'string').toBe(true);
    expect(app?.apiKeys.size ?? 0).toBe(0);
  }, 60_000);

  it('API unreachable: exit 2 with one line naming the host and the cause', async () => {
    const port = await closedPort();
    const file = scenarioFile('no-api', { url: `http://127.0.0.1:${port}` }, ['{ name: ff, count: 2 }']);
    for (const command of ['run', 'provision']) {
      const r = await runCliAsync([command, file, '--state-dir', join(dir, 's2')], env());
      expect(r.code, command).toBe(2);
      expect(r.stderr, command).toMatch(
        new RegExp(
          `^lorafleet: .*cannot reach 127\\.0\\.0\\.1:${port}: ECONNREFUSED \\(connection refused\\)`,
        ),
      );
      expect(r.stderr.trim().split('\n'), command).toHaveLength(1);
    }
  }, 60_000);

  it('a storm of 500s, 503s, 429s and resets on 20 % of requests: provision and teardown still finish, each device once', async () => {
    const proxy = new FaultProxy(api, 0.2, 11, true);
    const url = await proxy.start();
    try {
      const file = scenarioFile('storm', { url, provisioning_concurrency: 8 }, [
        '{ name: otaa, count: 30, activation: otaa, lorawan_version: 1.1 }',
        '{ name: abp, count: 20, activation: abp }',
      ]);
      const state = join(dir, 's3');
      const p = await runCliAsync(['provision', file, '--state-dir', state], env());
      expect(p.stderr).not.toMatch(/\n\s+at /);
      expect(p.code).toBe(0);
      expect(devicesOf('storm-app')).toEqual({ total: 50, complete: 50 });
      expect(proxy.counts.internal).toBeGreaterThan(0);
      const t = await runCliAsync(['teardown', file, '--state-dir', state], env());
      expect(t.code).toBe(0);
      expect(t.stdout).toMatch(/50 device\(s\) removed; 1 gateway\(s\) removed/);
      expect(devicesOf('storm-app').total).toBe(0);
    } finally {
      await proxy.stop();
    }
  }, 120_000);

  it('Ctrl-C in provision: devices in flight finish whole, exit 130; provision again completes the rest', async () => {
    const file = scenarioFile('ctrl-c', { url: api, provisioning_concurrency: 2 }, [
      '{ name: many, count: 400, activation: otaa }',
    ]);
    const state = join(dir, 's4');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'simulator/cli/main.ts', 'provision', file, '--state-dir', state],
      {
        cwd: root,
        env: { ...process.env, ...env() },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    while (devicesOf('ctrl-c-app').total < 10) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted: \d+ device\(s\) not started/);
    expect(stderr).not.toMatch(/\n\s+at /);
    const after = devicesOf('ctrl-c-app');
    expect(after.total).toBeLessThan(400);
    expect(after.complete).toBe(after.total); // no device left half-registered
    const again = await runCliAsync(['provision', file, '--state-dir', state], env());
    expect(again.code).toBe(0);
    expect(devicesOf('ctrl-c-app')).toEqual({ total: 400, complete: 400 });
  }, 120_000);
});
