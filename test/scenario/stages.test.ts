import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../simulator/scenario/load.js';
import { activeShareAt, fullUplinkRate, stageShare, stagesOf } from '../../simulator/scenario/stages.js';

const S = 1_000_000;

describe('load stages', () => {
  it('read a share of devices or an uplink rate of the whole scenario', () => {
    const s = parseScenario(
      [
        'fleets:',
        '  - { name: aa, count: 600, interval: 60s }',
        '  - { name: bb, count: 100, interval: 10s }',
        'load: { stages: [ { duration: 1m, target: "10/s" }, { duration: 2m, target: "50%" }, { duration: 1m, target: "0%" } ] }',
      ].join('\n'),
      'x.yaml',
    );
    // 600 per minute plus 100 per 10 s: 20 uplinks/s with every device active.
    expect(fullUplinkRate(s)).toBe(20);
    expect(stageShare('10/s', 20)).toBe(0.5);
    expect(stageShare('40/s', 20)).toBe(1);
    expect(stageShare('25%', 20)).toBe(0.25);
    expect(stagesOf(s)).toEqual([
      { durationUs: 60 * S, share: 0.5 },
      { durationUs: 120 * S, share: 0.5 },
      { durationUs: 60 * S, share: 0 },
    ]);
  });

  it('ramp linearly from where the previous stage ended, and hold the last share', () => {
    const st = [
      { durationUs: 10 * S, share: 1 },
      { durationUs: 10 * S, share: 0.5 },
    ];
    expect(activeShareAt(st, 0)).toBe(0);
    expect(activeShareAt(st, 5 * S)).toBe(0.5);
    expect(activeShareAt(st, 10 * S)).toBe(1);
    expect(activeShareAt(st, 15 * S)).toBe(0.75);
    expect(activeShareAt(st, 60 * S)).toBe(0.5);
    expect(activeShareAt([], 5 * S)).toBe(1);
  });

  it('refuse a rate the fleets cannot reach, naming the most they can', () => {
    expect(() =>
      parseScenario(
        [
          'fleets:',
          '  - { name: aa, count: 30, interval: 60s }',
          'load: { stages: [ { duration: 1m, target: "2/s" } ] }',
        ].join('\n'),
        'x.yaml',
      ),
    ).toThrow(
      'x.yaml:3 load.stages[0].target: expected an uplink rate the fleets reach (at most 0.5/s with every device active), got "2/s"',
    );
    expect(() =>
      parseScenario(
        [
          'fleets:',
          '  - { name: aa, count: 3 }',
          'load: { stages: [ { duration: 1m, target: "150%" } ] }',
        ].join('\n'),
        'x.yaml',
      ),
    ).toThrow('x.yaml:3 load.stages[0].target: expected a share of at most 100%, got "150%"');
    expect(() =>
      parseScenario(
        [
          'fleets:',
          '  - { name: aa, count: 3 }',
          'load: { stages: [ { duration: 1m, target: "fast" } ] }',
        ].join('\n'),
        'x.yaml',
      ),
    ).toThrow(/expected a share of active devices like "50%" or an uplink rate like "200\/s", got "fast"/);
  });
});
