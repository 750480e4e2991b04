import { LorafleetError } from '../../crypto/errors.js';

/** Ctrl-C before traffic started: what the run registered was torn down (unless kept), no report. */
export class RunInterruptedError extends LorafleetError {
  constructor(message: string) {
    super('LORAFLEET_INTERRUPTED', message);
  }
}
