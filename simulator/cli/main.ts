#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { LorafleetError } from '../../crypto/errors.js';
import { CodecError } from '../lorawan/errors.js';
import { EXIT_INTERRUPTED, EXIT_USAGE, UsageError } from './errors.js';
import { RunInterruptedError } from '../engine/errors.js';
import { lorafleetVersion } from './version.js';
import type { CommandIo } from './commands/io.js';
import { networkCommands } from './commands/network.js';
import { packetCommands } from './commands/packet.js';
import { runCommands } from './commands/run.js';
import { traceCommands } from './commands/trace.js';
import { ttsCommands } from './commands/tts.js';
import { ScenarioError } from '../scenario/errors.js';

// A reader that stopped reading (`lorafleet trace show … | head`) is no error: stop quietly, as
// Unix tools do, instead of dying on EPIPE with a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

function print(s: string): void {
  process.stdout.write(`${s}\n`);
}

function printErr(s: string): void {
  process.stderr.write(`${s}\n`);
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const io: CommandIo = { print, printErr, exit: (code) => (exitCode = code) };
  let cli = yargs(argv)
    .scriptName('lorafleet')
    .version(lorafleetVersion())
    .usage('$0 <command> [options]\n\nLoRaWAN device-fleet simulator with exact packet crypto.');
  for (const add of [packetCommands, runCommands, traceCommands, ttsCommands, networkCommands])
    cli = add(cli, io);
  cli = cli
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
