import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function startNetwork(args: string[]) {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'simulator/cli/main.ts',
      'network',
      '--udp-port',
      '0',
      '--http-port',
      '0',
      '--mqtt-port',
      '0',
      ...args,
    ],
    { cwd: root },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  for (let i = 0; i < 200 && !out.includes('Ctrl-C'); i++) await new Promise((r) => setTimeout(r, 50));
  const http = /HTTP API: +(http:\S+)/.exec(out)?.[1];
  const key = /API key \(shown once\): +(\S+)/.exec(out)?.[1];
  const stop = async () => {
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    return { code, out };
  };
  return { out: () => out, http, key, stop };
}

describe('lorafleet network', () => {
  it('prints its UDP, HTTP and MQTT addresses and the key once, serves the API with that key, stops on Ctrl-C', async () => {
    const n = await startNetwork([]);
    expect(n.out()).toMatch(/gateways \(Semtech UDP\): udp:\/\/127\.0\.0\.1:\d+/);
    expect(n.out()).toMatch(/MQTT: +mqtt:\/\/127\.0\.0\.1:\d+/);
    expect(n.key).toMatch(/^NNSXS\./);
    const res = await fetch(`${n.http}/applications`, { headers: { authorization: `Bearer ${n.key}` } });
    expect(res.status).toBe(200);
    const { code, out } = await n.stop();
    expect(code).toBe(0);
    expect(out.split(n.key!).length - 1).toBe(1); // printed once
  }, 30_000);

  it('keeps applications and DevNonce history in a state file across restarts', async () => {
    const state = join(mkdtempSync(join(tmpdir(), 'lorafleet-net-')), 'network.json');
    const first = await startNetwork(['--state', state]);
    const h = { authorization: `Bearer ${first.key}`, 'content-type': 'application/json' };
    await fetch(`${first.http}/users/admin/applications`, {
      method: 'POST',
      headers: h,
      body: JSON.stringify({ application: { ids: { application_id: 'kept' } } }),
    });
    await first.stop();
    const second = await startNetwork(['--state', state]);
    const res = await fetch(`${second.http}/applications/kept`, {
      headers: { authorization: `Bearer ${second.key}` },
    });
    expect(res.status).toBe(200);
    await second.stop();
  }, 30_000);
});
