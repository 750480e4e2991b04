import { describe, expect, it } from 'vitest';
import { adrAnswer, adrUplink, type AdrState } from '../../network/adr.js';
import { REGIONS } from '../../simulator/region/index.js';

const { EU868, US915 } = REGIONS;
const fresh = (dataRate = 0): AdrState => ({ snr: [], dataRate, txPowerIndex: 0 });
const ok = { powerAck: true, dataRateAck: true, channelMaskAck: true };

describe('the embedded network’s ADR (margin 15 dB, as TTS)', () => {
  it('waits for three uplinks, then raises the data rate by what the margin allows', () => {
    const st = fresh(0);
    const up = { dataRate: 0, snr: 6.9, channels: 8 };
    expect(adrUplink(EU868, st, up)).toBeUndefined();
    expect(adrUplink(EU868, st, up)).toBeUndefined();
    // SF12 needs -20 dB: 6.9 + 20 - 15 = 11.9 dB of margin, three steps of 3 dB → DR3.
    expect(adrUplink(EU868, st, up)).toEqual({
      name: 'LinkADRReq',
      dataRate: 3,
      txPower: 0,
      chMask: 0xff,
      chMaskCntl: 0,
      nbTrans: 1,
    });
    expect(adrAnswer(st, ok)).toBe('accepted');
    expect(st).toMatchObject({ dataRate: 3, txPowerIndex: 0, snr: [] });
    // At SF9 (-12.5 dB) the same link has 4.4 dB: one step more, then nothing.
    const at3 = { dataRate: 3, snr: 6.9, channels: 8 };
    adrUplink(EU868, st, at3);
    adrUplink(EU868, st, at3);
    expect(adrUplink(EU868, st, at3)).toMatchObject({ dataRate: 4, txPower: 0 });
    adrAnswer(st, ok);
    for (let i = 0; i < 5; i++) expect(adrUplink(EU868, st, { ...at3, dataRate: 4 })).toBeUndefined();
  });

  it('past the fastest ADR data rate lowers the power, and raises it again when the margin goes', () => {
    const st = fresh(5);
    const strong = { dataRate: 5, snr: 22, channels: 3 };
    adrUplink(EU868, st, strong);
    adrUplink(EU868, st, strong);
    // 22 + 7.5 - 15 = 14.5 dB: four steps, all of them power (DR5 is EU868's ADR maximum).
    expect(adrUplink(EU868, st, strong)).toMatchObject({ dataRate: 5, txPower: 4, chMask: 0b111 });
    adrAnswer(st, ok);
    const weak = { dataRate: 5, snr: -4, channels: 3 };
    adrUplink(EU868, st, weak);
    adrUplink(EU868, st, weak);
    // -4 + 7.5 - 15 = -11.5 dB: three steps back up.
    expect(adrUplink(EU868, st, weak)).toMatchObject({ dataRate: 5, txPower: 1 });
  });

  it('asks again when an answer never came, and stops for good after a refusal', () => {
    const st = fresh(0);
    const up = { dataRate: 0, snr: 6.9, channels: 8 };
    for (let i = 0; i < 3; i++) adrUplink(EU868, st, up);
    expect(st.pending).toBeDefined();
    // Three uplinks without a LinkADRAns: the request was lost; the fourth is judged again.
    for (let i = 0; i < 3; i++) expect(adrUplink(EU868, st, up)).toBeUndefined();
    expect(adrUplink(EU868, st, up)).toMatchObject({ dataRate: 3 }); // the link is judged again: same request
    expect(adrAnswer(st, { ...ok, channelMaskAck: false })).toBe('refused');
    for (let i = 0; i < 5; i++) expect(adrUplink(EU868, st, up)).toBeUndefined();
    expect(adrAnswer(fresh(), ok)).toBe('unsolicited');
  });

  it('judges a device anew when it changed its data rate by itself, and leaves fixed channel plans alone', () => {
    const st = fresh(3);
    st.snr = [5, 5];
    adrUplink(EU868, st, { dataRate: 2, snr: 5, channels: 8 }); // ADR back-off to DR2
    expect(st).toMatchObject({ dataRate: 2, snr: [5] });
    const us = fresh(0);
    for (let i = 0; i < 5; i++)
      expect(adrUplink(US915, us, { dataRate: 0, snr: 10, channels: 72 })).toBeUndefined();
  });
});
