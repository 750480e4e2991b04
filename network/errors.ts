import { LorafleetError } from '../crypto/errors.js';

/** gRPC status codes, as The Things Stack's errors carry them. */
export const GRPC = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/**
 * An error of the embedded network in The Things Stack's shape: a namespace and name
 * ("pkg/identityserver:end_device_euis_taken"), a gRPC code and attributes. The HTTP API renders it
 * as TTS does; the network's own callers can match `ttsName`.
 */
export class NetworkError extends LorafleetError {
  constructor(
    readonly grpcCode: number,
    readonly namespace: string,
    readonly ttsName: string,
    message: string,
    readonly attributes: Record<string, unknown> = {},
    /** `details: false`: the body has no `details` (TTS's 400 unmarshal errors carry none). */
    readonly options: { details?: boolean } = {},
  ) {
    super('LORAFLEET_NETWORK', message);
  }
}

export const notFound = (
  namespace: string,
  name: string,
  what: string,
  attributes: Record<string, unknown> = {},
) => new NetworkError(GRPC.NOT_FOUND, namespace, name, `${what} not found`, attributes);

/**
 * The error's `message_format`: its message with each attribute put back as a placeholder
 * (``application `{application_id}` not found``), as TTS's details carry it; `message` has them filled in.
 */
export function messageFormat(err: NetworkError): string {
  let f = err.message;
  for (const [k, v] of Object.entries(err.attributes)) {
    if ((typeof v !== 'string' && typeof v !== 'number') || String(v) === '') continue;
    f = f.split(`\`${String(v)}\``).join(`\`{${k}}\``);
  }
  return f;
}
