import { firmwareOf } from './firmware.js';
import { LorafleetError } from '../../crypto/errors.js';
import type { FirmwareReport, LagFigures, RunReport, SimulatorHealth } from './types.js';
import { verdictOf } from './verdict.js';
import { Binned, LogBinned } from '../metrics/distribution.js';
import { addCounts, countsOf, metricsFrom } from '../metrics/report-metrics.js';
import type { TimelineJson } from '../metrics/run-metrics.js';
import { evaluate, parseThreshold } from '../scenario/thresholds.js';

export class MergeError extends LorafleetError {
  constructor(message: string) {
    super('LORAFLEET_MERGE', message);
  }
}

/** Adds numbers key by key, recursing into objects (the network's counters). */
export function addTree(a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (Array.isArray(a) && Array.isArray(b)) return addSeries(a as number[], b as number[]);
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a)) {
    const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
    for (const [k, v] of Object.entries(b as Record<string, unknown>))
      out[k] = k in out ? addTree(out[k], v) : v;
    return out;
  }
  return a ?? b;
}

const addSeries = (a: number[], b: number[]) =>
  Array.from({ length: Math.max(a.length, b.length) }, (_, i) => (a[i] ?? 0) + (b[i] ?? 0));

/** Within one bucket the shards' percentiles cannot be combined exactly: the highest stands for them. */
const maxSeries = (a: (number | null)[], b: (number | null)[]) =>
  Array.from({ length: Math.max(a.length, b.length) }, (_, i) => {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    return x === null ? y : y === null ? x : Math.max(x, y);
  });

function mergeTimelines(a: TimelineJson, b: TimelineJson): TimelineJson {
  if (a.bucketMs !== b.bucketMs)
    throw new MergeError(`timelines with different buckets (${a.bucketMs} ms and ${b.bucketMs} ms)`);
  return {
    bucketMs: a.bucketMs,
    uplinksSent: addSeries(a.uplinksSent, b.uplinksSent),
    uplinksDelivered: addSeries(a.uplinksDelivered, b.uplinksDelivered),
    joinRequests: addSeries(a.joinRequests, b.joinRequests),
    joinAccepts: addSeries(a.joinAccepts, b.joinAccepts),
    latencyP50Ms: maxSeries(a.latencyP50Ms, b.latencyP50Ms),
    latencyP99Ms: maxSeries(a.latencyP99Ms, b.latencyP99Ms),
    latencyMaxMs: maxSeries(a.latencyMaxMs, b.latencyMaxMs),
  };
}

const maxLag = (all: LagFigures[]): LagFigures => ({
  p50: Math.max(...all.map((l) => l.p50)),
  p99: Math.max(...all.map((l) => l.p99)),
  max: Math.max(...all.map((l) => l.max)),
});

/**
 * The shards' simulators as one: counts add, CPU adds (each shard its own process or thread), the
 * slowest speed and the worst lag stand for all (lag percentiles of separate processes do not merge).
 */
function mergeHealth(all: (SimulatorHealth | undefined)[]): SimulatorHealth {
  if (all.some((h) => h === undefined))
    throw new MergeError('a report without `simulator` health (from an older lorafleet?)');
  const h = all as SimulatorHealth[];
  return {
    clock: h[0]!.clock,
    wallMs: Math.max(...h.map((x) => x.wallMs)),
    speed: Math.min(...h.map((x) => x.speed)),
    cpuShare: Math.round(h.reduce((a, x) => a + x.cpuShare, 0) * 100) / 100,
    timerLagMs: maxLag(h.map((x) => x.timerLagMs)),
    eventLoopLagMs: maxLag(h.map((x) => x.eventLoopLagMs)),
    timersLate: h.reduce((a, x) => a + x.timersLate, 0),
    windowsLate: h.reduce((a, x) => a + x.windowsLate, 0),
  };
}

/** The shards' firmware blocks as one: counts add, the most Join-requests of one device is the largest. */
function mergeFirmware(all: (FirmwareReport | undefined)[]): FirmwareReport {
  const f = all.map(firmwareOf);
  const add = <T>(pick: (x: FirmwareReport) => T): T => f.map(pick).reduce((a, b) => addTree(a, b) as T);
  return {
    mac: add((x) => x.mac),
    dataRates: add((x) => x.dataRates),
    txPowerDbm: add((x) => x.txPowerDbm),
    // Every shard runs the same scenario, so the same intervals: the series add slot by slot.
    adrOverTime: { intervalS: f[0]!.adrOverTime.intervalS, fleets: add((x) => x.adrOverTime.fleets) },
    confirmed: add((x) => x.confirmed),
    downlinksByWindow: add((x) => x.downlinksByWindow),
    classCDevices: add((x) => x.classCDevices),
    joinRequests: {
      devices: add((x) => x.joinRequests.devices),
      total: add((x) => x.joinRequests.total),
      max: Math.max(0, ...f.map((x) => x.joinRequests.max)),
      perDevice: add((x) => x.joinRequests.perDevice),
    },
  };
}

/**
 * One report from the shards of one run (`--shard i/N` processes, worker threads): counters add,
 * latency histograms merge exactly (HDR), so ratios, percentiles and every threshold's verdict are
 * those of the whole fleet. Refuses reports of different scenarios or seeds, and a shard set with a
 * gap or a repeat, naming what is wrong.
 */
export function mergeReports(reports: RunReport[], names: string[] = []): RunReport {
  if (reports.length === 0) throw new MergeError('no reports to merge');
  const name = (i: number) => names[i] ?? `report ${i + 1}`;
  const first = reports[0]!;
  reports.forEach((r, i) => {
    for (const k of ['scenario', 'seed', 'target', 'time'] as const)
      if (r[k] !== first[k])
        throw new MergeError(
          `${name(i)}: ${k} is "${r[k]}", but ${name(0)} has "${first[k]}"; these are not shards of one run`,
        );
    if (r.metrics === undefined || r.timeline === undefined)
      throw new MergeError(`${name(i)}: not a lorafleet run report`);
  });
  const sharded = reports.filter((r) => r.shard !== undefined);
  if (sharded.length > 0) {
    const count = first.shard?.count;
    const seen = new Map<number, number>();
    reports.forEach((r, i) => {
      if (r.shard === undefined || r.shard.count !== count)
        throw new MergeError(
          `${name(i)}: ${r.shard ? `shard ${r.shard.index}/${r.shard.count}` : 'not a shard'}, but ${name(0)} is shard ${first.shard!.index}/${count}`,
        );
      if (seen.has(r.shard.index))
        throw new MergeError(
          `${name(i)}: shard ${r.shard.index}/${count} is also ${name(seen.get(r.shard.index)!)}`,
        );
      seen.set(r.shard.index, i);
    });
    const missing = Array.from({ length: count! }, (_, i) => i).filter((i) => !seen.has(i));
    if (missing.length > 0)
      throw new MergeError(
        `shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing`,
      );
  }

  const start = countsOf(first.metrics);
  const latency = start.latency;
  let counts = start.counts;
  const latencyBins = LogBinned.fromJSON(first.distributions.latencyMs);
  const rssi = new Binned(
    first.distributions.rssiDbm.start,
    first.distributions.rssiDbm.width,
    first.distributions.rssiDbm.counts.length,
  );
  const snr = new Binned(
    first.distributions.snrDb.start,
    first.distributions.snrDb.width,
    first.distributions.snrDb.counts.length,
  );
  rssi.add(first.distributions.rssiDbm);
  snr.add(first.distributions.snrDb);
  let timeline = first.timeline;
  let fleets = first.fleets as unknown;
  let network = first.network as unknown;
  let violations = first.violations as unknown;
  let reasons = first.diagnostics.reasons as unknown;
  const gateways = { ...first.gateways };
  for (const r of reports.slice(1)) {
    const c = countsOf(r.metrics);
    counts = addCounts(counts, c.counts);
    latency.add(c.latency);
    latencyBins.add(LogBinned.fromJSON(r.distributions.latencyMs));
    rssi.add(r.distributions.rssiDbm);
    snr.add(r.distributions.snrDb);
    timeline = mergeTimelines(timeline, r.timeline);
    fleets = addTree(fleets, r.fleets);
    network = addTree(network, r.network);
    violations = addTree(violations, r.violations);
    reasons = addTree(reasons, r.diagnostics.reasons);
    Object.assign(gateways, r.gateways);
  }
  const simulator = mergeHealth(reports.map((r) => r.simulator));
  const metrics = metricsFrom(counts, latency, { lagP99: simulator.timerLagMs.p99 });
  const thresholds = first.thresholds.map((t) => evaluate(parseThreshold(t.text), metrics));
  const { shard: _shard, inconclusive: _why, ...base } = first;
  return {
    ...base,
    ...verdictOf(thresholds, simulator),
    simulator,
    merged: { shards: reports.length },
    devices: reports.reduce((a, r) => a + r.devices, 0),
    gatewaysSimulated: reports.reduce((a, r) => a + r.gatewaysSimulated, 0),
    durationMs: Math.max(...reports.map((r) => r.durationMs)),
    interrupted: reports.some((r) => r.interrupted),
    thresholds,
    metrics,
    fleets: fleets as RunReport['fleets'],
    gateways,
    network: network as RunReport['network'],
    violations: violations as RunReport['violations'],
    uplinkLosses: reports.map((r) => r.uplinkLosses).reduce((a, b) => addTree(a, b) as typeof a),
    downlinkLosses: reports.map((r) => r.downlinkLosses).reduce((a, b) => addTree(a, b) as typeof a),
    firmware: mergeFirmware(reports.map((r) => r.firmware)),
    violationSamples: reports.flatMap((r) => r.violationSamples).slice(0, 25),
    diagnostics: {
      reasons: reasons as Record<string, number>,
      notProvisioned: reports.flatMap((r) => r.diagnostics.notProvisioned).slice(0, 10),
    },
    timeline,
    distributions: { latencyMs: latencyBins.toJSON(), rssiDbm: rssi.toJSON(), snrDb: snr.toJSON() },
  };
}
