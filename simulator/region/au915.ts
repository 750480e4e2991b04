// AU915-928 — RP002-1.0.4 as encoded by The Things Stack (lorawan-stack@1d218216,
// pkg/band/testdata), cross-checked with LoRaMac-node (Region*.c); see test/fixtures/regional-data.json.
// Fixed plan: 64 × 125 kHz (915.2 MHz + n × 200 kHz, DR0–5) and 8 × 500 kHz (915.9 MHz + n × 1.6 MHz, DR6–7);
// RX1 on 923.3 MHz + (uplink channel mod 8) × 600 kHz. Data rates as renumbered in RP 1.0.2revB.

import { COMMON, channelRange, lora, lrFhss, type Region } from './types.js';

export const AU915 = {
  id: 'AU915',
  name: 'AU915-928',
  bandId: 'AU_915_928',
  dataRates: [
    lora(12, 125, 59, null), // DR0
    lora(11, 125, 59, null), // DR1
    lora(10, 125, 59, 19), // DR2
    lora(9, 125, 123, 61), // DR3
    lora(8, 125, 250, 133), // DR4
    lora(7, 125, 250), // DR5
    lora(8, 500, 250), // DR6
    lrFhss(1523, '1/3', 58), // DR7
    lora(12, 500, 61), // DR8
    lora(11, 500, 137), // DR9
    lora(10, 500, 250), // DR10
    lora(9, 500, 250), // DR11
    lora(8, 500, 250), // DR12
    lora(7, 500, 250), // DR13
  ],
  defaultChannels: [
    ...channelRange(915_200_000, 200_000, 64, 0, 5),
    ...channelRange(915_900_000, 1_600_000, 8, 6, 7),
  ],
  joinChannels: Array.from({ length: 72 }, (_, i) => i),
  maxChannels: 72,
  channelPlan: 'fixed-72',
  downlinkChannels: channelRange(923_300_000, 600_000, 8, 8, 13),
  rx1DataRate: [
    [8, 8, 8, 8, 8, 8], // DR0
    [9, 8, 8, 8, 8, 8], // DR1
    [10, 9, 8, 8, 8, 8], // DR2
    [11, 10, 9, 8, 8, 8], // DR3
    [12, 11, 10, 9, 8, 8], // DR4
    [13, 12, 11, 10, 9, 8], // DR5
    [13, 13, 12, 11, 10, 9], // DR6
    [9, 8, 8, 8, 8, 8], // DR7
  ],
  rx2: { frequency: 923300000, dataRate: 8 },
  ...COMMON,
  maxEirp: 30,
  txPowerOffsets: [0, -2, -4, -6, -8, -10, -12, -14, -16, -18, -20, -22, -24, -26, -28],
  subBands: [{ minFrequency: 915000000, maxFrequency: 928000000, dutyCycle: 1, maxEirp: 30 }],
  dwellTime: { uplink: true, downlink: false },
  txParamSetupReq: true,
  cfListType: 'channel-mask',
  maxAdrDataRate: 5,
  defaultDataRate: 2,
  beacon: {
    dataRate: 8,
    frequencies: [923300000, 923900000, 924500000, 925100000, 925700000, 926300000, 926900000, 927500000],
  },
  pingSlotFrequencies: [
    923300000, 923900000, 924500000, 925100000, 925700000, 926300000, 926900000, 927500000,
  ],
} as const satisfies Region;
