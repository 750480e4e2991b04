import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** Lints one line of source as if it stood in `filePath`, with the project's own config. */
async function problems(filePath: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: process.cwd() });
  const [result] = await eslint.lintText(`${code}\nexport const probe = x;\n`, { filePath });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('npm run lint keeps the layers (lint/layers.js)', () => {
  it.each([
    [
      'an inner layer importing an outer one',
      'simulator/radio/probe.ts',
      "import { x } from '../device/device.js';",
    ],
    [
      'crypto importing anything of ours',
      'crypto/probe.ts',
      "import { x } from '../simulator/lorawan/fcnt.js';",
    ],
    [
      'the device model importing the engine',
      'simulator/device/mac/probe.ts',
      "import { x } from '../../engine/run.js';",
    ],
    [
      'the network importing the simulator',
      'network/probe.ts',
      "import { x } from '../simulator/device/device.js';",
    ],
    [
      'the network importing the radio model',
      'network/probe.ts',
      "import { x } from '../simulator/radio/medium.js';",
    ],
    [
      'the engine reaching inside the network',
      'simulator/engine/probe.ts',
      "import { x } from '../../network/registry.js';",
    ],
    ['the report importing the engine', 'simulator/report/probe.ts', "import { x } from '../engine/run.js';"],
  ])('refuses %s', async (_what, file, code) => {
    const found = await problems(file, code);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain('lint/layers.js');
  });

  it.each([
    [
      'the engine using the network package',
      'simulator/engine/probe.ts',
      "import { x } from '../../network/index.js';",
    ],
    [
      'the network using the shared protocol layers',
      'network/probe.ts',
      "import { x } from '../simulator/lorawan/fcnt.js';",
    ],
    [
      'the device model using lorawan',
      'simulator/device/probe.ts',
      "import { x } from '../lorawan/fcnt.js';",
    ],
    ['the CLI using anything', 'simulator/cli/probe.ts', "import { x } from '../device/device.js';"],
    [
      'a test reaching inside the network',
      'test/network/probe.test.ts',
      "import { x } from '../../network/registry.js';",
    ],
  ])('allows %s', async (_what, file, code) => {
    expect(await problems(file, code)).toEqual([]);
  });
});
