import { createSocket, type Socket } from 'node:dgram';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedNetwork } from '../../network/embedded-network.js';
import { VirtualScheduler } from '../../simulator/time/scheduler.js';
import { FUZZ_RUNS } from '../helpers/arbitraries.js';
import { pushDataWith } from '../helpers/reruns.js';

// Every byte a UDP listener gets is untrusted (issue 13 item 1): a hostile PUSH_DATA is counted by
// reason and dropped; the network keeps answering and the gateway table does not grow without bound.
const sched = new VirtualScheduler();
let net: EmbeddedNetwork;
let port: number;
let sock: Socket;
const acks: Buffer[] = [];

const header = (id: number, eui: string, token = 0x1234) =>
  Buffer.concat([Buffer.from([2, token >> 8, token & 0xff, id]), Buffer.from(eui, 'hex')]);
const pushData = (body: string, eui = 'AA555A0000000001') =>
  Buffer.concat([header(0x00, eui), Buffer.from(body)]);

async function send(msg: Buffer): Promise<void> {
  await new Promise<void>((r) => sock.send(msg, port, '127.0.0.1', () => r()));
}

/** Sends, then waits until the network acknowledged that many datagrams (each PUSH/PULL is acked). */
async function sendAll(msgs: Buffer[]): Promise<void> {
  const want = acks.length + msgs.filter((m) => m[3] === 0x00 || m[3] === 0x02).length;
  for (const m of msgs) await send(m);
  const deadline = Date.now() + 5000;
  while (acks.length < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

/** A well-formed PUSH_DATA body (one rxpk), sent after each hostile one. */
const valid = pushDataWith(Uint8Array.of(0x40, 1, 2, 3), {
  eui: 'AA555A0000000001',
  tmst: 1000,
  rssi: -50,
  token: 0x1234,
})
  .subarray(12)
  .toString();

beforeAll(async () => {
  net = new EmbeddedNetwork({ scheduler: sched, http: false, mqtt: false });
  port = (await net.start()).udp.port;
  sock = createSocket('udp4');
  sock.on('message', (m) => acks.push(m));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
});
afterAll(async () => {
  sock.close();
  await net.stop();
});

describe('the embedded network under hostile Semtech UDP', () => {
  it.each([
    ['{"rxpk":5}', 'rxpk.not-array'],
    ['{"rxpk":true}', 'rxpk.not-array'],
    ['{"rxpk":[null]}', 'rxpk.not-object'],
    ['{"rxpk":[5]}', 'rxpk.not-object'],
    ['{"rxpk":[{"data":5,"tmst":1,"freq":868.1,"datr":"SF7BW125"}]}', 'rxpk.data'],
    ['{"rxpk":[{"data":"QAECAw==","tmst":-1,"freq":868.1,"datr":"SF7BW125"}]}', 'rxpk.tmst'],
    ['{"rxpk":[{"data":"QAECAw==","tmst":1,"freq":"868.1","datr":"SF7BW125"}]}', 'rxpk.freq'],
    ['{"rxpk":[{"data":"QAECAw==","tmst":1,"freq":868.1,"datr":"SF99BW125"}]}', 'rxpk.datr'],
    ['{"rxpk":[{"data":"QAECAw==","tmst":1,"freq":868.1,"datr":"SF7BW125","size":200}]}', 'rxpk.size'],
    ['{"rxpk":[{"data":"QAECAw==","tmst":1,"freq":868.1,"datr":"SF7BW125","rssi":"x"}]}', 'rxpk.rssi'],
    ['{"rxpk":[{"data":"QAECAw==","tmst":1,"freq":868.1,"datr":"SF7BW125","chan":1.5}]}', 'rxpk.chan'],
    ['{"rxpk":[{"data":"QAECAw==","tmst":1,"freq":868.1,"datr":"SF7BW125","stat":"ok"}]}', 'rxpk.stat'],
    ['true', 'json'],
    ['[1,2]', 'json'],
    ['{"rxpk":', 'json'],
  ])('%s is counted as %s and dropped; the network still answers', async (body, reason) => {
    const before = net.udp.counters.malformed[reason] ?? 0;
    const rxpk = net.udp.counters.rxpk;
    await sendAll([pushData(body), pushData(valid)]);
    expect(net.udp.counters.malformed[reason]).toBe(before + 1);
    expect(net.udp.counters.rxpk).toBe(rxpk + 1); // the valid datagram after it was taken in
  });

  it('survives random datagrams and random rxpk objects (fast-check), answering every PUSH_DATA', async () => {
    const rxpkField = fc.oneof(
      fc.anything(),
      fc.record(
        {
          data: fc.oneof(fc.base64String({ maxLength: 400 }), fc.anything()),
          tmst: fc.oneof(fc.integer(), fc.double(), fc.anything()),
          freq: fc.oneof(fc.double(), fc.anything()),
          datr: fc.oneof(fc.constantFrom('SF7BW125', 'SF12BW500', 'SF4BW125'), fc.integer(), fc.anything()),
          rssi: fc.oneof(fc.double(), fc.anything()),
          stat: fc.oneof(fc.integer({ min: -2, max: 2 }), fc.anything()),
          size: fc.oneof(fc.nat(300), fc.anything()),
        },
        { requiredKeys: [] },
      ),
    );
    const datagrams = fc.oneof(
      fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
      fc.array(rxpkField, { maxLength: 4 }).map((rxpk) => pushData(JSON.stringify({ rxpk }))),
      fc.jsonValue().map((v) => pushData(JSON.stringify(v) ?? 'null')),
    );
    const batch = fc.sample(datagrams, { numRuns: FUZZ_RUNS ?? 400, seed: 13 });
    await sendAll(batch);
    const rxpk = net.udp.counters.rxpk;
    await sendAll([pushData(valid)]);
    expect(net.udp.counters.rxpk).toBe(rxpk + 1);
  });

  it('forgets gateways silent for longer than a minute: 5,000 one-off EUIs do not stay', async () => {
    const euis = Array.from({ length: 5000 }, (_, i) => (0xbb00000000000000n + BigInt(i)).toString(16));
    await sendAll(euis.map((e) => header(0x02, e)));
    expect(net.udp.connectedGateways().length).toBeGreaterThanOrEqual(5000);
    sched.advanceTo(sched.now() + 2 * 60_000_000);
    await sendAll([header(0x02, 'AA555A0000000001')]);
    expect(net.udp.connectedGateways()).toEqual(['AA555A0000000001']);
  });
});
