import { LorafleetError } from '../../crypto/errors.js';
import type { RunReport } from '../report/types.js';

/** A mistake on the command line or in its input: printed as one line, exit code 2, no stack trace. */
export class UsageError extends LorafleetError {
  constructor(message: string) {
    super('LORAFLEET_USAGE', message);
  }
}

export const EXIT_OK = 0;
export const EXIT_THRESHOLDS_FAILED = 1;
export const EXIT_USAGE = 2;
/** Stopped by Ctrl-C before the work was done (128 + SIGINT, as shells report it). */
export const EXIT_INTERRUPTED = 130;

/**
 * A run's exit code: 0 pass, 1 thresholds failed, 2 inconclusive (the simulator itself fell behind,
 * so there is no verdict on the network).
 */
export function exitCodeOf(r: Pick<RunReport, 'verdict'>): number {
  return r.verdict === 'pass' ? EXIT_OK : r.verdict === 'fail' ? EXIT_THRESHOLDS_FAILED : EXIT_USAGE;
}
