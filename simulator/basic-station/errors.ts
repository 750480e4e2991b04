import { LorafleetError } from '../../crypto/errors.js';

/** A message that is not valid LNS protocol: named by field and value, counted by whoever received it. */
export class LnsMessageError extends LorafleetError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('LORAFLEET_LNS_MESSAGE', `${field}: ${message}`);
  }
}
