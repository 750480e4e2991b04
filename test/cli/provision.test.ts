import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedNetwork } from '../../network/embedded-network.js';
import { expand } from '../../simulator/scenario/expand.js';
import { parseScenario } from '../../simulator/scenario/load.js';
import { VirtualScheduler } from '../../simulator/time/scheduler.js';
import { runCliAsync } from '../helpers/cli.js';

// The embedded network stands in for a TTS deployment: the commands only speak its HTTP API.
describe('lorafleet provision / devices ls / teardown against a tts target', () => {
  let net: EmbeddedNetwork;
  let dir: string;
  let file: string;
  let text: string;
  const env = (): Record<string, string> => ({ LORAFLEET_TEST_API_KEY: net.apiKey });

  beforeAll(async () => {
    net = new EmbeddedNetwork({ scheduler: new VirtualScheduler(), mqtt: false });
    const a = await net.start();
    dir = mkdtempSync(join(tmpdir(), 'lorafleet-provision-'));
    file = join(dir, 'remote.yaml');
    text = [
      'name: remote',
      'seed: 11',
      'target:',
      '  type: tts',
      `  url: http://127.0.0.1:${a.http!.port}`,
      '  application_id: remote-app',
      '  user_id: admin',
      '  api_key_env: LORAFLEET_TEST_API_KEY',
      `  gateway_udp: 127.0.0.1:${a.udp.port}`,
      'gateways: { count: 2, enforce_duty_cycle: false }',
      'fleets:',
      '  - { name: otaa, count: 30, activation: otaa, lorawan_version: 1.1 }',
      '  - { name: abp, count: 20, activation: abp }',
    ].join('\n');
    writeFileSync(file, text);
  });
  afterAll(async () => {
    await net.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('provisions every device and gateway once, lists them, and removes them all', async () => {
    const state = join(dir, 'state');
    const p = await runCliAsync(['provision', file, '--state-dir', state], env());
    expect(p.stderr).not.toMatch(/\n\s+at /);
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/^remote-app: 50 device\(s\) and 2 gateway\(s\) provisioned/m);
    expect(net.registry.devices.size).toBe(50);
    expect(net.registry.gateways.size).toBe(2);
    for (const g of net.registry.gateways.values()) expect(g.enforce_duty_cycle).toBe(false);
    // The API key never reaches the output.
    expect(p.stdout + p.stderr).not.toContain(net.apiKey);

    // Running it again changes nothing (idempotent, resumed from the journal).
    const again = await runCliAsync(['provision', file, '--state-dir', state], env());
    expect(again.code).toBe(0);
    expect(net.registry.devices.size).toBe(50);

    const ls = await runCliAsync(['devices', 'ls', file, '--json'], env());
    expect(ls.code).toBe(0);
    const listed = JSON.parse(ls.stdout) as { deviceId: string; devEui: string }[];
    const planned = expand(parseScenario(text, 'remote.yaml')).devices.map((d) => d.spec.deviceId);
    expect(listed.map((d) => d.deviceId).sort()).toEqual([...planned].sort());
    expect(listed.every((d) => /^[0-9A-F]{16}$/i.test(d.devEui))).toBe(true);

    const t = await runCliAsync(['teardown', file, '--state-dir', state], env());
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(
      /^remote-app: 50 device\(s\) removed; 2 gateway\(s\) removed; application deleted \(soft/m,
    );
    expect(net.registry.devices.size).toBe(0);
    // Soft-deleted, as TTS does: none of them is live any more.
    expect([...net.registry.gateways.values()].filter((g) => typeof g.deleted_at !== 'string')).toHaveLength(
      0,
    );

    // A second teardown finds nothing to remove and says so, instead of "removed".
    const t2 = await runCliAsync(['teardown', file, '--state-dir', state], env());
    expect(t2.code).toBe(0);
    expect(t2.stdout).toMatch(
      /0 device\(s\) removed, 50 already gone; 0 gateway\(s\) removed, 2 already gone/,
    );

    // Provisioning again after a teardown restores the soft-deleted application and gateways.
    const re = await runCliAsync(['provision', file, '--state-dir', state], env());
    expect(re.stderr).not.toMatch(/\n\s+at /);
    expect(re.code).toBe(0);
    expect(net.registry.devices.size).toBe(50);
    expect([...net.registry.gateways.values()].filter((g) => typeof g.deleted_at !== 'string')).toHaveLength(
      2,
    );

    // Purging (the network's key is an admin's) releases the IDs: nothing of the scenario is left.
    const purge = await runCliAsync(
      ['teardown', file, '--state-dir', state, '--application', 'purge', '--gateways', 'purge'],
      env(),
    );
    expect(purge.code).toBe(0);
    expect(purge.stdout).toMatch(/50 device\(s\) removed; 2 gateway\(s\) removed; application purged/);
    expect(net.registry.applications.has('remote-app')).toBe(false);
    expect(net.registry.gateways.size).toBe(0);
  }, 90_000);

  it('names the missing API key variable, and refuses an embedded target, with exit code 2', async () => {
    const noKey = await runCliAsync(['provision', file, '--state-dir', join(dir, 's2')], {
      LORAFLEET_TEST_API_KEY: '',
    });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/LORAFLEET_TEST_API_KEY/);
    expect(noKey.stderr).not.toMatch(/\n\s+at /);

    const embedded = join(dir, 'local.yaml');
    writeFileSync(embedded, 'name: local\nfleets:\n  - { name: aa, count: 1 }\n');
    const r = await runCliAsync(['teardown', embedded]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs a target of type tts/);
  }, 60_000);
});
