import { afterAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../simulator/engine/run.js';
import { stationTransport, type LnsChannel } from '../../simulator/gateway/station-link.js';
import { EU868 } from '../../simulator/region/eu868.js';
import { loadScenario, parseScenario } from '../../simulator/scenario/load.js';
import { encodeUdpPacket } from '../../simulator/semtech-udp/packets.js';
import { tempDirs } from '../helpers/reruns.js';

const { tmp, cleanup } = tempDirs('lorafleet-station-');
afterAll(cleanup);

type LnsCounts = { connections: number; records: Record<string, number>; dntxed: number };

describe('Basics Station gateways beside Semtech UDP ones', () => {
  it('passes the quickstart with every other gateway on Basics Station, in virtual time', async () => {
    const s = loadScenario('scenarios/quickstart.yaml');
    s.gateways.protocol = 'alternate';
    const r = await runScenario(s, { virtualTime: true, stateDir: tmp() });
    expect(r.verdict).toBe('pass');
    const lns = r.network.lns as LnsCounts;
    const udp = r.network.udp as { pushData: number; pullResp: number };
    // Three gateways each way; both carried joins, uplinks and downlinks.
    expect(lns.connections).toBe(3);
    expect(lns.records.jreq).toBeGreaterThan(0);
    expect(lns.records.updf).toBeGreaterThan(0);
    expect(lns.dntxed).toBeGreaterThan(0);
    expect(udp.pushData).toBeGreaterThan(0);
    expect(udp.pullResp).toBeGreaterThan(0);
    for (const [id, g] of Object.entries(r.gateways)) expect(g.forwarded, id).toBeGreaterThan(0);
  }, 60_000);

  it('runs over real WebSockets in wall time: discovery, traffic, every uplink delivered', async () => {
    const s = parseScenario(
      [
        'name: station-wall',
        'seed: 5',
        'duration: 10s',
        'drain: 3s',
        'load: { join_window: 1s }',
        'gateways: { count: 2, protocol: basic-station }',
        'fleets:',
        '  - { name: abp, count: 6, activation: abp, lorawan_version: 1.0.3, data_rate: 5, interval: 7s, confirmed: 0.5 }',
        'thresholds: [ "delivery_ratio == 1" ]',
      ].join('\n'),
      'station-wall.yaml',
    );
    const r = await runScenario(s, { stateDir: tmp() });
    expect(r.verdict).toBe('pass');
    const lns = r.network.lns as LnsCounts;
    expect(lns.connections).toBe(2);
    expect(lns.records.version).toBe(2);
    expect(lns.records.updf).toBeGreaterThanOrEqual(r.metrics.uplinks_sent!);
    expect(r.metrics.confirmed_acked).toBeGreaterThan(0); // ACKs came back through dnmsg
    expect((r.network.udp as { pushData: number }).pushData).toBe(0);
  }, 60_000);

  it('connects again, and says version again, when the LNS closes the connection', async () => {
    const opened: string[][] = [];
    let close = () => {};
    const transport = stationTransport({
      eui: 'AA55000000000001',
      region: EU868,
      session: 1,
      sleep: () => Promise.resolve(),
      connect: (_eui, _onText, closed) => {
        const sent: string[] = [];
        opened.push(sent);
        close = closed;
        const ch: LnsChannel = { send: (t) => sent.push(t), close: () => undefined };
        return Promise.resolve(ch);
      },
    });
    const acks: Buffer[] = [];
    const link = await transport({ message: (b) => acks.push(b), error: () => undefined });
    close();
    await new Promise((r) => setImmediate(r));
    expect(opened).toHaveLength(2);
    expect(opened.map((o) => JSON.parse(o[0]!).msgtype)).toEqual(['version', 'version']);
    // A PULL_DATA keepalive is answered by the link itself: WebSocket needs none.
    link.send(encodeUdpPacket({ type: 'PULL_DATA', version: 2, token: 7, gatewayEui: Buffer.alloc(8) }));
    expect(acks).toHaveLength(1);
    await link.close();
  });
});
