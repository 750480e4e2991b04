import { describe, expect, it } from 'vitest';
import {
  applyCFList,
  applyChMask,
  checkChannelMask,
  dataRateIndex,
  defaultChannelTable,
  dutyCycleOffTime,
  maxMacPayload,
  REGIONS,
  rx1DataRate,
  rx1Frequency,
  subBandFor,
  txPowerEirp,
} from '../../simulator/region/index.js';

const { EU868, US915, AU915, CN470, KR920 } = REGIONS;
const on = (enabled: readonly boolean[]) => enabled.flatMap((e, i) => (e ? [i] : []));

describe('RX1 parameters', () => {
  it('US915 answers on 923.3 MHz + (channel mod 8) × 600 kHz, EU868 on the uplink frequency', () => {
    expect(rx1Frequency(US915, 8, 903_900_000)).toBe(923_300_000);
    expect(rx1Frequency(US915, 13, 904_900_000)).toBe(926_300_000);
    expect(rx1Frequency(US915, 65, 904_600_000)).toBe(923_900_000);
    expect(rx1Frequency(EU868, 1, 868_300_000)).toBe(868_300_000);
  });

  it('RX1 DR follows the offset tables and rejects offsets a region does not define', () => {
    expect(rx1DataRate(EU868, 5, 2)).toBe(3);
    expect(rx1DataRate(US915, 0, 0)).toBe(10);
    expect(rx1DataRate(US915, 4, 3)).toBe(11);
    expect(rx1DataRate(REGIONS['AS923-1'], 0, 0, true)).toBe(2);
    expect(() => rx1DataRate(US915, 0, 4)).toThrowError(/RX1DROffset/);
  });
});

describe('TX power and payload', () => {
  it('EIRP steps down 2 dB per TXPower index from the max EIRP', () => {
    expect(txPowerEirp(EU868, 0)).toBe(16);
    expect(txPowerEirp(EU868, 7)).toBe(2);
    expect(txPowerEirp(US915, 14)).toBe(2);
    expect(txPowerEirp(REGIONS['AS923-1'], 1, 14)).toBe(12);
    expect(() => txPowerEirp(EU868, 8)).toThrowError(/TXPower/);
  });

  it('maximum MACPayload with and without dwell time', () => {
    expect(maxMacPayload(EU868, 0, false)).toBe(59);
    expect(maxMacPayload(AU915, 0, true)).toBeNull();
    expect(maxMacPayload(AU915, 2, true)).toBe(19);
    expect(maxMacPayload(AU915, 2, false)).toBe(59);
  });

  it('maps Semtech datr strings to data-rate indices per region', () => {
    expect(dataRateIndex(EU868, 'SF7BW125')).toBe(5);
    expect(dataRateIndex(US915, 'SF10BW125')).toBe(0);
    expect(dataRateIndex(US915, 'SF8BW500')).toBe(4);
    expect(dataRateIndex(EU868, 50000)).toBe(7);
    expect(dataRateIndex(EU868, 'SF7BW500')).toBeUndefined();
  });
});

describe('channel masks (LinkADRReq ChMaskCntl, CFList type 1)', () => {
  it('US915: ChMaskCntl 7 then 0 selects sub-band 2 (channels 8–15) and 500 kHz channel 65', () => {
    const t = defaultChannelTable(US915);
    const off = applyChMask(US915, t, 0x0002, 7);
    expect(off.ok).toBe(true);
    if (!off.ok) return;
    const sb2 = applyChMask(US915, { ...t, enabled: off.enabled }, 0xff00, 0);
    expect(sb2.ok && on(sb2.enabled)).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 65]);
  });

  it('US915: ChMaskCntl 5 switches banks of eight 125 kHz channels with their 500 kHz channel', () => {
    const r = applyChMask(US915, defaultChannelTable(US915), 0b0000_0010, 5);
    expect(r.ok && on(r.enabled)).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 65]);
  });

  it('US915: ChMaskCntl 6 turns all 125 kHz channels on and sets 64–71 from the mask', () => {
    const r = applyChMask(US915, defaultChannelTable(US915), 0x0001, 6);
    expect(r.ok && on(r.enabled)).toEqual([...Array.from({ length: 64 }, (_, i) => i), 64]);
  });

  it('EU868: ChMaskCntl 0 sets channels 0–15, 6 enables every defined channel, others are RFU', () => {
    const t = defaultChannelTable(EU868);
    const r = applyChMask(EU868, t, 0b101, 0);
    expect(r.ok && on(r.enabled)).toEqual([0, 2]);
    const all = applyChMask(EU868, t, 0, 6);
    expect(all.ok && on(all.enabled)).toEqual([0, 1, 2]);
    expect(applyChMask(EU868, t, 1, 3).ok).toBe(false);
  });

  it('a mask that enables an undefined channel, or none, is refused', () => {
    const t = defaultChannelTable(EU868);
    const r = applyChMask(EU868, t, 0b1000, 0);
    expect(r.ok).toBe(true);
    if (r.ok) expect(checkChannelMask(t, r.enabled)).toMatch(/channel 3 is not defined/);
    const none = applyChMask(EU868, t, 0, 0);
    if (none.ok) expect(checkChannelMask(t, none.enabled)).toMatch(/no channel/);
  });

  it('CN470: 96 channels in six blocks', () => {
    const r = applyChMask(CN470, defaultChannelTable(CN470), 0x0003, 5);
    expect(r.ok && r.enabled.filter(Boolean).length).toBe(82); // block 5 (80–95) now holds only 80 and 81
    const only = applyChMask(
      CN470,
      { ...defaultChannelTable(CN470), enabled: new Array(96).fill(false) },
      0x0003,
      5,
    );
    expect(only.ok && on(only.enabled)).toEqual([80, 81]);
  });

  it('CFList type 0 adds channels 3–7 in EU868; type 1 sets the mask of a fixed plan', () => {
    const eu = applyCFList(EU868, defaultChannelTable(EU868), {
      type: 'frequencies',
      frequencies: [867_100_000, 867_300_000, 867_500_000, 867_700_000, 867_900_000],
    });
    expect(on(eu.enabled)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(eu.channels[7]).toEqual({ frequency: 867_900_000, minDr: 0, maxDr: 5 });
    const us = applyCFList(US915, defaultChannelTable(US915), {
      type: 'channel-mask',
      chMasks: [0xff00, 0, 0, 0, 0x0002, 0],
    });
    expect(on(us.enabled)).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 65]);
    // The wrong CFList type for the region is ignored.
    const ignored = applyCFList(US915, defaultChannelTable(US915), {
      type: 'frequencies',
      frequencies: [902_300_000],
    });
    expect(on(ignored.enabled)).toHaveLength(72);
  });
});

describe('duty cycle', () => {
  it('finds the EU868 sub-band of a frequency and its limit', () => {
    expect(subBandFor(EU868, 868_100_000)?.dutyCycle).toBe(0.01);
    expect(subBandFor(EU868, 869_525_000)?.dutyCycle).toBe(0.1);
    expect(subBandFor(EU868, 868_650_000)).toBeUndefined();
    expect(subBandFor(KR920, 922_100_000)?.dutyCycle).toBe(1);
  });

  it('a 1 % sub-band needs 99 times the airtime off', () => {
    expect(dutyCycleOffTime(1000, 0.01)).toBeCloseTo(99_000);
    expect(dutyCycleOffTime(1000, 1)).toBe(0);
  });
});
