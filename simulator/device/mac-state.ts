import { defaultChannelTable, type ChannelTable } from '../region/channels.js';
import type { Channel } from '../region/types.js';
import type { Region } from '../region/types.js';

/** The radio and MAC parameters a device runs with; MAC commands change them. */
export interface MacState {
  dataRate: number;
  txPower: number;
  nbTrans: number;
  /** dBm; TxParamSetupReq may lower it. */
  maxEirp: number;
  uplinkDwell: boolean;
  downlinkDwell: boolean;
  channels: ChannelTable;
  /** DlChannelReq: RX1 frequency per uplink channel, where it differs from the uplink frequency. */
  /** Replaced, never changed (a fresh device shares one empty list). */
  rx1Frequencies: readonly (number | undefined)[];
  /** Seconds. */
  rx1Delay: number;
  rx1DrOffset: number;
  rx2DataRate: number;
  rx2Frequency: number;
  adr: boolean;
  adrAckLimit: number;
  adrAckDelay: number;
  /** Uplinks since the last downlink (ADR_ACK_CNT). */
  adrAckCnt: number;
  /** DutyCycleReq MaxDCycle: aggregated limit 1/2^n (0 = none). */
  maxDutyCycle: number;
  rejoinMaxTimeN: number;
  rejoinMaxCountN: number;
  /** Class B ping slots where PingSlotChannelReq moved them (default: the region's). */
  pingSlotFrequency?: number;
  pingSlotDataRate?: number;
  /** Class B: where BeaconFreqReq moved the beacon (default: the region's beacon channels). */
  beaconFrequency?: number;
}

const NO_RX1_FREQUENCIES: readonly (number | undefined)[] = Object.freeze([]);

/** The MAC state's fields that most devices keep at their region's defaults for a whole run. */
const RARE_MAC = [
  'maxEirp',
  'uplinkDwell',
  'downlinkDwell',
  'rx1Frequencies',
  'adrAckLimit',
  'adrAckDelay',
  'maxDutyCycle',
  'rejoinMaxTimeN',
  'rejoinMaxCountN',
  'pingSlotFrequency',
  'pingSlotDataRate',
  'beaconFrequency',
] as const satisfies readonly (keyof MacState)[];

type RareMac = Pick<MacState, (typeof RARE_MAC)[number]>;

/** A region's defaults of the rare fields, one frozen record shared by its devices. */
const rareDefaults = new WeakMap<Region, Readonly<RareMac>>();

function rareDefaultsOf(region: Region): Readonly<RareMac> {
  let d = rareDefaults.get(region);
  if (d === undefined) {
    d = Object.freeze({
      maxEirp: region.maxEirp,
      uplinkDwell: region.dwellTime.uplink,
      downlinkDwell: region.dwellTime.downlink,
      rx1Frequencies: NO_RX1_FREQUENCIES,
      adrAckLimit: region.adrAckLimit,
      adrAckDelay: region.adrAckDelay,
      maxDutyCycle: 0,
      rejoinMaxTimeN: 15,
      rejoinMaxCountN: 15,
      pingSlotFrequency: undefined,
      pingSlotDataRate: undefined,
      beaconFrequency: undefined,
    });
    rareDefaults.set(region, d);
  }
  return d;
}

/**
 * A device's MAC state: what MAC commands change on every device (data rate, power, windows, ADR
 * counter) as fields; the rest read through accessors from its region's shared defaults until a
 * command changes one, when the device gets a record of its own (~64 bytes fewer an idle device).
 */
class DeviceMac {
  channels: ChannelTable;
  rx1Delay: number;
  rx1DrOffset = 0;
  rx2DataRate: number;
  rx2Frequency: number;
  adrAckCnt = 0;
  /** Frozen: the region's shared defaults; unfrozen: this device's own. */
  private rare: RareMac;

  constructor(
    region: Region,
    public dataRate: number,
    public txPower: number,
    public nbTrans: number,
    public adr: boolean,
  ) {
    this.channels = defaultChannelTable(region);
    this.rx1Delay = region.receiveDelay1 / 1000;
    this.rx2DataRate = region.rx2.dataRate;
    this.rx2Frequency = region.rx2.frequency;
    this.rare = rareDefaultsOf(region);
  }
}

Object.defineProperties(
  DeviceMac.prototype,
  Object.fromEntries(
    RARE_MAC.map((k): [string, PropertyDescriptor] => [
      k,
      {
        enumerable: true,
        get(this: { rare: RareMac }): unknown {
          return this.rare[k];
        },
        set(this: { rare: RareMac }, v: never): void {
          if (this.rare[k] === v) return; // a restore writes every field: the same value shares on
          if (Object.isFrozen(this.rare)) this.rare = { ...this.rare };
          this.rare[k] = v;
        },
      },
    ]),
  ),
);

export function initialMacState(
  region: Region,
  o: { dataRate?: number; txPower?: number; adr?: boolean; nbTrans?: number },
): MacState {
  return new DeviceMac(
    region,
    o.dataRate ?? region.defaultDataRate,
    o.txPower ?? 0,
    o.nbTrans ?? 1,
    o.adr ?? true,
  ) as unknown as MacState;
}

/**
 * What a device keeps of its MAC state with its session, as LoRaMac-node's NVM does: the channels,
 * receive windows, TX power, NbTrans and ADR state it accepted through MAC commands. A network keeps
 * the same across a device's reboot (tts-api.md Part 4): a device that forgot its NewChannelReq
 * channels would refuse every LinkADRReq that uses them.
 */
export interface PersistedMac {
  /** By index: [Hz, minDr, maxDr], or null where no channel is defined. */
  channels: ([number, number, number] | null)[];
  enabled: boolean[];
  rx1Frequencies: (number | null)[];
  dataRate: number;
  txPower: number;
  nbTrans: number;
  maxEirp: number;
  uplinkDwell: boolean;
  downlinkDwell: boolean;
  rx1Delay: number;
  rx1DrOffset: number;
  rx2DataRate: number;
  rx2Frequency: number;
  adr: boolean;
  adrAckCnt: number;
  maxDutyCycle: number;
  rejoinMaxTimeN: number;
  rejoinMaxCountN: number;
}

/**
 * The persisted form of a channel table and an RX1 frequency list, made once per list: both are
 * replaced, never changed, so every device still on its region's default table shares one snapshot.
 */
const tableSnapshots = new WeakMap<ChannelTable, Pick<PersistedMac, 'channels' | 'enabled'>>();
const rx1Snapshots = new WeakMap<readonly (number | undefined)[], PersistedMac['rx1Frequencies']>();

/**
 * Snapshots already made, by everything they hold: a fleet's devices mostly share one MAC state
 * (their region's defaults, the same ADR step), and a store keeps each device's snapshot — one
 * frozen object for all of them, not one each. Bounded: past 4,096 kinds it starts over.
 */
const snapshots = new Map<string, PersistedMac>();
const listIds = new WeakMap<object, number>();
let nextListId = 1;
const listId = (list: object): number => {
  let id = listIds.get(list);
  if (id === undefined) listIds.set(list, (id = nextListId++));
  return id;
};

export function macSnapshot(m: MacState): PersistedMac {
  const key = [
    listId(m.channels),
    listId(m.rx1Frequencies),
    m.dataRate,
    m.txPower,
    m.nbTrans,
    m.maxEirp,
    m.uplinkDwell,
    m.downlinkDwell,
    m.rx1Delay,
    m.rx1DrOffset,
    m.rx2DataRate,
    m.rx2Frequency,
    m.adr,
    m.adrAckCnt,
    m.maxDutyCycle,
    m.rejoinMaxTimeN,
    m.rejoinMaxCountN,
  ].join();
  let snapshot = snapshots.get(key);
  if (snapshot === undefined) {
    if (snapshots.size >= 4096) snapshots.clear();
    snapshot = Object.freeze(makeSnapshot(m)) as PersistedMac;
    snapshots.set(key, snapshot);
  }
  return snapshot;
}

function makeSnapshot(m: MacState): PersistedMac {
  let table = tableSnapshots.get(m.channels);
  if (table === undefined) {
    table = {
      channels: Object.freeze(
        m.channels.channels.map((c) => (c ? Object.freeze([c.frequency, c.minDr, c.maxDr]) : null)),
      ) as PersistedMac['channels'],
      enabled: Object.freeze([...m.channels.enabled]) as boolean[],
    };
    tableSnapshots.set(m.channels, table);
  }
  let rx1 = rx1Snapshots.get(m.rx1Frequencies);
  if (rx1 === undefined) {
    rx1 = Object.freeze(m.rx1Frequencies.map((f) => f ?? null)) as PersistedMac['rx1Frequencies'];
    rx1Snapshots.set(m.rx1Frequencies, rx1);
  }
  return {
    channels: table.channels,
    enabled: table.enabled,
    rx1Frequencies: rx1,
    dataRate: m.dataRate,
    txPower: m.txPower,
    nbTrans: m.nbTrans,
    maxEirp: m.maxEirp,
    uplinkDwell: m.uplinkDwell,
    downlinkDwell: m.downlinkDwell,
    rx1Delay: m.rx1Delay,
    rx1DrOffset: m.rx1DrOffset,
    rx2DataRate: m.rx2DataRate,
    rx2Frequency: m.rx2Frequency,
    adr: m.adr,
    adrAckCnt: m.adrAckCnt,
    maxDutyCycle: m.maxDutyCycle,
    rejoinMaxTimeN: m.rejoinMaxTimeN,
    rejoinMaxCountN: m.rejoinMaxCountN,
  };
}

/** Puts a snapshot back into a device's MAC state (a reboot with NVM). */
export function restoreMac(m: MacState, p: PersistedMac): void {
  const channels: (Channel | undefined)[] = p.channels.map((c) =>
    c ? { frequency: c[0], minDr: c[1], maxDr: c[2] } : undefined,
  );
  m.channels = { channels, enabled: [...p.enabled] };
  m.rx1Frequencies = p.rx1Frequencies.map((f) => f ?? undefined);
  m.dataRate = p.dataRate;
  m.txPower = p.txPower;
  m.nbTrans = p.nbTrans;
  m.maxEirp = p.maxEirp;
  m.uplinkDwell = p.uplinkDwell;
  m.downlinkDwell = p.downlinkDwell;
  m.rx1Delay = p.rx1Delay;
  m.rx1DrOffset = p.rx1DrOffset;
  m.rx2DataRate = p.rx2DataRate;
  m.rx2Frequency = p.rx2Frequency;
  m.adr = p.adr;
  m.adrAckCnt = p.adrAckCnt;
  m.maxDutyCycle = p.maxDutyCycle;
  m.rejoinMaxTimeN = p.rejoinMaxTimeN;
  m.rejoinMaxCountN = p.rejoinMaxCountN;
}
