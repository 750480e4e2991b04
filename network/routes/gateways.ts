import { GRPC, NetworkError } from '../errors.js';
import type { HttpApi, Ctx } from '../http-api.js';
import { applyMask, getPath, pick, setPath } from '../paths.js';
import { ID_PATTERN, queryPaths, bodyPaths } from './common.js';
import type { Doc } from '../registry.js';

/** Gateways (IS): IDs of at most 36 characters; soft delete releases the EUI, not the ID. */
export function gatewaysRoutes(api: HttpApi): void {
  const net = api.net;
  const reg = net.registry;
  // gateways (IDs of at most 36 characters; soft delete releases the EUI, not the ID)
  const createGateway = (c: Ctx) => {
    api.requireUser(c, c.params[1] === 'users' ? c.params[0] : undefined);
    const g = structuredClone((c.body.gateway ?? {}) as Doc);
    const id = getPath(g, 'ids.gateway_id');
    if (typeof id !== 'string' || !ID_PATTERN.test(id) || id.length > 36) {
      throw new NetworkError(
        GRPC.INVALID_ARGUMENT,
        'pkg/ttnpb',
        'validation',
        `invalid \`gateway.ids.gateway_id\`: ${JSON.stringify(id)}`,
      );
    }
    const eui = String(getPath(g, 'ids.eui') ?? '').toUpperCase();
    if (reg.gateways.has(id))
      throw new NetworkError(GRPC.ALREADY_EXISTS, 'pkg/util/store', 'id_taken', 'ID already taken', { id });
    if (eui && reg.gatewayByEui(eui)) throw euiTaken(eui);
    if (eui) setPath(g, 'ids.eui', eui);
    if (g.frequency_plan_id !== undefined && g.frequency_plan_ids === undefined)
      g.frequency_plan_ids = [g.frequency_plan_id];
    const now = new Date().toISOString();
    g.created_at = now;
    g.updated_at = now;
    if (c.params[1] === 'users') g.lorafleet_owner = c.params[0];
    reg.putGateway(id, g);
    return pick(g, []);
  };
  api.route('POST', '/users/{user_id}/gateways', (c) =>
    createGateway({ ...c, params: [c.params[0]!, 'users'] }),
  );
  api.route('POST', '/organizations/{org_id}/gateways', (c) =>
    createGateway({ ...c, params: [c.params[0]!, 'organizations'] }),
  );
  api.route('GET', '/gateways', (c) => {
    const deleted = c.query.get('deleted') === 'true';
    const list = [...reg.gateways.values()].filter((g) => (typeof g.deleted_at === 'string') === deleted);
    c.res.setHeader('X-Total-Count', String(list.length));
    return {
      gateways: list.map((g) => pick(g, queryPaths(c), ['ids', 'created_at', 'updated_at', 'deleted_at'])),
    };
  });
  api.route('GET', '/gateways/{gw}', (c) => pick(reg.gateway(c.params[0]!), queryPaths(c)));
  api.route('PUT', '/gateways/{gw}', (c) => {
    api.requireGateway(c, c.params[0]!);
    const g = reg.gateway(c.params[0]!);
    const body = (c.body.gateway ?? {}) as Doc;
    const mask = bodyPaths(c);
    if (mask.includes('ids.eui')) {
      const eui = String(getPath(body, 'ids.eui') ?? '').toUpperCase();
      const other = eui ? reg.gatewayByEui(eui) : undefined;
      if (other !== undefined && other !== g) throw euiTaken(eui);
      setPath(g, 'ids.eui', eui || undefined);
    }
    applyMask(
      g,
      body,
      mask.filter((p) => !p.startsWith('ids') && !p.endsWith('_at')),
    );
    g.updated_at = new Date().toISOString();
    reg.touchGateway(c.params[0]!);
    return pick(g, mask);
  });
  api.softDeleteRoutes('gateway', '/gateways/{gw}', {
    allow: (c, restoring) => api.requireGateway(c, c.params[0]!, restoring),
    remove: (id) => reg.deleteGateway(id),
    restore: (id) => reg.restoreGateway(id, api.restoreWindowMs),
    purge: (id) => reg.purgeGateway(id),
  });
}

/** TTS's answer to a gateway EUI another gateway holds (soft-deleted ones release theirs). */
function euiTaken(eui: string): NetworkError {
  return new NetworkError(
    GRPC.ALREADY_EXISTS,
    'pkg/identityserver',
    'gateway_eui_taken',
    `a gateway with EUI \`${eui}\` is already registered`,
    { gateway_eui: eui },
  );
}
