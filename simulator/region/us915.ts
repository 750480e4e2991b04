// US902-928 — RP002-1.0.4 as encoded by The Things Stack (lorawan-stack@1d218216,
// pkg/band/testdata), cross-checked with LoRaMac-node (Region*.c); see test/fixtures/regional-data.json.
// Fixed plan: 64 × 125 kHz (902.3 MHz + n × 200 kHz, DR0–3) and 8 × 500 kHz (903.0 MHz + n × 1.6 MHz, DR4–6);
// RX1 on 923.3 MHz + (uplink channel mod 8) × 600 kHz.

import { COMMON, channelRange, lora, lrFhss, type Region } from './types.js';

export const US915 = {
  id: 'US915',
  name: 'US902-928',
  bandId: 'US_902_928',
  dataRates: [
    lora(10, 125, 19), // DR0
    lora(9, 125, 61), // DR1
    lora(8, 125, 133), // DR2
    lora(7, 125, 250), // DR3
    lora(8, 500, 250), // DR4
    lrFhss(1523, '1/3', 58), // DR5
    lrFhss(1523, '2/3', 133), // DR6
    undefined, // DR7
    lora(12, 500, 61), // DR8
    lora(11, 500, 137), // DR9
    lora(10, 500, 250), // DR10
    lora(9, 500, 250), // DR11
    lora(8, 500, 250), // DR12
    lora(7, 500, 250), // DR13
  ],
  defaultChannels: [
    ...channelRange(902_300_000, 200_000, 64, 0, 3),
    ...channelRange(903_000_000, 1_600_000, 8, 4, 6),
  ],
  joinChannels: Array.from({ length: 72 }, (_, i) => i),
  maxChannels: 72,
  channelPlan: 'fixed-72',
  downlinkChannels: channelRange(923_300_000, 600_000, 8, 8, 13),
  rx1DataRate: [
    [10, 9, 8, 8], // DR0
    [11, 10, 9, 8], // DR1
    [12, 11, 10, 9], // DR2
    [13, 12, 11, 10], // DR3
    [13, 13, 12, 11], // DR4
    [10, 9, 8, 8], // DR5
    [11, 10, 9, 8], // DR6
  ],
  rx2: { frequency: 923300000, dataRate: 8 },
  ...COMMON,
  maxEirp: 30,
  txPowerOffsets: [0, -2, -4, -6, -8, -10, -12, -14, -16, -18, -20, -22, -24, -26, -28],
  subBands: [
    { minFrequency: 902300000, maxFrequency: 914900000, dutyCycle: 1, maxEirp: 23.15 },
    { minFrequency: 923300000, maxFrequency: 927500000, dutyCycle: 1, maxEirp: 28.15 },
  ],
  dwellTime: { uplink: true, downlink: false },
  txParamSetupReq: false,
  cfListType: 'channel-mask',
  maxAdrDataRate: 3,
  defaultDataRate: 0,
  beacon: {
    dataRate: 8,
    frequencies: [923300000, 923900000, 924500000, 925100000, 925700000, 926300000, 926900000, 927500000],
  },
  pingSlotFrequencies: [
    923300000, 923900000, 924500000, 925100000, 925700000, 926300000, 926900000, 927500000,
  ],
} as const satisfies Region;
