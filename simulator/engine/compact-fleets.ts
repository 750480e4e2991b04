import { join } from 'node:path';
import {
  CompactFleet,
  dutyCycleProblem,
  type CompactFleetOptions,
  type CompactTransmission,
} from '../device/compact-fleet.js';
import { FCntFile } from '../device/fcnt-file.js';
import { Rng } from '../random/rng.js';
import type { Region } from '../region/types.js';
import { parseDuration } from '../scenario/duration.js';
import { jitterMsOf, sessionKeyBytes, type DevicePlan } from '../scenario/expand.js';
import { frequencyPlan } from '../region/frequency-plan.js';
import type { FleetSpec, Scenario } from '../scenario/types.js';
import type { Scheduler } from '../time/scheduler.js';

/** A compact fleet of a run: its devices' plans (index i is device i of the fleet) and its FCnt file. */
export interface CompactFleetRun {
  name: string;
  plans: DevicePlan[];
  devAddrs: Uint32Array;
  fleet: CompactFleet;
  close(): void;
}

/** How a compact fleet's devices send, from its spec: what the fleet runs and what is checked first. */
function timing(
  f: FleetSpec,
  region: Region,
): Pick<CompactFleetOptions, 'region' | 'dataRate' | 'payloadSize' | 'intervalUs' | 'jitter'> {
  const intervalUs = parseDuration(f.interval)! * 1000;
  return {
    region,
    dataRate: f.data_rate ?? region.defaultDataRate,
    payloadSize: f.payload?.size ?? 12,
    intervalUs,
    jitter: Math.min(0.9, (jitterMsOf(f) * 1000) / intervalUs),
  };
}

/**
 * What makes a `model: compact` fleet of the scenario impossible to run (an interval its duty cycle
 * does not allow), naming the fleet; undefined when none. Validate and run say it before anything is
 * registered.
 */
export function compactFleetsProblem(s: Scenario): string | undefined {
  const region = frequencyPlan(s.frequency_plan).region;
  for (const f of s.fleets) {
    if (f.model !== 'compact') continue;
    const problem = dutyCycleProblem(timing(f, region));
    if (problem !== undefined) return `fleets.${f.name}.interval: ${problem}`;
  }
  return undefined;
}

/**
 * The scenario's `model: compact` fleets: each a CompactFleet over its devices' plans, keys and
 * DevAddrs from the scenario expansion, FCntUp bounds in `<scenario>.<fleet>.fcnt` (by the device's
 * index in the fleet, so every shard layout shares one file), the load stages as its `active` test.
 */
export function setUpCompactFleets(o: {
  plans: Map<string, DevicePlan[]>;
  scenario: string;
  stateDir: string;
  seed: string;
  region: Region;
  scheduler: Scheduler;
  isActive: (ordinal: number, nowUs: number) => boolean;
  onUplink: (deviceId: string, tx: CompactTransmission, fleet: string) => void;
}): CompactFleetRun[] {
  const out: CompactFleetRun[] = [];
  for (const [name, plans] of o.plans) {
    const f = plans[0]!.fleet;
    const file = FCntFile.open(join(o.stateDir, `${o.scenario}.${name}.fcnt`));
    const saved = file.bounds(f.count);
    // The spec of a compact device is derived when read: read each once, keep what the air needs.
    const devAddrs = new Uint32Array(plans.length);
    const addrIndex = new Map<number, number>();
    plans.forEach((p, i) => {
      devAddrs[i] = Number.parseInt(p.spec.devAddr!, 16) >>> 0;
      addrIndex.set(devAddrs[i]!, i);
    });
    const v11 = plans[0]!.spec.lorawanVersion === '1.1';
    const fileIndices = Uint32Array.from(plans, (p) => p.index);
    const fleet = new CompactFleet(
      {
        ...timing(f, o.region),
        count: plans.length,
        version: v11 ? '1.1' : '1.0',
        ...(f.tx_power !== undefined ? { txPower: f.tx_power } : {}),
        fPort: f.f_port,
        rx1DelayS: 1,
        devAddr: (i) => devAddrs[i]!,
        indexOf: (a) => addrIndex.get(a) ?? -1,
        sessionKeys: (i, k) => sessionKeyBytes(plans[i]!, k),
        rng: new Rng(`${o.seed}/compact/${name}`),
        fCnts: {
          initial: (i) => saved[plans[i]!.index] ?? 0,
          reserve: (i, bound) => file.reserve(plans[i]!.index, bound),
          reserveAll: (bounds) => file.reserveMany(fileIndices, bounds),
        },
        active: (i, now) => o.isActive(plans[i]!.ordinal, now),
      },
      o.scheduler,
      (tx) => o.onUplink(plans[tx.device]!.deviceId, tx, name),
    );
    out.push({ name, plans, devAddrs, fleet, close: () => file.close() });
  }
  return out;
}
