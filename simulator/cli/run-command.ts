import { runScenario, type RunOptions } from '../engine/run.js';
import type { RunReport } from '../report/types.js';
import { writeHtmlReport } from '../report/html.js';
import { startPrometheus, type PrometheusExporter } from '../report/prometheus.js';
import { summaryText, writeJsonReport } from '../report/summary.js';
import { capacityProblem } from '../scenario/capacity.js';
import { compactFleetsProblem } from '../engine/compact-fleets.js';
import { loadScenario } from '../scenario/load.js';
import { parseShard } from '../scenario/shard.js';
import { exitCodeOf, UsageError } from './errors.js';
import { fileLogger } from './log-file.js';
import { colourVerdict, useColour } from './colour.js';
import { liveView } from './live-line.js';
import { SampleWriter } from '../report/samples.js';
import { closeSync, openSync } from 'node:fs';
import { makeParentDirs } from '../io/output-dir.js';
import { forgetScenarioState, hasJournal } from '../engine/state-files.js';
import type { CaptureOptions } from '../engine/frame-capture.js';
import { deviceFilter, TRACE_KINDS, type TraceKind } from '../report/trace.js';
import { defaultWorkers, runInWorkers } from './workers.js';
import { lorafleetVersion } from './version.js';
import { startDashboard, type LiveDashboard } from '../report/dashboard.js';

export interface RunCommandOptions {
  file: string;
  virtualTime?: boolean;
  report?: string;
  /** Self-contained HTML report with plots. */
  html?: string;
  /** `host:port` (or a port) to serve live metrics on for Prometheus. */
  prometheus?: string;
  stateDir?: string;
  /** `i/N`: one deterministic share of the fleet. */
  shard?: string;
  /** Worker threads (default: by cores, gateways and devices, see defaultWorkers). */
  workers?: number;
  /** pino JSON log file. */
  log?: string;
  /** Forget this scenario's device state and journal first (a new world). */
  fresh?: boolean;
  /** `--trace FILE`, its filters (comma-separated globs; kinds), and `--pcap FILE`. */
  trace?: string;
  traceDevices?: string;
  traceKinds?: string;
  pcap?: string;
  /** `json=FILE`: per-second samples of every metric. */
  out?: string;
  /** `host:port` (or a port) to serve the live dashboard on. */
  dashboard?: string;
}

/** The frame outputs asked for on the command line, checked. */
function captureOptions(o: RunCommandOptions): CaptureOptions {
  if ((o.traceDevices !== undefined || o.traceKinds !== undefined) && o.trace === undefined)
    throw new UsageError('--trace-devices and --trace-kinds filter a trace: give --trace FILE too');
  const kinds = o.traceKinds?.split(',').map((k) => k.trim());
  const bad = kinds?.find((k) => !(TRACE_KINDS as readonly string[]).includes(k));
  if (bad !== undefined)
    throw new UsageError(`--trace-kinds: expected ${TRACE_KINDS.join(', ')}, got "${bad}"`);
  return {
    ...(o.trace !== undefined ? { trace: o.trace } : {}),
    ...(o.pcap !== undefined ? { pcap: o.pcap } : {}),
    traceFilter: {
      ...(o.traceDevices !== undefined ? { devices: deviceFilter(o.traceDevices) } : {}),
      ...(kinds !== undefined ? { kinds: kinds as TraceKind[] } : {}),
    },
  };
}

/**
 * `lorafleet run`: validates, runs, prints the summary, writes the report. Exit code 0 when every
 * threshold passes, 1 when one fails. The first Ctrl-C stops traffic, drains briefly, tears down
 * and reports; a second one exits at once (device state is already on disk).
 */
export async function runCommand(
  o: RunCommandOptions,
  out: (s: string) => void,
  err: (s: string) => void,
): Promise<number> {
  const shard = o.shard === undefined ? undefined : parseShard(o.shard);
  const scenario = loadScenario(o.file);
  // Per process: with --shard, only this shard's share of the devices.
  const tooBig =
    capacityProblem(
      shard
        ? {
            ...scenario,
            fleets: scenario.fleets.map((f) => ({ ...f, count: Math.ceil(f.count / shard.count) })),
          }
        : scenario,
    ) ?? compactFleetsProblem(scenario);
  if (tooBig) throw new UsageError(`${o.file}: ${tooBig}`);
  if (o.workers !== undefined && (!Number.isInteger(o.workers) || o.workers < 1))
    throw new UsageError(`--workers: expected a whole number of threads, 1 or more, got ${o.workers}`);
  const deviceCount = scenario.fleets.reduce((a, f) => a + f.count, 0);
  const gatewayCount = scenario.gateways.count;
  const embedded = scenario.target.type === 'embedded';
  // The embedded network is one world: one network, one radio medium, one scheduler. Split over
  // threads it would become several networks, each with a share of the gateways, and its verdict
  // would change with the thread count; so it runs on one thread, whatever --workers says.
  const asked = o.workers ?? (shard || embedded ? 1 : defaultWorkers(deviceCount, gatewayCount));
  if (embedded && asked > 1)
    err(
      `--workers ${asked}: the embedded network is one world and runs on one thread (workers spread load against a TTS target)`,
    );
  const workers = embedded ? 1 : asked;
  if (workers > 1 && shard)
    throw new UsageError(
      '--shard runs on one thread: give --workers 1, or more shards (one process per core)',
    );
  if (workers > gatewayCount)
    throw new UsageError(
      `--workers ${workers}: the scenario has ${gatewayCount} gateway${gatewayCount === 1 ? '' : 's'}, and each worker serves its own; use at most ${gatewayCount}`,
    );
  const capture = captureOptions(o);
  if (workers > 1 && (o.trace !== undefined || o.pcap !== undefined))
    throw new UsageError('--trace and --pcap write one file from one thread: give --workers 1');
  if (workers > 1 && o.dashboard !== undefined)
    throw new UsageError('--dashboard follows the devices of one thread: give --workers 1');
  const dashboardAt =
    o.dashboard === undefined ? undefined : listenAddress(o.dashboard, '--dashboard', '127.0.0.1:8080');
  const stateDir = o.stateDir ?? '.lorafleet';
  if (o.fresh) {
    if (!embedded && hasJournal(stateDir, scenario.name))
      throw new UsageError(
        `--fresh: ${scenario.name} has devices registered on its TTS target (journal in ${stateDir}); the deployment keeps their DevNonces and sessions, so forgetting them here would make their joins replays. Tear them down first (lorafleet teardown ${o.file}), then run with --fresh.`,
      );
    const gone = forgetScenarioState(stateDir, scenario.name);
    err(
      `fresh: forgot ${gone.length} state file${gone.length === 1 ? '' : 's'} of ${scenario.name} in ${stateDir}`,
    );
  }
  const listen = o.prometheus === undefined ? undefined : listenAddress(o.prometheus);
  const logger = o.log ? fileLogger(o.log, 'debug') : undefined;
  let exporter: PrometheusExporter | undefined;
  if (listen) {
    try {
      exporter = await startPrometheus(listen, { scenario: scenario.name });
    } catch (e) {
      throw new UsageError(`--prometheus ${o.prometheus}: cannot listen (${(e as Error).message})`);
    }
    err(`prometheus: metrics at ${exporter.url}`);
  }
  let dashboard: LiveDashboard | undefined;
  if (dashboardAt) {
    try {
      dashboard = await startDashboard(dashboardAt);
    } catch (e) {
      await exporter?.close();
      throw new UsageError(`--dashboard ${o.dashboard}: cannot listen (${(e as Error).message})`);
    }
    err(`dashboard: live at ${dashboard.url}`);
  }
  logger?.info({ scenario: scenario.name, seed: scenario.seed, file: o.file }, 'run started');
  let stop: () => void = () => undefined;
  const stopSignal = new Promise<void>((r) => (stop = r));
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) process.exit(130);
    err('stopping: draining, tearing down and writing the report (Ctrl-C again to quit now)');
    stop();
  };
  process.on('SIGINT', onSigint);
  // Every output file is opened before anything runs: a path that cannot be written is a usage
  // error now, not a failure after minutes of provisioning.
  const outFile = o.out === undefined ? undefined : /^json=(.+)$/.exec(o.out)?.[1];
  if (o.out !== undefined && outFile === undefined)
    throw new UsageError(`--out: expected json=FILE, got "${o.out}"`);
  for (const [flag, file] of [
    ['--report', o.report],
    ['--html', o.html],
    ['--trace', o.trace],
    ['--pcap', o.pcap],
    ['--out json=', outFile],
  ] as const)
    if (file !== undefined) checkWritable(flag, file);
  const samples = outFile === undefined ? undefined : new SampleWriter(outFile, { scenario: scenario.name });
  const view = liveView({
    write: (t) => process.stderr.write(t),
    tty: process.stderr.isTTY === true,
    columns: () => process.stderr.columns ?? 80,
    nowMs: () => Date.now(),
  });
  let report: RunReport;
  try {
    const options: RunOptions = {
      ...(o.virtualTime ? { virtualTime: true } : {}),
      ...(o.stateDir ? { stateDir: o.stateDir } : {}),
      ...(shard ? { shard } : {}),
      capture,
      networkThread: true, // an embedded network in wall time gets a thread (a core) of its own
      userAgent: `lorafleet/${lorafleetVersion()}`,
      ...(logger ? { logger } : {}),
      stopSignal,
      ...(exporter ? { metricsListener: exporter.listener } : {}),
      ...(dashboard ? { live: dashboard } : {}),
      onPhase: (phase, done, total) => view.phase(phase, done, total),
      onProgress: (p) => {
        exporter?.update(p);
        samples?.sample(p);
        view.progress(p);
      },
    };
    report =
      workers > 1 ? await runInWorkers(scenario, workers, options) : await runScenario(scenario, options);
    dashboard?.finish(report);
  } finally {
    await dashboard?.close();
    process.off('SIGINT', onSigint);
    view.end();
    samples?.close();
    await exporter?.close();
  }
  logger?.info(
    {
      verdict: report.verdict,
      interrupted: report.interrupted,
      thresholds: report.thresholds,
      metrics: report.metrics,
    },
    'run finished',
  );
  out(colourVerdict(summaryText(report), useColour(process.stdout)));
  if (o.report) writeJsonReport(o.report, report);
  if (o.html) writeHtmlReport(o.html, report);
  return exitCodeOf(report);
}

/** `9464`, `:9464`, `127.0.0.1:9464`, `[::1]:9464`; the host defaults to loopback. */
export function listenAddress(
  s: string,
  flag = '--prometheus',
  example = '127.0.0.1:9464',
): { host: string; port: number } {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[^:[\]]*):)?(\d{1,5})$/.exec(s.trim());
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || port > 65535) throw new UsageError(`${flag}: expected host:port like "${example}", got "${s}"`);
  const host = m[1] ? m[1].replace(/^\[|\]$/g, '') : '127.0.0.1';
  return { host, port };
}

/** Creates (or truncates) an output file now, or says in one line why it cannot be written. */
function checkWritable(flag: string, file: string): void {
  try {
    makeParentDirs(file);
    closeSync(openSync(file, 'w'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new UsageError(`${flag}${flag.endsWith('=') ? '' : ' '}${file}: cannot write (${code})`);
  }
}
