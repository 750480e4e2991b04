// CN470-510 — RP002-1.0.4 as encoded by The Things Stack (lorawan-stack@1d218216,
// pkg/band/testdata), cross-checked with LoRaMac-node (Region*.c); see test/fixtures/regional-data.json.
// The RP001 96-channel plan The Things Stack's CN_470_510 band and frequency plans use: uplink
// 470.3 MHz + n × 200 kHz (96 channels), RX1 on 500.3 MHz + (uplink channel mod 48) × 200 kHz.

import { COMMON, channelRange, lora, subtractiveRx1, type Region } from './types.js';

export const CN470 = {
  id: 'CN470',
  name: 'CN470-510',
  bandId: 'CN_470_510',
  dataRates: [
    lora(12, 125, 59), // DR0
    lora(11, 125, 59), // DR1
    lora(10, 125, 59), // DR2
    lora(9, 125, 123), // DR3
    lora(8, 125, 250), // DR4
    lora(7, 125, 250), // DR5
  ],
  defaultChannels: channelRange(470_300_000, 200_000, 96, 0, 5),
  joinChannels: Array.from({ length: 96 }, (_, i) => i),
  maxChannels: 96,
  channelPlan: 'fixed-96',
  downlinkChannels: channelRange(500_300_000, 200_000, 48, 0, 5),
  rx1DataRate: subtractiveRx1(6, 6),
  rx2: { frequency: 505300000, dataRate: 0 },
  ...COMMON,
  maxEirp: 19.15,
  txPowerOffsets: [0, -2, -4, -6, -8, -10, -12, -14],
  subBands: [{ minFrequency: 470000000, maxFrequency: 510000000, dutyCycle: 1, maxEirp: 19.15 }],
  dwellTime: { uplink: false, downlink: false },
  txParamSetupReq: false,
  cfListType: 'channel-mask',
  maxAdrDataRate: 5,
  defaultDataRate: 0,
  beacon: {
    dataRate: 2,
    frequencies: [508300000, 508500000, 508700000, 508900000, 509100000, 509300000, 509500000, 509700000],
  },
  pingSlotFrequencies: [
    508300000, 508500000, 508700000, 508900000, 509100000, 509300000, 509500000, 509700000,
  ],
} as const satisfies Region;
