import { getHeapStatistics } from 'node:v8';
import type { Scenario } from './types.js';

/**
 * Peak heap a device takes in a run. Firmware: measured on Node 20 in virtual time (4,000 against
 * 500 ABP devices, 20 s: about 28 KB more a device at the peak, garbage included) — its MAC state,
 * timers, framer, plan and state-store entry. Compact: estimated from its layout (typed arrays of
 * 33 bytes, a plan and an index entry a device).
 */
const BYTES_PER_DEVICE = { firmware: 32 * 1024, compact: 512 } as const;

/**
 * What the embedded network holds for a registered device during traffic: its IS, NS and AS entries
 * with a session (the bench's 1.9 KB), plus the run's verifier and dedup state — measured at 2.5 KB a
 * device live in a million-device run on Node 20.
 */
const NETWORK_BYTES_PER_DEVICE = 3 * 1024;

/**
 * Whether the scenario's devices fit this process's heap, with room for the rest of the run; the
 * problem as one sentence when they do not. Run and validate refuse before anything starts, instead
 * of growing to gigabytes and dying without a report.
 */
export function capacityProblem(
  s: Scenario,
  heapLimitBytes = getHeapStatistics().heap_size_limit,
): string | undefined {
  let need = 0;
  let firmware = 0;
  let devices = 0;
  for (const f of s.fleets) {
    const model = f.model === 'compact' ? 'compact' : 'firmware';
    need += f.count * BYTES_PER_DEVICE[model];
    devices += f.count;
    if (model === 'firmware') firmware += f.count;
  }
  const embedded = s.target.type === 'embedded';
  if (embedded) need += devices * NETWORK_BYTES_PER_DEVICE;
  const usable = heapLimitBytes * 0.7;
  if (need <= usable) return undefined;
  const gib = (b: number) => (b / 2 ** 30).toFixed(1);
  // The heap that would do, in MB, rounded up to a GiB: what NODE_OPTIONS takes.
  const heapMb = Math.ceil(need / 0.7 / 2 ** 30) * 1024;
  return (
    `the ${embedded ? 'fleets and the embedded network' : 'fleets'} need about ${gib(need)} GiB and this process may use ${gib(usable)} GiB` +
    (firmware > 0
      ? `: ${firmware} firmware devices take about ${BYTES_PER_DEVICE.firmware / 1024} KiB each; ` +
        `model: compact holds an ABP device in ${BYTES_PER_DEVICE.compact} bytes, or run shards (--shard i/N) on more machines`
      : `; give Node more heap (NODE_OPTIONS=--max-old-space-size=${heapMb}) if the machine has the memory` +
        (embedded ? '' : ', or run shards (--shard i/N) on more machines'))
  );
}
