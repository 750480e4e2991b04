// IN865-867 — RP002-1.0.4 as encoded by The Things Stack (lorawan-stack@1d218216,
// pkg/band/testdata), cross-checked with LoRaMac-node (Region*.c); see test/fixtures/regional-data.json.
// RX1 data rates follow LoRaMac-node (EffectiveRx1DrOffsetIN865), which never selects the RFU DR6
// where The Things Stack's table does: a device cannot receive on an undefined data rate.

import { COMMON, fsk, lora, type Region } from './types.js';

export const IN865 = {
  id: 'IN865',
  name: 'IN865-867',
  bandId: 'IN_865_867',
  dataRates: [
    lora(12, 125, 59), // DR0
    lora(11, 125, 59), // DR1
    lora(10, 125, 59), // DR2
    lora(9, 125, 123), // DR3
    lora(8, 125, 250), // DR4
    lora(7, 125, 250), // DR5
    undefined, // DR6
    fsk(50000, 250), // DR7
  ],
  defaultChannels: [
    { frequency: 865062500, minDr: 0, maxDr: 5 },
    { frequency: 865402500, minDr: 0, maxDr: 5 },
    { frequency: 865985000, minDr: 0, maxDr: 5 },
  ],
  joinChannels: [0, 1, 2],
  maxChannels: 16,
  channelPlan: 'dynamic',
  rx1DataRate: [
    [0, 0, 0, 0, 0, 0, 1, 2], // DR0
    [1, 0, 0, 0, 0, 0, 2, 3], // DR1
    [2, 1, 0, 0, 0, 0, 3, 4], // DR2
    [3, 2, 1, 0, 0, 0, 4, 5], // DR3
    [4, 3, 2, 1, 0, 0, 5, 5], // DR4: offset 7 → DR5 (TTS: the RFU DR6)
    [5, 4, 3, 2, 1, 0, 5, 7], // DR5: offset 6 → DR5 (TTS: DR6)
    [], // DR6 (RFU)
    [7, 5, 5, 4, 3, 2, 7, 7], // DR7: offsets 1/2 → DR5 (TTS: DR6/DR5)
  ],
  rx2: { frequency: 866550000, dataRate: 2 },
  ...COMMON,
  maxEirp: 30,
  txPowerOffsets: [0, -2, -4, -6, -8, -10, -12, -14, -16, -18, -20],
  subBands: [{ minFrequency: 865000000, maxFrequency: 867000000, dutyCycle: 1, maxEirp: 16.15 }],
  dwellTime: { uplink: false, downlink: false },
  txParamSetupReq: false,
  cfListType: 'frequencies',
  maxAdrDataRate: 5,
  defaultDataRate: 0,
  beacon: { dataRate: 4, frequencies: [866500000] },
  pingSlotFrequencies: [866500000],
} as const satisfies Region;
