import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
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
  return namesIn(stateDir)
    .filter((n) => n.startsWith(prefix) && /^(?:shard-\d+-of-\d+\.)?state$/.test(n.slice(prefix.length)))
    .map((n) => join(stateDir, n))
    .filter((f) => f !== own);
}

/**
 * This scenario's files in `stateDir`: its journals and its fleets' device state (`.state`, `.fcnt`),
 * every shard layout. Scenario names hold no dot, so `<name>.` names this scenario's files only.
 */
export function scenarioStateFiles(stateDir: string, scenario: string): string[] {
  return namesIn(stateDir)
    .filter((n) => n.startsWith(`${scenario}.`) && /\.(?:journal|state|fcnt)$/.test(n))
    .map((n) => join(stateDir, n));
}

/** Whether a previous run left a journal of registrations for this scenario. */
export function hasJournal(stateDir: string, scenario: string): boolean {
  return scenarioStateFiles(stateDir, scenario).some((f) => f.endsWith('.journal') && statSync(f).size > 0);
}

/**
 * Starts a new world for this scenario (`--fresh`): forgets its devices' state and its journal, so its
 * devices start from DevNonce 0 and FCnt 0 and are registered anew. Returns the files removed.
 */
export function forgetScenarioState(stateDir: string, scenario: string): string[] {
  const files = scenarioStateFiles(stateDir, scenario);
  for (const f of files) rmSync(f, { force: true });
  return files;
}

/** The names in a directory; none where it does not exist yet. */
function namesIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
