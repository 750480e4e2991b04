import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { RegionError } from './errors.js';
import { region as regionByName } from './index.js';
import type { Region } from './types.js';

/**
 * A frequency plan as The Things Stack names it (`frequency_plan_id`): the region it belongs to, the
 * uplink channels a network enables on top of the band's defaults, RX2, and the gateway TX range.
 * Loaded from the TTS plan files shipped in ./frequency-plans (Apache 2.0, see its README).
 */
export interface FrequencyPlan {
  id: string;
  name: string;
  region: Region;
  /** Uplink channels of the plan, in order (TTS's channel index order). */
  uplinkChannels: { frequency: number; minDr: number; maxDr: number }[];
  /** The extra 500 kHz / LoRa standard channel, if any. */
  loraStandardChannel?: { frequency: number; dataRate: number };
  rx2DataRate: number;
  rx2Frequency: number;
  /** Gateway radio TX range, Hz. */
  txRange?: [number, number];
  uplinkDwellTime?: boolean;
}

interface RawPlan {
  'band-id'?: string;
  'uplink-channels'?: { frequency: number; 'min-data-rate': number; 'max-data-rate': number }[];
  'lora-standard-channel'?: { frequency: number; 'data-rate': number };
  'rx2-channel'?: { frequency: number; 'data-rate'?: number };
  'rx2-default-data-rate'?: number;
  radios?: { tx?: { 'min-frequency': number; 'max-frequency': number } }[];
  'dwell-time'?: { uplinks?: boolean };
}

interface IndexEntry {
  id: string;
  'band-id': string;
  name: string;
  'base-id'?: string;
  file: string;
}

const dir = new URL('./frequency-plans/', import.meta.url);
let index: Map<string, IndexEntry> | undefined;
const cache = new Map<string, FrequencyPlan>();

function loadIndex(): Map<string, IndexEntry> {
  index ??= new Map(
    (parse(readFileSync(new URL('frequency-plans.yml', dir), 'utf8')) as IndexEntry[]).map((e) => [e.id, e]),
  );
  return index;
}

function raw(id: string): RawPlan {
  const e = loadIndex().get(id)!;
  const own = parse(readFileSync(new URL(e.file, dir), 'utf8')) as RawPlan;
  return e['base-id'] ? { ...raw(e['base-id']), ...own } : own;
}

export function frequencyPlanIds(): string[] {
  return [...loadIndex().keys()];
}

/** The plan with a TTS id, e.g. "EU_863_870_TTN" or "US_902_928_FSB_2". */
export function frequencyPlan(id: string): FrequencyPlan {
  const cached = cache.get(id);
  if (cached) return cached;
  const e = loadIndex().get(id);
  if (e === undefined)
    throw new RegionError(
      'frequency_plan_id',
      id,
      'a frequency plan id of The Things Stack (e.g. EU_863_870_TTN)',
    );
  const r = raw(id);
  const region = regionByName(e['band-id']);
  const tx = r.radios?.find((x) => x.tx !== undefined)?.tx;
  const plan: FrequencyPlan = {
    id,
    name: e.name,
    region,
    uplinkChannels: (r['uplink-channels'] ?? []).map((c) => ({
      frequency: c.frequency,
      minDr: c['min-data-rate'],
      maxDr: c['max-data-rate'],
    })),
    ...(r['lora-standard-channel']
      ? {
          loraStandardChannel: {
            frequency: r['lora-standard-channel'].frequency,
            dataRate: r['lora-standard-channel']['data-rate'],
          },
        }
      : {}),
    rx2DataRate: r['rx2-channel']?.['data-rate'] ?? r['rx2-default-data-rate'] ?? region.rx2.dataRate,
    rx2Frequency: r['rx2-channel']?.frequency ?? region.rx2.frequency,
    ...(tx ? { txRange: [tx['min-frequency'], tx['max-frequency']] as [number, number] } : {}),
    ...(r['dwell-time']?.uplinks !== undefined ? { uplinkDwellTime: r['dwell-time'].uplinks } : {}),
  };
  cache.set(id, plan);
  return plan;
}
