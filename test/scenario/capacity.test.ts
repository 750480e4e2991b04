import { describe, expect, it } from 'vitest';
import { capacityProblem } from '../../simulator/scenario/capacity.js';
import { parseScenario } from '../../simulator/scenario/load.js';
import type { Scenario } from '../../simulator/scenario/types.js';
import { runCli } from '../helpers/cli.js';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Issue 13 item 6: 10 M firmware devices are refused before anything starts, not run into 8 GB.
const scenario = (count: number, model = 'firmware') =>
  parseScenario(
    `name: big\nfleets:\n  - { name: ff, count: ${count}, activation: otaa, model: ${model} }\n`,
    'big.yaml',
  );

describe('what fits this machine', () => {
  it('refuses fleets that would not fit the heap, and names the way out', () => {
    const GiB = 2 ** 30;
    expect(capacityProblem(scenario(10_000), 2 * GiB)).toBeUndefined();
    expect(capacityProblem(scenario(10_000_000), 2 * GiB)).toMatch(
      /fleets and the embedded network need about 333\.8 GiB and this process may use 1\.4 GiB: 10000000 firmware devices .* model: compact/,
    );
    const million = (target: Scenario['target']): Scenario => ({
      ...scenario(1),
      target,
      fleets: [
        { ...scenario(1).fleets[0]!, name: 'cc', count: 1_000_000, activation: 'abp', model: 'compact' },
      ],
    });
    const tts = { type: 'tts', url: 'https://tts.example', api_key_env: 'K' } as Scenario['target'];
    expect(capacityProblem(million(tts), 2 * GiB)).toBeUndefined();
    // A million devices registered with the embedded network do not fit 2 GiB: said before a minute
    // of registering, with the heap that would do.
    expect(capacityProblem(million({ type: 'embedded' } as Scenario['target']), 2 * GiB)).toBe(
      'the fleets and the embedded network need about 3.3 GiB and this process may use 1.4 GiB; ' +
        'give Node more heap (NODE_OPTIONS=--max-old-space-size=5120) if the machine has the memory',
    );
    expect(capacityProblem(million({ type: 'embedded' } as Scenario['target']), 6 * GiB)).toBeUndefined();
  });

  it('validate and run say so in one line with exit 2', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lorafleet-big-')), 'big.yaml');
    writeFileSync(file, 'name: big\nfleets:\n  - { name: ff, count: 10000000, activation: otaa }\n');
    for (const command of ['validate', 'run']) {
      const r = runCli([command, file]);
      expect(r.code, command).toBe(2);
      expect(r.stderr.trim().split('\n'), command).toEqual([
        expect.stringMatching(/big\.yaml: the fleets and the embedded network need about/),
      ]);
    }
  });

  it('refuses a compact fleet its duty cycle cannot carry, naming the fleet, before registering anything', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lorafleet-dc-'));
    const file = join(dir, 'dc.yaml');
    writeFileSync(
      file,
      'name: dc\nduration: 1m\nfleets:\n  - { name: meters, model: compact, count: 5, activation: abp, data_rate: 5, interval: 4s, payload: { type: counter, size: 12 } }\n',
    );
    for (const command of ['validate', 'run']) {
      const r = runCli([command, file, ...(command === 'run' ? ['--virtual-time', '--state-dir', dir] : [])]);
      expect(r.code, command).toBe(2);
      expect(r.stderr.trim(), command).toMatch(
        /dc\.yaml: fleets\.meters\.interval: 4s breaks the 1 % duty cycle: at least 6\.2s at DR5$/,
      );
    }
    // Nothing was registered: no journal of the run in the state directory.
    expect(readdirSync(dir)).toEqual(['dc.yaml']);
  });
});
