// AS923 (RP002-1.0.4) as encoded by The Things Stack (lorawan-stack@1d218216, pkg/band/testdata),
// cross-checked with LoRaMac-node (RegionAS923.c); see test/fixtures/regional-data.json.
// The four groups share every table and differ in frequencies only: AS923-2/3/4 sit 1.8, 6.6 and
// 5.9 MHz below AS923-1 (LoRaMac-node REGION_AS923_FREQ_OFFSET), each in its own 1 % sub-band.
// Uplink dwell time is on at boot, as LoRaMac-node starts (AS923_DEFAULT_UPLINK_DWELL_TIME 1);
// The Things Stack leaves it unknown. DR2 is the lowest data rate usable under dwell time.

import { COMMON, fsk, lora, type Region, type RegionId } from './types.js';

function group(id: RegionId, bandId: string, offset: number, subBand: readonly [number, number]) {
  return {
    id,
    name: id,
    bandId,
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
      { frequency: 923_200_000 - offset, minDr: 0, maxDr: 5 },
      { frequency: 923_400_000 - offset, minDr: 0, maxDr: 5 },
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
    rx2: { frequency: 923_200_000 - offset, dataRate: 2 },
    ...COMMON,
    maxEirp: 16,
    txPowerOffsets: [0, -2, -4, -6, -8, -10, -12, -14],
    subBands: [{ minFrequency: subBand[0], maxFrequency: subBand[1], dutyCycle: 0.01, maxEirp: 16 }],
    dwellTime: { uplink: true, downlink: false },
    txParamSetupReq: true,
    cfListType: 'frequencies',
    maxAdrDataRate: 5,
    defaultDataRate: 2,
    beacon: { dataRate: 3, frequencies: [923_400_000 - offset] },
    pingSlotFrequencies: [923_400_000 - offset],
  } as const satisfies Region;
}

export const AS923_1 = group('AS923-1', 'AS_923', 0, [923_000_000, 923_500_000]);
export const AS923_2 = group('AS923-2', 'AS_923_2', 1_800_000, [921_400_000, 922_000_000]);
export const AS923_3 = group('AS923-3', 'AS_923_3', 6_600_000, [916_500_000, 917_000_000]);
export const AS923_4 = group('AS923-4', 'AS_923_4', 5_900_000, [917_300_000, 917_500_000]);
