import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { BenchResult } from '../../bench/harness.js';
import { benchTable, parseBenchLines, readmeWithBench } from '../../scripts/bench-readme.js';

const line = (over: Partial<BenchResult>): BenchResult => ({
  name: 'scale.uplinks-per-s-one-core',
  ops_per_s: 36_412.6,
  baseline: 'VirtualDevice',
  baseline_ops_per_s: 24_800,
  ratio: 1.468,
  ...over,
});

describe('npm run bench:readme: the README performance table from bench JSON lines', () => {
  it('reads the JSON lines of a bench run, skipping anything else', () => {
    const text = [
      '> lorafleet@0.1.0 bench',
      JSON.stringify(line({})),
      JSON.stringify(
        line({
          name: 'aes-cmac.32-bytes',
          ops_per_s: 465_000,
          baseline: 'aes-cmac',
          baseline_ops_per_s: 3_700,
          ratio: 125.7,
        }),
      ),
      '',
    ].join('\n');
    expect(parseBenchLines(text).map((r) => r.name)).toEqual([
      'scale.uplinks-per-s-one-core',
      'aes-cmac.32-bytes',
    ]);
  });

  it('writes each line as a row: label, figure, baseline, ratio, detail', () => {
    const t = benchTable([
      line({}),
      line({
        name: 'aes-cmac.32-bytes',
        ops_per_s: 500_000,
        baseline: 'aes-cmac',
        baseline_ops_per_s: 4_000,
        ratio: 125,
      }),
      line({
        name: 'embedded.heap-per-registered-device',
        ops_per_s: 0,
        value: 3235.9,
        unit: 'B',
        baseline: 'its registration requests (JSON)',
        baseline_ops_per_s: 0,
        baseline_value: 1192.7,
        ratio: 0.3686,
        detail: '20000 ABP devices; target 2,048 B',
      }),
    ]).split('\n');
    expect(t[2]).toBe(
      '| fleet path: uplinks/s end to end on one core (PUSH_ACK sink) | 36,413/s | VirtualDevice 24,800/s | 1.5× |  |',
    );
    expect(t[3]).toBe('| AES-CMAC of 32 bytes | 2.0 µs | aes-cmac 250.0 µs | 125× |  |');
    expect(t[4]).toBe(
      '| embedded network: heap per registered device | 3,236 B | its registration requests (JSON) 1,193 B | 0.37× | 20000 ABP devices; target 2,048 B |',
    );
  });

  it('replaces only what is between the markers, and refuses a README without them', () => {
    const readme = 'before\n<!-- bench -->\nold table\n<!-- /bench -->\nafter\n';
    const out = readmeWithBench(readme, [line({})]);
    expect(out).toMatch(/^before\n<!-- bench -->\n\n\| measurement .*\n\| --- /);
    expect(out).toContain('36,413/s');
    expect(out).not.toContain('old table');
    expect(out.endsWith('<!-- /bench -->\nafter\n')).toBe(true);
    expect(() => readmeWithBench('no markers', [line({})])).toThrow(/no <!-- bench -->/);
  });

  it('keeps the rows this run did not measure, marked as from an earlier run, once', () => {
    const readme = [
      '<!-- bench -->',
      '| measurement | lorafleet | baseline (same run) | ratio | detail |',
      '| --- | --- | --- | --- | --- |',
      '| fleet path: uplinks/s end to end on one core (PUSH_ACK sink)   | 1/s | VirtualDevice 1/s | 1.0× | old |',
      '| `lorafleet run` of 1M compact devices, embedded, 1 h virtual: devices per wall second | 393/s | 10000 devices 1,298/s | 0.30× | peak RSS 6.6 GiB |',
      '<!-- /bench -->',
    ].join('\n');
    const once = readmeWithBench(readme, [line({})]);
    const rows = once.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| ---'));
    expect(rows).toEqual([
      '| measurement | lorafleet | baseline (same run) | ratio | detail |',
      '| fleet path: uplinks/s end to end on one core (PUSH_ACK sink) | 36,413/s | VirtualDevice 24,800/s | 1.5× |  |',
      '| `lorafleet run` of 1M compact devices, embedded, 1 h virtual: devices per wall second | 393/s | 10000 devices 1,298/s | 0.30× | from an earlier run: peak RSS 6.6 GiB |',
    ]);
    expect(readmeWithBench(once, [line({})])).toBe(once);
  });

  it('the README has the markers, and every row between them is a bench line', () => {
    const readme = readFileSync('README.md', 'utf8');
    const m = /<!-- bench -->([\s\S]*?)<!-- \/bench -->/.exec(readme);
    expect(m).not.toBeNull();
    const rows = m![1]!
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| measurement') && !l.startsWith('| ---'));
    expect(rows.length).toBeGreaterThanOrEqual(15);
  });
});
