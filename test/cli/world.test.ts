import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../simulator/report/types.js';
import { runCli, runQuickstart } from '../helpers/cli.js';
import { tempDirs } from '../helpers/reruns.js';

const { tmp, cleanup } = tempDirs('lorafleet-world-');
afterAll(cleanup);

const read = (file: string) => {
  const {
    simulator: _wallClock,
    workers: _threads,
    ...rest
  } = JSON.parse(readFileSync(file, 'utf8')) as RunReport;
  return rest;
};

describe('one world per state directory', () => {
  it('--fresh forgets the scenario’s device state and journal, and the new world passes', () => {
    const dir = tmp();
    const first = runCli(['run', 'scenarios/quickstart.yaml', '--virtual-time', '--state-dir', dir]);
    expect(first.code, first.stderr).toBe(0);
    const files = readdirSync(dir)
      .filter((f) => f.startsWith('quickstart.'))
      .sort();
    expect(files).toEqual([
      'quickstart.journal',
      'quickstart.legacy-abp.state',
      'quickstart.meters.state',
      'quickstart.trackers.state',
    ]);
    // Another scenario's state in the same directory is not this world's.
    writeFileSync(join(dir, 'quickstarter.meters.state'), 'not ours\n');
    const fresh = runQuickstart(dir, ['--fresh']);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stderr).toContain(`fresh: forgot 4 state files of quickstart in ${dir}`);
    expect(fresh.stdout).toMatch(/verdict: PASS/);
    expect(readFileSync(join(dir, 'quickstarter.meters.state'), 'utf8')).toBe('not ours\n');
  }, 60_000);

  it('--fresh refuses a TTS target that still has devices registered, naming the way out', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'tts-eu868-load.journal'), '{"op":"registered"}\n');
    const r = runCli(['run', 'scenarios/tts-eu868-load.yaml', '--state-dir', dir, '--fresh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--fresh: tts-eu868-load has devices registered on its TTS target/);
    expect(r.stderr).toContain('lorafleet teardown scenarios/tts-eu868-load.yaml');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('--workers 2 against the embedded network gives the report of one thread, exactly', () => {
    const one = join(tmp(), 'one.json');
    const two = join(tmp(), 'two.json');
    const run = (report: string, workers: string) =>
      runQuickstart(tmp(), ['--report', report, '--workers', workers]);
    const a = run(one, '1');
    const b = run(two, '2');
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toContain('--workers 2: the embedded network is one world and runs on one thread');
    expect(read(two)).toEqual(read(one));
  }, 60_000);
});
