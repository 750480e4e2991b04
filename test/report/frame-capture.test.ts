import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario } from '../../simulator/engine/run.js';
import { MTYPES } from '../../simulator/lorawan/mhdr.js';
import { loraTapHeader } from '../../simulator/report/pcap.js';
import { deviceFilter, type TraceLine, type TraceRecord } from '../../simulator/report/trace.js';
import type { RunReport } from '../../simulator/report/types.js';
import { loadScenario } from '../../simulator/scenario/load.js';
import { runCli, runQuickstart } from '../helpers/cli.js';
import { tempDirs } from '../helpers/reruns.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { tmp, cleanup } = tempDirs('lorafleet-capture-');
afterAll(cleanup);

/** Debian's tshark; the capture test reads the file back with it, as a user's Wireshark would. */
function tshark(): string {
  const path = process.env.TSHARK_PATH ?? '/usr/bin/tshark';
  if (!existsSync(path))
    throw new Error(
      "the pcap test needs tshark: install Debian's package (apt-get install tshark) or set TSHARK_PATH",
    );
  return path;
}

describe('LoRaTap', () => {
  it('writes the version 0 header, big-endian, with LoRaWAN’s sync word', () => {
    // 868.1 MHz, 125 kHz, SF7, -100 dBm at SNR 7.5 dB.
    expect(
      loraTapHeader({
        frequencyHz: 868_100_000,
        bandwidthHz: 125_000,
        spreadingFactor: 7,
        rssi: -100,
        snr: 7.5,
      }).toString('hex'),
    ).toBe('0000000f33be27a00107272727' + '1e34');
    // Below the noise (SNR < 0) the packet RSSI is in quarter dB; a frame sent has none (255).
    const weak = loraTapHeader({
      frequencyHz: 869_525_000,
      bandwidthHz: 125_000,
      spreadingFactor: 12,
      rssi: -130,
      snr: -12.25,
    });
    expect(weak[10]).toBe(36);
    expect(weak.readInt8(13)).toBe(-49);
    expect(loraTapHeader({ frequencyHz: 869_525_000, bandwidthHz: 500_000, spreadingFactor: 9 })[10]).toBe(
      255,
    );
    expect(loraTapHeader({ frequencyHz: 923_300_000, bandwidthHz: 500_000, spreadingFactor: 9 })[8]).toBe(4);
  });

  it('device filters are globs over whole IDs', () => {
    const f = deviceFilter('meters-1*, trackers-?');
    expect(['meters-1', 'meters-17', 'trackers-3'].every(f)).toBe(true);
    expect(['meters-2', 'xmeters-1', 'trackers-10', 'meters.1'].some(f)).toBe(false);
  });
});

describe('a trace and a capture of the quickstart', () => {
  let report: RunReport;
  let trace: TraceRecord[];
  let events: TraceLine[];
  let pcap: string;
  beforeAll(async () => {
    const dir = tmp();
    const s = loadScenario(join(root, 'scenarios/quickstart.yaml'));
    report = await runScenario(s, {
      virtualTime: true,
      stateDir: dir,
      capture: { trace: join(dir, 'trace.jsonl'), pcap: join(dir, 'run.pcap'), traceFilter: {} },
    });
    const lines = readFileSync(join(dir, 'trace.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TraceLine);
    events = lines.filter((l) => l.dir === 'device');
    trace = lines.filter((l): l is TraceRecord => l.dir !== 'device');
    pcap = join(dir, 'run.pcap');
  }, 120_000);

  it('decodes every uplink and downlink, MIC valid with the devices’ own keys, and holds no key', () => {
    expect(report.verdict).toBe('pass');
    for (const r of trace)
      expect(r.frame, `${r.dir} ${r.kind} ${r.phyPayload}`).toMatchObject({ micValid: true });
    const text = JSON.stringify(trace);
    expect(text).not.toMatch(/[Kk]ey"/); // no appKey, nwkKey, sessionKeys… field
    // Uplinks carry who heard them; a downlink, who sent it and the device it was for.
    const ups = trace.filter((r) => r.dir === 'up');
    expect(ups.every((r) => r.device !== null && Array.isArray(r.gateways))).toBe(true);
    expect(trace.filter((r) => r.dir === 'down').every((r) => r.device !== null && r.gateway)).toBe(true);
  });

  it('tells what each device made of its frames: joins and downlinks by window, as the report counts', () => {
    const of = (type: string) => events.filter((e) => e.dir === 'device' && e.event.type === type);
    expect(of('joined')).toHaveLength(report.metrics.devices_otaa_joined);
    const appDownlinks = of('downlink').filter((e) => e.dir === 'device' && (e.event.fPort as number) > 0);
    expect(appDownlinks).toHaveLength(report.metrics.downlinks_received);
    expect(of('uplink')).toHaveLength(0); // an uplink is its frame's line already
  });

  it('counts what the report counts: Join-requests, and application uplinks by device and FCnt', () => {
    const joins = trace.filter((r) => r.dir === 'up' && r.kind === 'join');
    expect(joins).toHaveLength(report.metrics.joins_requested);
    const appUplinks = new Set(
      trace
        .filter((r) => r.dir === 'up' && r.kind === 'uplink' && (r.frame.fPort as number) > 0)
        .map((r) => `${r.device}/${r.frame.fCnt as number}`),
    );
    expect(appUplinks.size).toBe(report.metrics.uplinks_sent);
    const received = trace.filter(
      (r) => r.dir === 'down' && r.kind === 'downlink' && (r.frame.fPort as number) === 10,
    );
    expect(received.length).toBeGreaterThanOrEqual(report.metrics.downlinks_received);
  });

  it('writes a pcap that tshark reads back: MType, DevAddr and FCnt of every frame', () => {
    const r = spawnSync(
      tshark(),
      [
        '-r',
        pcap,
        '-T',
        'fields',
        '-E',
        'separator=,',
        '-e',
        'lorawan.mhdr.mtype',
        '-e',
        'lorawan.fhdr.devaddr',
        '-e',
        'lorawan.fhdr.fcnt',
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    expect(rows).toHaveLength(trace.length);
    rows.forEach(([mtype, devAddr, fCnt], i) => {
      const t = trace[i]!;
      expect(MTYPES[Number(mtype)], `frame ${i + 1}`).toBe(t.frame.mType);
      if (t.kind === 'uplink' || t.kind === 'downlink') {
        expect(Number(devAddr), `frame ${i + 1}`).toBe(parseInt(t.frame.devAddr as string, 16));
        expect(Number(fCnt), `frame ${i + 1}`).toBe((t.frame.fCnt as number) % 0x10000);
      }
    });
  });
});

describe('lorafleet run --trace', () => {
  it('filters by device and kind', () => {
    const dir = tmp();
    const file = join(dir, 'joins.jsonl');
    const r = runQuickstart(dir, ['--trace', file, '--trace-devices', 'meters-1*', '--trace-kinds', 'join']);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as TraceRecord);
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.every((l) => l.kind === 'join' && /^meters-1\d*$/.test(l.device ?? ''))).toBe(true);
    expect(new Set(lines.map((l) => l.dir))).toEqual(new Set(['up', 'down']));
  }, 60_000);

  it('refuses a kind it does not know, and filters without a trace', () => {
    const bad = runCli([
      'run',
      'scenarios/quickstart.yaml',
      '--trace',
      'x.jsonl',
      '--trace-kinds',
      'join,beacon',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe(
      'lorafleet: --trace-kinds: expected join, uplink, downlink, event, got "beacon"',
    );
    const lonely = runCli(['run', 'scenarios/quickstart.yaml', '--trace-devices', 'a*']);
    expect(lonely.code).toBe(2);
    expect(lonely.stderr).toContain(
      '--trace-devices and --trace-kinds filter a trace: give --trace FILE too',
    );
  });
});
