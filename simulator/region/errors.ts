import { LorafleetError } from '../../crypto/errors.js';

/** A region, channel or data-rate question with no valid answer (unknown region, RFU data rate…). */
export class RegionError extends LorafleetError {
  readonly field: string;
  readonly value: unknown;

  constructor(field: string, value: unknown, expected: string) {
    super('LORAFLEET_REGION', `${field}: expected ${expected}, got ${JSON.stringify(value)}`);
    this.field = field;
    this.value = value;
  }
}
