import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { listeningFrequencies, sx1301Conf } from '../../simulator/basic-station/frames.js';
import { stationTransport, webSocketConnect } from '../../simulator/gateway/station-link.js';
import { EU868 } from '../../simulator/region/eu868.js';
import { EU_CHANNELS, EU_ROUTER_CONFIG, scriptedLns } from '../helpers/station.js';
import { decodeUdpPacket, encodeUdpPacket, type RxPk } from '../../simulator/semtech-udp/packets.js';

const EUI = Buffer.from('AA55000000000001', 'hex');

/** A station link over a fake LNS: what it sent, and a way to answer as the LNS. */
async function station() {
  const { sent, lns, connect } = scriptedLns();
  const datagrams: Buffer[] = [];
  const link = await stationTransport({ eui: 'AA55000000000001', region: EU868, session: 2, connect })({
    message: (b) => datagrams.push(b),
    error: () => {},
  });
  const uplink = (freqMHz: number, tmst: number) => {
    const rx: RxPk = {
      tmst,
      chan: 0,
      rfch: 0,
      freq: freqMHz,
      stat: 1,
      modu: 'LORA',
      datr: 'SF7BW125',
      codr: '4/5',
      rssi: -90,
      lsnr: 5,
      size: 23,
      data: Buffer.alloc(23).toString('base64'),
    };
    link.send(
      encodeUdpPacket({ type: 'PUSH_DATA', version: 2, token: 1, gatewayEui: EUI, body: { rxpk: [rx] } }),
    );
  };
  return { link, sent, datagrams, uplink, lns };
}

describe('a Basics Station gateway applies router_config', () => {
  it('writes a channel plan the concentrator reads back to the same frequencies', () => {
    const conf = sx1301Conf(EU_CHANNELS, {
      frequency: 868_300_000,
      bandwidthHz: 250_000,
      spreadingFactor: 7,
    });
    expect([...listeningFrequencies(conf)].sort()).toEqual([...EU_CHANNELS].sort());
    expect(conf.radio_0).toEqual({ enable: true, freq: 867_400_000 });
    expect(conf.radio_1).toEqual({ enable: true, freq: 868_200_000 });
    expect(
      listeningFrequencies({
        radio_0: { enable: false, freq: 1 },
        chan_multiSF_0: { enable: true, radio: 0, if: 5 },
      }).size,
    ).toBe(0);
  });

  it('forwards nothing before router_config, then only what its channels hear', async () => {
    const s = await station();
    expect(s.sent[0]).toMatchObject({ msgtype: 'version', protocol: 2 });
    s.uplink(868.1, 1000);
    expect(s.sent).toHaveLength(1);
    s.lns(EU_ROUTER_CONFIG);
    s.uplink(868.1, 2000);
    s.uplink(869.525, 3000); // not an uplink channel of the plan
    const records = s.sent.map((m) => m.msgtype);
    expect(records).toEqual(['version', 'timesync', 'jreq']);
    // Every PUSH_DATA is acknowledged all the same: Semtech acks have no Basics Station twin.
    expect(s.datagrams.map((d) => decodeUdpPacket(d).type)).toEqual(['PUSH_ACK', 'PUSH_ACK', 'PUSH_ACK']);
    await s.link.close();
  });

  it('stamps gpstime once the LNS answered timesync', async () => {
    const s = await station();
    s.lns(EU_ROUTER_CONFIG);
    const ts = s.sent.find((m) => m.msgtype === 'timesync')!;
    s.lns({ msgtype: 'timesync', txtime: ts.txtime, gpstime: 1_400_000_000_000_000 });
    s.uplink(868.1, 5_000_000);
    const jreq = s.sent.find((m) => m.msgtype === 'jreq') as { upinfo: { gpstime: number; xtime: number } };
    expect(jreq.upinfo.gpstime).toBe(1_400_000_000_000_000 + 5_000_000 - (ts.txtime as number));
    expect(Math.floor(jreq.upinfo.xtime / 2 ** 48)).toBe(2);
    await s.link.close();
  });

  it('sends a dnmsg at xtime + RxDelay, and refuses one outside freq_range', async () => {
    const s = await station();
    s.lns(EU_ROUTER_CONFIG);
    const dn = {
      msgtype: 'dnmsg',
      DevEui: '::0',
      dC: 0,
      diid: 9,
      pdu: '6001',
      RxDelay: 1,
      RX1DR: 5,
      priority: 25,
      xtime: 2 * 2 ** 48 + 7_000_000,
    };
    s.lns({ ...dn, RX1Freq: 868_100_000 });
    const resp = decodeUdpPacket(s.datagrams.at(-1)!);
    expect(resp.type).toBe('PULL_RESP');
    expect((resp as unknown as { body: { txpk: Record<string, unknown> } }).body.txpk).toMatchObject({
      tmst: 8_000_000,
      freq: 868.1,
      datr: 'SF7BW125',
      size: 2,
    });
    const before = s.datagrams.length;
    s.lns({ ...dn, diid: 10, RX1Freq: 915_000_000 });
    expect(s.datagrams).toHaveLength(before);
    // Class B: dC 1 at a GPS time, on the ping slot's DR and frequency.
    s.lns({
      msgtype: 'dnmsg',
      DevEui: '::0',
      dC: 1,
      diid: 11,
      pdu: '6002',
      priority: 25,
      DR: 3,
      Freq: 869_525_000,
      gpstime: 1_400_000_000_123_000,
    });
    const b = decodeUdpPacket(s.datagrams.at(-1)!) as unknown as { body: { txpk: Record<string, unknown> } };
    expect(b.body.txpk).toMatchObject({ tmms: 1_400_000_000_123, freq: 869.525, datr: 'SF9BW125' });
    expect(b.body.txpk.tmst).toBeUndefined();
    // The concentrator took diid 9 (TX_ACK) and, at its time, sent it: then dntxed names it.
    s.link.send(encodeUdpPacket({ type: 'TX_ACK', version: 2, token: 9, gatewayEui: EUI }));
    expect(s.sent.at(-1)).not.toMatchObject({ msgtype: 'dntxed' });
    const frame = { frequency: 868_100_000, startUs: 0, tmst: 8_000_000, airtimeUs: 41_216 };
    expect(s.link.transmitting?.(9, frame)).toBeUndefined();
    expect(s.sent.at(-1)).toMatchObject({ msgtype: 'dntxed', diid: 9, Freq: 868_100_000, DR: 5 });
    expect((s.sent.at(-1) as { xtime: number }).xtime % 2 ** 32).toBe(8_000_000);
    // The class B frame was refused by the concentrator (TX_ACK error): no dntxed for it, ever.
    s.link.send(
      encodeUdpPacket({
        type: 'TX_ACK',
        version: 2,
        token: 11,
        gatewayEui: EUI,
        body: { txpk_ack: { error: 'TOO_LATE' } },
      }),
    );
    const records = s.sent.length;
    expect(s.link.transmitting?.(11, { ...frame, frequency: 869_525_000 })).toBeUndefined();
    expect(s.sent).toHaveLength(records);
    await s.link.close();
  });
});

describe('a Basics Station gateway over TLS', () => {
  it('trusts the LNS only with its CA file (wss://)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lorafleet-lns-tls-'));
    try {
      const r = spawnSync('openssl', [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ]);
      expect(r.status).toBe(0);
      const cert = readFileSync(join(dir, 'cert.pem'));
      const server = createHttpsServer({ cert, key: readFileSync(join(dir, 'key.pem')) });
      const wss = new WebSocketServer({ server });
      const traffic: string[] = [];
      wss.on('connection', (ws, req) => {
        if (req.url === '/router-info')
          return ws.once('message', () => {
            const { port } = server.address() as { port: number };
            ws.send(
              JSON.stringify({ router: '::1', muxs: '::0', uri: `wss://127.0.0.1:${port}/traffic/eui-1` }),
            );
          });
        ws.on('message', (d) => traffic.push(String(d)));
      });
      await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
      const url = `wss://127.0.0.1:${(server.address() as { port: number }).port}`;
      await expect(
        webSocketConnect({ url })(
          'AA55000000000001',
          () => {},
          () => {},
        ),
      ).rejects.toThrow(/self.signed|certificate/i);
      const ch = await webSocketConnect({ url, ca: cert })(
        'AA55000000000001',
        () => {},
        () => {},
      );
      ch.send('{"msgtype":"version"}');
      for (let i = 0; i < 100 && traffic.length === 0; i++) await new Promise((res) => setTimeout(res, 10));
      expect(traffic).toEqual(['{"msgtype":"version"}']);
      ch.close();
      for (const c of wss.clients) c.terminate();
      await new Promise((res) => server.close(res));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
