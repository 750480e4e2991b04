import { describe, expect, it } from 'vitest';
import { decodePHYPayload, parseMacCommands } from '../../simulator/lorawan/index.js';
import { REGIONS } from '../../simulator/region/index.js';
import { loraTimeOnAir } from '../../simulator/region/airtime.js';
import { DeviceHarness, otaaConfig } from '../helpers/device-harness.js';

describe('OTAA join', () => {
  it('1.0.3: joins with an accept in RX1, derives the session keys the network derives, and sends uplinks lora-packet verifies', () => {
    const h = new DeviceHarness(otaaConfig()).start();
    expect(h.txs).toHaveLength(1);
    const jr = h.last('join');
    expect(jr.kind).toBe('join');
    expect([868_100_000, 868_300_000, 868_500_000]).toContain(jr.frequency);
    const net = h.acceptJoin({ window: 'RX1' });
    h.advance(6000);
    expect(h.device.joined).toBe(true);
    expect(h.device.devAddr).toBe(net.devAddr);
    expect(h.device.sessionKeys).toEqual(net.keys);
    expect(h.eventsOf('joined')[0]).toMatchObject({ version: '1.0', attempt: 1 });
    const up = h.sendUplink(2, Uint8Array.of(1, 2, 3));
    expect(up.fCnt).toBe(0);
    expect(h.loraPacketVerifies(up)).toBe(true);
    expect(h.openUplink(up).frmPayload).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('joins with an accept in RX2 and applies DLSettings, RxDelay and a CFList', () => {
    const h = new DeviceHarness(otaaConfig()).start();
    h.acceptJoin({
      window: 'RX2',
      rx1DrOffset: 2,
      rx2DataRate: 3,
      rxDelay: 5,
      cfList: {
        type: 'frequencies',
        frequencies: [867_100_000, 867_300_000, 867_500_000, 867_700_000, 867_900_000],
      },
    });
    h.advance(6900);
    expect(h.device.joined).toBe(false); // an SF12 accept of 33 bytes is still on air at 6.9 s
    h.advance(1500);
    expect(h.device.joined).toBe(true);
    expect(h.device.mac).toMatchObject({ rx1DrOffset: 2, rx2DataRate: 3, rx1Delay: 5 });
    expect(h.device.mac.channels.enabled.filter(Boolean)).toHaveLength(8);
  });

  it('ignores an accept that arrives outside both windows, and counts it against the network', () => {
    const h = new DeviceHarness(otaaConfig()).start();
    const tx = h.last('join');
    h.acceptJoin({ window: 'RX1' });
    // The same accept again, 300 ms late: no window is open then.
    const accept = h.txs.length; // no new transmissions yet
    h.deliver(tx, 'RX1', new Uint8Array(17).fill(0x20), { offsetUs: 300_000 });
    h.advance(6500);
    expect(accept).toBe(1);
    expect(h.device.joined).toBe(true);
    expect(h.device.violations['downlink-outside-window']).toBeUndefined(); // joined by then: not addressed to it
  });

  it('retries a join that gets no accept, with DevNonces that never repeat and the join back-off', () => {
    const h = new DeviceHarness(otaaConfig({ dataRate: 0, joinRetryDelayMs: [1000, 1000] })).start();
    h.advance(2 * 3600 * 1000); // two hours of silence
    const joins = h.txs.filter((t) => t.kind === 'join');
    const nonces = joins.map((t) => {
      const p = decodePHYPayload(t.phyPayload);
      return p.mType === 'JoinRequest' ? p.devNonce : -1;
    });
    expect(new Set(nonces).size).toBe(nonces.length);
    // 36 s of Join-request airtime in the first hour at most (LoRaWAN 1.1 §7): SF12 ≈ 1.48 s each.
    const airtime = loraTimeOnAir(23, { spreadingFactor: 12, bandwidth: 125_000 });
    const firstHour = joins.filter((t) => t.startUs < 3600e6);
    expect(firstHour.length * airtime).toBeLessThanOrEqual(36e6);
    expect(firstHour.length).toBe(Math.floor(36e6 / airtime));
    // …and it starts again in the second hour.
    expect(joins.some((t) => t.startUs >= 3600e6)).toBe(true);
    // Every attempt whose windows closed without an accept is on record (the last may still be pending).
    const missing = h.device.violations['join-accept-missing']!;
    expect(missing).toBeGreaterThanOrEqual(joins.length - 1);
    expect(missing).toBeLessThanOrEqual(joins.length);
    // Consecutive attempts are spaced by the retry delay after the windows close (≥ 6 s + 1 s).
    for (let i = 1; i < 5; i++) expect(joins[i]!.startUs - joins[i - 1]!.startUs).toBeGreaterThanOrEqual(7e6);
  });

  it('1.0.4 and 1.1 count DevNonces up from 0', () => {
    for (const version of ['1.0.4', '1.1'] as const) {
      const h = new DeviceHarness(otaaConfig({ version, joinRetryDelayMs: [1000, 1000] })).start();
      h.advance(60_000);
      const nonces = h.txs.map((t) => {
        const p = decodePHYPayload(t.phyPayload);
        return p.mType === 'JoinRequest' ? p.devNonce : -1;
      });
      expect(nonces.slice(0, 4)).toEqual([0, 1, 2, 3]);
    }
  });

  it('1.1 with OptNeg: 1.1 session keys, JSIntKey MIC, RekeyInd in every uplink until RekeyConf', () => {
    const h = new DeviceHarness(otaaConfig({ version: '1.1' })).start();
    const net = h.acceptJoin({ optNeg: true });
    h.advance(6000);
    expect(h.device.joined).toBe(true);
    expect(h.eventsOf('joined')[0]!.version).toBe('1.1');
    expect(h.device.sessionKeys).toEqual(net.keys);
    expect(net.keys.fNwkSIntKey).not.toEqual(net.keys.sNwkSIntKey);
    let up = h.sendUplink(1, Uint8Array.of(9));
    const opened = h.openUplink(up);
    expect(opened.micValid).toBe(true);
    expect(opened.mac).toEqual([{ name: 'RekeyInd', minorVersion: 1 }]);
    h.advance(3000);
    up = h.sendUplink(1, Uint8Array.of(10));
    expect(h.openUplink(up).mac).toEqual([{ name: 'RekeyInd', minorVersion: 1 }]);
    h.downlink(up, { mac: [{ name: 'RekeyConf', minorVersion: 1 }] });
    h.advance(3000);
    expect(h.openUplink(h.sendUplink(1, Uint8Array.of(11))).mac).toEqual([]);
  });

  it('1.1 device on a 1.0 network (OptNeg unset) falls back to a 1.0 session', () => {
    const h = new DeviceHarness(otaaConfig({ version: '1.1' })).start();
    const net = h.acceptJoin({ optNeg: false });
    h.advance(6000);
    expect(h.eventsOf('joined')[0]!.version).toBe('1.0');
    expect(h.device.sessionKeys).toEqual(net.keys);
    h.sendUplink(1, Uint8Array.of(1));
    expect(h.loraPacketVerifies(h.last('data'))).toBe(true);
    expect(h.openUplink(h.last('data')).mac).toEqual([]); // no RekeyInd without OptNeg
  });

  it("refuses a Join-accept whose MIC fails (another device's, or forged) without blaming the network", () => {
    const h = new DeviceHarness(otaaConfig()).start();
    const tx = h.last('join');
    const bogus = Uint8Array.from([0x20, ...new Uint8Array(16).fill(0x5a)]);
    h.deliver(tx, 'RX1', bogus);
    h.advance(7000);
    expect(h.device.joined).toBe(false);
    expect(h.device.counters.foreignJoinAccepts).toBe(1);
    expect(h.device.violations['bad-mic']).toBeUndefined();
  });

  it("takes the air's word on whose Join-accept it is, and knows its own by key", () => {
    const h = new DeviceHarness(otaaConfig()).start();
    const tx = h.last('join');
    const bogus = Uint8Array.from([0x20, ...new Uint8Array(16).fill(0x5a)]);
    expect(h.device.opensJoinAccept(bogus)).toBe(false);
    // Half a second after RX1 opened: no window is open, so only its addressee has anything to say.
    const late = {
      phyPayload: bogus,
      frequency: tx.frequency,
      datr: 'SF7BW125',
      startUs: tx.startUs + tx.airtimeUs + 5_500_000,
      airtimeUs: 60_000,
      rssi: -80,
      snr: 5,
    };
    h.device.hear({ ...late, forThisDevice: false });
    expect(h.device.violations['downlink-outside-window']).toBeUndefined();
    // The air found that this device's key opens it (here a stand-in): the network sent it too late.
    h.device.hear({ ...late, forThisDevice: true });
    expect(h.device.violations['downlink-outside-window']).toBeDefined();
    expect(h.device.counters.downlinksMissed).toBe(1);
  });

  it('opens its own Join-accept (and the air asks it so), not a copy with one byte changed', () => {
    const h = new DeviceHarness(otaaConfig()).start();
    const seen: Uint8Array[] = [];
    const hear = h.device.hear.bind(h.device);
    h.device.hear = (d) => {
      seen.push(d.phyPayload);
      expect(h.device.opensJoinAccept(d.phyPayload)).toBe(true);
      const other = Uint8Array.from(d.phyPayload);
      other[3]! ^= 1;
      expect(h.device.opensJoinAccept(other)).toBe(false);
      hear(d);
    };
    h.acceptJoin({ window: 'RX1' });
    h.advance(6500);
    expect(seen).toHaveLength(1);
    expect(h.device.joined).toBe(true);
    // Joined: no Join-accept is its own any more.
    expect(h.device.opensJoinAccept(seen[0]!)).toBe(false);
  });

  it('US915 joins on 125 kHz channels at DR0, and every ninth attempt on a 500 kHz channel at DR4', () => {
    const h = new DeviceHarness(
      otaaConfig({ region: REGIONS.US915, joinRetryDelayMs: [1000, 1000] }),
    ).start();
    h.advance(150_000);
    const joins = h.txs.filter((t) => t.kind === 'join').slice(0, 9);
    expect(joins.slice(0, 8).every((t) => t.dataRate === 0 && t.channel < 64)).toBe(true);
    expect(joins[8]!.dataRate).toBe(4);
    expect(joins[8]!.channel).toBeGreaterThanOrEqual(64);
    expect(parseMacCommands(new Uint8Array(0), 'uplink').commands).toEqual([]);
  });
});
