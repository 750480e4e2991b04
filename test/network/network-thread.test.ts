import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetworkThread, NetworkThreadError } from '../../network/network-thread.js';
import { encodeUdpPacket } from '../../simulator/semtech-udp/packets.js';

let net: NetworkThread;
beforeAll(async () => {
  net = await NetworkThread.start({ rx1DelayS: 1 });
}, 60_000);
afterAll(() => net.stop());

const api = (path: string, init: RequestInit = {}, key: string | null = net.apiKey) =>
  net.fetch(`http://${net.addresses.http!.host}:${net.addresses.http!.port}/api/v3${path}`, {
    ...init,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'content-type': 'application/json' },
  });

/** A PUSH_DATA (PROTOCOL.TXT §3) from gateway 0102030405060708 with one rxpk. */
function pushData(token: number): Buffer {
  const data = Buffer.from('400000002600010001a1b2c3', 'hex');
  return encodeUdpPacket({
    type: 'PUSH_DATA',
    version: 2,
    token,
    gatewayEui: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8),
    body: {
      rxpk: [
        {
          tmst: 1000,
          chan: 0,
          rfch: 0,
          freq: 868.1,
          stat: 1,
          modu: 'LORA',
          datr: 'SF7BW125',
          codr: '4/5',
          lsnr: 9.5,
          rssi: -40,
          size: data.length,
          data: data.toString('base64'),
        },
      ],
    },
  });
}

describe('the embedded network on a thread of its own', () => {
  it('answers the HTTP API by message, with the same keys, rights and errors', async () => {
    const created = await api('/users/admin/applications', {
      method: 'POST',
      body: JSON.stringify({ application: { ids: { application_id: 'thread-app' } } }),
    });
    expect(created.status).toBe(200);
    const got = await api('/applications/thread-app');
    expect(got.status).toBe(200);
    expect(((await got.json()) as { ids: { application_id: string } }).ids.application_id).toBe('thread-app');
    expect((await api('/applications/thread-app', {}, 'NNSXS.WRONG.KEY')).status).toBe(401);
    expect((await api('/applications/no-such-app')).status).toBe(404);
  });

  it('takes datagrams on its own loop, survives a hostile one, and counts what it got', async () => {
    const before = (await net.refresh()).counters.udp;
    const s = createSocket('udp4');
    try {
      s.bind(0, '127.0.0.1');
      await once(s, 'listening');
      s.send(Buffer.from([0xff]), net.addresses.udp.port, '127.0.0.1');
      s.send(pushData(0x1234), net.addresses.udp.port, '127.0.0.1');
      const [ack] = (await once(s, 'message')) as [Buffer];
      // PUSH_ACK: version 2, the same token, identifier 1 (PROTOCOL.TXT §3).
      expect([...ack]).toEqual([2, 0x12, 0x34, 1]);
    } finally {
      s.close();
    }
    const after = (await net.refresh()).counters.udp;
    expect(after.pushData).toBe(before.pushData + 1);
    expect(after.rxpk).toBe(before.rxpk + 1);
    expect(Object.values(after.malformed).reduce((a, n) => a + n, 0)).toBeGreaterThan(
      Object.values(before.malformed).reduce((a, n) => a + n, 0),
    );
    expect(net.snapshot().counters.udp.pushData).toBe(after.pushData);
    // Idle, its loop neither stalls nor saturates.
    const idleFrom = Date.now();
    await new Promise((r) => setTimeout(r, 400));
    await net.refresh();
    expect(net.stalledBetween(idleFrom, Date.now())).toBe(false);
  });

  it('once stopped, refuses requests with a typed error instead of hanging', async () => {
    const other = await NetworkThread.start();
    await other.stop();
    await expect(other.refresh()).rejects.toBeInstanceOf(NetworkThreadError);
    await expect(other.fetch('http://127.0.0.1:1/api/v3/applications')).rejects.toMatchObject({
      code: 'NETWORK_THREAD',
    });
  }, 60_000);
});
