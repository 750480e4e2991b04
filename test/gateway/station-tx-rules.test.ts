import { describe, expect, it } from 'vitest';
import type { RouterConfigMsg } from '../../simulator/basic-station/messages.js';
import {
  VirtualGateway,
  type DownlinkTransmission,
  type GatewayEvent,
} from '../../simulator/gateway/gateway.js';
import { stationTransport } from '../../simulator/gateway/station-link.js';
import { StationTxRules } from '../../simulator/gateway/station-tx-rules.js';
import { AS923_1 } from '../../simulator/region/as923.js';
import { EU868 } from '../../simulator/region/eu868.js';
import { KR920 } from '../../simulator/region/kr920.js';
import { US915 } from '../../simulator/region/us915.js';
import { Rng } from '../../simulator/random/rng.js';
import { VirtualScheduler } from '../../simulator/time/scheduler.js';
import { hex } from '../helpers/vectors.js';
import { EU_ROUTER_CONFIG, scriptedLns } from '../helpers/station.js';

const config = (region: string, over: Partial<RouterConfigMsg> = {}): RouterConfigMsg => ({
  msgtype: 'router_config',
  region,
  hwspec: 'sx1301/1',
  freq_range: [0, 2_000_000_000],
  DRs: [],
  ...over,
});
const quiet = () => -Infinity;

describe("a Basics Station's own transmit checks (s2e.c), unless router_config turns them off", () => {
  it('EU863: duty cycle per band, 1 % closing 868.0–868.6 MHz for 100 × the airtime', () => {
    const r = StationTxRules.of(config('EU863'), EU868);
    expect(r.check({ frequency: 868_100_000, startUs: 0, airtimeUs: 50_000 }, quiet)).toBeUndefined();
    r.sent({ frequency: 868_100_000, startUs: 0, airtimeUs: 50_000 });
    // Another channel of the same band is closed until 5 s; the 10 % band is not.
    expect(r.check({ frequency: 868_300_000, startUs: 4_999_999, airtimeUs: 50_000 }, quiet)).toBe(
      'duty-cycle',
    );
    expect(r.check({ frequency: 868_300_000, startUs: 5_000_000, airtimeUs: 50_000 }, quiet)).toBeUndefined();
    expect(r.check({ frequency: 869_525_000, startUs: 1_000_000, airtimeUs: 50_000 }, quiet)).toBeUndefined();
    r.sent({ frequency: 869_525_000, startUs: 1_000_000, airtimeUs: 1_000_000 });
    expect(r.check({ frequency: 869_525_000, startUs: 10_999_999, airtimeUs: 1 }, quiet)).toBe('duty-cycle');
    // 867.x MHz is the 0.1 % band.
    r.sent({ frequency: 867_100_000, startUs: 0, airtimeUs: 10_000 });
    expect(r.check({ frequency: 867_900_000, startUs: 9_999_999, airtimeUs: 1 }, quiet)).toBe('duty-cycle');
    const off = StationTxRules.of(config('EU863', { nodc: true }), EU868);
    expect(off.active).toBe(false);
  });

  it('KR920: listen before talk at the region threshold, and 2 % per channel', () => {
    const r = StationTxRules.of(config('KR920'), KR920);
    const tx = { frequency: 922_100_000, startUs: 0, airtimeUs: 10_000 };
    expect(r.check(tx, () => -60)).toBe('channel-busy');
    expect(r.check(tx, () => -70)).toBeUndefined();
    r.sent(tx);
    expect(r.check({ ...tx, startUs: 499_999 }, quiet)).toBe('duty-cycle');
    expect(r.check({ ...tx, frequency: 922_300_000, startUs: 1 }, quiet)).toBeUndefined();
    expect(StationTxRules.of(config('KR920', { nocca: true, nodc: true }), KR920).check(tx, () => -10)).toBe(
      undefined,
    );
  });

  it('AS923: a 400 ms dwell limit; US902 checks nothing', () => {
    const long = { frequency: 923_200_000, startUs: 0, airtimeUs: 400_001 };
    expect(StationTxRules.of(config('AS923-1'), AS923_1).check(long, quiet)).toBe('dwell-time');
    expect(StationTxRules.of(config('AS923-1'), AS923_1).check({ ...long, airtimeUs: 400_000 }, quiet)).toBe(
      undefined,
    );
    expect(StationTxRules.of(config('AS923-1', { nodwell: true }), AS923_1).active).toBe(false);
    expect(StationTxRules.of(config('US902'), US915).active).toBe(false);
  });
});

const FRAME = hex('40f17dbe4900020001954378762b11ff0d');

/** A virtual gateway on Basics Station, its LNS scripted here, on a virtual clock. */
async function stationGateway(
  router: Record<string, unknown>,
  carrier: (frequency: number, atUs: number) => number = quiet,
) {
  const sched = new VirtualScheduler();
  const { sent, lns, connect } = scriptedLns();
  const onAir: DownlinkTransmission[] = [];
  const events: GatewayEvent[] = [];
  const transport = stationTransport({
    eui: 'AA55000000000001',
    region: EU868,
    session: 1,
    carrierSense: carrier,
    connect,
  });
  const gw = new VirtualGateway(
    {
      eui: Buffer.from('AA55000000000001', 'hex'),
      server: { host: '127.0.0.1', port: 1 },
      transport,
      txFrequencyRange: [863_000_000, 870_000_000],
      statIntervalUs: 0,
    },
    sched,
    new Rng(3),
    { onTransmit: (t) => onAir.push(t), onEvent: (e) => events.push(e) },
  );
  await gw.start();
  lns(router);
  let diid = 0;
  /** An uplink heard now on `freqHz`; the LNS answers it in RX1 on the same channel, RX2 869.525 SF12. */
  const exchange = (freqHz: number) => {
    gw.receive({
      phyPayload: FRAME,
      frequency: freqHz,
      modulation: 'LORA',
      datr: 'SF7BW125',
      codr: '4/5',
      rssi: -80,
      snr: 7,
      channel: 0,
    });
    sched.advanceBy(20_000);
    const up = sent.at(-1) as { upinfo: { xtime: number } };
    lns({
      msgtype: 'dnmsg',
      DevEui: '00-00-00-00-00-00-00-01',
      dC: 0,
      diid: ++diid,
      pdu: Buffer.from(FRAME).toString('hex'),
      RxDelay: 1,
      RX1DR: 5,
      RX1Freq: freqHz,
      RX2DR: 0,
      RX2Freq: 869_525_000,
      priority: 25,
      xtime: up.upinfo.xtime,
    });
    return diid;
  };
  const dntxed = () => sent.filter((m) => m.msgtype === 'dntxed');
  return { gw, sched, sent, onAir, events, exchange, dntxed, lns };
}

describe('a Basics Station gateway holding downlinks back', () => {
  it('sends RX2 when RX1 has no duty cycle left, and nothing (no dntxed) when neither has', async () => {
    const s = await stationGateway({ ...EU_ROUTER_CONFIG, nodc: false });
    const first = s.exchange(868_100_000);
    s.sched.advanceBy(1_500_000);
    expect(s.onAir.map((t) => t.frequency)).toEqual([868_100_000]);
    expect(s.dntxed()).toMatchObject([{ diid: first, Freq: 868_100_000, DR: 5 }]);
    // 1 s later: the 1 % band is closed for ~100 × 46 ms, so RX1 waits out and RX2 (10 % band) goes.
    const second = s.exchange(868_300_000);
    s.sched.advanceBy(2_500_000);
    expect(s.onAir.map((t) => t.frequency)).toEqual([868_100_000, 869_525_000]);
    expect(s.dntxed().at(-1)).toMatchObject({ diid: second, Freq: 869_525_000, DR: 0 });
    // Now both bands are closed: the third answer never leaves, and the devices are told why.
    const third = s.exchange(868_500_000);
    s.sched.advanceBy(2_500_000);
    expect(s.onAir).toHaveLength(2);
    expect(s.dntxed().map((m) => m.diid)).not.toContain(third);
    expect(s.gw.counters.txWithheld).toBe(3);
    expect(s.events.filter((e) => e.event === 'tx_withheld')).toMatchObject([{ reason: 'duty-cycle' }]);
    await s.gw.stop();
  });

  it('sends everything when router_config turns the duty cycle off (as TTS does)', async () => {
    const s = await stationGateway({ ...EU_ROUTER_CONFIG, nodc: true });
    for (const f of [868_100_000, 868_300_000, 868_500_000]) {
      s.exchange(f);
      s.sched.advanceBy(2_500_000);
    }
    expect(s.onAir.map((t) => t.frequency)).toEqual([868_100_000, 868_300_000, 868_500_000]);
    expect(s.dntxed()).toHaveLength(3);
    expect(s.gw.counters.txWithheld).toBe(0);
    await s.gw.stop();
  });

  it('tries a class C frame again every 100 ms while the channel is busy, ten times at most', async () => {
    let busyUntilUs = 0;
    const s = await stationGateway({ ...EU_ROUTER_CONFIG, region: 'KR920', nodc: true }, (_f, atUs) =>
      atUs < busyUntilUs ? -50 : -100,
    );
    const dnC = (diid: number) => ({
      msgtype: 'dnmsg',
      DevEui: '00-00-00-00-00-00-00-01',
      dC: 2,
      diid,
      pdu: Buffer.from(FRAME).toString('hex'),
      RX2DR: 0,
      RX2Freq: 869_525_000,
      priority: 25,
    });
    busyUntilUs = s.sched.now() + 350_000;
    // The channel clears after 350 ms: four tries fail, the fifth goes out.
    s.lns(dnC(50));
    s.sched.advanceBy(2_000_000);
    expect(s.onAir).toHaveLength(1);
    expect(s.onAir[0]!.startUs).toBeGreaterThanOrEqual(busyUntilUs);
    expect(s.dntxed()).toMatchObject([{ diid: 50 }]);
    // Busy for good: 11 tries, then the frame is given up.
    busyUntilUs = Infinity;
    s.lns(dnC(51));
    s.sched.advanceBy(3_000_000);
    expect(s.onAir).toHaveLength(1);
    expect(s.events.filter((e) => e.event === 'tx_withheld')).toMatchObject([{ reason: 'channel-busy' }]);
    expect(s.gw.counters.txWithheld).toBe(4 + 11);
    await s.gw.stop();
  });
});
