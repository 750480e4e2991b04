// EU863-870 — RP002-1.0.4 as encoded by The Things Stack (lorawan-stack@1d218216,
// pkg/band/testdata), cross-checked with LoRaMac-node (Region*.c); see test/fixtures/regional-data.json.

import { COMMON, fsk, lora, lrFhss, subtractiveRx1, type Region } from './types.js';

export const EU868 = {
  id: 'EU868',
  name: 'EU863-870',
  bandId: 'EU_863_870',
  dataRates: [
    lora(12, 125, 59), // DR0
    lora(11, 125, 59), // DR1
    lora(10, 125, 59), // DR2
    lora(9, 125, 123), // DR3
    lora(8, 125, 250), // DR4
    lora(7, 125, 250), // DR5
    lora(7, 250, 250), // DR6
    fsk(50000, 250), // DR7
    lrFhss(137, '1/3', 58), // DR8
    lrFhss(137, '2/3', 123), // DR9
    lrFhss(336, '1/3', 58), // DR10
    lrFhss(336, '2/3', 123), // DR11
  ],
  defaultChannels: [
    { frequency: 868100000, minDr: 0, maxDr: 5 },
    { frequency: 868300000, minDr: 0, maxDr: 5 },
    { frequency: 868500000, minDr: 0, maxDr: 5 },
  ],
  joinChannels: [0, 1, 2],
  maxChannels: 16,
  channelPlan: 'dynamic',
  rx1DataRate: [
    ...subtractiveRx1(8, 6),
    [1, 0, 0, 0, 0, 0], // DR8
    [2, 1, 0, 0, 0, 0], // DR9
    [1, 0, 0, 0, 0, 0], // DR10
    [2, 1, 0, 0, 0, 0], // DR11
  ],
  rx2: { frequency: 869525000, dataRate: 0 },
  ...COMMON,
  maxEirp: 16,
  txPowerOffsets: [0, -2, -4, -6, -8, -10, -12, -14],
  subBands: [
    { minFrequency: 863000000, maxFrequency: 865000000, dutyCycle: 0.001, maxEirp: 16.15 },
    { minFrequency: 865000000, maxFrequency: 868000000, dutyCycle: 0.01, maxEirp: 16.15 },
    { minFrequency: 868000000, maxFrequency: 868600000, dutyCycle: 0.01, maxEirp: 16.15 },
    { minFrequency: 868700000, maxFrequency: 869200000, dutyCycle: 0.001, maxEirp: 16.15 },
    { minFrequency: 869400000, maxFrequency: 869650000, dutyCycle: 0.1, maxEirp: 29.15 },
    { minFrequency: 869700000, maxFrequency: 870000000, dutyCycle: 0.01, maxEirp: 16.15 },
  ],
  dwellTime: { uplink: false, downlink: false },
  txParamSetupReq: false,
  cfListType: 'frequencies',
  maxAdrDataRate: 5,
  defaultDataRate: 0,
  beacon: { dataRate: 3, frequencies: [869525000] },
  pingSlotFrequencies: [869525000],
} as const satisfies Region;
