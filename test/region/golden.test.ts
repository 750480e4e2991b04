import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REGIONS, region, rx1Frequency, type Region } from '../../simulator/region/index.js';

type V = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const golden: Record<string, V> = JSON.parse(
  readFileSync(new URL('../fixtures/regional-data.json', import.meta.url), 'utf8'),
).regions;

const PAIRS: [string, Region][] = [
  ['EU863-870', REGIONS.EU868],
  ['US902-928', REGIONS.US915],
  ['AU915-928', REGIONS.AU915],
  ['AS923-1', REGIONS['AS923-1']],
  ['AS923-2', REGIONS['AS923-2']],
  ['AS923-3', REGIONS['AS923-3']],
  ['AS923-4', REGIONS['AS923-4']],
  ['IN865-867', REGIONS.IN865],
  ['KR920-923', REGIONS.KR920],
  ['CN470-510 (RP001 96-channel plan)', REGIONS.CN470],
];

describe.each(PAIRS)('%s against The Things Stack', (key, r) => {
  const g = golden[key]!;

  it('has the same data rates and payload sizes', () => {
    for (const d of g.dataRates) {
      const ours = r.dataRates[d.dr];
      expect(ours, `DR${d.dr}`).toBeDefined();
      expect(ours!.modulation.replace('-', '')).toBe(String(d.modulation).replace('-', ''));
      expect(ours!.maxMacPayload.noDwell, `DR${d.dr} M`).toBe(d.M);
      // TTS writes M = 0 for a data rate not allowed under dwell time; lorafleet says null.
      expect(ours!.maxMacPayload.dwell, `DR${d.dr} M dwell`).toBe(d.mDwell === 0 ? null : (d.mDwell ?? null));
      if (ours!.modulation === 'LORA') {
        expect(ours!.spreadingFactor).toBe(d.sf);
        expect(ours!.bandwidth).toBe(d.bandwidthHz);
        expect(ours!.datr).toBe(d.datr);
      }
    }
    const defined = r.dataRates.filter((d) => d !== undefined).length;
    expect(defined).toBe(g.dataRates.length);
  });

  it('has the same RX1 data-rate table (IN865: LoRaMac-node never picks the RFU DR6)', () => {
    for (const [up, row] of Object.entries(g.rx1DataRate as Record<string, number[]>)) {
      const ours = r.rx1DataRate[Number(up)] ?? [];
      if (r.dataRates[Number(up)] === undefined) continue; // no uplinks at an RFU data rate
      if (r.id === 'IN865') {
        // Where TTS answers DR6 (RFU in IN865), ours must be a defined data rate; elsewhere equal.
        row.forEach((dr, o) => {
          if (dr === 6) expect(r.dataRates[ours[o]!]).toBeDefined();
          else if (!(Number(up) === 7 && o === 2)) expect(ours[o], `DR${up} offset ${o}`).toBe(dr);
        });
      } else if (r.dataRates[Number(up)] !== undefined) {
        expect(ours, `DR${up}`).toEqual(row);
      }
    }
    if (r.rx1DataRateDwell !== undefined) {
      for (const [up, row] of Object.entries(g.rx1DataRateDownlinkDwell as Record<string, number[]>)) {
        expect(r.rx1DataRateDwell[Number(up)], `dwell DR${up}`).toEqual(row);
      }
    }
  });

  it('has the same channels, RX2, power, sub-bands and constants', () => {
    expect(r.bandId).toBe(g.ttnBandId);
    expect(r.maxChannels).toBe(g.maxUplinkChannels);
    expect(r.defaultChannels.map((c) => [c.frequency, c.minDr, c.maxDr])).toEqual(
      g.uplinkChannels.map((c: V) => [c.frequency, c.minDr, c.maxDr]),
    );
    // RX1 frequency of every default channel = the downlink channel TTS maps it to.
    r.defaultChannels.forEach((c, i) => {
      const dl = g.downlinkChannels[g.rx1ChannelIndexForUplinkChannel[i]];
      expect(rx1Frequency(r, i, c.frequency), `RX1 of channel ${i}`).toBe(dl.frequency);
    });
    expect(r.rx2.frequency).toBe(g.rx2Default.frequency);
    expect(r.rx2.dataRate).toBe(g.rx2Default.dr);
    expect(r.maxEirp).toBe(g.defaultMaxEirpDbm);
    expect(r.txPowerOffsets).toEqual(g.txPowerOffsetsDb);
    expect(r.subBands.map((s) => [s.minFrequency, s.maxFrequency, s.dutyCycle, s.maxEirp])).toEqual(
      g.subBands.map((s: V) => [s.MinFrequency, s.MaxFrequency, s.DutyCycle, s.MaxEIRP]),
    );
    expect(r.cfListType).toBe(g.cfListType === 'FREQUENCIES' ? 'frequencies' : 'channel-mask');
    expect(r.maxAdrDataRate).toBe(g.maxAdrDataRate);
    expect(r.txParamSetupReq).toBe(g.txParamSetupReqSupported);
    expect(r.beacon.dataRate).toBe(g.beacon.DataRateIndex);
    expect(r.beacon.frequencies).toEqual(g.beacon.Frequencies);
    expect([r.receiveDelay1, r.receiveDelay2, r.joinAcceptDelay1, r.joinAcceptDelay2]).toEqual([
      g.receiveDelay1Ms,
      g.receiveDelay2Ms,
      g.joinAcceptDelay1Ms,
      g.joinAcceptDelay2Ms,
    ]);
    expect(r.ackTimeout).toEqual(g.retransmitTimeoutMs);
    expect(`ADR_ACK_LIMIT_${r.adrAckLimit}`).toBe(g.adrAckLimit);
    expect(`ADR_ACK_DELAY_${r.adrAckDelay}`).toBe(g.adrAckDelay);
    if (g.bootDwellTime.Uplinks !== null) expect(r.dwellTime.uplink).toBe(g.bootDwellTime.Uplinks);
  });
});

describe('region lookup', () => {
  it('finds a region by lorafleet id, RP002 name or TTS band id, case-insensitively', () => {
    expect(region('EU868')).toBe(REGIONS.EU868);
    expect(region('eu863-870')).toBe(REGIONS.EU868);
    expect(region('US_902_928')).toBe(REGIONS.US915);
    expect(region('AS_923_3')).toBe(REGIONS['AS923-3']);
    expect(region('RU_864_870')).toBe(REGIONS.RU864);
  });

  it('names the choices when the region is unknown', () => {
    expect(() => region('EU433')).toThrowError(/region: expected one of EU868, US915/);
  });

  it('covers every region the RP002 list has here, with unique ids and TTS band ids', () => {
    const all = Object.values(REGIONS);
    expect(all).toHaveLength(11);
    expect(new Set(all.map((r) => r.bandId)).size).toBe(11);
  });
});
