// AS923 (RP002-1.0.4) as encoded by The Things Stack (lorawan-stack@1d218216, pkg/band/testdata),
// cross-checked with LoRaMac-node (RegionAS923.c); see test/fixtures/regional-data.json.
// The four groups share every table and differ in frequencies only: AS923-2/3/4 sit 1.8, 6.6 and
// 5.9 MHz below AS923-1 (LoRaMac-node REGION_AS923_FREQ_OFFSET), each in its own 1 % sub-band.
// Uplink dwell time is on at boot, as LoRaMac-node starts (AS923_DEFAULT_UPLINK_DWELL_TIME 1);
// The Things Stack leaves it unknown. DR2 is the lowest data rate usable under dwell time.

import { COMMON, fsk, lora, subtractiveRx1, type Region, type RegionId } from './types.js';

/** Offsets 6 and 7 subtract −1 and −2. */
const raiseAbove5 = (o: number) => (o <= 5 ? o : 5 - o);

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
    // RP002 AS923: RX1DROffset 6 and 7 raise the data rate by 1 and 2; DR7 is the highest, and under
    // downlink dwell time DR2 the lowest.
    rx1DataRate: subtractiveRx1(16, 8, 0, 7, raiseAbove5),
    rx1DataRateDwell: subtractiveRx1(16, 8, 2, 7, raiseAbove5),
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
