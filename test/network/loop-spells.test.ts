import { describe, expect, it } from 'vitest';
import { LoopSpells } from '../../network/loop-spells.js';

const opts = { tickMs: 10, stallMs: 100, windowMs: 100, saturated: 0.9, keepMs: 60_000 };

describe('LoopSpells', () => {
  it('records a tick that came late as a stall, and nothing while ticks come on time', () => {
    const l = new LoopSpells(0, opts);
    for (let t = 10; t <= 500; t += 10) l.tick(t, () => 0.2);
    expect(l.spells).toEqual([]);
    l.tick(810, () => 0.2); // expected at 510: 300 ms late
    expect(l.spells).toEqual([[510, 810]]);
  });

  it('records a window the loop was busy more than the saturated share of, merging touching ones', () => {
    const l = new LoopSpells(0, opts);
    const busy = [0.5, 0.95, 0.97, 0.4, 0.99];
    let w = 0;
    for (let t = 10; t <= 500; t += 10) l.tick(t, () => busy[w++]!);
    // Windows close at 100, 200, …: the 2nd and 3rd (100–300) were saturated, the 5th (400–500) too.
    expect(l.spells).toEqual([
      [100, 300],
      [400, 500],
    ]);
  });

  it('forgets spells older than it keeps them', () => {
    const l = new LoopSpells(0, { ...opts, keepMs: 1000 });
    l.tick(300, () => 0); // a stall 10–300
    expect(l.spells).toHaveLength(1);
    for (let t = 310; t <= 1400; t += 10) l.tick(t, () => 0);
    expect(l.spells).toEqual([]);
  });
});
