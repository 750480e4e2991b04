import type { Argv } from 'yargs';
import { devicesLsCommand, provisionCommand, teardownCommand } from '../provision-command.js';
import type { CommandIo } from './io.js';

/** `lorafleet provision`, `teardown` and `devices ls`: a scenario's registrations on its TTS target. */
export function ttsCommands<T>(y: Argv<T>, o: CommandIo): Argv<T> {
  return y
    .command(
      'provision <scenario>',
      "Register the scenario's application, gateways and devices on its TTS target (resumable; exit 1 if some failed)",
      (y) => ttsScenarioArgs(y),
      async (a) => {
        o.exit(
          await provisionCommand(
            { file: a.scenario, ...(a['state-dir'] ? { stateDir: a['state-dir'] } : {}) },
            o.print,
            o.printErr,
          ),
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
        o.exit(
          await teardownCommand(
            {
              file: a.scenario,
              application: a.application,
              gateways: a.gateways,
              ...(a['state-dir'] ? { stateDir: a['state-dir'] } : {}),
            },
            o.print,
            o.printErr,
          ),
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
            o.exit(await devicesLsCommand({ file: a.scenario, json: a.json }, o.print));
          },
        )
        .demandCommand(1, 'Name a devices command: ls'),
    );
}

/** The arguments provision and teardown share: the scenario and where its journal lives. */
function ttsScenarioArgs<T>(y: Argv<T>) {
  return y
    .positional('scenario', { type: 'string', demandOption: true, describe: 'Scenario file (tts target)' })
    .option('state-dir', {
      type: 'string',
      describe: 'Where the provisioning journal is kept (default .lorafleet)',
    });
}
