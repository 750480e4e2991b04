import { describe, expect, it } from 'vitest';
import { aes128Key, type AES128Key, type DevAddr } from '../../crypto/index.js';
import {
  CompactFleet,
  type CompactFleetOptions,
  type CompactTransmission,
} from '../../simulator/device/compact-fleet.js';
import {
  buildDataFrame,
  openDataFrame,
  sessionKeys10,
  type SessionKeys,
} from '../../simulator/lorawan/index.js';
import { Rng } from '../../simulator/random/rng.js';
import { REGIONS } from '../../simulator/region/index.js';
import { VirtualScheduler } from '../../simulator/time/scheduler.js';
import { LoraPacket } from '../helpers/lora-packet.js';

const BASE = 0x26000000;
/** Keys a test can recompute: device i's key bytes are i and the key's position. */
const keyBytes = (i: number, k: number) =>
  Uint8Array.from({ length: 16 }, (_, j) => (i * 7 + k * 31 + j) & 0xff);

function fleet(over: Partial<CompactFleetOptions> = {}, log: CompactTransmission[] = []) {
  const scheduler = new VirtualScheduler(0);
  const derived: number[] = [];
  const f = new CompactFleet(
    {
      count: 200,
      region: REGIONS.EU868,
      version: '1.0',
      dataRate: 5,
      fPort: 2,
      payloadSize: 12,
      intervalUs: 60e6,
      devAddr: (i) => BASE + i,
      indexOf: (a) => a - BASE,
      sessionKeys: (i, out) => {
        derived.push(i);
        for (let k = 0; k < out.length / 16; k++) out.set(keyBytes(i, k), k * 16);
      },
      rng: new Rng('compact'),
      ...over,
    },
    scheduler,
    (tx) => log.push(tx),
  );
  return { f, scheduler, derived, log };
}

const keys10 = (i: number): SessionKeys =>
  sessionKeys10(aes128Key(keyBytes(i, 0)), aes128Key(keyBytes(i, 1)));
const keys11 = (i: number): SessionKeys => ({
  fNwkSIntKey: aes128Key(keyBytes(i, 0)),
  sNwkSIntKey: aes128Key(keyBytes(i, 1)),
  nwkSEncKey: aes128Key(keyBytes(i, 2)),
  appSKey: aes128Key(keyBytes(i, 3)),
});

describe('CompactFleet', () => {
  it('sends one uplink per device per interval, FCntUp counting from 0, in time order', () => {
    const { f, scheduler, log } = fleet();
    f.start();
    scheduler.advanceTo(600e6 - 1);
    expect(f.counters.uplinks).toBe(log.length);
    const byDevice = new Map<number, CompactTransmission[]>();
    for (const tx of log) byDevice.set(tx.device, [...(byDevice.get(tx.device) ?? []), tx]);
    expect(byDevice.size).toBe(200);
    for (const [, txs] of byDevice) {
      // 10 minutes at 60 s ± 10 %: 9 to 11 uplinks, never closer than 54 s.
      expect(txs.length).toBeGreaterThanOrEqual(9);
      expect(txs.length).toBeLessThanOrEqual(11);
      txs.forEach((tx, k) => expect(tx.fCnt).toBe(k));
      for (let k = 1; k < txs.length; k++)
        expect(txs[k]!.startUs - txs[k - 1]!.startUs).toBeGreaterThanOrEqual(54e6);
    }
    for (let k = 1; k < log.length; k++) expect(log[k]!.startUs).toBeGreaterThanOrEqual(log[k - 1]!.startUs);
    expect(new Set(log.map((t) => t.frequency))).toEqual(new Set([868_100_000, 868_300_000, 868_500_000]));
  });

  it('builds frames lora-packet verifies and decrypts, with the counter and the device index inside', () => {
    const { f, scheduler, log } = fleet({ count: 50 });
    f.start();
    scheduler.advanceTo(130e6);
    expect(log.length).toBeGreaterThan(100);
    for (const tx of log) {
      const k = keys10(tx.device);
      const p = LoraPacket.fromWire(Buffer.from(tx.phyPayload));
      expect(LoraPacket.verifyMIC(p, Buffer.from(k.fNwkSIntKey), undefined, Buffer.from([0, 0]))).toBe(true);
      const plain = LoraPacket.decrypt(
        p,
        Buffer.from(k.appSKey),
        Buffer.from(k.nwkSEncKey),
        Buffer.from([0, 0]),
      );
      const v = new DataView(plain.buffer, plain.byteOffset, plain.byteLength);
      expect([v.getUint32(0), v.getUint32(4)]).toEqual([tx.fCnt, tx.device]);
      expect(p.DevAddr!.toString('hex')).toBe((BASE + tx.device).toString(16));
    }
  });

  it('1.1 sessions: the uplink MIC verifies with FNwkSIntKey and SNwkSIntKey', () => {
    const { f, scheduler, log } = fleet({ count: 20, version: '1.1' });
    f.start();
    scheduler.advanceTo(61e6);
    expect(log.length).toBeGreaterThanOrEqual(20);
    for (const tx of log) {
      const opened = openDataFrame(tx.phyPayload, keys11(tx.device), {
        version: '1.1',
        fCnt: tx.fCnt,
        confFCnt: 0,
        txDr: 5,
        txCh: tx.channel,
      });
      expect(opened.micValid).toBe(true);
    }
  });

  it("derives a device's keys on its first uplink and never again; an idle device has none", () => {
    const { f, scheduler, derived } = fleet({ count: 100, spreadUs: 100e6 });
    f.start();
    expect(derived).toEqual([]);
    scheduler.advanceTo(30e6);
    const early = derived.length;
    expect(early).toBeGreaterThan(10);
    expect(early).toBeLessThan(60);
    scheduler.advanceTo(300e6);
    expect(derived.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('counts a downlink in RX1 or RX2 with a valid MIC; names one outside the windows or with a bad MIC', () => {
    const { f, scheduler, log } = fleet({ count: 3, spreadUs: 1e6 });
    f.start();
    scheduler.advanceTo(2e6);
    const tx = log.find((t) => t.device === 1)!;
    const end = tx.startUs + tx.airtimeUs;
    const down = (fCnt: number, key: AES128Key, devAddr = BASE + 1) =>
      buildDataFrame(
        {
          mType: 'UnconfirmedDataDown',
          devAddr: devAddr as DevAddr,
          fCtrl: {},
          fCnt,
          fOpts: new Uint8Array(0),
          fPort: 3,
          frmPayload: Uint8Array.of(1, 2),
        },
        sessionKeys10(key, key),
        { version: '1.0', fCnt },
      );
    const hear = (phy: Uint8Array, start: number) =>
      f.hear({
        phyPayload: phy,
        frequency: tx.frequency,
        datr: tx.datr,
        startUs: start,
        airtimeUs: 50_000,
        rssi: -80,
        snr: 5,
      });
    const nwk = keys10(1).fNwkSIntKey;
    hear(down(0, nwk), end + 1e6);
    hear(down(1, nwk), end + 2e6 + 15_000);
    expect(f.counters.downlinksInWindow).toBe(2);
    hear(down(2, nwk), end + 1.5e6);
    expect(f.counters.downlinksMissed).toBe(1);
    hear(down(3, keys10(2).fNwkSIntKey), end + 1e6);
    expect(f.counters.downlinksBadMic).toBe(1);
    // Not a fleet device, or not a data downlink: not counted at all.
    hear(down(4, nwk, 0x01020304), end + 1e6);
    hear(tx.phyPayload, end + 1e6);
    expect(f.counters).toMatchObject({ downlinksInWindow: 2, downlinksMissed: 1, downlinksBadMic: 1 });
  });

  it('refuses an interval that would break the duty cycle, and FSK', () => {
    expect(() => fleet({ dataRate: 0, intervalUs: 60e6 })).toThrow(
      'device fleet: interval: 60s breaks the 1 % duty cycle: at least 148.3s at DR0',
    );
    expect(() => fleet({ dataRate: 7 })).toThrow(/DR7 is not LoRa/);
  });

  it('stops sending when stopped', () => {
    const { f, scheduler, log } = fleet({ count: 10, spreadUs: 1e6 });
    f.start();
    scheduler.advanceTo(2e6);
    f.stop();
    const n = log.length;
    scheduler.advanceTo(600e6);
    expect(log.length).toBe(n);
  });

  it('reserves FCntUp ahead on its store: all devices at start in one call, then a device at its bound', () => {
    const single: [number, number][] = [];
    const all: number[][] = [];
    const initial = (i: number) => (i === 3 ? 62 : i === 4 ? 1000 : 0);
    const { f, scheduler, log } = fleet({
      count: 5,
      intervalUs: 10e6,
      fCnts: {
        initial,
        reserve: (i, bound) => single.push([i, bound]),
        reserveAll: (bounds) => all.push([...bounds]),
      },
    });
    f.start();
    expect(all).toEqual([[64, 64, 64, 126, 1064]]);
    scheduler.advanceBy(30e6); // three frames each
    expect(single).toEqual([]);
    // Device 3 resumed at 62 with 126 reserved: frame 126 is the first to reserve again.
    const sent3 = () => log.filter((t) => t.device === 3).map((t) => t.fCnt);
    expect(sent3().slice(0, 3)).toEqual([62, 63, 64]);
    scheduler.advanceBy(10e6 * 80);
    expect(sent3()).toContain(126);
    expect(single.filter(([i]) => i === 3)).toEqual([[3, 126 + 64]]);
    expect(single.filter(([i]) => i === 4)).toEqual([[4, 1064 + 64]]);
  });
});
