// KR920-923 — RP002-1.0.4 as encoded by The Things Stack (lorawan-stack@1d218216,
// pkg/band/testdata), cross-checked with LoRaMac-node (Region*.c); see test/fixtures/regional-data.json.
// Devices must listen before talk (LoRaMac-node KR920_CARRIER_SENSE_TIME, KR920_RSSI_FREE_TH).

import { COMMON, lora, subtractiveRx1, type Region } from './types.js';

export const KR920 = {
  id: 'KR920',
  name: 'KR920-923',
  bandId: 'KR_920_923',
  dataRates: [
    lora(12, 125, 59), // DR0
    lora(11, 125, 59), // DR1
    lora(10, 125, 59), // DR2
    lora(9, 125, 123), // DR3
    lora(8, 125, 250), // DR4
    lora(7, 125, 250), // DR5
  ],
  defaultChannels: [
    { frequency: 922100000, minDr: 0, maxDr: 5 },
    { frequency: 922300000, minDr: 0, maxDr: 5 },
    { frequency: 922500000, minDr: 0, maxDr: 5 },
  ],
  joinChannels: [0, 1, 2],
  maxChannels: 16,
  channelPlan: 'dynamic',
  rx1DataRate: subtractiveRx1(6, 6),
  rx2: { frequency: 921900000, dataRate: 0 },
  ...COMMON,
  maxEirp: 14,
  txPowerOffsets: [0, -2, -4, -6, -8, -10, -12, -14],
  subBands: [{ minFrequency: 920000000, maxFrequency: 923000000, dutyCycle: 1, maxEirp: 16.15 }],
  dwellTime: { uplink: false, downlink: false },
  txParamSetupReq: false,
  cfListType: 'frequencies',
  maxAdrDataRate: 5,
  defaultDataRate: 0,
  beacon: { dataRate: 3, frequencies: [923100000] },
  pingSlotFrequencies: [923100000],
  lbt: { rssiThreshold: -65, carrierSenseMs: 6 },
} as const satisfies Region;
