import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { LorafleetError } from '../../crypto/errors.js';
import { decodeMacCommands } from '../lorawan/mac/table.js';
import type { Component } from './device-registries.js';
import type { EmbeddedNetwork } from './embedded-network.js';
import { GRPC, messageFormat, NetworkError, notFound } from './errors.js';
import { compileNames, EventNamesError, type EntityIds } from './events.js';
import { listen } from './listen.js';
import { applyMask, checkPath, FieldPathError, getPath, pick, setPath } from './paths.js';
import type { Auth, Doc } from './registry.js';
import { ttsJson } from './tts-json.js';

/** TTS's ID pattern (applications, devices, gateways), with a 36-character limit. */
const ID_PATTERN = /^[a-z0-9](?:[-]?[a-z0-9]){2,}$/;
/** Route parameters that are entity IDs (API key IDs are not). */
const ID_PARAMS = new Set(['app', 'dev', 'gw', 'user_id', 'org_id']);
/** TTS's HTTP server refuses large bodies; no request of this API needs more. */
const MAX_BODY_BYTES = 1 << 20;

/** gRPC code → HTTP status, as grpc-gateway's default mapping (TTS rpcserver). */
const HTTP_STATUS: Record<number, number> = {
  3: 400,
  5: 404,
  6: 409,
  7: 403,
  8: 429,
  9: 400,
  16: 401,
  12: 501,
  13: 500,
  14: 503,
};

export interface RateLimit {
  /** Requests per window per API key. */
  limit: number;
  /** Window in seconds. */
  windowSeconds: number;
}

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
  query: URLSearchParams;
  body: Doc;
  auth: Auth;
}

type Handler = (c: Ctx) => unknown;

/**
 * The HTTP API of the embedded network: the subset of The Things Stack's `/api/v3` that lorafleet's
 * client uses, with TTS's routes, bodies, field masks, JSON conventions (uppercase-hex EUIs and keys,
 * 64-bit numbers as strings) and error bodies. Every request needs `Authorization: Bearer <key>`.
 */
export class HttpApi {
  private server: Server | undefined;
  private readonly routes: { method: string; re: RegExp; handler: Handler; names: string[] }[] = [];
  private readonly buckets = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly net: EmbeddedNetwork,
    private readonly rateLimit?: RateLimit,
    /** How long a soft-deleted application or gateway may be restored (TTS `is.delete.restore`, 24 h). */
    private readonly restoreWindowMs = 24 * 3600_000,
  ) {
    this.register();
  }

  async start(host: string, port: number): Promise<{ address: string; port: number }> {
    this.server = createServer((req, res) => void this.handle(req, res));
    return listen(this.server, host, port);
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }

  private route(method: string, path: string, handler: Handler): void {
    const re = new RegExp(`^/api/v3${path.replace(/\{[a-z_]+\}/g, '([^/]+)')}$`);
    const names = [...path.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]!);
    this.routes.push({ method, re, handler, names });
  }

  /** Path parameters, decoded; entity IDs must follow TTS's ID rule on every route (IS, JS, NS, AS). */
  private params(names: readonly string[], raw: readonly string[]): string[] {
    return raw.map((r, i) => {
      const v = decodeURIComponent(r);
      const name = names[i]!;
      if (ID_PARAMS.has(name) && (!ID_PATTERN.test(v) || v.length > 36))
        throw new NetworkError(
          GRPC.INVALID_ARGUMENT,
          'pkg/ttnpb',
          'validation',
          `invalid \`${name}\`: ${JSON.stringify(v.slice(0, 64))} is not an ID (lowercase letters, digits, dashes; at most 36)`,
        );
      return v;
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const match = this.routes
        .map((r) => ({ r, m: r.method === req.method ? r.re.exec(url.pathname) : null }))
        .find((x) => x.m);
      if (!match) {
        if (this.routes.some((r) => r.re.test(url.pathname)))
          throw new NetworkError(GRPC.UNIMPLEMENTED, 'pkg/web', 'method_not_allowed', 'Method Not Allowed');
        throw new NetworkError(
          GRPC.NOT_FOUND,
          'pkg/web',
          'route_not_found',
          `no route for \`${req.method} ${url.pathname}\``,
        );
      }
      const header = req.headers.authorization ?? '';
      const token = /^Bearer (.+)$/i.exec(header)?.[1];
      const auth = this.net.registry.auth(token);
      if (auth === undefined) {
        throw new NetworkError(
          GRPC.UNAUTHENTICATED,
          'pkg/auth',
          token ? 'token_not_found' : 'missing_token',
          token ? 'API key not found' : 'no Bearer token',
        );
      }
      this.limit(token!, res);
      const withBody = req.method !== 'GET' && req.method !== 'DELETE';
      // A body the route does not read is drained, so that the connection stays usable.
      if (!withBody) await drain(req);
      const body = withBody ? await readJson(req) : {};
      const out = await match.r.handler({
        req,
        res,
        params: this.params(match.r.names, match.m!.slice(1)),
        query: url.searchParams,
        body,
        auth,
      });
      if (res.headersSent) return; // streams answer themselves
      // What is acknowledged is on disk first (`lorafleet network --state`).
      if (req.method !== 'GET') this.net.saveState();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(ttsJson(out ?? {}));
    } catch (e) {
      await drain(req); // whatever of the body was not read (refused before, or past the size limit)
      if (res.headersSent) {
        res.end();
        return;
      }
      // lorafleet's own validation errors (a bad key, EUI, region…) are the caller's mistake: InvalidArgument.
      const err =
        e instanceof NetworkError
          ? e
          : e instanceof FieldPathError
            ? new NetworkError(GRPC.INVALID_ARGUMENT, 'pkg/ttnpb', 'field_mask_paths', e.message, {
                path: e.path,
              })
            : e instanceof URIError
              ? new NetworkError(
                  GRPC.INVALID_ARGUMENT,
                  'pkg/web',
                  'invalid_path',
                  'malformed percent escape in the path',
                )
              : e instanceof SyntaxError
                ? new NetworkError(
                    GRPC.INVALID_ARGUMENT,
                    'pkg/jsonpb',
                    'unmarshal',
                    `invalid JSON body: ${e.message}`,
                  )
                : e instanceof LorafleetError
                  ? new NetworkError(GRPC.INVALID_ARGUMENT, 'pkg/ttnpb', 'validation', e.message)
                  : undefined;
      if (err === undefined) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: 13, message: 'internal error' }));
        return;
      }
      const correlation = randomUUID().replace(/-/g, '');
      res.writeHead(HTTP_STATUS[err.grpcCode] ?? 500, { 'content-type': 'application/json' });
      if (err.options.details === false) {
        res.end(JSON.stringify({ code: err.grpcCode, message: err.message }));
        return;
      }
      res.end(
        JSON.stringify({
          code: err.grpcCode,
          message: `error:${err.namespace}:${err.ttsName} (${err.message})`,
          details: [
            {
              '@type': 'type.googleapis.com/ttn.lorawan.v3.ErrorDetails',
              namespace: err.namespace,
              name: err.ttsName,
              message_format: messageFormat(err),
              attributes: err.attributes,
              correlation_id: correlation,
              code: err.grpcCode,
            },
          ],
        }),
      );
    }
  }

  /** Token bucket per key, with TTS's X-Rate-Limit-* headers; 429 with `rate_limit_exceeded` when spent. */
  private limit(key: string, res: ServerResponse): void {
    const rl = this.rateLimit;
    if (!rl) return;
    const now = Date.now();
    let b = this.buckets.get(key);
    if (!b || now >= b.resetAt) {
      b = { count: 0, resetAt: now + rl.windowSeconds * 1000 };
      this.buckets.set(key, b);
    }
    b.count++;
    const reset = Math.max(1, Math.ceil((b.resetAt - now) / 1000));
    res.setHeader('X-Rate-Limit-Limit', String(rl.limit));
    res.setHeader('X-Rate-Limit-Available', String(Math.max(0, rl.limit - b.count)));
    res.setHeader('X-Rate-Limit-Reset', String(reset));
    if (b.count > rl.limit) {
      res.setHeader('X-Rate-Limit-Retry', String(reset));
      throw new NetworkError(
        GRPC.RESOURCE_EXHAUSTED,
        'pkg/ratelimit',
        'rate_limit_exceeded',
        'rate limit exceeded',
        { key: 'http' },
      );
    }
  }

  private requireApp(c: Ctx, applicationId: string, right?: string): void {
    const rights = this.net.registry.rightsOn(c.auth, applicationId);
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

  /** The network's own key, or a user key acting under its own user ID (creating entities). */
  private requireUser(c: Ctx, userId?: string): void {
    if (Object.hasOwn(c.auth, 'admin')) return;
    if (
      Object.hasOwn(c.auth, 'userId') &&
      (userId === undefined || (c.auth as { userId: string }).userId === userId)
    )
      return;
    throw new NetworkError(GRPC.PERMISSION_DENIED, 'pkg/auth/rights', 'no_user_rights', 'no user rights');
  }

  /** The network's key, or the key of the user that created the gateway. */
  private requireGateway(c: Ctx, gatewayId: string, deleted = false): void {
    if (Object.hasOwn(c.auth, 'admin')) return;
    const g = this.net.registry.gateways.get(gatewayId);
    const owner = g && (deleted || typeof g.deleted_at !== 'string') ? g.lorafleet_owner : undefined;
    if (Object.hasOwn(c.auth, 'userId') && owner === (c.auth as { userId: string }).userId) return;
    throw new NetworkError(
      GRPC.PERMISSION_DENIED,
      'pkg/auth/rights',
      'no_gateway_rights',
      `no rights for gateway \`${gatewayId}\``,
      { uid: gatewayId },
    );
  }

  private requireAdmin(
    c: Ctx,
    error: [namespace: string, name: string, message: string] = [
      'pkg/auth/rights',
      'no_user_rights',
      'this needs the network key',
    ],
  ): void {
    if (!Object.hasOwn(c.auth, 'admin')) throw new NetworkError(GRPC.PERMISSION_DENIED, ...error);
  }

  /**
   * DELETE (soft), POST …/restore and DELETE …/purge of an IS entity, as TTS v3.32 serves them for
   * applications and gateways: purge is for admins only (errAdminsPurgeApplications / …Gateways).
   */
  private softDeleteRoutes(
    kind: 'application' | 'gateway',
    path: string,
    ops: {
      allow: (c: Ctx, restoring: boolean) => void;
      remove: (id: string) => void;
      restore: (id: string) => void;
      purge: (id: string) => void;
    },
  ): void {
    this.route('DELETE', path, (c) => {
      ops.allow(c, false);
      ops.remove(c.params[0]!);
      return {};
    });
    this.route('POST', `${path}/restore`, (c) => {
      ops.allow(c, true);
      ops.restore(c.params[0]!);
      return {};
    });
    this.route('DELETE', `${path}/purge`, (c) => {
      this.requireAdmin(c, [
        'pkg/identityserver',
        `admins_purge_${kind}s`,
        `${kind}s can only be purged by admins`,
      ]);
      ops.purge(c.params[0]!);
      return {};
    });
  }

  private register(): void {
    const net = this.net;
    const reg = net.registry;
    const paths = (c: Ctx): string[] => {
      const q = c.query.get('field_mask') ?? c.query.getAll('field_mask.paths').join(',');
      return q ? q.split(',').filter(Boolean).map(checkPath) : [];
    };
    const bodyPaths = (c: Ctx): string[] => {
      const fm = c.body.field_mask as unknown;
      if (fm === undefined) return [];
      if (typeof fm === 'string') return fm.split(',').filter(Boolean).map(checkPath);
      const list = (fm as { paths?: unknown } | null)?.paths;
      if (list === undefined) return [];
      if (!Array.isArray(list) || list.length > 256)
        throw new NetworkError(
          GRPC.INVALID_ARGUMENT,
          'pkg/ttnpb',
          'validation',
          'invalid `field_mask.paths`',
        );
      return list.map(checkPath);
    };

    // --- applications and their API keys
    const createApp = (c: Ctx) => {
      this.requireUser(c, c.params[1] === 'users' ? c.params[0] : undefined);
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
    this.route('POST', '/users/{user_id}/applications', (c) =>
      createApp({ ...c, params: [c.params[0]!, 'users'] }),
    );
    this.route('POST', '/organizations/{org_id}/applications', (c) =>
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
          pick(a.doc, paths(c), ['ids', 'created_at', 'updated_at', 'deleted_at']),
        ),
      };
    };
    this.route('GET', '/applications', listApps);
    this.route('GET', '/users/{user_id}/applications', listApps);
    this.route('GET', '/organizations/{org_id}/applications', listApps);
    this.route('GET', '/applications/{app}', (c) => {
      this.requireApp(c, c.params[0]!);
      return pick(reg.application(c.params[0]!).doc, paths(c));
    });
    this.route('PUT', '/applications/{app}', (c) => {
      this.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_SETTINGS_BASIC');
      const a = reg.application(c.params[0]!);
      applyMask(
        a.doc,
        (c.body.application ?? {}) as Doc,
        bodyPaths(c).filter((p) => !p.startsWith('ids') && !p.endsWith('_at')),
      );
      a.doc.updated_at = new Date().toISOString();
      return pick(a.doc, bodyPaths(c));
    });
    this.softDeleteRoutes('application', '/applications/{app}', {
      allow: (c) => this.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_DELETE'),
      remove: (id) => reg.deleteApplication(id),
      restore: (id) => reg.restoreApplication(id, this.restoreWindowMs),
      purge: (id) => reg.purgeApplication(id),
    });
    this.route('POST', '/applications/{app}/api-keys', (c) => {
      this.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_SETTINGS_API_KEYS');
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
    this.route('GET', '/applications/{app}/api-keys', (c) => {
      this.requireApp(c, c.params[0]!);
      return {
        api_keys: [...reg.application(c.params[0]!).apiKeys.values()].map(({ key: _k, ...rest }) => rest),
      };
    });
    this.route('DELETE', '/applications/{app}/api-keys/{key_id}', (c) => {
      this.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_SETTINGS_API_KEYS');
      reg.deleteApiKey(c.params[0]!, c.params[1]!);
      return {};
    });

    // --- gateways (IDs of at most 36 characters; soft delete releases the EUI, not the ID)
    const createGateway = (c: Ctx) => {
      this.requireUser(c, c.params[1] === 'users' ? c.params[0] : undefined);
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
      if (eui && reg.gatewayByEui(eui))
        throw new NetworkError(
          GRPC.ALREADY_EXISTS,
          'pkg/identityserver',
          'gateway_eui_taken',
          `a gateway with EUI \`${eui}\` is already registered`,
          { gateway_eui: eui },
        );
      if (eui) setPath(g, 'ids.eui', eui);
      if (g.frequency_plan_id !== undefined && g.frequency_plan_ids === undefined)
        g.frequency_plan_ids = [g.frequency_plan_id];
      const now = new Date().toISOString();
      g.created_at = now;
      g.updated_at = now;
      if (c.params[1] === 'users') g.lorafleet_owner = c.params[0];
      reg.gateways.set(id, g);
      return pick(g, []);
    };
    this.route('POST', '/users/{user_id}/gateways', (c) =>
      createGateway({ ...c, params: [c.params[0]!, 'users'] }),
    );
    this.route('POST', '/organizations/{org_id}/gateways', (c) =>
      createGateway({ ...c, params: [c.params[0]!, 'organizations'] }),
    );
    this.route('GET', '/gateways', (c) => {
      const deleted = c.query.get('deleted') === 'true';
      const list = [...reg.gateways.values()].filter((g) => (typeof g.deleted_at === 'string') === deleted);
      c.res.setHeader('X-Total-Count', String(list.length));
      return {
        gateways: list.map((g) => pick(g, paths(c), ['ids', 'created_at', 'updated_at', 'deleted_at'])),
      };
    });
    this.route('GET', '/gateways/{gw}', (c) => pick(reg.gateway(c.params[0]!), paths(c)));
    this.route('PUT', '/gateways/{gw}', (c) => {
      this.requireGateway(c, c.params[0]!);
      const g = reg.gateway(c.params[0]!);
      const body = (c.body.gateway ?? {}) as Doc;
      const mask = bodyPaths(c);
      if (mask.includes('ids.eui')) {
        const eui = String(getPath(body, 'ids.eui') ?? '').toUpperCase();
        const other = eui ? reg.gatewayByEui(eui) : undefined;
        if (other !== undefined && other !== g)
          throw new NetworkError(
            GRPC.ALREADY_EXISTS,
            'pkg/identityserver',
            'gateway_eui_taken',
            `a gateway with EUI \`${eui}\` is already registered`,
            { gateway_eui: eui },
          );
        setPath(g, 'ids.eui', eui || undefined);
      }
      applyMask(
        g,
        body,
        mask.filter((p) => !p.startsWith('ids') && !p.endsWith('_at')),
      );
      g.updated_at = new Date().toISOString();
      return pick(g, mask);
    });
    this.softDeleteRoutes('gateway', '/gateways/{gw}', {
      allow: (c, restoring) => this.requireGateway(c, c.params[0]!, restoring),
      remove: (id) => reg.deleteGateway(id),
      restore: (id) => reg.restoreGateway(id, this.restoreWindowMs),
      purge: (id) => reg.purgeGateway(id),
    });

    // --- end devices: IS, then JS / NS / AS
    this.route('POST', '/applications/{app}/devices', (c) => {
      this.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_DEVICES_WRITE');
      return net.devices.create(c.params[0]!, (c.body.end_device ?? {}) as Doc);
    });
    this.route('GET', '/applications/{app}/devices', (c) => {
      this.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_DEVICES_READ');
      const limit = Math.min(1000, Number(c.query.get('limit') ?? 100) || 100);
      const { devices, total } = net.devices.list(
        c.params[0]!,
        paths(c),
        limit,
        Number(c.query.get('page') ?? 1) || 1,
      );
      c.res.setHeader('X-Total-Count', String(total));
      return { end_devices: devices };
    });
    const batch = (comp: Component) => (c: Ctx) => {
      this.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_DEVICES_WRITE');
      net.devices.batchDelete(comp, c.params[0]!, c.query.getAll('device_ids'));
      return {};
    };
    this.route('DELETE', '/applications/{app}/devices/batch', batch('is'));
    // IS batch get: 1 to 20 ids; devices that do not exist are left out (tts-api.md 1.2).
    this.route('GET', '/applications/{app}/devices/batch', (c) => {
      this.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_DEVICES_READ');
      const ids = c.query.getAll('device_ids');
      if (ids.length < 1 || ids.length > 20)
        throw new NetworkError(
          GRPC.INVALID_ARGUMENT,
          'pkg/ttnpb',
          'validation',
          `invalid \`device_ids\`: expected 1 to 20 device IDs, got ${ids.length}`,
        );
      const found: Doc[] = [];
      for (const id of ids) {
        try {
          found.push(net.devices.get('is', c.params[0]!, id, paths(c)) as Doc);
        } catch (e) {
          if (!(e instanceof NetworkError && e.grpcCode === GRPC.NOT_FOUND)) throw e;
        }
      }
      return { end_devices: found };
    });
    this.route('GET', '/applications/{app}/devices/{dev}', (c) => {
      this.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_DEVICES_READ');
      return net.devices.get('is', c.params[0]!, c.params[1]!, paths(c));
    });
    this.route('PUT', '/applications/{app}/devices/{dev}', (c) => {
      this.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_DEVICES_WRITE');
      return net.devices.set(
        'is',
        c.params[0]!,
        c.params[1]!,
        (c.body.end_device ?? {}) as Doc,
        bodyPaths(c),
      );
    });
    this.route('DELETE', '/applications/{app}/devices/{dev}', (c) => {
      this.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_DEVICES_WRITE');
      net.devices.delete('is', c.params[0]!, c.params[1]!);
      return {};
    });
    for (const comp of ['js', 'ns', 'as'] as const) {
      const set = (c: Ctx, devId: string) => {
        const keys = bodyPaths(c).some((p) => p.includes('keys'));
        this.requireApp(
          c,
          c.params[0]!,
          keys ? 'RIGHT_APPLICATION_DEVICES_WRITE_KEYS' : 'RIGHT_APPLICATION_DEVICES_WRITE',
        );
        return net.devices.set(comp, c.params[0]!, devId, (c.body.end_device ?? {}) as Doc, bodyPaths(c));
      };
      this.route('DELETE', `/${comp}/applications/{app}/devices/batch`, batch(comp));
      this.route('PUT', `/${comp}/applications/{app}/devices/{dev}`, (c) => set(c, c.params[1]!));
      this.route('POST', `/${comp}/applications/{app}/devices`, (c) =>
        set(c, String(getPath((c.body.end_device ?? {}) as Doc, 'ids.device_id') ?? '')),
      );
      this.route('GET', `/${comp}/applications/{app}/devices/{dev}`, (c) => {
        const keys = paths(c).some((p) => p.includes('keys'));
        this.requireApp(
          c,
          c.params[0]!,
          keys ? 'RIGHT_APPLICATION_DEVICES_READ_KEYS' : 'RIGHT_APPLICATION_DEVICES_READ',
        );
        return net.devices.get(comp, c.params[0]!, c.params[1]!, paths(c));
      });
      this.route('DELETE', `/${comp}/applications/{app}/devices/{dev}`, (c) => {
        this.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_DEVICES_WRITE');
        net.devices.delete(comp, c.params[0]!, c.params[1]!);
        return {};
      });
    }

    // --- downlink queue
    for (const op of ['push', 'replace'] as const) {
      this.route('POST', `/as/applications/{app}/devices/{dev}/down/${op}`, (c) => {
        this.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_TRAFFIC_DOWN_WRITE');
        net.as.enqueue(c.params[0]!, c.params[1]!, op, c.body);
        return {};
      });
    }
    this.route('GET', '/as/applications/{app}/devices/{dev}/down', (c) => {
      this.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_TRAFFIC_READ');
      const d = reg.device(c.params[0]!, c.params[1]!);
      if (!d?.as) throw notFound('pkg/applicationserver', 'device_not_found', `device \`${c.params[1]}\``);
      return { downlinks: d.queue };
    });

    // lorafleet's own: make the NS send MAC requests (hex of CID + payload) in the next downlink.
    this.route('POST', '/ns/applications/{app}/devices/{dev}/lorafleet/mac', (c) => {
      this.requireApp(c, c.params[0]!, 'RIGHT_APPLICATION_DEVICES_WRITE');
      const hex = String(c.body.commands ?? '');
      if (!/^(?:[0-9a-fA-F]{2})+$/.test(hex))
        throw new NetworkError(
          GRPC.INVALID_ARGUMENT,
          'pkg/ttnpb',
          'validation',
          'invalid `commands`: hex of MAC commands',
        );
      let cmds;
      try {
        cmds = decodeMacCommands(Uint8Array.from(Buffer.from(hex, 'hex')), 'downlink');
      } catch (e) {
        throw new NetworkError(
          GRPC.INVALID_ARGUMENT,
          'pkg/ttnpb',
          'validation',
          `invalid \`commands\`: ${(e as Error).message}`,
        );
      }
      net.queueMacRequests(c.params[0]!, c.params[1]!, cmds);
      return { queued: cmds.map((x) => x.name) };
    });

    // --- events stream: {"result": event} objects, "\n\n"-separated for text/event-stream
    this.route('POST', '/events', (c) => {
      const idents = c.body.identifiers;
      if (!Array.isArray(idents) || idents.length === 0) {
        throw new NetworkError(GRPC.INVALID_ARGUMENT, 'pkg/events/grpc', 'no_identifiers', 'no identifiers');
      }
      if (idents.length > 1000 || !idents.every(isEntityIds))
        throw new NetworkError(
          GRPC.INVALID_ARGUMENT,
          'pkg/events/grpc',
          'invalid_identifiers',
          'invalid `identifiers`: each one of application_ids, device_ids or gateway_ids, with string IDs',
        );
      for (const i of idents as EntityIds[]) {
        const app =
          'application_ids' in i
            ? i.application_ids.application_id
            : 'device_ids' in i
              ? i.device_ids.application_ids.application_id
              : undefined;
        if (app !== undefined) this.requireApp(c, app, 'RIGHT_APPLICATION_TRAFFIC_READ');
        else this.requireAdmin(c);
      }
      const sep = (c.req.headers.accept ?? '').includes('text/event-stream') ? '\n\n' : '\n';
      const rawNames = c.body.names ?? [];
      if (!Array.isArray(rawNames))
        throw new NetworkError(GRPC.INVALID_ARGUMENT, 'pkg/events/grpc', 'invalid_names', 'invalid `names`');
      // Compiled here, once: a bad pattern is the client's 400, never a failure while publishing.
      try {
        compileNames(rawNames);
      } catch (e) {
        if (!(e instanceof EventNamesError)) throw e;
        throw new NetworkError(GRPC.INVALID_ARGUMENT, 'pkg/events/grpc', 'invalid_names', e.message);
      }
      const names = rawNames as string[];
      c.res.writeHead(200, { 'content-type': sep === '\n\n' ? 'text/event-stream' : 'application/json' });
      const write = (result: unknown) => c.res.write(`${ttsJson({ result })}${sep}`);
      write({
        name: 'events.stream.start',
        time: new Date().toISOString(),
        identifiers: idents,
        correlation_ids: [],
      });
      const unsubscribe = net.events.subscribe({ identifiers: idents as EntityIds[], names, send: write });
      c.req.on('close', unsubscribe);
      return undefined;
    });
  }
}

function readJson(req: IncomingMessage): Promise<Doc> {
  const type = req.headers['content-type'];
  if (type !== undefined && !/json/i.test(type))
    return Promise.reject(
      new NetworkError(
        GRPC.INVALID_ARGUMENT,
        'pkg/web',
        'unsupported_content_type',
        `content type \`${type.slice(0, 64)}\` is not JSON`,
      ),
    );
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        req.resume(); // drain what is left without keeping it
        reject(
          new NetworkError(
            GRPC.INVALID_ARGUMENT,
            'pkg/web',
            'request_too_large',
            `request body over ${MAX_BODY_BYTES} bytes`,
          ),
        );
        return;
      }
      chunks.push(d);
    });
    req.on('end', () => {
      if (size > MAX_BODY_BYTES) return;
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve({});
      try {
        const v = JSON.parse(text) as unknown;
        if (typeof v !== 'object' || v === null || Array.isArray(v))
          return reject(new SyntaxError('the body must be a JSON object'));
        resolve(v as Doc);
      } catch (e) {
        reject(e as Error);
      }
    });
    req.on('error', reject);
  });
}

const isIdString = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= 36;

/** An events-stream identifier in one of the three shapes lorafleet's network publishes. */
function isEntityIds(i: unknown): boolean {
  if (typeof i !== 'object' || i === null || Array.isArray(i)) return false;
  const o = i as Record<string, Record<string, unknown> | undefined>;
  const keys = Object.keys(o);
  if (keys.length !== 1) return false;
  if (keys[0] === 'application_ids') return isIdString(o.application_ids?.application_id);
  if (keys[0] === 'gateway_ids') return isIdString(o.gateway_ids?.gateway_id);
  if (keys[0] === 'device_ids') {
    const d = o.device_ids;
    const app = d?.application_ids as Record<string, unknown> | undefined;
    return isIdString(d?.device_id) && isIdString(app?.application_id);
  }
  return false;
}

/**
 * Reads and discards what is left of a request body before answering: a response sent while the
 * client still writes makes Node close the connection under a keep-alive client's next request.
 */
function drain(req: IncomingMessage): Promise<void> {
  if (req.complete || req.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    req.removeAllListeners('data');
    req.on('end', resolve);
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    req.resume();
  });
}
