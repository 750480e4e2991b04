import { LorafleetError } from '../../crypto/errors.js';
import { distance } from '../radio/geometry.js';
import type { Expanded } from './expand.js';

/** One of `count` deterministic shares of a scenario; `index` is 0-based, like JOB_COMPLETION_INDEX. */
export interface Shard {
  index: number;
  count: number;
}

export class ShardError extends LorafleetError {
  constructor(message: string) {
    super('LORAFLEET_SHARD', message);
  }
}

/** `"2/8"` → the third of eight shares. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || count < 1 || index >= count)
    throw new ShardError(`--shard: expected i/N with 0 ≤ i < N (like "0/3"), got "${text}"`);
  return { index, count };
}

/**
 * A shard's share of the scenario: a contiguous run of gateways (so a grid splits into areas), and
 * every device whose nearest gateway is among them. The devices go with the gateways that hear them
 * best, so each shard's radio is nearly the whole scenario's radio near its gateways; a gateway EUI
 * is served by one shard only, as the network expects one connection per gateway. Each device keeps
 * its ids, keys and random streams (all derived from the seed and its index), so shards agree with
 * one `provision` run and with each other whatever the number of shards.
 */
export function shardOf(x: Expanded, shard: Shard): Expanded {
  if (shard.count === 1) return x;
  const G = x.gateways.length;
  if (shard.count > G)
    throw new ShardError(
      `--shard ${shard.index}/${shard.count}: the scenario has ${G} gateway${G === 1 ? '' : 's'}, and each shard needs one; use at most ${G} shards`,
    );
  const owner = (g: number) => Math.floor((g * shard.count) / G);
  const gateways = x.gateways.filter((_, g) => owner(g) === shard.index);
  const devices = x.devices.filter((d) => {
    let best = 0;
    let bestD = Number.POSITIVE_INFINITY;
    x.gateways.forEach((g, i) => {
      const dd = distance(d.position, g.position);
      if (dd < bestD) {
        bestD = dd;
        best = i;
      }
    });
    return owner(best) === shard.index;
  });
  return { ...x, gateways, devices, shard };
}
