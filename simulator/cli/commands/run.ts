import type { Argv } from 'yargs';
import { capacityProblem } from '../../scenario/capacity.js';
import { compactFleetsProblem } from '../../engine/compact-fleets.js';
import { loadScenario } from '../../scenario/load.js';
import { UsageError } from '../errors.js';
import { reportMergeCommand } from '../report-command.js';
import { runCommand } from '../run-command.js';
import type { CommandIo } from './io.js';

/** `lorafleet run`, `report merge` and `validate`. */
export function runCommands<T>(y: Argv<T>, o: CommandIo): Argv<T> {
  return y
    .command(
      'run <scenario>',
      'Run a scenario: provision, traffic, drain, teardown, report (exit 0 pass, 1 thresholds failed, 2 usage error or inconclusive)',
      (y) =>
        y
          .positional('scenario', {
            type: 'string',
            demandOption: true,
            describe: 'Scenario file (YAML or JSON)',
          })
          .option('virtual-time', {
            type: 'boolean',
            default: false,
            describe: 'Run as fast as possible in virtual time (embedded target)',
          })
          .option('report', { type: 'string', describe: 'Write the JSON report to this file' })
          .option('html', {
            type: 'string',
            describe: 'Write a self-contained HTML report with plots to this file',
          })
          .option('dashboard', {
            type: 'string',
            describe:
              'Serve a live dashboard of the run on host:port (e.g. 127.0.0.1:8080; loopback unless a host is given)',
          })
          .option('prometheus', {
            type: 'string',
            describe: 'Serve live metrics for Prometheus on host:port (e.g. 127.0.0.1:9464)',
          })
          .option('log', {
            type: 'string',
            describe: 'Write pino JSON logs to this file (keys are never logged)',
          })
          .option('state-dir', {
            type: 'string',
            describe: 'Where device state (DevNonces, FCnts) is kept (default .lorafleet)',
          })
          .option('trace', {
            type: 'string',
            describe: 'Write every frame on air as JSON lines to this file (decoded, never keys)',
          })
          .option('trace-devices', {
            type: 'string',
            describe: "Trace only these devices: comma-separated globs, e.g. 'meters-1*'",
          })
          .option('trace-kinds', {
            type: 'string',
            describe: 'Trace only these kinds of frame: join, uplink, downlink (comma-separated)',
          })
          .option('pcap', {
            type: 'string',
            describe: 'Write every LoRa frame to this pcap file (LoRaTap), for Wireshark and tshark',
          })
          .option('out', {
            type: 'string',
            describe: 'Stream per-second samples of every metric: json=FILE (JSON lines, as k6 --out json)',
          })
          .option('fresh', {
            type: 'boolean',
            default: false,
            describe:
              "Start a new world: forget this scenario's device state and journal in the state directory first",
          })
          .option('workers', {
            type: 'number',
            describe:
              'Worker threads against a TTS target, each with a share of the gateways and their devices (default: one per core, at most one per 10,000 devices); the embedded network is one world on one thread',
          })
          .option('shard', {
            type: 'string',
            describe:
              'Run the i-th of N deterministic shares of the fleet, 0-based (e.g. 0/3); merge with `report merge`',
          }),
      async (a) => {
        o.exit(
          await runCommand(
            {
              file: a.scenario,
              ...(a['virtual-time'] ? { virtualTime: true } : {}),
              ...(a.report ? { report: a.report } : {}),
              ...(a.html ? { html: a.html } : {}),
              ...(a.prometheus !== undefined ? { prometheus: a.prometheus } : {}),
              ...(a.dashboard !== undefined ? { dashboard: a.dashboard } : {}),
              ...(a.log ? { log: a.log } : {}),
              ...(a['state-dir'] ? { stateDir: a['state-dir'] } : {}),
              ...(a.fresh ? { fresh: true } : {}),
              ...(a.trace !== undefined ? { trace: a.trace } : {}),
              ...(a['trace-devices'] !== undefined ? { traceDevices: a['trace-devices'] } : {}),
              ...(a['trace-kinds'] !== undefined ? { traceKinds: a['trace-kinds'] } : {}),
              ...(a.pcap !== undefined ? { pcap: a.pcap } : {}),
              ...(a.out !== undefined ? { out: a.out } : {}),
              ...(a.shard !== undefined ? { shard: a.shard } : {}),
              ...(a.workers !== undefined ? { workers: a.workers } : {}),
            },
            o.print,
            o.printErr,
          ),
        );
      },
    )
    .command('report', 'Work with run reports', (y) =>
      y
        .command(
          'merge <reports..>',
          'Merge shard reports (lorafleet run --shard i/N --report …) into one verdict (exit 0 pass, 1 fail)',
          (y) =>
            y
              .positional('reports', {
                type: 'string',
                array: true,
                demandOption: true,
                describe: 'JSON reports',
              })
              .option('report', { type: 'string', describe: 'Write the merged JSON report to this file' })
              .option('html', { type: 'string', describe: 'Write the merged HTML report to this file' }),
          (a) => {
            o.exit(
              reportMergeCommand(
                {
                  files: a.reports,
                  ...(a.report ? { report: a.report } : {}),
                  ...(a.html ? { html: a.html } : {}),
                },
                o.print,
              ),
            );
          },
        )
        .demandCommand(1, 'Name a report command: merge'),
    )
    .command(
      'validate <scenario>',
      'Check a scenario file without running it',
      (y) => y.positional('scenario', { type: 'string', demandOption: true }),
      (a) => {
        const s = loadScenario(a.scenario);
        const tooBig = capacityProblem(s) ?? compactFleetsProblem(s);
        if (tooBig) throw new UsageError(`${a.scenario}: ${tooBig}`);
        const devices = s.fleets.reduce((n, f) => n + f.count, 0);
        o.print(
          `${a.scenario}: valid (${s.fleets.length} fleet(s), ${devices} devices, ${s.gateways.count} gateway(s))`,
        );
      },
    );
}
