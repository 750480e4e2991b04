import type { Argv } from 'yargs';
import { traceShow } from '../trace-show.js';
import type { CommandIo } from './io.js';

/** `lorafleet trace show`: what a run's frame trace says of one device. */
export function traceCommands<T>(y: Argv<T>, o: CommandIo): Argv<T> {
  return y.command('trace', 'Read a run’s frame trace (lorafleet run --trace FILE)', (y) =>
    y
      .command(
        'show <file>',
        'One device’s story: its frames, windows, MAC commands, ACKs and violations, in order',
        (yy) =>
          yy
            .positional('file', { type: 'string', demandOption: true, describe: 'A trace (JSON lines)' })
            .option('device', { type: 'string', demandOption: true, describe: 'The device ID' })
            .option('json', {
              type: 'boolean',
              default: false,
              describe: 'Print its trace lines as they are',
            }),
        async (a) => o.exit(await traceShow({ file: a.file, device: a.device, json: a.json }, o.print)),
      )
      .demandCommand(1, 'name a subcommand: show'),
  );
}
