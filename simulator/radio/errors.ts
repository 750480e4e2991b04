import { LorafleetError } from '../../crypto/errors.js';

export class RadioError extends LorafleetError {
  constructor(message: string) {
    super('LORAFLEET_RADIO', message);
  }
}
