import { LorafleetError } from '../../crypto/errors.js';

/** An error The Things Stack answered with, from its error body (code, namespace:name, attributes). */
export class TtsApiError extends LorafleetError {
  constructor(
    readonly status: number,
    readonly grpcCode: number,
    readonly namespace: string,
    readonly ttsName: string,
    message: string,
    readonly correlationId: string | undefined,
    readonly attributes: Record<string, unknown>,
    readonly method: string,
    readonly path: string,
  ) {
    super(
      'LORAFLEET_TTS_API',
      `${method} ${path}: ${status} ${namespace}:${ttsName}: ${message}${correlationId ? ` (correlation ${correlationId})` : ''}`,
    );
  }
}

/** The API could not be reached, or kept failing after the retries allowed. */
export class TtsTransportError extends LorafleetError {
  constructor(
    readonly method: string,
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('LORAFLEET_TTS_TRANSPORT', `${method} ${path}: ${message}`, options);
  }
}
