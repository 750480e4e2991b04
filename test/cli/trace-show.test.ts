import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traceShow } from '../../simulator/cli/trace-show.js';
import { runScenario } from '../../simulator/engine/run.js';
import { loadScenario } from '../../simulator/scenario/load.js';
import type { RunReport } from '../../simulator/report/types.js';
import { summaryText } from '../../simulator/report/summary.js';
import { runCli } from '../helpers/cli.js';
import { tempDirs } from '../helpers/reruns.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { tmp, cleanup } = tempDirs('lorafleet-trace-show-');
afterAll(cleanup);

describe('lorafleet trace show: a device’s own story', () => {
  let file: string;
  let report: RunReport;
  beforeAll(async () => {
    const dir = tmp();
    file = join(dir, 'firmware.jsonl');
    const s = loadScenario(join(root, 'scenarios/firmware-behaviour.yaml'));
    const r = await runScenario(s, {
      virtualTime: true,
      stateDir: dir,
      capture: { trace: file, traceFilter: {} },
    });
    expect(r.verdict).toBe('pass');
    report = r;
  }, 120_000);

  it('the report tells the same story in sum: MAC each way, data rates ADR chose, Join-requests', () => {
    const f = report.firmware;
    expect(f.mac.fromNetwork.LinkADRReq).toBeGreaterThan(0);
    // One LinkADRReq a downlink, and one LinkADRAns for each (1.0.x and 1.1 alike for a single request),
    // sent, or still waiting for an uplink when the run ended.
    expect(f.mac.fromDevices.LinkADRAns! + (f.mac.pendingAtEnd.LinkADRAns ?? 0)).toBe(
      f.mac.fromNetwork.LinkADRReq,
    );
    expect(f.mac.fromNetwork.LinkCheckAns).toBe(f.mac.fromDevices.LinkCheckReq);
    // The ADR fleet starts at DR0 and is taken faster.
    const adr = f.dataRates['class-a-adr']!;
    expect(adr.DR0).toBeGreaterThan(0);
    expect(Object.keys(adr).length).toBeGreaterThan(1);
    expect(f.joinRequests.total).toBe(report.metrics.joins_requested);
    expect(f.joinRequests.devices).toBe(report.metrics.devices_otaa);
    expect(summaryText(report)).toMatch(/firmware behaviour\n +MAC from the network +LinkADRReq \d+/);
  });

  it('and over time: the ADR timeline per interval adds up to the data rates, and moves up', () => {
    const f = report.firmware;
    const t = f.adrOverTime;
    expect(t.intervalS).toBe(120); // an hour in 30 intervals
    for (const [fleet, m] of Object.entries(f.dataRates))
      for (const [dr, n] of Object.entries(m)) {
        const series = t.fleets[fleet]!.dataRates[dr]!;
        expect(
          series.reduce((a, b) => a + b, 0),
          `${fleet} ${dr}`,
        ).toBe(n);
        expect(series).toHaveLength(Object.values(t.fleets[fleet]!.dataRates)[0]!.length);
      }
    // The ADR fleet begins at DR0 and ends at a higher data rate.
    const adr = t.fleets['class-a-adr']!.dataRates;
    expect(adr.DR0![0]).toBeGreaterThan(0);
    const last = adr.DR0!.length - 1;
    expect(adr.DR0![last]).toBe(0);
  });

  it('counts confirmed uplinks, the windows downlinks came in, and Join-requests per device', () => {
    const f = report.firmware;
    expect(f.confirmed.acked).toBeGreaterThan(0);
    expect(f.classCDevices).toBe(10);
    expect(f.downlinksByWindow.RXC).toBeGreaterThan(0); // class C downlinks outside RX1/RX2
    expect(f.downlinksByWindow.RX1).toBeGreaterThan(0);
    const per = Object.entries(f.joinRequests.perDevice);
    expect(per.reduce((a, [, d]) => a + d, 0)).toBe(f.joinRequests.devices);
    expect(per.reduce((a, [n, d]) => a + Number(n) * d, 0)).toBe(f.joinRequests.total);
    expect(summaryText(report)).toMatch(/downlinks by window +RX1 \d+, RXC \d+/);
  });

  const story = async (device: string, json = false) => {
    const lines: string[] = [];
    await traceShow({ file, device, json }, (l) => lines.push(l));
    return lines;
  };

  it('lists an ADR device’s join, then each LinkADRReq the network sent and the LinkADRAns that accepted it', async () => {
    const lines = await story('class-a-adr-3');
    expect(lines[0]).toMatch(/^lorafleet trace — class-a-adr-3/);
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(at(/↑ {2}JoinRequest {9}DevNonce/)).toBeGreaterThan(0);
    expect(at(/↓ {2}JoinAccept {10}DevAddr [0-9A-F]{8}/)).toBeGreaterThan(at(/JoinRequest/));
    expect(at(/• {2}joined: DevAddr/)).toBeGreaterThan(at(/JoinAccept/));
    const requests = lines.filter((l) => /↓ .*MAC LinkADRReq\(dataRate=\d+ txPower=\d+ chMask=255/.test(l));
    const answers = lines.filter((l) =>
      /↑ .*MAC LinkADRAns\(powerAck=true dataRateAck=true channelMaskAck=true\)/.test(l),
    );
    expect(requests.length).toBeGreaterThan(0);
    expect(answers).toHaveLength(requests.length);
    // Each answer follows its request, and the uplinks after it use the data rate asked for.
    const firstReq = lines.indexOf(requests[0]!);
    const firstAns = lines.indexOf(answers[0]!);
    expect(firstAns).toBeGreaterThan(firstReq);
    const dr = Number(/dataRate=(\d+)/.exec(requests[0]!)![1]);
    const sf = 12 - dr; // EU868 DR0–5: SF12–SF7 at 125 kHz
    expect(lines[firstAns]).toContain(`SF${sf}BW125`);
    // Times run forward.
    const times = lines.slice(1).map((l) => Number(l.slice(0, 9)));
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('prints the device’s trace lines as they are with --json, and only that device’s', async () => {
    const lines = await story('class-c-2', true);
    expect(lines.length).toBeGreaterThan(5);
    for (const l of lines) expect(JSON.parse(l)).toMatchObject({ device: 'class-c-2' });
  });

  it('names what it cannot show: an unknown device, a line that is not a trace line, a missing file', async () => {
    await expect(story('no-such-device')).rejects.toThrow(
      /no line for device no-such-device \(devices there include /,
    );
    const bad = join(tmp(), 'bad.jsonl');
    writeFileSync(bad, `${JSON.stringify({ atUs: 1, dir: 'up', device: 'a', frame: {} })}\n{"torn\n`);
    await expect(traceShow({ file: bad, device: 'a' }, () => undefined)).rejects.toThrow(
      new RegExp(`${bad.replace(/[/.]/g, '\\$&')}:2: not a JSON line`),
    );
    const r = runCli(['trace', 'show', join(tmp(), 'missing.jsonl'), '--device', 'a']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^lorafleet: .*missing\.jsonl: cannot read \(ENOENT\)$/);
  });
});
