import { AS923_1, AS923_2, AS923_3, AS923_4 } from './as923.js';
import { AU915 } from './au915.js';
import { CN470 } from './cn470.js';
import { RegionError } from './errors.js';
import { EU868 } from './eu868.js';
import { IN865 } from './in865.js';
import { KR920 } from './kr920.js';
import { RU864 } from './ru864.js';
import type { Region, RegionId } from './types.js';
import { US915 } from './us915.js';

export * from './types.js';
export * from './channels.js';
export * from './airtime.js';
export * from './duty-cycle.js';
export { RegionError } from './errors.js';
export { EU868, US915, AU915, AS923_1, AS923_2, AS923_3, AS923_4, IN865, KR920, CN470, RU864 };

export const REGIONS: Readonly<Record<RegionId, Region>> = {
  EU868,
  US915,
  AU915,
  'AS923-1': AS923_1,
  'AS923-2': AS923_2,
  'AS923-3': AS923_3,
  'AS923-4': AS923_4,
  IN865,
  KR920,
  CN470,
  RU864,
};

const ALIASES = new Map<string, Region>();
for (const r of Object.values(REGIONS)) {
  for (const alias of [r.id, r.name, r.bandId]) ALIASES.set(alias.toUpperCase(), r);
}
ALIASES.set('AS923', AS923_1);

/** A region by lorafleet id ("EU868"), RP002 name ("EU863-870") or TTS band id ("EU_863_870"). */
export function region(name: string): Region {
  const r = ALIASES.get(name.toUpperCase());
  if (r === undefined) {
    throw new RegionError(
      'region',
      name,
      `one of ${Object.keys(REGIONS).join(', ')} (or an RP002 name or TTS band id)`,
    );
  }
  return r;
}
