import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../simulator/engine/run.js';
import { runInWorkers } from '../simulator/cli/workers.js';
import type { Progress, RunReport } from '../simulator/report/types.js';
import { parseScenario } from '../simulator/scenario/load.js';
import { REPO_ROOT, CLI, type BenchResult } from './harness.js';
import { fleetPathCpuAt } from './scale.bench.js';

const root = REPO_ROOT;
const KEY_ENV = 'LORAFLEET_BENCH_TTS_KEY';

interface NetworkProcess {
  child: ChildProcess;
  http: string;
  udpPort: number;
  mqttPort: number;
}

/**
 * `lorafleet network` in its own process, as a TTS deployment is to a run: the API over HTTP, gateways
 * over Semtech UDP and the application's uplinks over MQTT, on another core.
 */
async function startNetwork(): Promise<NetworkProcess> {
  const child = spawn(
    process.execPath,
    [
      ...[CLI, 'network'],
      ...['--udp-port', '0', '--http-port', '0', '--mqtt-port', '0', '--api-key-env', KEY_ENV],
    ],
    { cwd: root, env: { ...process.env, [KEY_ENV]: benchKey() }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  for (let i = 0; i < 400 && !out.includes('Ctrl-C'); i++) await new Promise((r) => setTimeout(r, 50));
  const http = /HTTP API: +(http:\/\/[\d.]+:\d+)/.exec(out)?.[1];
  const udpPort = Number(/udp:\/\/[\d.]+:(\d+)/.exec(out)?.[1]);
  const mqttPort = Number(/mqtt:\/\/[\d.]+:(\d+)/.exec(out)?.[1]);
  if (!http || !udpPort || !mqttPort) {
    child.kill('SIGKILL');
    throw new Error(`lorafleet network did not start: ${out}`);
  }
  return { child, http, udpPort, mqttPort };
}

const benchKey = () => `NNSXS.BENCHTARGETKEY000000.${'5A'.repeat(32)}`;

/**
 * A compact ABP fleet against a TTS-style target at `perS` uplinks/s offered, in wall time: devices
 * registered over the API, uplinks through the UDP port, verified from MQTT. Each run gets its own
 * application and DevEUIs (by name), since a TTS keeps a deleted application's ID.
 */
function scenario(net: NetworkProcess, name: string, devices: number, perS: number) {
  return parseScenario(
    [
      `name: ${name}`,
      'seed: bench-tts-1',
      'duration: 20s',
      'drain: 4s',
      'target:',
      '  type: tts',
      `  url: ${net.http.replace(/\/api\/v3$/, '')}`,
      '  user_id: admin',
      `  application_id: ${name}`,
      `  api_key_env: ${KEY_ENV}`,
      `  gateway_udp: 127.0.0.1:${net.udpPort}`,
      `  mqtt_url: mqtt://127.0.0.1:${net.mqttPort}`,
      '  provisioning_concurrency: 32',
      'gateways: { count: 10, placement: { type: grid, spacing: 3000 } }',
      'fleets:',
      `  - { name: meters, model: compact, count: ${devices}, activation: abp, lorawan_version: 1.0.3, data_rate: 5, interval: ${Math.round(devices / perS)}s, jitter: 1s, payload: { type: counter, size: 12 }, positions: { type: random, radius: 4000 } }`,
    ].join('\n'),
    `${name}.yaml`,
  );
}

interface Measured {
  report: RunReport;
  /** Process CPU (every thread) per uplink sent while traffic ran, µs. */
  cpuPerUplinkUs: number;
  uplinksPerS: number;
  pushAckMissing: number;
}

/**
 * One run with `workers` threads (1: the main thread, as `--workers 1`). CPU and uplinks are counted
 * between the first and the last progress sample that saw traffic: provisioning and teardown are
 * HTTP work the traffic does not pay for.
 */
async function measuredRun(net: NetworkProcess, workers: number, devices: number, perS: number) {
  const dir = mkdtempSync(join(tmpdir(), 'lorafleet-bench-tts-'));
  let first: { cpuUs: number; sent: number; atMs: number } | undefined;
  let last = first;
  const onProgress = (p: Progress) => {
    const sent = p.counts.uplinksSent;
    if (sent === 0 || p.elapsedMs > p.durationMs) return;
    const u = process.cpuUsage();
    const sample = { cpuUs: u.user + u.system, sent, atMs: performance.now() };
    if (!first) first = sample;
    last = sample;
  };
  process.env[KEY_ENV] = benchKey();
  try {
    const s = scenario(net, `bench-tts-w${workers}`, devices, perS);
    const report =
      workers === 1
        ? await runScenario(s, { stateDir: dir, onProgress })
        : await runInWorkers(s, workers, { stateDir: dir, onProgress });
    if (!first || !last || last.sent === first.sent) throw new Error('the run sent no uplinks');
    const sent = last.sent - first.sent;
    const pushAckMissing = Object.values(report.gateways).reduce((a, g) => a + (g.push_ack_missing ?? 0), 0);
    return {
      report,
      cpuPerUplinkUs: (last.cpuUs - first.cpuUs) / sent,
      uplinksPerS: (sent * 1000) / (last.atMs - first.atMs),
      pushAckMissing,
    } satisfies Measured;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `lorafleet run` against a TTS-style target (the embedded network in its own process): CPU per uplink
 * of the run against the fleet path's at the same offered rate in wall time, each uplink heard by as
 * many gateways (CompactFleet → gateways → UDP sink, nothing else: no radio, verifier or metrics), with the PUSH_ACKs the run counted missing; and the same run on two worker
 * threads against one, as uplinks per CPU-second of the run. On a 2-core machine the network takes the
 * second core, so what two workers can show here is what a thread costs per uplink, not wall scaling.
 */
export async function ttsTargetBenches(): Promise<BenchResult[]> {
  // Every 10 s a device (DR5 under the 1 % duty cycle needs 6.2 s).
  const devices = 5000;
  const perS = 500;
  const net = await startNetwork();
  try {
    const one = await measuredRun(net, 1, devices, perS);
    const two = await measuredRun(net, 2, devices, perS);
    // The baseline hears each uplink at as many gateways as the run did (its geometry, not its cost).
    const heard = Object.values(one.report.gateways).reduce((a, g) => a + (g.received ?? 0), 0);
    const perUplink = heard / one.report.metrics.uplinks_sent;
    const fleet = await fleetPathCpuAt(perS, devices, 10_000, Math.max(1, Math.round(perUplink)));
    const perCpuS = (us: number) => 1e6 / us;
    const delivered = (m: Measured) =>
      `${m.report.metrics.uplinks_delivered}/${m.report.metrics.uplinks_sent} delivered`;
    return [
      {
        name: 'tts-target.run-cpu-per-uplink',
        ops_per_s: perCpuS(one.cpuPerUplinkUs),
        baseline: 'fleet path at the same rate',
        baseline_ops_per_s: perCpuS(fleet.cpuPerUplinkUs),
        ratio: fleet.cpuPerUplinkUs / one.cpuPerUplinkUs,
        detail:
          `uplinks per CPU-second: lorafleet run, ${devices} compact ABP devices, 10 gateways, ${one.uplinksPerS.toFixed(0)} uplinks/s in wall time ` +
          `to lorafleet network in another process, heard by ${perUplink.toFixed(1)} gateways each; ` +
          `${one.cpuPerUplinkUs.toFixed(0)} µs CPU an uplink against ${fleet.cpuPerUplinkUs.toFixed(0)} µs ` +
          `(target ≤ 1.5×); ${one.pushAckMissing} PUSH_ACKs counted missing, ${delivered(one)}`,
      },
      {
        name: 'tts-target.workers-2-efficiency',
        ops_per_s: perCpuS(two.cpuPerUplinkUs),
        baseline: '--workers 1',
        baseline_ops_per_s: perCpuS(one.cpuPerUplinkUs),
        ratio: one.cpuPerUplinkUs / two.cpuPerUplinkUs,
        detail:
          `uplinks per CPU-second of the run (every thread), ${two.uplinksPerS.toFixed(0)} uplinks/s on 2 workers; ` +
          `${two.pushAckMissing} PUSH_ACKs counted missing, ${delivered(two)}; target ≥ 0.8`,
      },
    ];
  } finally {
    net.child.kill('SIGINT');
    await new Promise((r) => net.child.once('exit', r));
  }
}
