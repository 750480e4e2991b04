import { LorafleetError } from '../../crypto/errors.js';
import { linkLossDb, mediumSeedHash } from '../radio/medium.js';
import { DEFAULT_PATH_LOSS } from '../radio/propagation.js';
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
 * every device whose strongest link (path loss and the run's shadowing) is to one of them. The devices
 * go with the gateways that hear them best, so each shard's radio is nearly the whole scenario's radio
 * near its gateways, and a device no gateway of its shard hears is heard by none; a gateway EUI
 * is served by one shard only, as the network expects one connection per gateway. The runs are cut
 * where the devices divide evenly (`cutsByDevices`), not where the gateways do: a grid wider than the
 * fleet's area would otherwise leave one shard the few devices of its edge and another nearly all.
 * Each device keeps its ids, keys and random streams (all derived from the seed and its index), so
 * shards agree with one `provision` run and with each other whatever the number of shards.
 */
export function shardOf(x: Expanded, shard: Shard): Expanded {
  if (shard.count === 1) return x;
  const G = x.gateways.length;
  if (shard.count > G)
    throw new ShardError(
      `--shard ${shard.index}/${shard.count}: the scenario has ${G} gateway${G === 1 ? '' : 's'}, and each shard needs one; use at most ${G} shards`,
    );
  // Each device's strongest link, with the shadowing the run's radio gives it (every gateway has the
  // scenario's antenna): a device any gateway hears is heard by its own shard's, as in one process.
  const seedHash = mediumSeedHash(x.seed);
  const strongest = x.devices.map((d) => {
    const dev = { id: d.deviceId, position: d.position };
    let best = 0;
    let bestLoss = Number.POSITIVE_INFINITY;
    x.gateways.forEach((g, i) => {
      const loss = linkLossDb(DEFAULT_PATH_LOSS, seedHash, dev, g);
      if (loss < bestLoss) {
        bestLoss = loss;
        best = i;
      }
    });
    return best;
  });
  const perGateway = new Array<number>(G).fill(0);
  for (const g of strongest) perGateway[g]!++;
  const owner = ownersOf(cutsByDevices(perGateway, shard.count), G);
  const gateways = x.gateways.filter((_, g) => owner[g] === shard.index);
  const devices = x.devices.filter((_, i) => owner[strongest[i]!] === shard.index);
  return { ...x, gateways, devices, shard };
}

/**
 * Where each of `count` runs of gateways starts (the first at 0): each cut at the gateway index that
 * brings the devices before it closest to an even share, every run at least one gateway long.
 * `perGateway[g]`: devices whose strongest link is to gateway g.
 */
export function cutsByDevices(perGateway: readonly number[], count: number): number[] {
  const G = perGateway.length;
  const total = perGateway.reduce((a, n) => a + n, 0);
  const before = [0];
  for (const n of perGateway) before.push(before[before.length - 1]! + n);
  const cuts = [0];
  for (let k = 1; k < count; k++) {
    const lo = cuts[k - 1]! + 1;
    const hi = G - (count - k); // room for one gateway in each run after this one
    // Without devices, gateways divide evenly.
    const ideal = total === 0 ? (k * G) / count : (k * total) / count;
    const at = (g: number) => (total === 0 ? g : before[g]!);
    let best = lo;
    for (let g = lo + 1; g <= hi; g++) if (Math.abs(at(g) - ideal) < Math.abs(at(best) - ideal)) best = g;
    cuts.push(best);
  }
  return cuts;
}

function ownersOf(cuts: readonly number[], G: number): number[] {
  const owner: number[] = [];
  let k = 0;
  for (let g = 0; g < G; g++) {
    while (k + 1 < cuts.length && g >= cuts[k + 1]!) k++;
    owner.push(k);
  }
  return owner;
}
