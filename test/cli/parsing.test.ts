import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

// The real parser in a child process (issue 13 item 8): a mistake on the command line stops the
// command before anything runs, with one line and exit code 2.
const dir = mkdtempSync(join(tmpdir(), 'lorafleet-argv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('command-line mistakes', () => {
  it.each([
    [
      ['run', 'scenarios/quickstart.yaml', '--virtual-tme', '--state-dir', join(dir, 'state')],
      /Unknown arguments: virtual-tme/,
    ],
    [['packet', 'decode'], /Not enough non-option arguments/],
    [['packet', 'decode', '40F17DBE49', '--lorawan', '2.0'], /Invalid values/],
    [['run'], /Not enough non-option arguments/],
    [['teardown', 'x.yaml', '--application', 'sometimes'], /Invalid values/],
    [['nonsense'], /Unknown argument/],
    [['network', '--rate-limit', 'abc'], /--rate-limit: expected a whole number/],
    [['network', '--rx1-delay', '99'], /--rx1-delay: expected 1 to 15 seconds/],
  ])('%j: exit 2 with one line, nothing run', (argv, message) => {
    const r = runCli(argv);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(r.stdout).toBe(''); // no progress line: the run never started
  });

  it('reads --lorawan 1.1 as the string it is (the README example derives 1.1 keys)', () => {
    const r = runCli([
      'keys',
      'derive',
      '--lorawan',
      '1.1',
      '--nwk-key',
      '000102030405060708090A0B0C0D0E0F',
      '--app-key',
      '2B7E151628AED2A6ABF7158809CF4F3C',
      '--join-nonce',
      '000001',
      '--join-eui',
      '70B3D57ED0000001',
      '--dev-nonce',
      '0001',
      '--dev-eui',
      '0004A30B001C0530',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(Object.keys(JSON.parse(r.stdout) as object).sort()).toEqual(
      ['appSKey', 'fNwkSIntKey', 'jsEncKey', 'jsIntKey', 'nwkSEncKey', 'sNwkSIntKey'].sort(),
    );
  });

  it('a YAML alias error is a scenario error with file and line, exit 2', () => {
    const file = join(dir, 'alias.yaml');
    writeFileSync(file, 'name: alias\nfleets:\n  - *nowhere\n');
    const r = runCli(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/alias\.yaml/);
    expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
  });

  // Issue 13 item 6: an error once the network and gateways are up stops everything: one line, exit 2.
  it('a damaged state file: the run stops, cleans up and exits 2 with one line naming the file', () => {
    const file = join(dir, 'damaged.yaml');
    writeFileSync(file, 'name: damaged\nduration: 30s\ntime: virtual\nfleets:\n  - { name: ff, count: 2 }\n');
    const state = join(dir, 'damaged-state');
    mkdirSync(state, { recursive: true });
    writeFileSync(join(state, 'damaged.ff.state'), 'not json at all\n{"id":"ff-0","set":{}}\n');
    const started = Date.now();
    const r = runCli(['run', file, '--state-dir', state]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/damaged\.ff\.state.*line 1: not JSON/),
    ]);
    expect(Date.now() - started).toBeLessThan(25_000);
  });
});
