import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EmbeddedNetwork } from '../../network/index.js';
import type { GatewayUplink } from '../../network/udp-frontend.js';
import { webSocketConnect } from '../../simulator/gateway/station-link.js';
import type { TxPk } from '../../simulator/semtech-udp/packets.js';
import { WallScheduler } from '../../simulator/time/scheduler.js';

let net: EmbeddedNetwork | undefined;
afterEach(async () => {
  await net?.stop();
  net = undefined;
});

async function start() {
  net = new EmbeddedNetwork({ scheduler: new WallScheduler(), mqtt: false, http: false });
  const a = await net.start();
  const uplinks: GatewayUplink[] = [];
  net.events.subscribe({ identifiers: [], names: [], send: () => undefined });
  const onUplink = net.ns.onGatewayUplink.bind(net.ns);
  net.ns.onGatewayUplink = (u) => {
    uplinks.push(u);
    onUplink(u);
  };
  return { url: `ws://127.0.0.1:${a.lns.port}`, uplinks, net };
}

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(ok()).toBe(true);
};

describe("the embedded network's Basics Station LNS", () => {
  it('answers discovery with the traffic endpoint, then a router_config for version', async () => {
    const { url } = await start();
    const got: string[] = [];
    const ch = await webSocketConnect({ url })(
      'AA55000000000009',
      (t) => got.push(t),
      () => undefined,
    );
    ch.send(JSON.stringify({ msgtype: 'version', station: 's', model: 'm', protocol: 2 }));
    await until(() => got.length > 0);
    const rc = JSON.parse(got[0]!) as Record<string, unknown>;
    expect(rc).toMatchObject({ msgtype: 'router_config', region: 'EU863', hwspec: 'sx1301/1' });
    expect((rc.DRs as number[][])[5]).toEqual([7, 125, 0]);
    expect(net!.lns.connectedGateways()).toEqual(['AA55000000000009']);
    ch.close();
  });

  it('puts an updf back together for the network, and sends its downlink as dnmsg, confirmed by dntxed', async () => {
    const { url, uplinks } = await start();
    const got: string[] = [];
    const ch = await webSocketConnect({ url })(
      'AA55000000000009',
      (t) => got.push(t),
      () => undefined,
    );
    const updf = {
      msgtype: 'updf',
      MHdr: 64,
      DevAddr: 287454020,
      FCtrl: 0,
      FCnt: 25,
      FOpts: '',
      FPort: 1,
      FRMPayload: '5FCC',
      MIC: 12345678,
      DR: 5,
      Freq: 868_100_000,
      upinfo: { rctx: 0, xtime: 3 * 2 ** 48 + 2 ** 33 + 1000, gpstime: 0, rssi: -80, snr: 7.5 },
    };
    ch.send(JSON.stringify(updf));
    await until(() => uplinks.length === 1);
    expect(Buffer.from(uplinks[0]!.phyPayload).toString('hex').toUpperCase()).toBe(
      '404433221100190001' + '5FCC' + '4E61BC00',
    );
    expect(uplinks[0]).toMatchObject({
      tmst: 1000,
      frequency: 868_100_000,
      datr: 'SF7BW125',
      rssi: -80,
      snr: 7.5,
    });

    // A downlink 5 s after that uplink, on the gateway's clock: a dnmsg one second before, RxDelay 1.
    const txpk: TxPk = {
      imme: false,
      tmst: 1000 + 5_000_000,
      freq: 868.1,
      rfch: 0,
      powe: 14,
      modu: 'LORA',
      datr: 'SF7BW125',
      codr: '4/5',
      ipol: true,
      size: 2,
      data: Buffer.from([0x60, 0x01]).toString('base64'),
    };
    let result = '';
    expect(net!.lns.sendDownlink('AA55000000000009', txpk, (e) => (result = e))).toBe(true);
    await until(() => got.some((t) => t.includes('dnmsg')));
    const dn = JSON.parse(got.find((t) => t.includes('dnmsg'))!) as Record<string, number | string>;
    expect(dn).toMatchObject({ dC: 0, RxDelay: 1, RX1DR: 5, RX1Freq: 868_100_000, pdu: '6001' });
    expect(dn.xtime).toBe(3 * 2 ** 48 + 2 ** 33 + 1000 + 4_000_000);
    ch.send(JSON.stringify({ msgtype: 'dntxed', diid: dn.diid, DevEui: '::0', rctx: 0, xtime: dn.xtime }));
    await until(() => result === 'NONE');
    ch.close();
  });

  it('refuses a key it does not know, and counts malformed records without closing the connection', async () => {
    const { url } = await start();
    await expect(
      webSocketConnect({ url, authorization: 'Bearer NNSXS.NOT-A-KEY' })(
        'AA55000000000009',
        () => {},
        () => {},
      ),
    ).rejects.toThrow(/401/);
    const got: string[] = [];
    const ch = await webSocketConnect({ url, authorization: `Bearer ${net!.apiKey}` })(
      'AA55000000000009',
      (t) => got.push(t),
      () => undefined,
    );
    for (const bad of ['{', '[]', '{"msgtype":"updf"}', '{"msgtype":"jreq","MHdr":0,"JoinEui":"x"}'])
      ch.send(bad);
    ch.send(JSON.stringify({ msgtype: 'timesync', txtime: 12.5 }));
    await until(() => got.length > 0);
    expect(JSON.parse(got[0]!)).toMatchObject({ msgtype: 'timesync', txtime: 12.5 });
    expect(net!.lns.counters.malformed).toEqual({ message: 2, MHdr: 1, JoinEui: 1 });
    // A path that is neither discovery nor traffic is refused at the door.
    const raw = new WebSocket(`${url}/nowhere`);
    await new Promise((r) => raw.once('error', r));
    ch.close();
  });
});
