import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { aes128Key, eui64 } from '../../crypto/types.js';
import { buildJoinRequest } from '../../simulator/lorawan/frame-security.js';
import { TtsClient } from '../../simulator/tts/http-client.js';
import { Journal } from '../../simulator/tts/journal.js';
import { Provisioner } from '../../simulator/tts/provisioning.js';
import type { DeviceSpec } from '../../simulator/scenario/device-spec.js';
import { pushDataWith } from '../helpers/reruns.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const NET_KEY = 'NNSXS.KILLNINETESTKEY0000.' + '34'.repeat(32);
const APP_KEY = '2B7E151628AED2A6ABF7158809CF4F3C';

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
    { cwd: root, env: { ...process.env, LORAFLEET_NET_KEY: NET_KEY } },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  for (let i = 0; i < 200 && !out.includes('Ctrl-C'); i++) await new Promise((r) => setTimeout(r, 50));
  const http = /HTTP API: +(http:\S+)/.exec(out)?.[1];
  const key = /API key \(shown once\): +(\S+)/.exec(out)?.[1];
  const udp = Number(/udp:\/\/[\d.]+:(\d+)/.exec(out)?.[1]);
  const stop = async () => {
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    return { code, out };
  };
  const kill9 = async () => {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
  };
  return { out: () => out, http, key, udp, stop, kill9 };
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

  // Issue 13 item 3: what the network acknowledged survives kill -9, and so does DevNonce history.
  it('kill -9 during provisioning: after a restart the network holds what it acknowledged; a replayed DevNonce is refused', async () => {
    const state = join(mkdtempSync(join(tmpdir(), 'lorafleet-net9-')), 'network.json');
    const first = await startNetwork(['--state', state, '--api-key-env', 'LORAFLEET_NET_KEY']);
    const client = (url: string) =>
      new TtsClient({
        target: { url: url.replace(/\/api\/v3$/, '') },
        apiKey: NET_KEY,
        userAgent: 'lorafleet/test',
      });
    const spec = (i: number): DeviceSpec => ({
      deviceId: `dur-${i}`,
      devEui: `00000000000009${i.toString(16).padStart(2, '0')}`.toUpperCase(),
      activation: 'otaa',
      lorawanVersion: '1.0.3',
      frequencyPlanId: 'EU_863_870',
      joinEui: '70B3D57ED0000009',
      appKey: APP_KEY,
    });
    const p = new Provisioner(client(first.http!), new Journal(), {
      applicationId: 'durable',
      owner: { userId: 'admin' },
    });
    await p.ensureApplication();
    let acknowledged = 0;
    for (let i = 0; i < 20; i++) {
      await p.provisionDevice(spec(i));
      acknowledged++;
    }
    // A Join-request with DevNonce 7 from dur-0, through the network's UDP port as a gateway would.
    const sock = createSocket('udp4');
    const joinRequest = buildJoinRequest(
      { joinEui: eui64('70B3D57ED0000009'), devEui: eui64(spec(0).devEui), devNonce: 7 },
      aes128Key(APP_KEY),
    );
    const pushData = (tmst: number) => pushDataWith(joinRequest, { eui: 'AA555A0000000009', tmst });
    const api = (url: string) =>
      client(url).get<{ last_dev_nonce?: number }>('/js/applications/durable/devices/dur-0', {
        fieldMask: ['last_dev_nonce'],
      });
    sock.send(pushData(1000), first.udp, '127.0.0.1');
    for (let i = 0; i < 100 && (await api(first.http!)).last_dev_nonce !== 7; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect((await api(first.http!)).last_dev_nonce).toBe(7);
    await first.kill9();

    const second = await startNetwork(['--state', state, '--api-key-env', 'LORAFLEET_NET_KEY']);
    try {
      const listed = await client(second.http!).get<{ end_devices?: unknown[] }>(
        '/applications/durable/devices',
        { query: { limit: 100 } },
      );
      expect(listed.end_devices).toHaveLength(acknowledged);
      expect((await api(second.http!)).last_dev_nonce).toBe(7);
      // The same Join-request again: refused as a replay, and the JS record does not move.
      const events = await fetch(`${second.http}/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${NET_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ identifiers: [{ application_ids: { application_id: 'durable' } }] }),
      });
      const reader = events.body!.getReader();
      sock.send(pushData(5_000_000), second.udp, '127.0.0.1');
      let seen = '';
      // One read in flight at a time: a read abandoned to a timeout would swallow its chunk.
      const collect = (async () => {
        for (let r = await reader.read(); !r.done; r = await reader.read()) {
          seen += Buffer.from(r.value).toString();
          if (seen.includes('js.join.reject')) return;
        }
      })();
      await Promise.race([collect, new Promise((r) => setTimeout(r, 5000))]);
      await reader.cancel();
      expect(seen).toContain('js.join.reject');
      expect(seen).toMatch(/dev_nonce/);
    } finally {
      sock.close();
      await second.stop();
    }
  }, 60_000);
});
