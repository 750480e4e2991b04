import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../simulator/report/types.js';
import { runQuickstart } from '../helpers/cli.js';
import { tempDirs } from '../helpers/reruns.js';

const { tmp, cleanup } = tempDirs('lorafleet-outputs-');
afterAll(cleanup);

describe('lorafleet run --out json=FILE', () => {
  it('streams every metric once a simulated second, as k6 JSON lines, ending at the report’s figures', () => {
    const dir = tmp();
    const file = join(dir, 'samples.jsonl');
    const r = runQuickstart(dir, ['--out', `json=${file}`, '--report', join(dir, 'report.json')]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as RunReport;
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; metric: string; data: Record<string, unknown> });
    const declared = lines.filter((l) => l.type === 'Metric').map((l) => l.metric);
    expect(declared).toContain('uplinks_sent');
    expect(declared).toContain('delivery_ratio');
    const points = lines.filter((l) => l.type === 'Point');
    for (const p of points) expect(declared).toContain(p.metric);
    const sent = points.filter((p) => p.metric === 'uplinks_sent');
    // A point a simulated second of traffic and drain (51 s), never going back in time or count.
    expect(sent.length).toBeGreaterThanOrEqual(45);
    const times = sent.map((p) => Date.parse(p.data.time as string));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const values = sent.map((p) => p.data.value as number);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(values.at(-1)).toBe(report.metrics.uplinks_sent);
    expect(sent[0]!.data.tags).toEqual({ scenario: 'quickstart' });
  }, 60_000);
});

describe('output paths that cannot be written', () => {
  // Under /proc: Node 20's recursive mkdir never returns there — the run must still end at once.
  it.each([
    [
      '--trace',
      '/proc/lorafleet-nope/t.jsonl',
      '--trace /proc/lorafleet-nope/t.jsonl: cannot write (ENOENT)',
    ],
    ['--pcap', '/proc/lorafleet-nope/c.pcap', '--pcap /proc/lorafleet-nope/c.pcap: cannot write (ENOENT)'],
    [
      '--report',
      '/proc/lorafleet-nope/r.json',
      '--report /proc/lorafleet-nope/r.json: cannot write (ENOENT)',
    ],
    ['--out', 'json=/proc/lorafleet-nope/s', '--out json=/proc/lorafleet-nope/s: cannot write (ENOENT)'],
    ['--out', 'csv=x.csv', '--out: expected json=FILE, got "csv=x.csv"'],
  ])('%s %s: exit 2 with one line, before anything runs', (flag, value, message) => {
    const r = runQuickstart(tmp(), [flag, value]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`lorafleet: ${message}`);
  });
});
