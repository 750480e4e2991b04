import { describe, expect, it } from 'vitest';
import type { MacState } from '../../simulator/device/mac-state.js';
import { encodeMacCommands, type MacCommand } from '../../simulator/lorawan/index.js';
import { REGIONS } from '../../simulator/region/index.js';
import type { DeviceConfig } from '../../simulator/device/types.js';
import { abpConfig, DeviceHarness, otaaConfig } from '../helpers/device-harness.js';

interface Case {
  name: string;
  config?: Partial<DeviceConfig>;
  request: MacCommand[];
  /** Bytes the request must encode to (LoRaWAN 1.1 §5 layouts), to tie the table to the wire. */
  requestHex: string;
  answer: MacCommand[];
  state?: (m: MacState) => void;
  /** Sticky answers repeat in the following uplink too. */
  sticky?: boolean;
}

const CASES: Case[] = [
  {
    name: 'LinkADRReq → LinkADRAns, DR/power/mask/NbTrans applied',
    request: [{ name: 'LinkADRReq', dataRate: 3, txPower: 2, chMask: 0x0003, chMaskCntl: 0, nbTrans: 2 }],
    requestHex: '0332030002',
    answer: [{ name: 'LinkADRAns', powerAck: true, dataRateAck: true, channelMaskAck: true }],
    state: (m) =>
      expect([m.dataRate, m.txPower, m.nbTrans, m.channels.enabled.slice(0, 3)]).toEqual([
        3,
        2,
        2,
        [true, true, false],
      ]),
  },
  {
    name: 'LinkADRReq enabling an undefined channel → all NACKed bits where due, nothing applied',
    request: [{ name: 'LinkADRReq', dataRate: 3, txPower: 2, chMask: 0x0010, chMaskCntl: 0, nbTrans: 1 }],
    requestHex: '0332100001',
    answer: [{ name: 'LinkADRAns', powerAck: true, dataRateAck: false, channelMaskAck: false }],
    state: (m) => expect([m.dataRate, m.txPower]).toEqual([5, 0]),
  },
  {
    name: 'US915 LinkADRReq block (ChMaskCntl 7 then 0), 1.0.3 answers each command',
    config: { region: REGIONS.US915, dataRate: 3 },
    request: [
      { name: 'LinkADRReq', dataRate: 2, txPower: 5, chMask: 0x0000, chMaskCntl: 7, nbTrans: 1 },
      { name: 'LinkADRReq', dataRate: 2, txPower: 5, chMask: 0xff00, chMaskCntl: 0, nbTrans: 1 },
    ],
    requestHex: '0325000071' + '032500ff01',
    answer: [
      { name: 'LinkADRAns', powerAck: true, dataRateAck: true, channelMaskAck: true },
      { name: 'LinkADRAns', powerAck: true, dataRateAck: true, channelMaskAck: true },
    ],
    state: (m) =>
      expect(m.channels.enabled.flatMap((e, i) => (e ? [i] : []))).toEqual([8, 9, 10, 11, 12, 13, 14, 15]),
  },
  {
    name: 'LinkADRReq block in 1.1: one LinkADRAns for the block',
    config: { version: '1.1', region: REGIONS.US915, dataRate: 3 },
    request: [
      { name: 'LinkADRReq', dataRate: 2, txPower: 5, chMask: 0x0000, chMaskCntl: 7, nbTrans: 1 },
      { name: 'LinkADRReq', dataRate: 2, txPower: 5, chMask: 0xff00, chMaskCntl: 0, nbTrans: 1 },
    ],
    requestHex: '0325000071' + '032500ff01',
    answer: [{ name: 'LinkADRAns', powerAck: true, dataRateAck: true, channelMaskAck: true }],
  },
  {
    name: 'DutyCycleReq → DutyCycleAns, aggregated limit set',
    request: [{ name: 'DutyCycleReq', maxDutyCycle: 7 }],
    requestHex: '0407',
    answer: [{ name: 'DutyCycleAns' }],
    state: (m) => expect(m.maxDutyCycle).toBe(7),
  },
  {
    name: 'RXParamSetupReq → sticky RXParamSetupAns, RX2 moved',
    request: [{ name: 'RXParamSetupReq', rx1DrOffset: 2, rx2DataRate: 3, frequencyHz: 869_525_000 }],
    requestHex: '0523d2ad84',
    answer: [{ name: 'RXParamSetupAns', rx1DrOffsetAck: true, rx2DataRateAck: true, channelAck: true }],
    state: (m) => expect([m.rx1DrOffset, m.rx2DataRate, m.rx2Frequency]).toEqual([2, 3, 869_525_000]),
    sticky: true,
  },
  {
    name: 'RXParamSetupReq with a frequency outside the band → refused, nothing changes',
    request: [{ name: 'RXParamSetupReq', rx1DrOffset: 1, rx2DataRate: 3, frequencyHz: 915_000_000 }],
    requestHex: '0513309e8b',
    answer: [{ name: 'RXParamSetupAns', rx1DrOffsetAck: true, rx2DataRateAck: true, channelAck: false }],
    state: (m) => expect([m.rx1DrOffset, m.rx2Frequency]).toEqual([0, 869_525_000]),
    sticky: true,
  },
  {
    name: 'DevStatusReq → DevStatusAns with battery and the last downlink SNR as margin',
    config: { battery: 200 },
    request: [{ name: 'DevStatusReq' }],
    requestHex: '06',
    answer: [{ name: 'DevStatusAns', battery: 200, margin: 7 }], // the harness delivers at SNR 6.5 → 7
  },
  {
    name: 'NewChannelReq → NewChannelAns, channel 3 defined',
    request: [{ name: 'NewChannelReq', chIndex: 3, frequencyHz: 867_100_000, maxDr: 5, minDr: 0 }],
    requestHex: '0703184f8450',
    answer: [{ name: 'NewChannelAns', dataRateRangeOk: true, channelFrequencyOk: true }],
    state: (m) => expect(m.channels.channels[3]).toEqual({ frequency: 867_100_000, minDr: 0, maxDr: 5 }),
  },
  {
    name: 'NewChannelReq on a default channel → refused',
    request: [{ name: 'NewChannelReq', chIndex: 1, frequencyHz: 867_100_000, maxDr: 5, minDr: 0 }],
    requestHex: '0701184f8450',
    answer: [{ name: 'NewChannelAns', dataRateRangeOk: false, channelFrequencyOk: false }],
  },
  {
    name: 'RXTimingSetupReq → sticky RXTimingSetupAns, RX1 delay set',
    request: [{ name: 'RXTimingSetupReq', del: 3 }],
    requestHex: '0803',
    answer: [{ name: 'RXTimingSetupAns' }],
    state: (m) => expect(m.rx1Delay).toBe(3),
    sticky: true,
  },
  {
    name: 'TxParamSetupReq (AS923) → TxParamSetupAns, dwell and max EIRP set',
    config: { region: REGIONS['AS923-1'], dataRate: 5 },
    request: [{ name: 'TxParamSetupReq', downlinkDwellTime: false, uplinkDwellTime: false, maxEirpIndex: 5 }],
    requestHex: '0905',
    answer: [{ name: 'TxParamSetupAns' }],
    state: (m) => expect([m.uplinkDwell, m.maxEirp]).toEqual([false, 16]),
  },
  {
    name: 'TxParamSetupReq in EU868 → ignored (not used in the region)',
    request: [{ name: 'TxParamSetupReq', downlinkDwellTime: true, uplinkDwellTime: true, maxEirpIndex: 1 }],
    requestHex: '0931',
    answer: [],
    state: (m) => expect(m.maxEirp).toBe(16),
  },
  {
    name: 'DlChannelReq → sticky DlChannelAns, RX1 frequency of channel 0 moved',
    request: [{ name: 'DlChannelReq', chIndex: 0, frequencyHz: 868_300_000 }],
    requestHex: '0a00f87d84',
    answer: [{ name: 'DlChannelAns', uplinkFrequencyExists: true, channelFrequencyOk: true }],
    state: (m) => expect(m.rx1Frequencies[0]).toBe(868_300_000),
    sticky: true,
  },
  {
    name: 'ADRParamSetupReq (1.1) → ADRParamSetupAns, limits set',
    config: { version: '1.1' },
    request: [{ name: 'ADRParamSetupReq', limitExp: 4, delayExp: 2 }],
    requestHex: '0c42',
    answer: [{ name: 'ADRParamSetupAns' }],
    state: (m) => expect([m.adrAckLimit, m.adrAckDelay]).toEqual([16, 4]),
  },
  {
    name: 'ADRParamSetupReq to a 1.0.3 device → ignored',
    request: [{ name: 'ADRParamSetupReq', limitExp: 4, delayExp: 2 }],
    requestHex: '0c42',
    answer: [],
    state: (m) => expect(m.adrAckLimit).toBe(64),
  },
  {
    name: 'RejoinParamSetupReq (1.1) → RejoinParamSetupAns',
    config: { version: '1.1' },
    request: [{ name: 'RejoinParamSetupReq', maxTimeN: 4, maxCountN: 2 }],
    requestHex: '0f42',
    answer: [{ name: 'RejoinParamSetupAns', timeOk: true }],
    state: (m) => expect([m.rejoinMaxTimeN, m.rejoinMaxCountN]).toEqual([4, 2]),
  },
  {
    name: 'PingSlotChannelReq to a class A device → refused cleanly',
    request: [{ name: 'PingSlotChannelReq', frequencyHz: 869_525_000, dataRate: 3 }],
    requestHex: '11d2ad8403',
    answer: [{ name: 'PingSlotChannelAns', dataRateOk: false, channelFrequencyOk: false }],
  },
  {
    name: 'BeaconFreqReq to a class A device → refused cleanly',
    request: [{ name: 'BeaconFreqReq', frequencyHz: 869_525_000 }],
    requestHex: '13d2ad84',
    answer: [{ name: 'BeaconFreqAns', beaconFrequencyOk: false }],
  },
];

describe('device-side MAC commands: request bytes in, answer bytes out', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    expect(Buffer.from(encodeMacCommands(c.request)).toString('hex')).toBe(c.requestHex);
    const h = new DeviceHarness(abpConfig({ enforceDutyCycle: false, ...c.config }));
    h.abpSession();
    h.start();
    const up = h.sendUplink(1, Uint8Array.of(1));
    // A 1.1 ABP device sends ResetInd until ResetConf: confirm it in the same downlink.
    const reset: MacCommand[] = c.config?.version === '1.1' ? [{ name: 'ResetConf', minorVersion: 1 }] : [];
    h.downlink(up, { mac: [...reset, ...c.request] });
    h.advance(3000);
    c.state?.(h.device.mac);
    const next = h.sendUplink(1, Uint8Array.of(2));
    expect(h.openUplink(next).mac).toEqual(c.answer);
    h.advance(3000);
    const third = h.sendUplink(1, Uint8Array.of(3));
    expect(h.openUplink(third).mac).toEqual(c.sticky ? c.answer : []);
  });

  it('MAC commands on FPort 0 are handled like FOpts and answered', () => {
    const h = new DeviceHarness(abpConfig({ enforceDutyCycle: false }));
    h.abpSession();
    h.start();
    const up = h.sendUplink(1, Uint8Array.of(1));
    h.downlink(up, { fPort: 0, mac: [{ name: 'DevStatusReq' }, { name: 'DutyCycleReq', maxDutyCycle: 0 }] });
    h.advance(3000);
    expect(h.openUplink(h.sendUplink(1, Uint8Array.of(2))).mac.map((m) => m.name)).toEqual([
      'DevStatusAns',
      'DutyCycleAns',
    ]);
  });

  it('answers that do not fit FOpts go alone on FPort 0, and the application payload follows', () => {
    const h = new DeviceHarness(abpConfig({ enforceDutyCycle: false }));
    h.abpSession();
    h.start();
    const up = h.sendUplink(1, Uint8Array.of(1));
    h.downlink(up, { fPort: 0, mac: Array.from({ length: 8 }, () => ({ name: 'DevStatusReq' as const })) });
    h.advance(3000);
    const macOnly = h.sendUplink(1, Uint8Array.of(2));
    const opened = h.openUplink(macOnly);
    expect(opened.frame.fPort).toBe(0);
    expect(opened.mac).toHaveLength(8);
    const app = h.waitForTx('data');
    expect(h.openUplink(app).frmPayload).toEqual(Uint8Array.of(2));
  });

  it('a sticky answer that is never acknowledged is recorded against the network', () => {
    const h = new DeviceHarness(abpConfig({ enforceDutyCycle: false }));
    h.abpSession();
    h.start();
    const up = h.sendUplink(1, Uint8Array.of(1));
    h.downlink(up, { mac: [{ name: 'RXTimingSetupReq', del: 1 }] });
    h.advance(3000);
    for (let i = 0; i < 9; i++) {
      h.sendUplink(1, Uint8Array.of(i));
      h.advance(3000);
    }
    expect(h.device.violations['sticky-answer-unacknowledged']).toBe(1);
    // Every uplink after the downlink carried the answer (the device sends one of its own for it
    // too); all but the first of them repeated it.
    const carrying = h.device.counters.uplinks - 1;
    expect(carrying).toBeGreaterThanOrEqual(9);
    expect(h.device.counters.stickyRepeats).toBe(carrying - 1);
  });

  it('LinkCheckReq and DeviceTimeReq can be scheduled and their answers are recorded', () => {
    const h = new DeviceHarness(
      abpConfig({ enforceDutyCycle: false, linkCheckEvery: 2, deviceTimeEvery: 3 }),
    );
    h.abpSession();
    h.start();
    const macs: string[][] = [];
    for (let i = 0; i < 6; i++) {
      const up = h.sendUplink(1, Uint8Array.of(i));
      macs.push(h.openUplink(up).mac.map((m) => m.name));
      if (i === 1)
        h.downlink(up, {
          mac: [
            { name: 'LinkCheckAns', margin: 12, gwCnt: 3 },
            { name: 'DeviceTimeAns', gpsEpochSeconds: 1_400_000_000, fractionalSecondUnits: 128 },
          ],
        });
      h.advance(3000);
    }
    expect(macs).toEqual([
      [],
      ['LinkCheckReq'],
      ['DeviceTimeReq'],
      ['LinkCheckReq'],
      [],
      ['LinkCheckReq', 'DeviceTimeReq'],
    ]);
    expect(h.device.lastLinkCheck).toEqual({ margin: 12, gwCnt: 3 });
    // The time is that of the end of the uplink that asked (LoRaWAN 1.0.4 §5.9).
    expect(h.device.lastDeviceTime).toMatchObject({
      gpsEpochSeconds: 1_400_000_000,
      fractionalSecondUnits: 128,
    });
    expect(h.device.lastDeviceTime!.atUs).toBeGreaterThan(0);
  });

  it('1.1 ABP sends ResetInd until ResetConf', () => {
    const h = new DeviceHarness(abpConfig({ version: '1.1', enforceDutyCycle: false }));
    h.abpSession();
    h.start();
    const up = h.sendUplink(1, Uint8Array.of(1));
    expect(h.openUplink(up).mac).toEqual([{ name: 'ResetInd', minorVersion: 1 }]);
    h.downlink(up, { mac: [{ name: 'ResetConf', minorVersion: 1 }] });
    h.advance(3000);
    expect(h.openUplink(h.sendUplink(1, Uint8Array.of(2))).mac).toEqual([]);
  });

  it('ForceRejoinReq (1.1) makes the device send type 0 Rejoin-requests; a rejoin accept gives a new session', () => {
    const h = new DeviceHarness(otaaConfig({ version: '1.1', enforceDutyCycle: false })).start();
    h.acceptJoin({ optNeg: true });
    h.advance(6000);
    const up = h.sendUplink(1, Uint8Array.of(1));
    h.downlink(up, {
      mac: [
        { name: 'RekeyConf', minorVersion: 1 },
        { name: 'ForceRejoinReq', period: 0, maxRetries: 1, rejoinType: 0, dataRate: 5 },
      ],
    });
    const rj = h.waitForTx('rejoin', 10_000);
    expect(rj.dataRate).toBe(5);
    expect(h.eventsOf('rejoin')[0]).toMatchObject({ rejoinType: 0, rjCount: 0 });
    expect(h.device.counters.rejoinRequests).toBe(1);
  });
});

describe('ResetInd and NFCntDown (LoRaWAN 1.1 §4.3.1.5, tts-api.md Part 4)', () => {
  it('refuses an NFCntDown used again after ResetConf, and names it as such', () => {
    const h = new DeviceHarness(abpConfig({ enforceDutyCycle: false, version: '1.1' }));
    h.abpSession();
    h.start();
    const up = h.sendUplink(1, Uint8Array.of(1));
    h.downlink(up, { fPort: 0, mac: [{ name: 'ResetConf', minorVersion: 1 }], fCnt: 0 });
    h.advance(3000);
    const up2 = h.sendUplink(1, Uint8Array.of(2));
    h.downlink(up2, { fPort: 0, mac: [{ name: 'DevStatusReq' }], fCnt: 0 });
    h.advance(3000);
    expect(h.device.violations['fcnt-replay']).toBe(1);
    expect(h.device.recentViolations.at(-1)!.detail).toMatch(
      /NFCntDown 0 used again after ResetInd\/ResetConf/,
    );
  });
});
