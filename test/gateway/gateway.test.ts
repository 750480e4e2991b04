import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  VirtualGateway,
  type DownlinkTransmission,
  type GatewayConfig,
} from '../../simulator/gateway/gateway.js';
import { encodeUdpPacket } from '../../simulator/semtech-udp/packets.js';
import { Rng } from '../../simulator/random/rng.js';
import { VirtualScheduler, WallScheduler } from '../../simulator/time/scheduler.js';
import { Worker } from 'node:worker_threads';
import { once } from 'node:events';
import { hex } from '../helpers/vectors.js';
import { io, ScriptedNetwork } from '../helpers/udp-network.js';
import { FUZZ_RUNS } from '../helpers/arbitraries.js';

const EUI = hex('AA555A0000000001');
const FRAME = hex('40f17dbe4900020001954378762b11ff0d');
const uplink = (i = 0) => ({
  phyPayload: FRAME,
  frequency: 868_100_000 + 200_000 * (i % 3),
  modulation: 'LORA' as const,
  datr: 'SF7BW125',
  codr: '4/5' as const,
  rssi: -57.4,
  snr: 7.25,
  channel: i % 3,
});
const txpk = (tmst: number, over: Record<string, unknown> = {}) => ({
  imme: false,
  tmst,
  freq: 868.1,
  rfch: 0,
  powe: 14,
  modu: 'LORA' as const,
  datr: 'SF7BW125',
  codr: '4/5',
  ipol: true,
  ncrc: true,
  size: FRAME.length,
  data: Buffer.from(FRAME).toString('base64'),
  ...over,
});

describe('VirtualGateway against a loopback network (virtual time)', () => {
  let net: ScriptedNetwork;
  let sched: VirtualScheduler;
  let gw: VirtualGateway;
  let sent: DownlinkTransmission[];

  async function startGateway(over: Partial<GatewayConfig> = {}) {
    const port = await net.start();
    sched = new VirtualScheduler();
    sent = [];
    gw = new VirtualGateway(
      {
        eui: EUI,
        server: { host: '127.0.0.1', port },
        txFrequencyRange: [863_000_000, 870_000_000],
        ...over,
      },
      sched,
      new Rng(1),
      { onTransmit: (t) => sent.push(t) },
    );
    await gw.start();
    await net.next('PULL_DATA');
    await io();
  }

  beforeEach(() => {
    net = new ScriptedNetwork();
  });
  afterEach(async () => {
    await gw.stop();
    await net.stop();
  });

  it('opens the downlink path with PULL_DATA at start and matches the PULL_ACK by token', async () => {
    await startGateway();
    const pull = await net.next('PULL_DATA');
    expect(Buffer.from(pull.gatewayEui).toString('hex')).toBe('aa555a0000000001');
    expect(gw.counters.pullAck).toBe(1);
    // Keepalive every 5 s by default, each with a new token.
    sched.advanceBy(5_000_000);
    await net.next('PULL_DATA', 1);
    expect(net.count('PULL_DATA')).toBe(2);
  });

  it('batches packets received within the window into one PUSH_DATA with complete rxpk', async () => {
    await startGateway();
    for (let i = 0; i < 3; i++) gw.receive(uplink(i));
    const tmst = gw.tmst();
    expect(net.count('PUSH_DATA')).toBe(0);
    sched.advanceBy(10_000); // the batch window
    const push = await net.next('PUSH_DATA');
    expect(push.body.rxpk).toHaveLength(3);
    const rx = push.body.rxpk![0]!;
    expect(rx).toMatchObject({
      tmst,
      chan: 0,
      rfch: 0,
      freq: 868.1,
      stat: 1,
      modu: 'LORA',
      datr: 'SF7BW125',
      codr: '4/5',
      rssi: -57,
      lsnr: 7.3,
      size: 17,
    });
    expect(Buffer.from(rx.data, 'base64')).toEqual(Buffer.from(FRAME));
    expect(rx.time).toMatch(/^2026-01-01T00:00:00\.000000Z$/);
    expect(typeof rx.tmms).toBe('number');
    expect(push.body.rxpk![2]!.freq).toBe(868.5);
    await io();
    expect(gw.counters.pushAck).toBe(1);
  });

  it('sends at once when 8 packets are waiting, and the rest after the window', async () => {
    await startGateway();
    for (let i = 0; i < 9; i++) gw.receive(uplink(i));
    const first = await net.next('PUSH_DATA');
    expect(first.body.rxpk).toHaveLength(8);
    sched.advanceBy(10_000);
    const since = net.received.indexOf(net.received.find((r) => r.packet === first)!) + 1;
    const second = await net.next('PUSH_DATA', since);
    expect(second.body.rxpk).toHaveLength(1);
  });

  it('transmits a PULL_RESP for uplink tmst + 1 s exactly when its counter gets there', async () => {
    await startGateway();
    sched.advanceBy(2_000_000);
    const rxTmst = gw.tmst();
    expect(await net.pullResp(txpk((rxTmst + 1_000_000) % 2 ** 32))).toBe('NONE');
    sched.advanceBy(999_999);
    expect(sent).toHaveLength(0);
    sched.advanceBy(1);
    expect(sent).toHaveLength(1);
    const tx = sent[0]!;
    expect(tx.tmst).toBe((rxTmst + 1_000_000) % 2 ** 32);
    expect(gw.tmst(tx.startUs)).toBe(tx.tmst);
    expect(tx.frequency).toBe(868_100_000);
    expect(tx.eirp).toBe(14);
    expect(tx.ipol).toBe(true);
    expect(tx.crc).toBe(false);
    expect(tx.phyPayload).toEqual(FRAME);
    expect(tx.airtimeUs).toBeGreaterThan(30_000);
    expect(gw.counters.transmitted).toBe(1);
  });

  it('keeps time across the 32-bit counter wrap', async () => {
    await startGateway({ tmstStart: 2 ** 32 - 1_500_000 });
    sched.advanceBy(1_000_000);
    const rxTmst = gw.tmst(); // 2^32 - 500 000: one second later wraps
    expect(rxTmst).toBe(2 ** 32 - 500_000);
    const target = (rxTmst + 1_000_000) % 2 ** 32;
    expect(target).toBe(500_000);
    expect(await net.pullResp(txpk(target))).toBe('NONE');
    sched.advanceBy(1_000_000);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.tmst).toBe(500_000);
  });

  // Issue 13 item 5: values a concentrator cannot send are refused in a TX_ACK, never scheduled with
  // an absurd airtime that would keep the gateway busy for the rest of the run.
  it.each([
    ['a payload over 255 bytes', { data: Buffer.alloc(300).toString('base64'), size: 300 }],
    ['SF4', { datr: 'SF4BW125' }],
    ['SF13', { datr: 'SF13BW125' }],
    ['BW 123 kHz', { datr: 'SF7BW123' }],
    ['a preamble of 1e9 symbols', { prea: 1e9 }],
    ['a fractional preamble', { prea: 8.5 }],
    ['FSK at 0 bit/s', { modu: 'FSK', datr: 0, fdev: 25000 }],
    ['FSK at -50 kbit/s', { modu: 'FSK', datr: -50000, fdev: 25000 }],
  ])('refuses %s with TX_ACK UNKNOWN and stays free for the next downlink', async (_what, over) => {
    await startGateway();
    sched.advanceBy(5_000_000);
    const now = gw.tmst();
    expect(await net.pullResp(txpk((now + 1_000_000) % 2 ** 32, over))).toBe('UNKNOWN');
    expect(await net.pullResp(txpk((now + 1_000_000) % 2 ** 32))).toBe('NONE');
  });

  it('fuzz: random txpk objects and raw PULL_RESP bytes never throw, and a valid downlink still goes out', async () => {
    await startGateway();
    sched.advanceBy(5_000_000);
    const field = fc.oneof(fc.jsonValue({ maxDepth: 1 }), fc.double(), fc.integer());
    const txpks = fc.sample(
      fc.record(
        {
          imme: fc.oneof(fc.boolean(), field),
          tmst: fc.oneof(fc.nat(), field),
          freq: fc.oneof(fc.constantFrom(868.1, 869.525), field),
          rfch: fc.oneof(fc.constant(0), field),
          powe: fc.oneof(fc.constant(14), field),
          modu: fc.oneof(fc.constantFrom('LORA', 'FSK'), field),
          datr: fc.oneof(fc.constantFrom('SF7BW125', 'SF12BW500', 'SF4BW125'), field),
          codr: fc.oneof(fc.constantFrom('4/5', '4/9'), field),
          prea: fc.oneof(fc.nat(70_000), field),
          fdev: field,
          size: fc.oneof(fc.nat(300), field),
          data: fc.oneof(fc.base64String({ maxLength: 400 }), field),
        },
        { requiredKeys: [] },
      ),
      { numRuns: FUZZ_RUNS ?? 200, seed: 3 },
    );
    for (const t of txpks)
      net.sendRaw(encodeUdpPacket({ type: 'PULL_RESP', version: 2, token: 1, body: { txpk: t as never } }));
    for (const b of fc.sample(fc.uint8Array({ maxLength: 40 }), { numRuns: 50, seed: 4 }))
      net.sendRaw(Buffer.concat([Buffer.from([2, 0, 1, 3]), b]));
    await new Promise((r) => setTimeout(r, 200));
    sched.advanceBy(60_000_000); // whatever was accepted has gone out by now
    const now = gw.tmst();
    expect(await net.pullResp(txpk((now + 1_000_000) % 2 ** 32))).toBe('NONE');
  });

  it('answers TX_ACK errors like a concentrator: too late, too early, frequency, power, collision, GPS', async () => {
    await startGateway();
    sched.advanceBy(5_000_000);
    const now = gw.tmst();
    expect(await net.pullResp(txpk((now + 10_000) % 2 ** 32))).toBe('TOO_LATE'); // 10 ms is under the JIT lead
    expect(await net.pullResp(txpk((now - 1_000_000 + 2 ** 32) % 2 ** 32))).toBe('TOO_LATE'); // in the past
    expect(await net.pullResp(txpk((now + 600_000_000) % 2 ** 32))).toBe('TOO_EARLY');
    expect(await net.pullResp(txpk((now + 1_000_000) % 2 ** 32, { freq: 915.0 }))).toBe('TX_FREQ');
    expect(await net.pullResp(txpk((now + 1_000_000) % 2 ** 32, { powe: 15 }))).toBe('TX_POWER');
    expect(await net.pullResp(txpk((now + 1_000_000) % 2 ** 32))).toBe('NONE');
    expect(await net.pullResp(txpk((now + 1_010_000) % 2 ** 32))).toBe('COLLISION_PACKET'); // overlaps the one above
    expect(await net.pullResp(txpk((now + 2_000_000) % 2 ** 32))).toBe('NONE');
    expect(gw.counters.txAck).toMatchObject({
      NONE: 2,
      TOO_LATE: 2,
      TOO_EARLY: 1,
      TX_FREQ: 1,
      TX_POWER: 1,
      COLLISION_PACKET: 1,
    });
    sched.advanceBy(3_000_000);
    expect(sent.map((t) => t.tmst)).toEqual([(now + 1_000_000) % 2 ** 32, (now + 2_000_000) % 2 ** 32]);
  });

  it('refuses an immediate (class C) frame while another is on air, and takes it once the radio is free', async () => {
    await startGateway();
    sched.advanceBy(5_000_000);
    const slow = { datr: 'SF12BW125', freq: 869.525, powe: 14 };
    const imme = (over: Record<string, unknown> = {}) => {
      const { tmst: _t, ...t } = txpk(0, { imme: true, ...slow, ...over });
      return t;
    };
    expect(await net.pullResp(imme())).toBe('NONE');
    sched.advanceBy(200_000); // the first frame (≈ 1 s at SF12) has left the queue and is on air
    expect(sent).toHaveLength(1);
    expect(await net.pullResp(imme())).toBe('COLLISION_PACKET');
    sched.advanceBy(1_500_000);
    expect(await net.pullResp(imme())).toBe('NONE');
  });

  it('answers GPS_UNLOCKED to a tmms request when it has no GPS, and omits time/tmms in rxpk', async () => {
    await startGateway({ gps: false });
    const { tmst: _t, ...byGps } = txpk(0, { tmms: 1_400_000_000_000 });
    expect(await net.pullResp(byGps)).toBe('GPS_UNLOCKED');
    gw.receive(uplink());
    sched.advanceBy(10_000);
    const push = await net.next('PUSH_DATA');
    expect(push.body.rxpk![0]).not.toHaveProperty('time');
    expect(push.body.rxpk![0]).not.toHaveProperty('tmms');
  });

  it('survives a network that answers garbage, counts it, and keeps forwarding', async () => {
    await startGateway();
    net.sendRaw(Buffer.from('not a datagram at all'));
    net.sendRaw(hex('0201')); // truncated
    net.sendRaw(hex('01000004')); // version 1 PULL_ACK
    net.sendRaw(Buffer.concat([hex('02123403'), Buffer.from('{"txpk":')])); // bad JSON
    net.sendRaw(
      encodeUdpPacket({
        type: 'PULL_RESP',
        version: 2,
        token: 7,
        body: { txpk: { ...txpk(gw.tmst() + 1_000_000), data: '!!!' } },
      }),
    );
    net.sendRaw(
      encodeUdpPacket({
        type: 'PULL_RESP',
        version: 2,
        token: 8,
        body: { txpk: { ...txpk(gw.tmst() + 1_000_000), freq: undefined } as never },
      }),
    );
    net.sendRaw(encodeUdpPacket({ type: 'PUSH_ACK', version: 2, token: 0xbeef })); // unknown token
    net.sendRaw(encodeUdpPacket({ type: 'PULL_DATA', version: 2, token: 1, gatewayEui: EUI })); // wrong direction
    await io(50);
    const m = gw.counters.malformed;
    expect(m.version).toBe(2); // the text (0x6e…) and the version-1 ACK
    expect(m.truncated).toBe(1);
    expect(m.json).toBe(1);
    expect(m.txpk).toBe(2); // bad base64, missing freq: dropped without TX_ACK, as the packet_forwarder does
    expect(m.token).toBe(1);
    expect(m.type).toBe(1);
    expect(net.count('TX_ACK')).toBe(0);
    gw.receive(uplink());
    sched.advanceBy(10_000);
    expect((await net.next('PUSH_DATA')).body.rxpk).toHaveLength(1);
  });

  it('counts missing PUSH_ACKs and PULL_ACKs when the network is silent', async () => {
    await startGateway();
    net.mode = 'silent';
    gw.receive(uplink());
    sched.advanceBy(10_000);
    await net.next('PUSH_DATA');
    await io();
    sched.advanceBy(100_000); // push timeout
    await io(); // the socket is read before the timeout counts
    expect(gw.counters.pushAckMissing).toBe(1);
    sched.advanceBy(5_000_000); // next keepalive: the previous one was acked (before silence)
    await net.next('PULL_DATA', 1);
    sched.advanceBy(5_000_000); // this one finds the last PULL_DATA unacknowledged
    expect(gw.counters.pullAckMissing).toBe(1);
  });

  it('reports stat every interval with its counters, and ackr as the share of acked datagrams', async () => {
    await startGateway({ statIntervalUs: 30_000_000, location: { lat: 52.37, lon: 4.89, alt: 12 } });
    for (let i = 0; i < 3; i++) gw.receive(uplink(i));
    sched.advanceBy(10_000);
    await net.next('PUSH_DATA');
    await io();
    sched.advanceBy(30_000_000);
    const withStat = await net.next('PUSH_DATA', 2);
    expect(withStat.body.stat).toMatchObject({
      lati: 52.37,
      long: 4.89,
      alti: 12,
      rxnb: 3,
      rxok: 3,
      rxfw: 3,
      ackr: 100,
      dwnb: 0,
      txnb: 0,
    });
    expect(withStat.body.stat!.time).toMatch(/^2026-01-01 00:00:30 GMT$/);
  });
});

/** A network on another thread that answers every PUSH_DATA at once, whatever this thread is doing. */
const ACKER = `
const dgram = require('node:dgram');
const { parentPort } = require('node:worker_threads');
const s = dgram.createSocket('udp4');
s.on('message', (m, r) => {
  if (m.length >= 4 && m[3] === 0) s.send(Buffer.from([2, m[1], m[2], 1]), r.port, r.address);
});
s.bind(0, '127.0.0.1', () => parentPort.postMessage(s.address().port));
parentPort.on('message', () => s.close(() => process.exit(0)));
`;

describe('a PUSH_ACK that waits in the socket while the simulator runs late', () => {
  it('is matched, not counted missing: the socket is read before the timeout decides', async () => {
    const worker = new Worker(ACKER, { eval: true });
    const [port] = (await once(worker, 'message')) as [number];
    const sched = new WallScheduler();
    const gw = new VirtualGateway(
      {
        eui: EUI,
        server: { host: '127.0.0.1', port },
        txFrequencyRange: [863e6, 870e6],
        statIntervalUs: 0,
        pushTimeoutUs: 100_000,
      },
      sched,
      new Rng(5),
    );
    try {
      await gw.start();
      for (let i = 0; i < 3; i++) {
        gw.receive(uplink(i));
        // The PUSH_DATA leaves at the end of the 10 ms batch window; right after it the simulator's
        // loop is stuck for 300 ms, so the ACK (sent at once by the other thread) waits in the socket
        // and the 100 ms timeout is overdue when the loop comes back.
        await new Promise<void>((resolve) =>
          sched.after(10_500, () => {
            const until = performance.now() + 300;
            while (performance.now() < until); // the stall
            resolve();
          }),
        );
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(gw.counters.pushData).toBe(3);
      expect(gw.counters.pushAck).toBe(3);
      expect(gw.counters.pushAckMissing).toBe(0);
    } finally {
      await gw.stop();
      sched.stop();
      worker.postMessage('stop');
      await once(worker, 'exit');
    }
  });
});
