/**
 * The root of every error lorafleet throws on purpose. It lives in crypto/, the innermost layer, so
 * that every folder can extend it without an arrow pointing outwards.
 *
 * `code` is stable and meant for matching (like undici's `UND_ERR_*`); the message is for people.
 */
export class LorafleetError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** A value given to a crypto function has the wrong shape (key length, EUI length, hex digits…). */
export class CryptoInputError extends LorafleetError {
  readonly field: string;
  readonly value: unknown;

  constructor(field: string, value: unknown, expected: string) {
    super('LORAFLEET_CRYPTO_INPUT', `${field}: expected ${expected}, got ${describe(value)}`);
    this.field = field;
    this.value = value;
  }
}

function describe(value: unknown): string {
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}
