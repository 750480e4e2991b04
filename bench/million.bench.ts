import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunReport } from '../simulator/report/types.js';
import { REPO_ROOT, CLI, type BenchResult } from './harness.js';

const root = REPO_ROOT;

/** A gateway per 10,000 devices on a 3 km grid, the devices spread over it. */
function scenarioYaml(devices: number): string {
  const gateways = Math.max(10, Math.round(devices / 10_000));
  const side = Math.ceil(Math.sqrt(gateways)) * 3000;
  return [
    'name: bench-million',
    'seed: million-1',
    'duration: 1h',
    'drain: 10s',
    'target: { type: embedded }',
    `gateways: { count: ${gateways}, placement: { type: grid, spacing: 3000 } }`,
    'fleets:',
    `  - { name: meters, model: compact, count: ${devices}, activation: abp, lorawan_version: 1.0.3, data_rate: 5, interval: 1h, jitter: 10m, payload: { type: counter, size: 12 }, positions: { type: random, radius: ${side / 2} } }`,
  ].join('\n');
}

/** The process's peak resident set so far (Linux: VmHWM), bytes; 0 where /proc is not there. */
function peakRss(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * `lorafleet run --virtual-time` of `devices` compact ABP devices against the embedded network, as a
 * user runs it (its own process, the heap it needs): registration, an hour of traffic in virtual time
 * (an uplink a device), the report. Wall time and peak RSS, against the same run of a hundredth of the
 * devices.
 */
export async function millionBenches(devices: number): Promise<BenchResult[]> {
  const run = async (n: number) => {
    const dir = mkdtempSync(join(tmpdir(), 'lorafleet-bench-million-'));
    try {
      writeFileSync(join(dir, 'million.yaml'), scenarioYaml(n));
      // What `lorafleet run` asks for (capacity.ts: 3.5 KB a device with the network, 70 % of the heap),
      // with room to spare, as the user its message tells would give.
      const heapMb = Math.max(4096, Math.ceil((n * 8 * 1024) / 2 ** 20));
      const startMs = performance.now();
      const child = spawn(
        process.execPath,
        [
          `--max-old-space-size=${heapMb}`,
          ...[CLI, 'run', join(dir, 'million.yaml')],
          ...['--virtual-time', '--state-dir', join(dir, 'state'), '--report', join(dir, 'report.json')],
        ],
        { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString()).slice(-4000));
      let peak = 0;
      const poll = setInterval(() => (peak = Math.max(peak, peakRss(child.pid!))), 500);
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      clearInterval(poll);
      const wallS = (performance.now() - startMs) / 1000;
      if (code !== 0 && code !== 1) throw new Error(`lorafleet run of ${n} devices exited ${code}: ${err}`);
      const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as RunReport;
      return { wallS, peak, report };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const small = await run(devices / 100);
  const big = await run(devices);
  const label = devices >= 1e6 ? `${devices / 1e6}M` : `${devices / 1e3}k`;
  const m = big.report.metrics;
  const gib = (b: number) => (b / 2 ** 30).toFixed(1);
  return [
    {
      name: `scale.run-${label}-devices-embedded-1h`,
      ops_per_s: devices / big.wallS,
      baseline: `${devices / 100} devices`,
      baseline_ops_per_s: devices / 100 / small.wallS,
      ratio: devices / big.wallS / (devices / 100 / small.wallS),
      detail:
        `devices per wall second of the whole run: ${big.wallS.toFixed(0)} s wall (traffic and drain ${(big.report.simulator.wallMs / 1000).toFixed(0)} s), ` +
        `peak RSS ${gib(big.peak)} GiB (baseline ${gib(small.peak)} GiB), ${m.uplinks_delivered}/${m.uplinks_sent} uplinks delivered, verdict ${big.report.verdict}`,
    },
  ];
}
