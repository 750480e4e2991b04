import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { StateStore } from '../../simulator/device/state-store.js';
import { runCli } from '../helpers/cli.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'lorafleet-sigint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCENARIO = [
  'name: sigint',
  'seed: 9',
  'duration: 5m',
  'drain: 2s',
  'gateways: { count: 1 }',
  'load: { join_window: 2s }',
  'fleets:',
  '  - { name: old, count: 4, activation: otaa, lorawan_version: 1.0.3, data_rate: 5, interval: 2s, positions: { type: random, radius: 300 } }',
  '  - { name: new, count: 4, activation: otaa, lorawan_version: 1.1, data_rate: 5, interval: 2s, positions: { type: random, radius: 300 } }',
].join('\n');

function snapshot(state: string) {
  const out = new Map<string, { used: number[]; bound: number | undefined }>();
  for (const fleet of ['old', 'new']) {
    const st = StateStore.open(join(state, `sigint.${fleet}.state`));
    for (let i = 0; i < 4; i++) {
      const d = st.get(`${fleet}-${i}`);
      out.set(`${fleet}-${i}`, { used: [...(d?.usedDevNonces ?? [])], bound: d?.devNonceBound });
    }
    st.close();
  }
  return out;
}

describe('Ctrl-C in the middle of a run', () => {
  it('drains, tears down, writes the report and keeps device state; a rerun reuses no DevNonce', async () => {
    const file = join(dir, 'sigint.yaml');
    writeFileSync(file, SCENARIO);
    const state = join(dir, 'state');
    const report = join(dir, 'report.json');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'simulator/cli/main.ts', 'run', file, '--state-dir', state, '--report', report],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // Interrupt once uplinks are flowing (progress lines come every 5 s when stderr is not a TTY).
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no traffic seen: ${stderr}`)), 40_000);
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (/delivered [1-9]\d*\/\d+/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const interruptedAt = Date.now();
    child.kill('SIGINT');
    const code = await exited;
    expect(Date.now() - interruptedAt).toBeLessThan(15_000);
    expect(stderr).toMatch(/stopping: draining, tearing down/);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect([0, 1]).toContain(code);
    expect(stdout).toMatch(/interrupted/);
    expect(existsSync(report)).toBe(true);
    const r = JSON.parse(readFileSync(report, 'utf8')) as {
      interrupted: boolean;
      metrics: { uplinks_sent: number };
    };
    expect(r.interrupted).toBe(true);
    expect(r.metrics.uplinks_sent).toBeGreaterThan(0);

    const first = snapshot(state);
    for (const [id, s] of first) {
      if (id.startsWith('old')) expect(s.used.length, id).toBeGreaterThan(0);
      else expect(s.bound, id).toBeGreaterThan(0);
    }

    // Same state directory, a new embedded network: every device joins again with fresh DevNonces.
    const again = runCli(['run', file, '--state-dir', state, '--virtual-time']);
    expect(again.code, again.stderr).not.toBe(2);
    const second = snapshot(state);
    for (const [id, before] of first) {
      const after = second.get(id)!;
      if (id.startsWith('old')) {
        const fresh = after.used.slice(before.used.length);
        expect(fresh.length, id).toBeGreaterThan(0);
        for (const n of fresh) expect(before.used, id).not.toContain(n);
      } else {
        expect(after.bound!, id).toBeGreaterThan(before.bound!);
      }
    }
  }, 90_000);
});
