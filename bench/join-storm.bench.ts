import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runScenario } from '../simulator/engine/run.js';
import { loadScenario } from '../simulator/scenario/load.js';
import { REPO_ROOT, type BenchResult } from './harness.js';

const root = REPO_ROOT;

/**
 * A join storm through the engine, as `lorafleet run scenarios/join-storm.yaml` runs it with
 * `devices` OTAA devices (LoRaWAN 1.0.3) and a gateway per thousand of them: registration, then every
 * device joining within ten seconds of virtual time against the embedded network in process, retrying
 * as firmware does until it has a session. Joins/s is counted in wall time from the start of traffic to
 * the moment the last device joined, with the Join-requests it took.
 */
export async function joinStormBenches(devices: number): Promise<BenchResult[]> {
  const base = loadScenario(join(root, 'scenarios/join-storm.yaml'));
  const gateways = Math.max(8, Math.round(devices / 1000));
  // The area grows with the gateways (the scenario's 3 km for its 8): a thousand devices a gateway,
  // not a hundred thousand around the middle few of a grid twenty kilometres wide.
  const radius = Math.round(3000 * Math.sqrt(gateways / 8));
  // A hundred thousand devices retry under the 1 % duty cycle for the whole first hour (a Join-request
  // every few seconds each, heard by a dozen gateways or more): the first simulated minute of such a
  // storm is already tens of minutes of wall time, so a large storm is measured over that minute.
  const duration = devices > 10_000 ? '1m' : '15m';
  const s = {
    ...base,
    duration,
    thresholds: [],
    gateways: { ...base.gateways, count: gateways },
    fleets: base.fleets.map((f) => ({
      ...f,
      count: devices,
      interval: '1h',
      positions: { type: 'random' as const, radius },
    })),
  };
  const dir = mkdtempSync(join(tmpdir(), 'lorafleet-bench-storm-'));
  let trafficAt = 0;
  let joinedAt = 0;
  let requestsThen = 0;
  let toldAt = performance.now();
  try {
    const r = await runScenario(s, {
      virtualTime: true,
      stateDir: dir,
      onPhase: (phase) => {
        if (phase === 'traffic') trafficAt = performance.now();
      },
      onProgress: (p) => {
        // A large storm runs for many minutes: say how far it is on stderr (stdout carries results).
        if (performance.now() - toldAt > 30_000) {
          toldAt = performance.now();
          process.stderr.write(
            `join storm: ${p.joined}/${p.devices} joined, ${p.counts.joinsRequested} Join-requests, ${Math.round((toldAt - trafficAt) / 1000)} s\n`,
          );
        }
        if (joinedAt === 0 && p.joined >= p.devices) {
          joinedAt = performance.now();
          requestsThen = p.counts.joinsRequested;
        }
      },
    });
    const joined = r.metrics.devices_otaa_joined ?? 0;
    const seconds = ((joinedAt || performance.now()) - trafficAt) / 1000;
    const requests = requestsThen || (r.metrics.joins_requested ?? 0);
    return [
      {
        name: `scale.join-storm-${devices >= 1000 ? `${devices / 1000}k` : devices}-otaa`,
        ops_per_s: joined / seconds,
        baseline: 'Join-requests/s',
        baseline_ops_per_s: requests / seconds,
        ratio: joined / requests,
        detail: `lorafleet run: ${joined}/${devices} joined after ${requests} Join-requests in ${duration} of virtual time, ${seconds.toFixed(1)} s wall, ${gateways} gateways, devices within ${radius / 1000} km`,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
