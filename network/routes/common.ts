import { NetworkError, GRPC } from '../errors.js';
import type { Ctx } from '../http-api.js';
import { checkPath } from '../paths.js';

/** TTS's ID pattern (applications, devices, gateways), with a 36-character limit. */
export const ID_PATTERN = /^[a-z0-9](?:[-]?[a-z0-9]){2,}$/;

/** A GET's field mask: `?field_mask=a,b` or repeated `field_mask.paths`. */
export function queryPaths(c: Ctx): string[] {
  const q = c.query.get('field_mask') ?? c.query.getAll('field_mask.paths').join(',');
  return q ? q.split(',').filter(Boolean).map(checkPath) : [];
}

/** A body's field mask: `{"paths": […]}` (at most 256) or a comma-separated string. */
export function bodyPaths(c: Ctx): string[] {
  const fm = c.body.field_mask as unknown;
  if (fm === undefined) return [];
  if (typeof fm === 'string') return fm.split(',').filter(Boolean).map(checkPath);
  const list = (fm as { paths?: unknown } | null)?.paths;
  if (list === undefined) return [];
  if (!Array.isArray(list) || list.length > 256)
    throw new NetworkError(GRPC.INVALID_ARGUMENT, 'pkg/ttnpb', 'validation', 'invalid `field_mask.paths`');
  return list.map(checkPath);
}
