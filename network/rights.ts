import { GRPC, NetworkError } from './errors.js';
import type { Auth, Registry } from './registry.js';

/** TTS's PermissionDenied when `auth` has no rights on the application, or lacks `right` there. */
export function requireApplicationRight(
  registry: Registry,
  auth: Auth,
  applicationId: string,
  right?: string,
): void {
  const rights = registry.rightsOn(auth, applicationId);
  if (rights === undefined) {
    throw new NetworkError(
      GRPC.PERMISSION_DENIED,
      'pkg/auth/rights',
      'no_application_rights',
      `no rights for application \`${applicationId}\``,
      { uid: applicationId },
    );
  }
  if (right && rights !== 'all' && !rights.includes(right)) {
    throw new NetworkError(
      GRPC.PERMISSION_DENIED,
      'pkg/auth/rights',
      'insufficient_application_rights',
      `missing right \`${right}\``,
      { missing: right },
    );
  }
}

/** TTS's Unauthenticated for a key the network does not know. */
export function authenticate(registry: Registry, key: string | undefined): Auth {
  const auth = registry.auth(key);
  if (auth === undefined)
    throw new NetworkError(
      GRPC.UNAUTHENTICATED,
      'pkg/auth',
      key ? 'token_not_found' : 'missing_token',
      key ? 'API key not found' : 'no Bearer token',
    );
  return auth;
}
