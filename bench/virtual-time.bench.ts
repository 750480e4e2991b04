import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../simulator/engine/run.js';
import type { RunReport } from '../simulator/report/types.js';
import { loadScenario } from '../simulator/scenario/load.js';
import { REPO_ROOT, type BenchResult } from './harness.js';

const root = REPO_ROOT;

/** One virtual-time run of a scenario in a fresh state directory: its report. */
async function run(
  file: string,
  over: { duration?: string },
  sockets: boolean,
  capture?: 'trace' | 'pcap',
): Promise<RunReport> {
  const s = { ...loadScenario(join(root, file)), ...over };
  const dir = mkdtempSync(join(tmpdir(), 'lorafleet-bench-vt-'));
  try {
    return await runScenario(s, {
      virtualTime: true,
      stateDir: dir,
      sockets,
      ...(capture ? { capture: { [capture]: join(dir, `out.${capture}`), traceFilter: {} } } : {}),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Application uplinks per wall second of traffic and drain. */
const uplinksPerS = (r: RunReport) => (r.metrics.uplinks_sent * 1000) / r.simulator.wallMs;

/**
 * What `--trace` and `--pcap` cost: uplinks per wall second of the hour-long firmware scenario with
 * each, against the same run without, in the same process.
 */
export async function captureBenches(): Promise<BenchResult[]> {
  const file = 'scenarios/firmware-behaviour.yaml';
  await run(file, {}, false); // warm-up
  const plain = await run(file, {}, false);
  const out: BenchResult[] = [];
  for (const kind of ['trace', 'pcap'] as const) {
    const r = await run(file, {}, false, kind);
    out.push({
      name: `capture.${kind}`,
      ops_per_s: uplinksPerS(r),
      baseline: `no --${kind}`,
      baseline_ops_per_s: uplinksPerS(plain),
      ratio: uplinksPerS(r) / uplinksPerS(plain),
      detail: `uplinks per wall second, ${r.metrics.uplinks_sent} uplinks of firmware-behaviour in virtual time`,
    });
  }
  return out;
}

/**
 * Virtual-time speed — simulated seconds per wall second over traffic and drain — of the embedded
 * network in process on the run's scheduler, against the same run over loopback sockets (the path
 * before it), in the same process. The socket path of the hour-long scenario runs 5 simulated minutes:
 * speed is a rate, and the whole hour would take minutes that way.
 */
export async function virtualTimeBenches(): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const cases = [
    { name: 'virtual-time.quickstart', file: 'scenarios/quickstart.yaml', socketsOver: {} },
    {
      name: 'virtual-time.firmware-behaviour-1h',
      file: 'scenarios/firmware-behaviour.yaml',
      socketsOver: { duration: '5m' },
    },
  ];
  for (const c of cases) {
    const fast = await run(c.file, {}, false);
    const slow = await run(c.file, c.socketsOver, true);
    const f = fast.simulator;
    const s = slow.simulator;
    out.push({
      name: c.name,
      ops_per_s: f.speed,
      baseline: 'loopback sockets',
      baseline_ops_per_s: s.speed,
      ratio: f.speed / s.speed,
      value: f.speed,
      unit: 'sim s / wall s',
      baseline_value: s.speed,
      detail: `${(f.wallMs / 1000).toFixed(1)} s wall for ${(fast.durationMs / 1000).toFixed(0)} s, CPU ${Math.round(f.cpuShare * 100)} % of a core (sockets: ${Math.round(s.cpuShare * 100)} %), verdict ${fast.verdict}`,
    });
  }
  return out;
}
