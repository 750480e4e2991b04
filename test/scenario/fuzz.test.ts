import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../simulator/scenario/errors.js';
import { parseScenario } from '../../simulator/scenario/load.js';
import { FUZZ_RUNS } from '../helpers/arbitraries.js';
import { runCli } from '../helpers/cli.js';

// Scenario files and command lines as careless or hostile users write them (issue 13): every
// refusal is a typed error naming file and line; the CLI answers with one line and exit 2.
const fieldValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom('1.1', '../..', 'a\u0000b', '__proto__', -1, 1e308, '10s', '5m', 'SF7BW125'),
);
const fleet = fc.record(
  {
    name: fc.oneof(fc.constantFrom('aa', 'meters', 'x'), fc.string({ maxLength: 12 })),
    count: fc.oneof(fc.integer({ min: -2, max: 50 }), fieldValue),
    activation: fc.oneof(fc.constantFrom('otaa', 'abp'), fieldValue),
    lorawan_version: fc.oneof(fc.constantFrom('1.0.3', '1.1', 1.1), fieldValue),
    data_rate: fc.oneof(fc.integer({ min: -1, max: 16 }), fieldValue),
    interval: fc.oneof(fc.constantFrom('10s', '1m', 'soon'), fieldValue),
    class: fc.oneof(fc.constantFrom('A', 'B', 'C'), fieldValue),
    __proto__: fieldValue,
  },
  { requiredKeys: [] },
);
const scenario = fc.record(
  {
    name: fc.oneof(fc.constantFrom('fuzz', 'Quickstart', '../x'), fc.string({ maxLength: 20 })),
    seed: fieldValue,
    duration: fc.oneof(fc.constantFrom('10s', '1h', '-1s', 'forever'), fieldValue),
    frequency_plan: fc.oneof(fc.constantFrom('EU_863_870', 'US_902_928_FSB_2', 'MARS'), fieldValue),
    target: fc.oneof(fc.record({ type: fc.constantFrom('embedded', 'tts', 'other') }), fieldValue),
    gateways: fc.oneof(fc.record({ count: fc.integer({ min: -1, max: 5 }) }), fieldValue),
    fleets: fc.oneof(fc.array(fleet, { maxLength: 3 }), fieldValue),
    thresholds: fc.oneof(
      fc.array(fc.constantFrom('delivery_ratio >= 0.9', 'nonsense < 1'), { maxLength: 2 }),
      fieldValue,
    ),
  },
  { requiredKeys: [] },
);

describe('fuzz: scenario files', () => {
  it('a scenario either parses or is refused with ScenarioError naming file and line', () => {
    fc.assert(
      fc.property(scenario, fc.constantFrom('yaml', 'json', 'torn'), (doc, form) => {
        let text = form === 'json' ? JSON.stringify(doc) : stringify(doc);
        if (form === 'torn') text = text.slice(0, Math.floor(text.length / 2));
        try {
          parseScenario(text, 'fuzz.yaml');
        } catch (e) {
          expect(e).toBeInstanceOf(ScenarioError);
          for (const line of (e as Error).message.split('\n')) expect(line).toMatch(/^fuzz\.yaml:\d+ /);
        }
      }),
      { numRuns: FUZZ_RUNS ?? 300 },
    );
  });

  it('YAML tricks: aliases, anchors, tags, deep nesting', () => {
    for (const text of [
      'a: &a [*a]\nfleets: *a\n',
      `x: &x ["lol"]\n${Array.from(
        { length: 9 },
        (_, i) =>
          `x${i}: &x${i} [${Array(9)
            .fill(i === 0 ? '*x' : `*x${i - 1}`)
            .join(',')}]`,
      ).join('\n')}\nfleets: *x8\n`,
      'fleets: !!binary aGVsbG8=\n',
      `fleets: ${'['.repeat(500)}${']'.repeat(500)}\n`,
      'fleets:\n  - { name: aa, count: !!js/function "function(){}" }\n',
    ]) {
      const started = Date.now();
      expect(() => parseScenario(text, 'fuzz.yaml')).toThrow(ScenarioError);
      expect(Date.now() - started).toBeLessThan(2000);
    }
  });
});

describe('fuzz: command lines', () => {
  const word = fc.oneof(
    fc.constantFrom(
      'run',
      'validate',
      'packet',
      'decode',
      'encode',
      'keys',
      'derive',
      'report',
      'merge',
      'teardown',
      'provision',
      'network',
    ),
    fc.constantFrom(
      '--lorawan',
      '1.1',
      '--json',
      '--virtual-tme',
      '--workers',
      '0',
      '--shard',
      '9/2',
      '--',
      '-x',
      'scenarios/quickstart.yaml',
    ),
    fc.string({ maxLength: 8 }).filter((s) => !s.includes('\u0000')),
  );
  it('every argument vector ends with exit 0, 1 or 2, never an internal error or a stack trace', () => {
    const vectors = fc.sample(fc.array(word, { minLength: 1, maxLength: 5 }), {
      numRuns: FUZZ_RUNS ? FUZZ_RUNS / 100 : 8,
      seed: 5,
    });
    for (const argv of vectors) {
      // `run` of a real scenario or `network` would start work: the fuzz stays with what refuses fast.
      if (argv.includes('network') || (argv.includes('run') && argv.includes('scenarios/quickstart.yaml')))
        continue;
      const r = runCli(argv);
      expect([0, 1, 2], `${JSON.stringify(argv)}: ${r.stderr}`).toContain(r.code);
      expect(r.stderr, JSON.stringify(argv)).not.toMatch(/internal error|\n\s+at /);
    }
  }, 120_000);
});
