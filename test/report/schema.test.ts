import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import * as prettier from 'prettier';
import { afterAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../simulator/engine/run.js';
import { mergeReports } from '../../simulator/report/merge.js';
import { parseScenario } from '../../simulator/scenario/load.js';
import { reportSchema } from '../../scripts/schemas.js';

const published = JSON.parse(readFileSync('schema/report.schema.json', 'utf8')) as Record<string, unknown>;
const validate = new Ajv({ allErrors: true, strict: false }).compile(published);
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const scenario = parseScenario(
  [
    'name: report-schema',
    'seed: 5',
    'duration: 40s',
    'drain: 5s',
    'fleets:',
    '  - { name: otaa, count: 4, activation: otaa, lorawan_version: 1.1, data_rate: 5, interval: 10s, confirmed: 0.5,',
    "      downlinks: { per_device: 1, payload: { type: hex, value: '01' } } }",
    '  - { name: bulk, model: compact, count: 4, activation: abp, data_rate: 5, interval: 10s }',
    "thresholds: ['delivery_ratio >= 0.5', 'latency_p99 < 5s']",
  ].join('\n'),
  'report-schema.yaml',
);

describe('schema/report.schema.json, the JSON report contract', () => {
  it('is generated from the RunReport type and current (npm run schemas)', async () => {
    const options = { ...(await prettier.resolveConfig('schema/report.schema.json')), parser: 'json' };
    expect(await prettier.format(reportSchema(), options)).toBe(
      readFileSync('schema/report.schema.json', 'utf8'),
    );
  });

  it("holds a run's report and a merged one, and refuses one with a field it does not know", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lorafleet-schema-'));
    dirs.push(dir);
    const r = await runScenario(scenario, { virtualTime: true, stateDir: dir });
    expect(r.metrics.uplinks_sent).toBeGreaterThan(0);
    const json = JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    const merged = JSON.parse(JSON.stringify(mergeReports([r]))) as Record<string, unknown>;
    expect(validate(merged), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...json, uplinks_sent: 3 })).toBe(false);
    expect(validate({ ...json, metrics: { ...(json.metrics as object), 'uplinks.sent': 3 } })).toBe(false);
    expect(validate({ ...json, violations: { 'made-up-kind': 1 } })).toBe(false);
  }, 60_000);
});
