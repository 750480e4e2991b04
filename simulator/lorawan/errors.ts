import { LorafleetError } from '../../crypto/errors.js';

/**
 * Bytes that are not a valid LoRaWAN structure. The decoder throws nothing else, whatever it is
 * given: `field` names the structure element, `offset` the byte where decoding stopped.
 */
export class CodecError extends LorafleetError {
  readonly field: string;
  readonly offset: number;
  readonly value: unknown;

  constructor(field: string, offset: number, message: string, value?: unknown) {
    super('LORAFLEET_CODEC', `${field} at byte ${offset}: ${message}`);
    this.field = field;
    this.offset = offset;
    this.value = value;
  }
}

/** A value handed to an encoder is out of its field's range. */
export class EncodeError extends LorafleetError {
  readonly field: string;
  readonly value: unknown;

  constructor(field: string, value: unknown, expected: string) {
    super(
      'LORAFLEET_ENCODE',
      `${field}: expected ${expected}, got ${JSON.stringify(value) ?? String(value)}`,
    );
    this.field = field;
    this.value = value;
  }
}
