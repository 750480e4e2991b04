import { describe, expect, it } from 'vitest';
import { capacityProblem } from '../../simulator/scenario/capacity.js';
import { parseScenario } from '../../simulator/scenario/load.js';
import { runCli } from '../helpers/cli.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
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
      /need about 305\.2 GiB and this process may use 1\.4 GiB: 10000000 firmware devices .* model: compact/,
    );
    expect(
      capacityProblem(
        {
          ...scenario(1),
          fleets: [
            { ...scenario(1).fleets[0]!, name: 'cc', count: 1_000_000, activation: 'abp', model: 'compact' },
          ],
        },
        2 * GiB,
      ),
    ).toBeUndefined();
  });

  it('validate and run say so in one line with exit 2', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lorafleet-big-')), 'big.yaml');
    writeFileSync(file, 'name: big\nfleets:\n  - { name: ff, count: 10000000, activation: otaa }\n');
    for (const command of ['validate', 'run']) {
      const r = runCli([command, file]);
      expect(r.code, command).toBe(2);
      expect(r.stderr.trim().split('\n'), command).toEqual([
        expect.stringMatching(/big\.yaml: the fleets need about/),
      ]);
    }
  });
});
