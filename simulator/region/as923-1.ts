// AS923-1 — RP002-1.0.4 as encoded by The Things Stack (lorawan-stack@1d218216,
// pkg/band/testdata), cross-checked with LoRaMac-node (Region*.c); see test/fixtures/regional-data.json.
// Uplink dwell time is on at boot, as LoRaMac-node starts (AS923_DEFAULT_UPLINK_DWELL_TIME 1);
// The Things Stack leaves it unknown. DR2 is the lowest data rate usable under dwell time.

import { COMMON, fsk, lora, type Region } from './types.js';

export const AS923_1 = {
  id: 'AS923-1',
  name: 'AS923-1',
  bandId: 'AS_923',
  dataRates: [
    lora(12, 125, 59, null), // DR0
    lora(11, 125, 59, null), // DR1
    lora(10, 125, 123, 19), // DR2
    lora(9, 125, 123, 61), // DR3
    lora(8, 125, 250, 133), // DR4
    lora(7, 125, 250), // DR5
    lora(7, 250, 250), // DR6
    fsk(50000, 250), // DR7
  ],
  defaultChannels: [
    { frequency: 923200000, minDr: 0, maxDr: 5 },
    { frequency: 923400000, minDr: 0, maxDr: 5 },
  ],
  joinChannels: [0, 1],
  maxChannels: 16,
  channelPlan: 'dynamic',
  rx1DataRate: [
    [0, 0, 0, 0, 0, 0, 1, 2], // DR0
    [1, 0, 0, 0, 0, 0, 2, 3], // DR1
    [2, 1, 0, 0, 0, 0, 3, 4], // DR2
    [3, 2, 1, 0, 0, 0, 4, 5], // DR3
    [4, 3, 2, 1, 0, 0, 5, 6], // DR4
    [5, 4, 3, 2, 1, 0, 6, 7], // DR5
    [6, 5, 4, 3, 2, 1, 7, 7], // DR6
    [7, 6, 5, 4, 3, 2, 7, 7], // DR7
    [7, 7, 6, 5, 4, 3, 7, 7], // DR8
    [7, 7, 7, 6, 5, 4, 7, 7], // DR9
    [7, 7, 7, 7, 6, 5, 7, 7], // DR10
    [7, 7, 7, 7, 7, 6, 7, 7], // DR11
    [7, 7, 7, 7, 7, 7, 7, 7], // DR12
    [7, 7, 7, 7, 7, 7, 7, 7], // DR13
    [7, 7, 7, 7, 7, 7, 7, 7], // DR14
    [7, 7, 7, 7, 7, 7, 7, 7], // DR15
  ],
  rx1DataRateDwell: [
    [2, 2, 2, 2, 2, 2, 2, 2], // DR0
    [2, 2, 2, 2, 2, 2, 2, 3], // DR1
    [2, 2, 2, 2, 2, 2, 3, 4], // DR2
    [3, 2, 2, 2, 2, 2, 4, 5], // DR3
    [4, 3, 2, 2, 2, 2, 5, 6], // DR4
    [5, 4, 3, 2, 2, 2, 6, 7], // DR5
    [6, 5, 4, 3, 2, 2, 7, 7], // DR6
    [7, 6, 5, 4, 3, 2, 7, 7], // DR7
    [7, 7, 6, 5, 4, 3, 7, 7], // DR8
    [7, 7, 7, 6, 5, 4, 7, 7], // DR9
    [7, 7, 7, 7, 6, 5, 7, 7], // DR10
    [7, 7, 7, 7, 7, 6, 7, 7], // DR11
    [7, 7, 7, 7, 7, 7, 7, 7], // DR12
    [7, 7, 7, 7, 7, 7, 7, 7], // DR13
    [7, 7, 7, 7, 7, 7, 7, 7], // DR14
    [7, 7, 7, 7, 7, 7, 7, 7], // DR15
  ],
  rx2: { frequency: 923200000, dataRate: 2 },
  ...COMMON,
  maxEirp: 16,
  txPowerOffsets: [0, -2, -4, -6, -8, -10, -12, -14],
  subBands: [{ minFrequency: 923000000, maxFrequency: 923500000, dutyCycle: 0.01, maxEirp: 16 }],
  dwellTime: { uplink: true, downlink: false },
  txParamSetupReq: true,
  cfListType: 'frequencies',
  maxAdrDataRate: 5,
  defaultDataRate: 2,
  beacon: { dataRate: 3, frequencies: [923400000] },
  pingSlotFrequencies: [923400000],
} as const satisfies Region;
