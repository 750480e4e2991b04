#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { LorafleetError } from '../../crypto/errors.js';
import type { JoinReqType } from '../../crypto/join-crypto.js';
import { CodecError } from '../lorawan/errors.js';
import { EXIT_INTERRUPTED, EXIT_USAGE, UsageError } from './errors.js';
import { RunInterruptedError } from '../engine/errors.js';
import { reportMergeCommand } from './report-command.js';
import { devicesLsCommand, provisionCommand, teardownCommand } from './provision-command.js';
import { optEui, optHexUint, optInt, optKey, parseBytes } from './input.js';
import { deriveKeys } from './keys-derive.js';
import { describePacket, formatPacket } from './packet-decode.js';
import { encodePacket } from './packet-encode.js';
import { lorafleetVersion } from './version.js';
import { runNetwork } from './network-command.js';
import { runCommand } from './run-command.js';
import { loadScenario } from '../scenario/load.js';
import { capacityProblem } from '../scenario/capacity.js';
import { ScenarioError } from '../scenario/errors.js';

const KEY_OPTIONS = {
  'app-key': 'AppKey (1.0 root key; 1.1 application root key)',
  'nwk-key': 'NwkKey (1.1 network root key)',
  'app-s-key': 'AppSKey',
  'nwk-s-key': 'NwkSKey (1.0)',
  'f-nwk-s-int-key': 'FNwkSIntKey (1.1)',
  's-nwk-s-int-key': 'SNwkSIntKey (1.1)',
  'nwk-s-enc-key': 'NwkSEncKey (1.1)',
  'js-int-key': 'JSIntKey (1.1)',
} as const;

const JOIN_REQ_TYPES: Record<string, JoinReqType> = {
  'join-request': 'JoinRequest',
  ff: 'JoinRequest',
  '0': 'RejoinRequest0',
  '1': 'RejoinRequest1',
  '2': 'RejoinRequest2',
};

function withKeys<T>(y: Argv<T>): Argv<T> {
  let out = y;
  for (const [name, describe] of Object.entries(KEY_OPTIONS)) {
    out = out.option(name, { type: 'string', describe: `${describe}, 32 hex digits`, group: 'Keys:' });
  }
  return out;
}

/** The root and session keys given as options, by their camelCase names. */
function keysFromArgs(a: Record<string, unknown>) {
  return {
    appKey: optKey(a['app-key'], 'app-key'),
    nwkKey: optKey(a['nwk-key'], 'nwk-key'),
    appSKey: optKey(a['app-s-key'], 'app-s-key'),
    nwkSKey: optKey(a['nwk-s-key'], 'nwk-s-key'),
    fNwkSIntKey: optKey(a['f-nwk-s-int-key'], 'f-nwk-s-int-key'),
    sNwkSIntKey: optKey(a['s-nwk-s-int-key'], 's-nwk-s-int-key'),
    nwkSEncKey: optKey(a['nwk-s-enc-key'], 'nwk-s-enc-key'),
    jsIntKey: optKey(a['js-int-key'], 'js-int-key'),
  };
}

function print(s: string): void {
  process.stdout.write(`${s}\n`);
}

function printErr(s: string): void {
  process.stderr.write(`${s}\n`);
}

function readStdin(): string {
  try {
    return readFileSync(0, 'utf8');
  } catch {
    throw new UsageError('no JSON on stdin: pipe a frame description in, or pass --json');
  }
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const cli = yargs(argv)
    .scriptName('lorafleet')
    .version(lorafleetVersion())
    .usage('$0 <command> [options]\n\nLoRaWAN device-fleet simulator with exact packet crypto.')
    .command('packet', 'Decode and encode LoRaWAN frames', (y) =>
      y
        .command(
          'decode <data>',
          'Decode a PHYPayload (hex or base64); decrypt and check the MIC with the keys given',
          (yy) =>
            withKeys(yy)
              .positional('data', {
                type: 'string',
                describe: 'PHYPayload as hex or base64',
                demandOption: true,
              })
              .option('json', {
                type: 'boolean',
                default: false,
                describe: 'Print JSON (stable field names)',
              })
              .option('lorawan', {
                // A string: yargs would read 1.1 as a number and then match no choice.
                type: 'string',
                choices: ['1.0', '1.1'] as const,
                describe: 'Session version (default: 1.1 if a 1.1 key is given)',
              })
              .option('f-cnt-msb', { type: 'string', describe: 'Upper 16 bits of the 32-bit FCnt' })
              .option('conf-f-cnt', {
                type: 'string',
                describe: '1.1: FCnt of the confirmed frame this one ACKs',
              })
              .option('tx-dr', {
                type: 'string',
                describe: '1.1 uplink MIC: data-rate index of the transmission',
              })
              .option('tx-ch', {
                type: 'string',
                describe: '1.1 uplink MIC: channel index of the transmission',
              })
              .option('join-eui', { type: 'string', describe: '1.1 Join-accept MIC: JoinEUI of the request' })
              .option('dev-eui', {
                type: 'string',
                describe: '1.1 Join-accept MIC: DevEUI (derives JSIntKey from --nwk-key)',
              })
              .option('dev-nonce', {
                type: 'string',
                describe: '1.1 Join-accept MIC: DevNonce (4 hex digits) or RJcount',
              })
              .option('join-req-type', {
                type: 'string',
                describe: '1.1 Join-accept MIC: join-request (default), 0, 1 or 2',
              }),
          (a) => {
            const joinReqType =
              a['join-req-type'] === undefined
                ? undefined
                : JOIN_REQ_TYPES[String(a['join-req-type']).toLowerCase()];
            if (a['join-req-type'] !== undefined && joinReqType === undefined) {
              throw new UsageError(
                `--join-req-type: expected join-request, 0, 1 or 2, got "${a['join-req-type']}"`,
              );
            }
            const d = describePacket(parseBytes(a.data, 'data'), {
              lorawan: a.lorawan,
              ...keysFromArgs(a),
              fCntMsb: optInt(a['f-cnt-msb'], 'f-cnt-msb', 16),
              confFCnt: optInt(a['conf-f-cnt'], 'conf-f-cnt', 16),
              txDr: optInt(a['tx-dr'], 'tx-dr', 16),
              txCh: optInt(a['tx-ch'], 'tx-ch', 16),
              joinEui: optEui(a['join-eui'], 'join-eui'),
              devEui: optEui(a['dev-eui'], 'dev-eui'),
              devNonce: optHexUint(a['dev-nonce'], 'dev-nonce', 16),
              joinReqType,
            });
            print(a.json ? JSON.stringify(d, null, 2) : formatPacket(d));
          },
        )
        .command(
          'encode',
          'Encode a frame from a JSON description (stdin or --json): encrypt and compute the MIC',
          (yy) =>
            withKeys(yy)
              .option('json', { type: 'string', describe: 'The frame description (default: read stdin)' })
              .option('base64', { type: 'boolean', default: false, describe: 'Print base64 instead of hex' }),
          (a) => {
            const text = a.json ?? readStdin();
            let desc: unknown;
            try {
              desc = JSON.parse(text);
            } catch (e) {
              throw new UsageError(`frame description: not valid JSON (${(e as Error).message})`);
            }
            const out = Buffer.from(encodePacket(desc, keysFromArgs(a)));
            print(a.base64 ? out.toString('base64') : out.toString('hex').toUpperCase());
          },
        )
        .demandCommand(1, 'Name a packet command: decode or encode'),
    )
    .command('keys', 'Session-key derivation', (y) =>
      y
        .command(
          'derive',
          'Derive the session keys of a join (JSON output)',
          (yy) =>
            yy
              .option('lorawan', {
                type: 'string',
                choices: ['1.0', '1.1'] as const,
                default: '1.0' as const,
              })
              .option('app-key', { type: 'string', describe: 'AppKey' })
              .option('nwk-key', { type: 'string', describe: 'NwkKey (1.1)' })
              .option('join-nonce', { type: 'string', describe: 'JoinNonce / AppNonce, 6 hex digits' })
              .option('net-id', { type: 'string', describe: 'NetID, 6 hex digits (1.0)' })
              .option('dev-nonce', { type: 'string', describe: 'DevNonce, 4 hex digits' })
              .option('join-eui', { type: 'string', describe: 'JoinEUI, 16 hex digits (1.1)' })
              .option('dev-eui', { type: 'string', describe: 'DevEUI, 16 hex digits (1.1)' }),
          (a) => {
            const keys = deriveKeys({
              lorawan: a.lorawan,
              ...keysFromArgs(a),
              joinNonce: optHexUint(a['join-nonce'], 'join-nonce', 24),
              netId: optHexUint(a['net-id'], 'net-id', 24),
              devNonce: optHexUint(a['dev-nonce'], 'dev-nonce', 16),
              joinEui: optEui(a['join-eui'], 'join-eui'),
              devEui: optEui(a['dev-eui'], 'dev-eui'),
            });
            print(JSON.stringify(keys, null, 2));
          },
        )
        .demandCommand(1, 'Name a keys command: derive'),
    )
    .command(
      'run <scenario>',
      'Run a scenario: provision, traffic, drain, teardown, report (exit 0 pass, 1 thresholds failed, 2 usage error)',
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
          .option('workers', {
            type: 'number',
            describe:
              'Worker threads, each with a share of the gateways and their devices (default: one per core, at most one per 10,000 devices)',
          })
          .option('shard', {
            type: 'string',
            describe:
              'Run the i-th of N deterministic shares of the fleet, 0-based (e.g. 0/3); merge with `report merge`',
          }),
      async (a) => {
        exitCode = await runCommand(
          {
            file: a.scenario,
            ...(a['virtual-time'] ? { virtualTime: true } : {}),
            ...(a.report ? { report: a.report } : {}),
            ...(a.html ? { html: a.html } : {}),
            ...(a.prometheus !== undefined ? { prometheus: a.prometheus } : {}),
            ...(a.log ? { log: a.log } : {}),
            ...(a['state-dir'] ? { stateDir: a['state-dir'] } : {}),
            ...(a.shard !== undefined ? { shard: a.shard } : {}),
            ...(a.workers !== undefined ? { workers: a.workers } : {}),
          },
          print,
          printErr,
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
            exitCode = reportMergeCommand(
              {
                files: a.reports,
                ...(a.report ? { report: a.report } : {}),
                ...(a.html ? { html: a.html } : {}),
              },
              print,
            );
          },
        )
        .demandCommand(1, 'Name a report command: merge'),
    )
    .command(
      'provision <scenario>',
      "Register the scenario's application, gateways and devices on its TTS target (resumable; exit 1 if some failed)",
      (y) => ttsScenarioArgs(y),
      async (a) => {
        exitCode = await provisionCommand(
          { file: a.scenario, ...(a['state-dir'] ? { stateDir: a['state-dir'] } : {}) },
          print,
          printErr,
        );
      },
    )
    .command(
      'teardown <scenario>',
      'Remove what the scenario registered: devices (AS → NS → JS → IS), gateways, run keys, the application if lorafleet created it',
      (y) =>
        ttsScenarioArgs(y)
          .option('application', {
            choices: ['keep', 'delete', 'purge'] as const,
            default: 'delete' as const,
            describe:
              'What to do with an application lorafleet created (TTS soft-deletes; purge needs an admin key)',
          })
          .option('gateways', {
            choices: ['delete', 'purge'] as const,
            default: 'delete' as const,
            describe:
              "Soft-delete the scenario's gateways, or purge them (admin key) to release IDs and EUIs",
          }),
      async (a) => {
        exitCode = await teardownCommand(
          {
            file: a.scenario,
            application: a.application,
            gateways: a.gateways,
            ...(a['state-dir'] ? { stateDir: a['state-dir'] } : {}),
          },
          print,
          printErr,
        );
      },
    )
    .command('devices', "Devices on a scenario's TTS target", (y) =>
      y
        .command(
          'ls <scenario>',
          "List the devices registered in the scenario's application",
          (yy) =>
            yy
              .positional('scenario', { type: 'string', demandOption: true })
              .option('json', { type: 'boolean', default: false, describe: 'Print JSON' }),
          async (a) => {
            exitCode = await devicesLsCommand({ file: a.scenario, json: a.json }, print);
          },
        )
        .demandCommand(1, 'Name a devices command: ls'),
    )
    .command(
      'validate <scenario>',
      'Check a scenario file without running it',
      (y) => y.positional('scenario', { type: 'string', demandOption: true }),
      (a) => {
        const s = loadScenario(a.scenario);
        const tooBig = capacityProblem(s);
        if (tooBig) throw new UsageError(`${a.scenario}: ${tooBig}`);
        const devices = s.fleets.reduce((n, f) => n + f.count, 0);
        print(
          `${a.scenario}: valid (${s.fleets.length} fleet(s), ${devices} devices, ${s.gateways?.count ?? 1} gateway(s))`,
        );
      },
    )
    .command(
      'network',
      'Run the embedded LoRaWAN network (Semtech UDP, TTS HTTP API subset, TTS MQTT integration) until Ctrl-C',
      (y) =>
        y
          .option('host', {
            type: 'string',
            default: '127.0.0.1',
            describe: 'Address to listen on (loopback unless you say otherwise)',
          })
          .option('udp-port', { type: 'number', default: 1700, describe: 'Semtech UDP port for gateways' })
          .option('http-port', { type: 'number', default: 1885, describe: 'HTTP API port' })
          .option('mqtt-port', { type: 'number', default: 1883, describe: 'MQTT port' })
          .option('api-key-env', {
            type: 'string',
            describe: 'Take the API key from this environment variable instead of generating one',
          })
          .option('state', {
            type: 'string',
            describe: 'Keep registries and DevNonce history in this file across restarts',
          })
          .option('rx1-delay', { type: 'number', default: 5, describe: 'RX1 delay given to OTAA devices, s' })
          .option('rate-limit', {
            type: 'number',
            describe: 'Requests per second per API key on the HTTP API (429 beyond)',
          }),
      async (a) => {
        exitCode = await runNetwork(
          {
            host: a.host,
            udpPort: a['udp-port'],
            httpPort: a['http-port'],
            mqttPort: a['mqtt-port'],
            rx1Delay: a['rx1-delay'],
            ...(a['api-key-env'] ? { apiKeyEnv: a['api-key-env'] } : {}),
            ...(a.state ? { state: a.state } : {}),
            ...(a['rate-limit'] !== undefined ? { rateLimit: a['rate-limit'] } : {}),
          },
          print,
        );
      },
    )
    .demandCommand(1, 'Name a command')
    .strict()
    .help()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((msg, err) => {
      if (err) throw err;
      // Thrown, not printed: yargs would otherwise go on and run the command with what it parsed.
      throw new UsageError(`${msg.replace(/\n\s*/g, ' ')} (run with --help for usage)`);
    });
  try {
    await cli.parseAsync();
  } catch (e) {
    if (e instanceof ScenarioError) {
      process.stderr.write(`${e.message}\n`);
      return EXIT_USAGE;
    }
    if (e instanceof CodecError) {
      process.stderr.write(`lorafleet: cannot decode: ${e.message}\n`);
      return EXIT_USAGE;
    }
    if (e instanceof RunInterruptedError) {
      process.stderr.write(`lorafleet: ${e.message}\n`);
      return EXIT_INTERRUPTED;
    }
    if (e instanceof LorafleetError) {
      process.stderr.write(`lorafleet: ${e.message}\n`);
      return EXIT_USAGE;
    }
    throw e;
  }
  return exitCode;
}

main(hideBin(process.argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(
      `lorafleet: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    process.exitCode = 70;
  },
);

/** The arguments provision and teardown share: the scenario and where its journal lives. */
function ttsScenarioArgs<T>(y: Argv<T>) {
  return y
    .positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario file (tts target)' })
    .option('state-dir', {
      type: 'string',
      describe: 'Where the provisioning journal is kept (default .lorafleet)',
    });
}
