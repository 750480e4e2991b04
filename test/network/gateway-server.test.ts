import { describe, expect, it } from 'vitest';
import { EventBus, type NetworkEvent } from '../../network/events.js';
import { GatewayServer, type TxWindow } from '../../network/gateway-server.js';
import { Registry } from '../../network/registry.js';
import type { GatewayUplink } from '../../network/udp-frontend.js';
import { EU868 } from '../../simulator/region/eu868.js';
import type { TxPk } from '../../simulator/semtech-udp/packets.js';
import { VirtualScheduler } from '../../simulator/time/scheduler.js';
import { classifyEvent, type TtsEvent } from '../../simulator/tts/events-stream.js';

const RX1: TxWindow = { delayUs: 5_000_000, frequency: 868_100_000, dr: 5 };
const RX2: TxWindow = { delayUs: 6_000_000, frequency: 869_525_000, dr: 0 };

/** A GS over gateways that all have a downlink path (but `unconnected`), recording what it sends. */
function gs(unconnected: string[] = []) {
  const scheduler = new VirtualScheduler();
  const events = new EventBus();
  const seen: NetworkEvent[] = [];
  events.subscribe({
    identifiers: [{ gateway_ids: { gateway_id: 'eui-aa' } }],
    names: [],
    send: (e) => seen.push(e),
  });
  events.subscribe({
    identifiers: [{ gateway_ids: { gateway_id: 'eui-bb' } }],
    names: [],
    send: (e) => seen.push(e),
  });
  const sent: { eui: string; txpk: TxPk }[] = [];
  const udp = {
    hasDownlinkPath: (eui: string) => !unconnected.includes(eui),
    sendDownlink: (eui: string, txpk: TxPk, done: (error: string) => void) => {
      sent.push({ eui, txpk });
      done('NONE');
      return true;
    },
  };
  const server = new GatewayServer(scheduler, events, () => [udp], new Registry(Registry.generateKey()));
  return { scheduler, server, sent, seen };
}

const copy = (eui: string, snr: number, receivedAtUs = 0): GatewayUplink => ({
  gatewayEui: eui,
  receivedAtUs,
  phyPayload: new Uint8Array(23),
  tmst: 1_000_000,
  frequency: 868_100_000,
  datr: 'SF7BW125',
  rssi: -80,
  snr,
  channel: 0,
});

const request = (phy = new Uint8Array(17)) => ({ region: EU868, phy, priority: 'HIGHEST' as const });

describe('the gateway server places downlinks as TTS does', () => {
  it("tries RX1 then RX2 on the first gateway before the next gateway's RX1", () => {
    const { server, sent } = gs();
    const paths = [copy('AA', 10), copy('BB', 5)];
    // A long frame on AA at RX1 time: the next downlink takes AA's RX2, not BB's RX1.
    expect(
      server.scheduleClassA([copy('AA', 10, -100_000)], [RX1], request(new Uint8Array(200)), () => {}),
    ).toEqual({
      gatewayEui: 'AA',
      window: 1,
      startUs: -100_000 + 5_000_000,
    });
    // RX2 of the uplink AA got at 0 µs: 6 s later.
    expect(server.scheduleClassA(paths, [RX1, RX2], request(), () => {})).toEqual({
      gatewayEui: 'AA',
      window: 2,
      startUs: 6_000_000,
    });
    expect(sent[1]!.txpk).toMatchObject({
      tmst: 1_000_000 + 6_000_000,
      freq: 869.525,
      datr: 'SF12BW125',
      imme: false,
    });
    // AA is now busy in both windows: BB takes the next one, in RX1.
    expect(server.scheduleClassA(paths, [RX1, RX2], request(), () => {})).toMatchObject({
      gatewayEui: 'BB',
      window: 1,
    });
  });

  it('publishes one gs.down.schedule.fail per gateway path it could not use, causes nested', () => {
    const { server, seen, sent } = gs(['BB']);
    server.scheduleClassA([copy('AA', 10)], [RX1, RX2], request(), () => {});
    server.scheduleClassA([copy('AA', 10)], [RX1, RX2], request(), () => {});
    expect(
      server.scheduleClassA([copy('AA', 10), copy('BB', 1)], [RX1, RX2], request(), () => {}),
    ).toBeUndefined();
    expect(sent).toHaveLength(2);
    const fails = seen.filter((e) => e.name === 'gs.down.schedule.fail');
    expect(fails).toHaveLength(2);
    const reasons = fails.map((e) => classifyEvent(e as unknown as TtsEvent));
    expect(reasons).toEqual([
      { kind: 'gateway-path', reason: 'gs.down.schedule.fail: tx_schedule → rx_window_schedule → conflict' },
      {
        kind: 'gateway-path',
        reason: 'gs.down.schedule.fail: tx_schedule → rx_window_schedule → not_connected',
      },
    ]);
    // The second downlink found RX1 taken (RX2 then); the third found both taken, and BB unconnected.
    expect(server.counters.windowRefusals).toEqual({ conflict: 3, not_connected: 1 });
  });

  it('refuses a window that is too close, and sends class C at a free moment on the gateway clock', () => {
    const { server, sent, scheduler } = gs();
    // An uplink that reached the GS 4.9 s late leaves RX1 (5 s) too close: RX2 it is.
    scheduler.advanceTo(4_900_000);
    expect(server.scheduleClassA([copy('AA', 10)], [RX1, RX2], request(), () => {})).toMatchObject({
      gatewayEui: 'AA',
      window: 2,
    });
    expect(server.counters.windowRefusals).toEqual({ too_late: 1 });
    // Class C: the gateway's clock is known from its last uplink (tmst 1 s at 0 µs): the frame goes
    // 330 ms from now, unless the schedule is taken then (here by the RX2 frame until 7.2 s).
    server.sync(copy('AA', 10, 0));
    const startUs = server.scheduleClassC('AA', { frequency: RX2.frequency, dr: 0 }, request(), () => {});
    const tmst = sent[1]!.txpk.tmst!;
    expect(tmst).toBeGreaterThan(1_000_000 + 6_000_000 + 1_155_000);
    // It says when: the moment the tmst names on the gateway's clock.
    expect(startUs).toBe(tmst - 1_000_000);
    expect(server.scheduleClassC('CC', { frequency: RX2.frequency, dr: 0 }, request(), () => {})).toBe(
      undefined,
    );
  });

  it('sends class B by GPS time, and only through a gateway whose uplinks carry GPS time', () => {
    const { server, sent, scheduler } = gs();
    server.sync(copy('AA', 10, 0)); // no tmms: no GPS lock
    const slot = scheduler.now() + 2_000_000;
    const w = { frequency: 869_525_000, dr: 3 };
    expect(server.scheduleClassC('AA', w, request(), () => {}, slot)).toBe(undefined);
    expect(server.counters.windowRefusals).toEqual({ no_gps_sync: 1 });
    server.sync({ ...copy('AA', 10, 1), tmms: 1_400_000_000_000 });
    expect(server.scheduleClassC('AA', w, request(), () => {}, slot)).toBe(slot);
    expect(sent.at(-1)!.txpk).toMatchObject({ imme: false, freq: 869.525, datr: 'SF9BW125' });
    expect(sent.at(-1)!.txpk.tmms).toBe(
      Math.floor(scheduler.wallClockMs(slot) - Date.UTC(1980, 0, 6) + 18_000),
    );
    expect(sent.at(-1)!.txpk.tmst).toBeUndefined();
  });
});
