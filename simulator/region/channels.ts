import type { CFList } from '../lorawan/cflist.js';
import { RegionError } from './errors.js';
import type { Channel, DataRate, Region } from './types.js';

export function dataRate(region: Region, dr: number): DataRate {
  const d = region.dataRates[dr];
  if (d === undefined) throw new RegionError('dataRate', dr, `a data rate ${region.name} defines`);
  return d;
}

/** The data-rate index of a Semtech `datr` ("SF7BW125", or an FSK bit rate), if the region has it. */
export function dataRateIndex(region: Region, datr: string | number): number | undefined {
  const i = region.dataRates.findIndex((d) => d !== undefined && d.datr === datr);
  return i < 0 ? undefined : i;
}

/**
 * Maximum MACPayload size M at a data rate; null when the data rate may not be used under dwell time.
 * The maximum FRMPayload is M − 8 − FOpts length (RP002 §2.x "maximum payload size").
 */
export function maxMacPayload(region: Region, dr: number, dwellTime: boolean): number | null {
  const m = dataRate(region, dr).maxMacPayload;
  return dwellTime ? m.dwell : m.noDwell;
}

/** RX1 data rate for an uplink at `upDr` with RX1DROffset (RP002 RX1DROffset tables). */
export function rx1DataRate(
  region: Region,
  upDr: number,
  rx1DrOffset: number,
  downlinkDwell = false,
): number {
  const table =
    downlinkDwell && region.rx1DataRateDwell !== undefined ? region.rx1DataRateDwell : region.rx1DataRate;
  const dr = table[upDr]?.[rx1DrOffset];
  if (dr === undefined) {
    throw new RegionError(
      'RX1DROffset',
      { upDr, rx1DrOffset },
      `a valid RX1DROffset for DR${upDr} in ${region.name}`,
    );
  }
  return dr;
}

/**
 * RX1 frequency: the uplink frequency, except in fixed-plan regions where it is downlink channel
 * (uplink channel index mod the number of downlink channels), e.g. US915 923.3 MHz + (ch mod 8) × 600 kHz.
 */
export function rx1Frequency(region: Region, uplinkChannel: number, uplinkFrequency: number): number {
  const dl = region.downlinkChannels;
  if (dl === undefined) return uplinkFrequency;
  return dl[uplinkChannel % dl.length]!.frequency;
}

/** EIRP (dBm) of a TXPower index; `maxEirp` defaults to the region's and may be lowered by TxParamSetupReq. */
export function txPowerEirp(region: Region, txPower: number, maxEirp: number = region.maxEirp): number {
  const offset = region.txPowerOffsets[txPower];
  if (offset === undefined)
    throw new RegionError('TXPower', txPower, `0 to ${region.txPowerOffsets.length - 1} in ${region.name}`);
  return maxEirp + offset;
}

/**
 * A device's uplink channel table: channels by index (undefined = not defined) and which are enabled.
 * Replaced, never changed: CFList, LinkADRReq and NewChannelReq give a device a new one, so every
 * device can start from its region's one shared table (72 slots in US915: most of an idle device).
 */
export interface ChannelTable {
  readonly channels: readonly (Channel | undefined)[];
  readonly enabled: readonly boolean[];
}

const defaultTables = new WeakMap<Region, ChannelTable>();

export function defaultChannelTable(region: Region): ChannelTable {
  let t = defaultTables.get(region);
  if (t === undefined) {
    const channels = Object.freeze(
      Array.from({ length: region.maxChannels }, (_, i) => region.defaultChannels[i]),
    );
    t = Object.freeze({ channels, enabled: Object.freeze(channels.map((c) => c !== undefined)) });
    defaultTables.set(region, t);
  }
  return t;
}

/**
 * Applies a Join-accept CFList (RP002): type 0 defines channels 3… (after the default channels) with
 * the region's default DR range; type 1 replaces the channel mask of a fixed-plan region. A CFList of
 * the other type, or an RFU type, is ignored, as devices do.
 */
export function applyCFList(region: Region, table: ChannelTable, cfList: CFList): ChannelTable {
  const channels = [...table.channels];
  let enabled = [...table.enabled];
  if (cfList.type === 'frequencies' && region.cfListType === 'frequencies') {
    const first = region.defaultChannels.length;
    const { minDr, maxDr } = region.defaultChannels[0]!;
    cfList.frequencies.forEach((frequency, i) => {
      const index = first + i;
      if (index >= region.maxChannels) return;
      channels[index] = frequency === 0 ? undefined : { frequency, minDr, maxDr };
      enabled[index] = frequency !== 0;
    });
  } else if (cfList.type === 'channel-mask' && region.cfListType === 'channel-mask') {
    enabled = enabled.map(
      (_, i) => channels[i] !== undefined && ((cfList.chMasks[i >> 4] ?? 0) & (1 << (i & 15))) !== 0,
    );
  }
  return { channels, enabled };
}

export type ChMaskResult = { ok: true; enabled: boolean[] } | { ok: false; reason: string };

/**
 * One LinkADRReq's ChMask/ChMaskCntl applied to an enabled-channel mask (RP002 "LinkAdrReq command"
 * per region). A block of LinkADRReqs applies each in turn; the caller checks the end result
 * (at least one channel, all defined) with checkChannelMask.
 */
export function applyChMask(
  region: Region,
  table: ChannelTable,
  chMask: number,
  chMaskCntl: number,
): ChMaskResult {
  const enabled = [...table.enabled];
  const setBlock = (first: number, count: number) => {
    for (let b = 0; b < count; b++) enabled[first + b] = (chMask & (1 << b)) !== 0;
  };
  switch (region.channelPlan) {
    case 'dynamic':
      if (chMaskCntl === 0) setBlock(0, 16);
      else if (chMaskCntl === 6) enabled.forEach((_, i) => (enabled[i] = table.channels[i] !== undefined));
      else return { ok: false, reason: `ChMaskCntl ${chMaskCntl} is RFU in ${region.name}` };
      break;
    case 'fixed-72':
      if (chMaskCntl <= 3) setBlock(16 * chMaskCntl, 16);
      else if (chMaskCntl === 4) setBlock(64, 8);
      else if (chMaskCntl === 5) {
        // RP002: bit b switches the bank of eight 125 kHz channels 8b…8b+7 and the 500 kHz channel 64+b.
        for (let b = 0; b < 8; b++) {
          const on = (chMask & (1 << b)) !== 0;
          for (let c = 8 * b; c < 8 * b + 8; c++) enabled[c] = on;
          enabled[64 + b] = on;
        }
      } else {
        for (let c = 0; c < 64; c++) enabled[c] = chMaskCntl === 6;
        setBlock(64, 8);
      }
      break;
    case 'fixed-96':
      if (chMaskCntl <= 5) setBlock(16 * chMaskCntl, 16);
      else if (chMaskCntl === 6) enabled.fill(true);
      else return { ok: false, reason: `ChMaskCntl ${chMaskCntl} is RFU in ${region.name}` };
      break;
  }
  return { ok: true, enabled };
}

/** The end state of a LinkADRReq block is acceptable only if it enables at least one defined channel and no undefined one. */
export function checkChannelMask(table: ChannelTable, enabled: readonly boolean[]): string | undefined {
  let any = false;
  for (let i = 0; i < enabled.length; i++) {
    if (!enabled[i]) continue;
    if (table.channels[i] === undefined) return `channel ${i} is not defined`;
    any = true;
  }
  return any ? undefined : 'no channel would be enabled';
}
