import { GRPC, NetworkError } from '../errors.js';
import type { HttpApi, Ctx } from '../http-api.js';
import { applyMask, getPath, pick } from '../paths.js';
import { queryPaths, bodyPaths } from './common.js';
import type { Doc } from '../registry.js';

/** Applications and their API keys (IS). */
export function applicationsRoutes(api: HttpApi): void {
  const net = api.net;
  const reg = net.registry;
  // applications and their API keys
  const createApp = (c: Ctx) => {
    api.requireUser(c, c.params[1] === 'users' ? c.params[0] : undefined);
    const app = (c.body.application ?? {}) as Doc;
    const id = getPath(app, 'ids.application_id');
    if (typeof id !== 'string' || !/^[a-z0-9](?:[-]?[a-z0-9]){2,}$/.test(id) || id.length > 36) {
      throw new NetworkError(
        GRPC.INVALID_ARGUMENT,
        'pkg/ttnpb',
        'validation',
        `invalid \`application.ids.application_id\`: ${JSON.stringify(id)}`,
      );
    }
    if (reg.applications.has(id))
      throw new NetworkError(GRPC.ALREADY_EXISTS, 'pkg/util/store', 'id_taken', 'ID already taken', { id });
    const owner = c.params[1] === 'users' ? { user_id: c.params[0]! } : { organization_id: c.params[0]! };
    net.createApplication(id, owner, typeof app.name === 'string' ? app.name : undefined);
    const doc = reg.applications.get(id)!.doc;
    for (const k of [
      'description',
      'network_server_address',
      'application_server_address',
      'join_server_address',
    ]) {
      if (app[k] !== undefined) doc[k] = app[k];
    }
    return doc;
  };
  api.route('POST', '/users/{user_id}/applications', (c) =>
    createApp({ ...c, params: [c.params[0]!, 'users'] }),
  );
  api.route('POST', '/organizations/{org_id}/applications', (c) =>
    createApp({ ...c, params: [c.params[0]!, 'organizations'] }),
  );
  // `?deleted=true` lists the soft-deleted ones only, as TTS does.
  const listApps = (c: Ctx) => {
    const deleted = c.query.get('deleted') === 'true';
    const apps = [...reg.applications.entries()]
      .filter(([id, a]) => (typeof a.doc.deleted_at === 'string') === deleted && reg.rightsOn(c.auth, id))
      .map(([, a]) => a);
    c.res.setHeader('X-Total-Count', String(apps.length));
    return {
      applications: apps.map((a) =>
        pick(a.doc, queryPaths(c), ['ids', 'created_at', 'updated_at', 'deleted_at']),
      ),
    };
  };
  api.route('GET', '/applications', listApps);
  api.route('GET', '/users/{user_id}/applications', listApps);
  api.route('GET', '/organizations/{org_id}/applications', listApps);
  api.route('GET', '/applications/{app}', (c) => {
    api.requireApp(c, c.params[0]!);
    return pick(reg.application(c.params[0]!).doc, queryPaths(c));
  });
  api.route('PUT', '/applications/{app}', (c) => {
    api.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_SETTINGS_BASIC');
    const a = reg.application(c.params[0]!);
    applyMask(
      a.doc,
      (c.body.application ?? {}) as Doc,
      bodyPaths(c).filter((p) => !p.startsWith('ids') && !p.endsWith('_at')),
    );
    a.doc.updated_at = new Date().toISOString();
    reg.touchApplication(c.params[0]!);
    return pick(a.doc, bodyPaths(c));
  });
  api.softDeleteRoutes('application', '/applications/{app}', {
    allow: (c) => api.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_DELETE'),
    remove: (id) => reg.deleteApplication(id),
    restore: (id) => reg.restoreApplication(id, api.restoreWindowMs),
    purge: (id) => reg.purgeApplication(id),
  });
  api.route('POST', '/applications/{app}/api-keys', (c) => {
    api.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_SETTINGS_API_KEYS');
    const rights = c.body.rights;
    if (!Array.isArray(rights) || rights.length === 0 || new Set(rights).size !== rights.length) {
      throw new NetworkError(
        GRPC.INVALID_ARGUMENT,
        'pkg/ttnpb',
        'validation',
        'invalid `rights`: at least one, unique',
      );
    }
    if (rights.some((r) => typeof r !== 'string' || !/^RIGHT_[A-Z_]{1,64}$/.test(r)))
      throw new NetworkError(
        GRPC.INVALID_ARGUMENT,
        'pkg/ttnpb',
        'validation',
        'invalid `rights`: each a right name such as RIGHT_APPLICATION_TRAFFIC_READ',
      );
    const name = typeof c.body.name === 'string' ? c.body.name : '';
    if (name.length > 50)
      throw new NetworkError(
        GRPC.INVALID_ARGUMENT,
        'pkg/ttnpb',
        'validation',
        'invalid `name`: at most 50 characters',
      );
    return reg.addApiKey(c.params[0]!, name, rights as string[]);
  });
  api.route('GET', '/applications/{app}/api-keys', (c) => {
    api.requireApp(c, c.params[0]!);
    return {
      api_keys: [...reg.application(c.params[0]!).apiKeys.values()].map(({ key: _k, ...rest }) => rest),
    };
  });
  api.route('DELETE', '/applications/{app}/api-keys/{key_id}', (c) => {
    api.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_SETTINGS_API_KEYS');
    reg.deleteApiKey(c.params[0]!, c.params[1]!);
    return {};
  });
}
