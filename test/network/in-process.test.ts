import { describe, expect, it } from 'vitest';
import { EmbeddedNetwork } from '../../network/index.js';
import { decodeUdpPacket } from '../../simulator/semtech-udp/packets.js';
import { VirtualScheduler } from '../../simulator/time/scheduler.js';

const header = (token: number, type: number, eui = '0102030405060708') =>
  Buffer.concat([Buffer.from([2, token >> 8, token & 0xff, type]), Buffer.from(eui, 'hex')]);

describe('the embedded network in process, on the run’s own scheduler', () => {
  it("stamps its events with the run's clock, not the host's (virtual time)", () => {
    const sched = new VirtualScheduler(Date.UTC(2030, 0, 1));
    const net = new EmbeddedNetwork({ scheduler: sched, http: false, mqtt: false });
    const ids = [{ application_ids: { application_id: 'app' } }];
    const times: string[] = [];
    net.events.subscribe({ identifiers: ids, names: [], send: (e) => times.push(e.time) });
    sched.advanceTo(5_250_000);
    net.events.publish('as.up.data.forward', ids);
    expect(times).toEqual(['2030-01-01T00:00:05.250Z']);
    expect(net.events.nowIso()).toBe('2030-01-01T00:00:05.250Z');
  });

  it('answers PUSH_DATA and PULL_DATA one latency later each way, as scheduler events', async () => {
    const sched = new VirtualScheduler();
    const net = new EmbeddedNetwork({ scheduler: sched, http: false, mqtt: false });
    const access = net.inProcess(2_000);
    const got: { atUs: number; type: string; token: number }[] = [];
    const link = await access.gatewayTransport({
      message: (b) => {
        const p = decodeUdpPacket(b);
        got.push({ atUs: sched.now(), type: p.type, token: p.token });
      },
      error: (e) => {
        throw e;
      },
    });
    link.send(header(0x1234, 0x02)); // PULL_DATA
    link.send(Buffer.concat([header(0x0042, 0x00), Buffer.from('{"rxpk":[]}')])); // PUSH_DATA
    link.send(Buffer.from('not a datagram'));
    expect(got).toEqual([]); // nothing happens until the clock moves
    sched.advanceTo(3_999);
    expect(got).toEqual([]);
    sched.advanceTo(4_000);
    expect(got).toEqual([
      { atUs: 4_000, type: 'PULL_ACK', token: 0x1234 },
      { atUs: 4_000, type: 'PUSH_ACK', token: 0x0042 },
    ]);
    expect(net.counters().udp).toMatchObject({ pullData: 1, pushData: 1 });
    expect(Object.values(net.counters().udp.malformed).reduce((a, n) => a + n, 0)).toBe(1);
    expect(net.udp.hasDownlinkPath('0102030405060708')).toBe(true);
    // A closed link hears nothing more.
    await link.close();
    link.send(header(0x0001, 0x02));
    sched.advanceTo(10_000);
    expect(got).toHaveLength(2);
  });

  it('checks API keys as the wire does: an unknown key, or one without traffic rights, is refused', () => {
    const sched = new VirtualScheduler();
    const net = new EmbeddedNetwork({ scheduler: sched, http: false, mqtt: false });
    net.createApplication('app-1');
    const access = net.inProcess(2_000);
    expect(() => access.subscribeApplication('app-1', 'NNSXS.NOPE', () => undefined)).toThrow(
      /API key not found/,
    );
    const key = net.registry.addApiKey('app-1', 'limited', ['RIGHT_APPLICATION_INFO']).key;
    expect(() => access.subscribeApplication('app-1', key, () => undefined)).toThrow(
      /missing right `RIGHT_APPLICATION_TRAFFIC_READ`/,
    );
    expect(() =>
      access.subscribeEvents([{ application_ids: { application_id: 'app-1' } }], [], key, () => undefined),
    ).toThrow(/RIGHT_APPLICATION_TRAFFIC_READ/);
    const errors: Error[] = [];
    access.pushDownlinks('app-1', 'dev-1', key, { downlinks: [] }, (e) => errors.push(e));
    sched.advanceTo(10_000);
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/RIGHT_APPLICATION_TRAFFIC_DOWN_WRITE/),
    ]);
  });
});
