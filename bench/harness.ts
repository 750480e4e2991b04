import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/** The repository, from a bench module run compiled (`dist/bench/`, as `npm run bench` does) or from source. */
export const REPO_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

/** `lorafleet` as users run it: the compiled CLI (`npm run bench` builds it first). */
export const CLI = join(REPO_ROOT, 'dist/simulator/cli/main.js');

export interface Measurement {
  opsPerSecond: number;
  iterations: number;
}

/**
 * Runs `fn` in growing batches until `minMs` have passed (after a warm-up of the same length), and
 * returns operations per second. Async functions are awaited one at a time, as a caller would.
 */
export async function measure(fn: () => unknown, minMs = 1000): Promise<Measurement> {
  const run = async (ms: number) => {
    let iterations = 0;
    let batch = 16;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < ms) {
      for (let i = 0; i < batch; i++) {
        const r = fn();
        if (r instanceof Promise) await r;
      }
      iterations += batch;
      elapsed = performance.now() - start;
      if (batch < 65536) batch *= 2;
    }
    return { iterations, elapsed };
  };
  await run(minMs / 2);
  const { iterations, elapsed } = await run(minMs);
  return { opsPerSecond: (iterations * 1000) / elapsed, iterations };
}

export interface BenchResult {
  name: string;
  ops_per_s: number;
  baseline: string;
  baseline_ops_per_s: number;
  /** How many times better than the baseline (faster, smaller, less late). */
  ratio: number;
  /** For measurements that are not rates (bytes, milliseconds): the value and its unit. */
  value?: number;
  unit?: string;
  baseline_value?: number;
  detail?: string;
}

export function report(r: BenchResult, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  if (r.unit !== undefined) {
    const v = (n: number | undefined) => `${(n ?? 0) < 10 ? (n ?? 0).toFixed(2) : fmt(n ?? 0)} ${r.unit}`;
    process.stdout.write(
      `${r.name.padEnd(34)} lorafleet ${v(r.value).padStart(12)}  ${r.baseline} ${v(r.baseline_value).padStart(9)}` +
        `  ratio ${r.ratio.toFixed(1)}×${r.detail ? `  (${r.detail})` : ''}\n`,
    );
    return;
  }
  const us = (n: number) => (1e6 / n).toFixed(2);
  process.stdout.write(
    `${r.name.padEnd(34)} lorafleet ${fmt(r.ops_per_s).padStart(11)} ops/s (${us(r.ops_per_s)} µs)` +
      `  ${r.baseline} ${fmt(r.baseline_ops_per_s).padStart(9)} ops/s (${us(r.baseline_ops_per_s)} µs)` +
      `  ratio ${r.ratio.toFixed(1)}×${r.detail ? `  (${r.detail})` : ''}\n`,
  );
}
