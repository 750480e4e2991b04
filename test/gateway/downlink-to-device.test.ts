import { afterEach, describe, expect, it } from 'vitest';
import { VirtualGateway } from '../../simulator/gateway/gateway.js';
import { decodeUdpPacket, parseLoRaDatr } from '../../simulator/semtech-udp/packets.js';
import { RadioMedium, type Reception } from '../../simulator/radio/medium.js';
import { DEFAULT_PATH_LOSS } from '../../simulator/radio/propagation.js';
import { Rng } from '../../simulator/random/rng.js';
import { VirtualScheduler } from '../../simulator/time/scheduler.js';
import { io, ScriptedNetwork } from '../helpers/udp-network.js';

describe('Semtech UDP worked example (reference digest §8)', () => {
  it('decodes the example PUSH_DATA: header bytes, EUI as sent, one rxpk carrying the lora-packet frame', () => {
    const json =
      '{"rxpk":[{"tmst":3512348611,"chan":2,"rfch":0,"freq":868.500000,"stat":1,"modu":"LORA","datr":"SF7BW125","codr":"4/5","lsnr":5.1,"rssi":-35,"size":17,"data":"QPF9vkkAAgABlUN4disR/w0="}]}';
    const p = decodeUdpPacket(
      Buffer.concat([Buffer.from('02567800aa555a0000000000', 'hex'), Buffer.from(json)]),
    );
    expect(p.type).toBe('PUSH_DATA');
    if (p.type !== 'PUSH_DATA') return;
    expect(p.token).toBe(0x5678);
    expect(Buffer.from(p.gatewayEui).toString('hex')).toBe('aa555a0000000000');
    expect(p.body.rxpk![0]).toMatchObject({ tmst: 3512348611, freq: 868.5, size: 17 });
    expect(Buffer.from(p.body.rxpk![0]!.data, 'base64').toString('hex')).toBe(
      '40f17dbe4900020001954378762b11ff0d',
    );
  });
});

describe('a scheduled downlink leaves through the radio model', () => {
  let net: ScriptedNetwork;
  let gw: VirtualGateway;
  afterEach(async () => {
    await gw.stop();
    await net.stop();
  });

  it('reaches the device in range, at the scheduled counter value, not the one out of range', async () => {
    net = new ScriptedNetwork();
    const port = await net.start();
    const sched = new VirtualScheduler();
    const rng = new Rng(3);
    const medium = new RadioMedium({ pathLoss: { ...DEFAULT_PATH_LOSS, shadowingSigma: 0 }, seed: 3, rng });
    medium.addGateway({ id: 'gw', position: { x: 0, y: 0 }, antennaGain: 3, noiseFigure: 6 });
    medium.addDevice({ id: 'near', position: { x: 1500, y: 0 }, antennaGain: 0, noiseFigure: 6 });
    medium.addDevice({ id: 'far', position: { x: 90_000, y: 0 }, antennaGain: 0, noiseFigure: 6 });
    const heard: { at: number; rx: Reception }[] = [];
    gw = new VirtualGateway(
      {
        eui: Buffer.alloc(8, 7),
        server: { host: '127.0.0.1', port },
        txFrequencyRange: [863e6, 870e6],
        antennaGain: 3,
        rsig: true,
      },
      sched,
      rng,
      {
        onTransmit: (tx) => {
          const m = parseLoRaDatr(tx.datr)!;
          for (const rx of medium.downlink({
            from: 'gw',
            frequency: tx.frequency,
            modulation: tx.modulation,
            spreadingFactor: m.spreadingFactor,
            bandwidth: m.bandwidthHz,
            eirp: tx.eirp,
            startUs: tx.startUs,
            airtimeUs: tx.airtimeUs,
          })) {
            heard.push({ at: sched.now(), rx });
          }
        },
      },
    );
    await gw.start();
    await net.next('PULL_DATA');
    await io();
    const target = (gw.tmst() + 2_000_000) % 2 ** 32;
    const ack = await net.pullResp({
      tmst: target,
      freq: 869.525,
      rfch: 0,
      powe: 27,
      modu: 'LORA',
      datr: 'SF12BW125',
      codr: '4/5',
      ipol: true,
      ncrc: true,
      size: 1,
      data: 'AA==',
    });
    expect(ack).toBe('NONE');
    sched.advanceBy(3_000_000);
    expect(heard.map((h) => h.rx.to)).toEqual(['near']);
    expect(gw.tmst(heard[0]!.at)).toBe(target);
    expect(heard[0]!.rx.transmission.eirp).toBe(30); // powe 27 + 3 dBi
    // And rsig is reported when asked for, as multi-antenna gateways do.
    gw.receive({
      phyPayload: new Uint8Array(12),
      frequency: 868_100_000,
      modulation: 'LORA',
      datr: 'SF9BW125',
      rssi: -101.6,
      snr: -3.04,
      channel: 4,
    });
    sched.advanceBy(10_000);
    const push = await net.next('PUSH_DATA');
    expect(push.body.rxpk![0]!.rsig).toEqual([{ ant: 0, chan: 4, rssic: -102, lsnr: -3.0 }]);
  });
});
