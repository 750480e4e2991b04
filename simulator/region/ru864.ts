// RU864-870 (RP002-1.0.x). Not in the TTS snapshot lorafleet's other tables come from: the default
// channels (868.9 and 869.1 MHz, DR0–5) and RX2 (869.1 MHz, DR0) are those of The Things Stack's
// RU_864_870_TTN frequency plan (lorawan-frequency-plans@041ab05); data rates, payload sizes, RX1
// offsets and TX power steps are the EU863-870 ones, as RP002 defines them for RU864. One sub-band
// 864–870 MHz at 1 % and 16 dBm EIRP: a simplification of the Russian sub-band rules.

import { COMMON, fsk, lora, subtractiveRx1, type Region } from './types.js';

export const RU864 = {
  id: 'RU864',
  name: 'RU864-870',
  bandId: 'RU_864_870',
  dataRates: [
    lora(12, 125, 59), // DR0
    lora(11, 125, 59), // DR1
    lora(10, 125, 59), // DR2
    lora(9, 125, 123), // DR3
    lora(8, 125, 250), // DR4
    lora(7, 125, 250), // DR5
    lora(7, 250, 250), // DR6
    fsk(50000, 250), // DR7
  ],
  defaultChannels: [
    { frequency: 868900000, minDr: 0, maxDr: 5 },
    { frequency: 869100000, minDr: 0, maxDr: 5 },
  ],
  joinChannels: [0, 1],
  maxChannels: 16,
  channelPlan: 'dynamic',
  rx1DataRate: subtractiveRx1(8, 6),
  rx2: { frequency: 869100000, dataRate: 0 },
  ...COMMON,
  maxEirp: 16,
  txPowerOffsets: [0, -2, -4, -6, -8, -10, -12, -14],
  subBands: [{ minFrequency: 864000000, maxFrequency: 870000000, dutyCycle: 0.01, maxEirp: 16.15 }],
  dwellTime: { uplink: false, downlink: false },
  txParamSetupReq: false,
  cfListType: 'frequencies',
  maxAdrDataRate: 5,
  defaultDataRate: 0,
  beacon: { dataRate: 3, frequencies: [869100000] },
  pingSlotFrequencies: [868900000],
} as const satisfies Region;
