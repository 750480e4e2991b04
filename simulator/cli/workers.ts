import { addTree } from '../report/merge.js';
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../io/worker.js';
import { LorafleetError } from '../../crypto/errors.js';
import type { RunOptions } from '../engine/run.js';
import type { Progress, RunReport } from '../report/types.js';
import type { ViolationCounts, ViolationKind } from '../lorawan/violations.js';
import { addCounts } from '../metrics/report-metrics.js';
import type { RunMetricsListener } from '../metrics/run-metrics.js';
import { mergeReports } from '../report/merge.js';
import type { Scenario } from '../scenario/types.js';

export type ToWorker = { type: 'stop' };
export type FromWorker =
  | {
      type: 'progress';
      progress: Progress;
      observed: { sent: number; joinRequests: number; joinAccepts: number; latenciesMs: number[] };
    }
  | { type: 'report'; report: RunReport }
  | { type: 'error'; message: string; code: string | undefined };

/** A run below this many devices per worker is not worth a thread. */
const DEVICES_PER_WORKER = 10_000;

/**
 * `--workers` when not given: one per core, but no more than the gateways (each worker serves its
 * own) and no more than one per 10,000 devices, so a small scenario runs on the main thread.
 */
export function defaultWorkers(devices: number, gateways: number, cores = availableParallelism()): number {
  return Math.max(1, Math.min(cores, gateways, Math.ceil(devices / DEVICES_PER_WORKER)));
}

class WorkerFailed extends LorafleetError {
  constructor(message: string, code = 'LORAFLEET_WORKER') {
    super(code, message);
  }
}

/** Progress of the whole run from each worker's latest: counts add; percentiles, the worst worker's. */
function sumProgress(all: Progress[]): Progress {
  const worst = (k: 'latencyP50Ms' | 'latencyP99Ms') =>
    all.reduce<number | null>((a, p) => (p[k] === null ? a : Math.max(a ?? 0, p[k])), null);
  const sum = (k: 'joined' | 'devices' | 'errors' | 'refusals') => all.reduce((a, p) => a + p[k], 0);
  const violations: ViolationCounts = {};
  for (const p of all)
    for (const [k, n] of Object.entries(p.violations) as [ViolationKind, number][])
      violations[k] = (violations[k] ?? 0) + n;
  return {
    timeMs: Math.min(...all.map((p) => p.timeMs)),
    elapsedMs: Math.min(...all.map((p) => p.elapsedMs)),
    durationMs: all[0]!.durationMs,
    joined: sum('joined'),
    devices: sum('devices'),
    counts: all.map((p) => p.counts).reduce(addCounts),
    latencyP50Ms: worst('latencyP50Ms'),
    latencyP99Ms: worst('latencyP99Ms'),
    errors: sum('errors'),
    refusals: sum('refusals'),
    violations,
    timerLagP99Ms: Math.max(...all.map((p) => p.timerLagP99Ms)),
    // Fleets and gateways are split between workers: their figures add.
    breakdown: all.map((p) => p.breakdown).reduce((a, b) => addTree(a, b) as typeof a),
  };
}

/**
 * Runs the scenario as `workers` shards on worker threads (each with its scheduler, gateways,
 * devices and, for the embedded target, its own network) and merges their reports exactly.
 */
export async function runInWorkers(
  s: Scenario,
  workers: number,
  o: Pick<
    RunOptions,
    'virtualTime' | 'stateDir' | 'userAgent' | 'onProgress' | 'stopSignal' | 'metricsListener'
  >,
): Promise<RunReport> {
  const latest: (Progress | undefined)[] = Array.from({ length: workers }, () => undefined);
  const threads: Worker[] = [];
  const l: RunMetricsListener = o.metricsListener ?? {};
  const reports = Array.from({ length: workers }, (_, index) => {
    const w = startWorker(import.meta.url, 'worker-entry', {
      workerData: {
        scenario: s,
        shard: { index, count: workers },
        virtualTime: o.virtualTime ?? s.time === 'virtual',
        ...(o.stateDir ? { stateDir: o.stateDir } : {}),
        ...(o.userAgent ? { userAgent: o.userAgent } : {}),
      },
    });
    threads.push(w);
    return new Promise<RunReport>((resolve, reject) => {
      w.on('message', (m: FromWorker) => {
        if (m.type === 'progress') {
          latest[index] = m.progress;
          for (let i = 0; i < m.observed.sent; i++) l.uplinkSent?.();
          for (let i = 0; i < m.observed.joinRequests; i++) l.joinRequest?.();
          for (let i = 0; i < m.observed.joinAccepts; i++) l.joinAccept?.();
          for (const ms of m.observed.latenciesMs) l.delivered?.(ms);
          if (latest.every((p) => p !== undefined)) o.onProgress?.(sumProgress(latest as Progress[]));
        } else if (m.type === 'report') resolve(m.report);
        else reject(new WorkerFailed(`worker ${index}/${workers}: ${m.message}`, m.code));
      });
      w.on('error', (e) => reject(new WorkerFailed(`worker ${index}/${workers}: ${e.message}`)));
      w.on('exit', (code) => {
        if (code !== 0) reject(new WorkerFailed(`worker ${index}/${workers} exited with code ${code}`));
      });
    });
  });
  void o.stopSignal?.then(() => {
    for (const w of threads) w.postMessage({ type: 'stop' } satisfies ToWorker);
  });
  try {
    const all = await Promise.all(reports);
    const merged = mergeReports(all);
    // The shards made one run: its report says how many threads, not "merged from shards".
    const { merged: _m, ...rest } = merged;
    return { ...rest, workers } as RunReport;
  } finally {
    await Promise.all(threads.map((w) => w.terminate()));
  }
}
