import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Shard } from '../scenario/shard.js';
import type { Scenario } from '../scenario/types.js';
import { Journal } from '../tts/journal.js';

const shardSuffix = (shard: Shard | undefined) =>
  shard === undefined || shard.count === 1 ? '' : `.shard-${shard.index}-of-${shard.count}`;

/**
 * The journal of what was registered for this scenario (shared by run, provision and teardown).
 * Shards keep one each: processes never append to the same file.
 */
export function journalPath(s: Scenario, stateDir: string, shard?: Shard): string {
  return join(stateDir, `${s.name}${shardSuffix(shard)}.journal`);
}

/** The scenario's journal in `stateDir` (default .lorafleet), created with its directory if missing. */
export function openJournal(s: Scenario, stateDir = '.lorafleet', shard?: Shard): Journal {
  mkdirSync(stateDir, { recursive: true });
  return new Journal(journalPath(s, stateDir, shard));
}

/** A fleet's device state file (DevNonces, FCnts, sessions); one per shard, as journals. */
export function stateFile(stateDir: string, scenario: string, fleet: string, shard?: Shard): string {
  return join(stateDir, `${scenario}.${fleet}${shardSuffix(shard)}.state`);
}

/** The fleet's other state files: the same devices run in other shard layouts. */
export function siblingStateFiles(
  stateDir: string,
  scenario: string,
  fleet: string,
  shard?: Shard,
): string[] {
  const own = stateFile(stateDir, scenario, fleet, shard);
  const prefix = `${scenario}.${fleet}.`;
  let names: string[];
  try {
    names = readdirSync(stateDir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(prefix) && /^(?:shard-\d+-of-\d+\.)?state$/.test(n.slice(prefix.length)))
    .map((n) => join(stateDir, n))
    .filter((f) => f !== own);
}
