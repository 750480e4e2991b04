import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { LorafleetError } from '../crypto/errors.js';
import type { EmbeddedNetwork } from './embedded-network.js';
import { GRPC, messageFormat, NetworkError } from './errors.js';
import { listen } from '../simulator/io/listen.js';
import { FieldPathError } from './paths.js';
import { authenticate, requireApplicationRight } from './rights.js';
import type { Auth, Doc } from './registry.js';
import { ttsJson } from './tts-json.js';
import { inProcessFetch } from './in-process-fetch.js';
import { ID_PATTERN } from './routes/common.js';
import { applicationsRoutes } from './routes/applications.js';
import { devicesRoutes } from './routes/devices.js';
import { downlinksRoutes } from './routes/downlinks.js';
import { eventsRoutes } from './routes/events.js';
import { gatewaysRoutes } from './routes/gateways.js';

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

export interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  params: string[];
  query: URLSearchParams;
  body: Doc;
  auth: Auth;
}

export type Handler = (c: Ctx) => unknown;

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
    readonly net: EmbeddedNetwork,
    private readonly rateLimit?: RateLimit,
    /** How long a soft-deleted application or gateway may be restored (TTS `is.delete.restore`, 24 h). */
    readonly restoreWindowMs = 24 * 3600_000,
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

  /** This API as a `fetch` in the same process (in-process-fetch.ts): what an embedded run provisions through. */
  readonly fetch: typeof fetch = inProcessFetch((req, res) => this.handle(req, res));

  route(method: string, path: string, handler: Handler): void {
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
      const auth = authenticate(this.net.registry, token);
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

  requireApp(c: Ctx, applicationId: string, right?: string): void {
    requireApplicationRight(this.net.registry, c.auth, applicationId, right);
  }

  /** The network's own key, or a user key acting under its own user ID (creating entities). */
  requireUser(c: Ctx, userId?: string): void {
    if (Object.hasOwn(c.auth, 'admin')) return;
    if (
      Object.hasOwn(c.auth, 'userId') &&
      (userId === undefined || (c.auth as { userId: string }).userId === userId)
    )
      return;
    throw new NetworkError(GRPC.PERMISSION_DENIED, 'pkg/auth/rights', 'no_user_rights', 'no user rights');
  }

  /** The network's key, or the key of the user that created the gateway. */
  requireGateway(c: Ctx, gatewayId: string, deleted = false): void {
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

  requireAdmin(
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
  softDeleteRoutes(
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
    applicationsRoutes(this);
    gatewaysRoutes(this);
    devicesRoutes(this);
    downlinksRoutes(this);
    eventsRoutes(this);
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
