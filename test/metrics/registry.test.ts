import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import {
  countsOf,
  latencyHistogram,
  metricsFrom,
  type RunTotals,
} from '../../simulator/metrics/report-metrics.js';
import { METRIC_NAMES, METRICS } from '../../simulator/metrics/registry.js';
import { parseScenario } from '../../simulator/scenario/load.js';
import { readmeWithTables } from '../../scripts/readme.js';

const count = fc.nat({ max: 1_000_000 });
const totals: fc.Arbitrary<RunTotals> = fc.record({
  uplinksSent: count,
  uplinksDelivered: count,
  uplinksLost: count,
  uplinksDuplicated: count,
  uplinksCorrupted: count,
  joinsRequested: count,
  joinsAccepted: count,
  devicesOtaa: count,
  devicesOtaaJoined: count,
  rxWindowMiss: count,
  confirmedAcked: count,
  confirmedUnacked: count,
  downlinksScheduled: count,
  downlinksReceived: count,
  downlinksNoUplink: count,
  beaconsReceived: count,
  beaconsMissed: count,
  pingSlotDownlinks: count,
  pingSlotNotScheduled: count,
  pingSlotMissed: count,
  networkRejections: count,
  devicesNotProvisioned: count,
  simulatorLate: count,
  downlinksByWindow: fc.dictionary(fc.constantFrom('RX1', 'RX2', 'RXC'), count),
});

describe('the metric registry is the one list of metrics', () => {
  it("gives the report's metrics, each once, by its own name", () => {
    const m = metricsFrom(fc.sample(totals, 1)[0]!, latencyHistogram());
    expect(Object.keys(m).sort()).toEqual([...METRIC_NAMES, 'downlinks_by_window', 'latency_ms'].sort());
  });

  it('reads the counts back from a report exactly (what `report merge` adds up)', () => {
    fc.assert(
      fc.property(totals, (c) => {
        expect(countsOf(metricsFrom(c, latencyHistogram())).counts).toEqual(c);
      }),
    );
  });

  it('computes every ratio from its counts, null over nothing', () => {
    fc.assert(
      fc.property(totals, (c) => {
        const m = metricsFrom(c, latencyHistogram());
        expect(m.delivery_ratio).toBe(c.uplinksSent === 0 ? null : c.uplinksDelivered / c.uplinksSent);
        expect(m.latency_p99).toBeNull();
      }),
    );
  });

  it('lets a threshold name any metric of the registry, and no other', () => {
    const with_ = (t: string) =>
      `name: mm\nfleets: [{ name: ff, count: 1, activation: otaa }]\nthresholds: ['${t}']\n`;
    for (const name of METRIC_NAMES)
      expect(() => parseScenario(with_(`${name} >= 0`), 'm.yaml')).not.toThrow();
    expect(() => parseScenario(with_('uplinks.sent >= 0'), 'm.yaml')).toThrow(/thresholds\[0\]/);
    expect(() => parseScenario(with_('uplink_count >= 0'), 'm.yaml')).toThrow(/expected a metric/);
  });

  it("is what the README's metrics table says (npm run readme regenerates it)", async () => {
    const readme = readFileSync('README.md', 'utf8');
    const options = { ...(await prettier.resolveConfig('README.md')), parser: 'markdown' };
    expect(await prettier.format(readmeWithTables(readme), options)).toBe(readme);
    for (const name of METRIC_NAMES) expect(readme).toContain(METRICS[name].help);
  });
});
