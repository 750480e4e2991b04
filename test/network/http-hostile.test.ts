import { request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedNetwork } from '../../network/embedded-network.js';
import { VirtualScheduler } from '../../simulator/time/scheduler.js';
import { FUZZ_RUNS } from '../helpers/arbitraries.js';

// The embedded network's HTTP API treats every byte as untrusted (issue 13 item 2): each refusal is a
// TTS-style error body with a 4xx status, never a 500, a crash, a stall, or a key that gains rights.
const ADMIN = 'NNSXS.HOSTILEADMIN000000.' + '12'.repeat(32);
let net: EmbeddedNetwork;
let port: number;
let trafficKey: string;

/** A TTS JSON answer, read field by field in the assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- untyped JSON from the wire
type Json = Record<string, any>;

/** A raw request: the path is sent as written (no URL normalisation), any headers and body. */
function raw(
  method: string,
  path: string,
  o: { body?: string | Buffer; headers?: Record<string, string>; key?: string } = {},
): Promise<{ status: number; body: Json }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: {
          authorization: `Bearer ${o.key ?? ADMIN}`,
          'content-type': 'application/json',
          ...o.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: Json = {};
          try {
            body = text ? JSON.parse(text) : {};
          } catch {
            body = { unparsable: text.slice(0, 100) };
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('error', reject);
    if (o.body !== undefined) req.write(o.body);
    req.end();
  });
}
const json = (method: string, path: string, body: unknown, key?: string) =>
  raw(method, `/api/v3${path}`, { body: JSON.stringify(body), ...(key ? { key } : {}) });

beforeAll(async () => {
  net = new EmbeddedNetwork({ scheduler: new VirtualScheduler(), apiKey: ADMIN, mqtt: false });
  port = (await net.start()).http!.port;
  expect(
    (await json('POST', '/users/admin/applications', { application: { ids: { application_id: 'hostile' } } }))
      .status,
  ).toBe(200);
  const k = await json('POST', '/applications/hostile/api-keys', {
    name: 'traffic',
    rights: ['RIGHT_APPLICATION_TRAFFIC_READ'],
  });
  trafficKey = k.body.key as string;
});
afterAll(() => net.stop());

describe('field-mask paths cannot reach a prototype', () => {
  it.each(['__proto__.admin', 'ids.__proto__.x', 'constructor.prototype.admin', 'name..x', 'Name'])(
    'PUT with path %s: 400, and no key becomes an admin',
    async (path) => {
      const r = await json(
        'PUT',
        '/applications/hostile',
        { application: { name: 'x', admin: true }, field_mask: { paths: [path] } },
        trafficKey,
      );
      expect([400, 403]).toContain(r.status);
      expect(typeof r.body.message).toBe('string');
      // The traffic key still may not purge (admin only), and fresh objects have no `admin`.
      expect((await raw('DELETE', '/api/v3/applications/nothing/purge', { key: trafficKey })).status).toBe(
        403,
      );
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    },
  );

  it('GET with a prototype path in the field mask is refused with 400', async () => {
    const r = await raw('GET', '/api/v3/applications/hostile?field_mask=__proto__');
    expect(r.status).toBe(400);
    expect(r.body.details[0].name).toBe('field_mask_paths');
  });
});

describe('the events stream takes only patterns it can match in linear time', () => {
  const subscribe = (names: unknown) =>
    json('POST', '/events', { identifiers: [{ application_ids: { application_id: 'hostile' } }], names });

  it.each([
    ['/(/', /pattern/],
    ['/^(([a-z.])+)+X$/', /repeated group/],
    ['/(a*)*b/', /repeated group/],
    ['/(\\w)\\1/', /backreferences/],
    ['/(?=x)/', /lookaround/],
    [5, /string/],
  ])('names [%s]: 400 at subscribe time', async (pattern, message) => {
    const r = await subscribe([pattern]);
    expect(r.status).toBe(400);
    expect(r.body.details[0].name).toBe('invalid_names');
    expect(r.body.message).toMatch(message);
  });

  it.each([[[5]], [[{}]], [[{ device_ids: { device_id: 'd' } }]], ['x']])(
    'identifiers %j: 400, not a crash',
    async (identifiers) => {
      const r = await json('POST', '/events', { identifiers });
      expect(r.status).toBe(400);
    },
  );
});

describe('requests the API does not take', () => {
  it('a body over 1 MiB: 400 request_too_large', async () => {
    const big = JSON.stringify({ application: { name: 'x'.repeat(2 << 20) } });
    const r = await raw('PUT', '/api/v3/applications/hostile', { body: big });
    expect(r.status).toBe(400);
    expect(r.body.details[0].name).toBe('request_too_large');
  });

  it('a malformed percent escape: 400', async () => {
    const r = await raw('GET', '/api/v3/applications/%E0%A4%A');
    expect(r.status).toBe(400);
    expect(r.body.details[0].name).toBe('invalid_path');
  });

  it.each([
    '/js/applications/hostile/devices/UPPER',
    '/ns/applications/hostile/devices/a_b',
    '/as/applications/hostile/devices/' + 'x'.repeat(37),
    '/gateways/' + 'g'.repeat(37),
  ])("an ID that breaks TTS's rule: %s → 400", async (path) => {
    const r = await raw('GET', `/api/v3${path}`);
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/is not an ID/);
  });

  it('rights that are not right names: 400', async () => {
    for (const rights of [[5], [{}], ['x'], ['RIGHT_APPLICATION_TRAFFIC_READ', null]]) {
      const r = await json('POST', '/applications/hostile/api-keys', { name: 'k', rights });
      expect(r.status, JSON.stringify(rights)).toBe(400);
    }
  });

  it('a body that is not JSON by its content type: 400', async () => {
    const r = await raw('PUT', '/api/v3/applications/hostile', {
      body: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(r.status).toBe(400);
    expect(r.body.details[0].name).toBe('unsupported_content_type');
  });

  it('a method the route does not have: 501 with a TTS body', async () => {
    const r = await raw('PATCH', '/api/v3/applications/hostile');
    expect(r.status).toBe(501);
    expect(r.body.details[0].name).toBe('method_not_allowed');
  });
});

describe('fuzz: random requests at the API', () => {
  it('never answers 500 and keeps serving (fast-check, 300 requests)', async () => {
    const segment = fc.oneof(
      fc.constantFrom(
        'hostile',
        'applications',
        'devices',
        'gateways',
        'js',
        'ns',
        'as',
        'batch',
        'api-keys',
        '__proto__',
        '%zz',
        '..',
        'down',
        'push',
      ),
      fc.string({ maxLength: 12 }).map(encodeURIComponent),
    );
    const requests = fc.record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH'),
      path: fc.array(segment, { minLength: 1, maxLength: 7 }).map((p) => `/api/v3/${p.join('/')}`),
      query: fc.oneof(
        fc.constant(''),
        fc.string({ maxLength: 20 }).map((q) => `?field_mask=${encodeURIComponent(q)}`),
      ),
      headers: fc.record(
        {
          'content-type': fc.constantFrom(
            'application/json',
            'text/plain',
            'application/x-www-form-urlencoded',
            'multipart/form-data; boundary=x',
            '',
          ),
          authorization: fc.constantFrom(
            `Bearer ${ADMIN}`,
            'Bearer ',
            'Basic abc',
            'Bearer NNSXS.X.Y',
            'bearer ' + ADMIN,
          ),
          accept: fc.constantFrom('application/json', 'text/event-stream', '*/*'),
        },
        { requiredKeys: [] },
      ),
      body: fc.oneof(
        fc.constant(undefined),
        fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
        fc.string({ maxLength: 40 }),
      ),
    });
    for (const q of fc.sample(requests, { numRuns: FUZZ_RUNS ?? 300, seed: 42 })) {
      const r = await raw(q.method, q.path + q.query, {
        ...(q.body === undefined ? {} : { body: q.body }),
        headers: q.headers,
        ...(q.headers.authorization ? { key: q.headers.authorization.replace(/^\S+ ?/, '') } : {}),
      }).catch((e: Error) => {
        throw new Error(`${q.method} ${q.path}${q.query} ${q.body ?? ''}: ${e.message}`);
      });
      expect(r.status, `${q.method} ${q.path}${q.query} ${q.body ?? ''}`).not.toBe(500);
      expect(r.status).toBeGreaterThanOrEqual(200);
    }
    expect((await raw('GET', '/api/v3/applications')).status).toBe(200); // still serving (the fuzz may delete with the admin key)
  });

  it('events-stream requests: random names and identifiers get 200 or 400, never a 500 or a stall', async () => {
    const name = fc.oneof(
      fc.constantFrom(
        '/(/',
        '/^(a+)+$/',
        '/.*/',
        'as.up.data.forward',
        '/[/',
        '/(?<=x)/',
        '//',
        '/a{1,99999}/',
      ),
      fc.string({ maxLength: 20 }).map((x) => `/${x}/`),
      fc.jsonValue({ maxDepth: 1 }),
    );
    const ident = fc.oneof(
      fc.constant({ application_ids: { application_id: 'hostile' } }),
      fc.jsonValue({ maxDepth: 3 }),
      fc.record({ device_ids: fc.record({ device_id: fc.string({ maxLength: 6 }) }) }),
    );
    const bodies = fc.sample(
      fc.record({ identifiers: fc.array(ident, { maxLength: 3 }), names: fc.array(name, { maxLength: 4 }) }),
      {
        numRuns: FUZZ_RUNS ? FUZZ_RUNS / 10 : 60,
        seed: 8,
      },
    );
    for (const body of bodies) {
      const ac = new AbortController();
      const res = await fetch(`http://127.0.0.1:${port}/api/v3/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: ac.signal,
      });
      expect([200, 400, 403, 404], JSON.stringify(body)).toContain(res.status);
      ac.abort();
      await res.body?.cancel().catch(() => undefined);
    }
    // Publishing to whatever subscriptions were made stays fast.
    const started = Date.now();
    for (let i = 0; i < 200; i++)
      net.events.publish('as.up.data.forward', [{ application_ids: { application_id: 'hostile' } }]);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
