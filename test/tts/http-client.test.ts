import { describe, expect, it } from 'vitest';
import { TtsApiError, TtsTransportError } from '../../simulator/tts/errors.js';
import { baseUrls, TtsClient } from '../../simulator/tts/http-client.js';
import { closedPort } from '../helpers/ports.js';

type Reply = { status: number; headers?: Record<string, string>; body?: unknown } | 'reset';

function scripted(replies: Reply[]) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchImpl = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    const r = replies.shift() ?? { status: 200, body: {} };
    if (r === 'reset') throw new TypeError('fetch failed: ECONNRESET');
    return new Response(r.body === undefined ? null : JSON.stringify(r.body), {
      status: r.status,
      headers: r.headers ?? {},
    });
  }) as unknown as typeof fetch;
  return { fetchImpl, calls };
}

function client(replies: Reply[], extra: Partial<ConstructorParameters<typeof TtsClient>[0]> = {}) {
  const { fetchImpl, calls } = scripted(replies);
  const sleeps: number[] = [];
  const warnings: unknown[] = [];
  const c = new TtsClient({
    target: { url: 'https://tts.example.com' },
    apiKey: 'NNSXS.SECRET.KEY',
    userAgent: 'lorafleet/0.1.0',
    fetch: fetchImpl,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    logger: { info: () => undefined, debug: () => undefined, warn: (o) => void warnings.push(o) },
    ...extra,
  });
  return { c, calls, sleeps, warnings };
}

describe('TTS HTTP client', () => {
  it('sends the key as a Bearer token, a lorafleet User-Agent and field masks in the query', async () => {
    const { c, calls } = client([{ status: 200, body: { ids: {} } }]);
    await c.get('/applications/app1', { fieldMask: ['name', 'description'] });
    expect(calls[0]!.url).toBe(
      'https://tts.example.com/api/v3/applications/app1?field_mask=name%2Cdescription',
    );
    const h = calls[0]!.init.headers as Record<string, string>;
    expect(h.authorization).toBe('Bearer NNSXS.SECRET.KEY');
    expect(h['user-agent']).toBe('lorafleet/0.1.0');
  });

  it('knows the host forms of TTS Cloud and TTN: the Identity Server lives in eu1', () => {
    expect(baseUrls({ tenant: 'acme', cluster: 'nam1' })).toEqual({
      identity: 'https://acme.eu1.cloud.thethings.industries',
      cluster: 'https://acme.nam1.cloud.thethings.industries',
    });
    expect(baseUrls({ ttn: true, cluster: 'au1' })).toEqual({
      identity: 'https://eu1.cloud.thethings.network',
      cluster: 'https://au1.cloud.thethings.network',
    });
    const { c } = client([], { target: { tenant: 'acme', cluster: 'nam1' } });
    expect(c.url('/applications/a')).toMatch(/^https:\/\/acme\.eu1\./);
    expect(c.url('/ns/applications/a/devices/d')).toMatch(/^https:\/\/acme\.nam1\./);
  });

  it('turns a TTS error body into a typed error with code, name, namespace and correlation id', async () => {
    const { c } = client([
      {
        status: 409,
        body: {
          code: 6,
          message: 'error:pkg/identityserver:end_device_euis_taken (taken)',
          details: [
            {
              namespace: 'pkg/identityserver',
              name: 'end_device_euis_taken',
              message_format: 'taken',
              correlation_id: 'abc',
              attributes: { device_id: 'other' },
            },
          ],
        },
      },
    ]);
    const e = await c.post('/applications/a/devices', {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TtsApiError);
    expect(e).toMatchObject({
      status: 409,
      grpcCode: 6,
      namespace: 'pkg/identityserver',
      ttsName: 'end_device_euis_taken',
      correlationId: 'abc',
      attributes: { device_id: 'other' },
    });
    expect((e as Error).message).not.toContain('SECRET');
  });

  it('waits X-Rate-Limit-Retry after a 429, then retries', async () => {
    const { c, calls, sleeps } = client([
      { status: 429, headers: { 'x-rate-limit-retry': '3' } },
      { status: 200, body: { ok: 1 } },
    ]);
    expect(await c.get('/applications/a')).toEqual({ ok: 1 });
    expect(calls).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThan(2900);
    expect(c.stats.rateLimited).toBe(1);
  });

  it('pauses when X-Rate-Limit-Available reaches 0, until X-Rate-Limit-Reset', async () => {
    const { c, sleeps } = client([
      { status: 200, headers: { 'x-rate-limit-available': '0', 'x-rate-limit-reset': '2' }, body: {} },
      { status: 200, body: {} },
    ]);
    await c.get('/applications/a');
    await c.get('/applications/a');
    expect(sleeps[0]).toBeGreaterThan(1900);
  });

  it('backs off exponentially with jitter on 502/503/504 and resets, and gives up after the allowed attempts', async () => {
    const { c, sleeps } = client([
      { status: 503 },
      { status: 502 },
      'reset',
      { status: 504 },
      { status: 200, body: {} },
    ]);
    await c.get('/applications/a');
    expect(sleeps).toEqual([150, 300, 600, 1200]); // base 200 ms doubling; jitter over the upper half (random 0.5)
    const { c: c2 } = client(
      Array.from({ length: 10 }, () => ({ status: 503 })),
      { maxAttempts: 3 },
    );
    await expect(c2.get('/applications/a')).rejects.toBeInstanceOf(TtsTransportError);
  });

  it('logs each distinct X-Warning once', async () => {
    const w = { status: 200, headers: { 'x-warning': 'Events storage is not enabled' }, body: {} };
    const { c, warnings } = client([w, w, { ...w, headers: { 'x-warning': 'Restricted rights' } }]);
    for (let i = 0; i < 3; i++) await c.get('/applications/a');
    expect(warnings).toHaveLength(2);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const fetchImpl = (async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return new Response('{}', { status: 200 });
    }) as unknown as typeof fetch;
    const c = new TtsClient({
      target: { url: 'http://x' },
      apiKey: 'k',
      userAgent: 'u',
      fetch: fetchImpl,
      concurrency: 3,
    });
    await Promise.all(Array.from({ length: 20 }, () => c.get('/applications/a')));
    expect(peak).toBe(3);
  });

  it('retries 500 and 503 for idempotent requests only: a POST is sent once unless marked idempotent', async () => {
    const { c, calls } = client([{ status: 500 }, { status: 503 }, { status: 200, body: { ok: 1 } }]);
    expect(await c.put('/applications/a', {})).toEqual({ ok: 1 });
    expect(calls).toHaveLength(3);
    const err = { status: 500, body: { code: 13, message: 'error:pkg/x:internal (boom)' } };
    const { c: c2, calls: calls2 } = client([err, { status: 200, body: {} }]);
    await expect(c2.post('/applications/a/api-keys', {})).rejects.toMatchObject({ status: 500 });
    expect(calls2).toHaveLength(1);
    const { c: c3, calls: calls3 } = client([err, { status: 200, body: { made: 1 } }]);
    expect(await c3.post('/users/u/applications', {}, { idempotent: true })).toEqual({ made: 1 });
    expect(calls3).toHaveLength(2);
  });

  it("uses TTS's filled-in message, not message_format with its placeholders", async () => {
    const { c } = client([
      {
        status: 404,
        body: {
          code: 5,
          message:
            'error:pkg/identityserver/store:application_not_found (application with id `app1` not found)',
          details: [
            {
              namespace: 'pkg/identityserver/store',
              name: 'application_not_found',
              message_format: 'application with id `{application_id}` not found',
              attributes: { application_id: 'app1' },
            },
          ],
        },
      },
    ]);
    const e = (await c.get('/applications/app1').catch((x: unknown) => x)) as TtsApiError;
    expect(e.message).toContain('application with id `app1` not found');
    expect(e.message).not.toContain('{application_id}');
  });

  it('names the host and the cause when the API cannot be reached, and gives up quickly on a server never seen', async () => {
    const sleeps: number[] = [];
    const port = await closedPort();
    const c = new TtsClient({
      target: { url: `http://127.0.0.1:${port}` },
      apiKey: 'k',
      userAgent: 'lorafleet/test',
      sleep: async (ms) => void sleeps.push(ms),
    });
    const e = (await c.get('/applications/a').catch((x: unknown) => x)) as TtsTransportError;
    expect(e).toBeInstanceOf(TtsTransportError);
    expect(e.message).toContain(`cannot reach 127.0.0.1:${port}: ECONNREFUSED (connection refused)`);
    expect(sleeps).toHaveLength(2); // three attempts, not eight
    const dns = new TtsClient({
      target: { url: 'http://no-such-host.invalid' },
      apiKey: 'k',
      userAgent: 'lorafleet/test',
      sleep: async (ms) => void sleeps.push(ms),
    });
    const e2 = (await dns.get('/applications/a').catch((x: unknown) => x)) as TtsTransportError;
    expect(e2.message).toMatch(/no-such-host\.invalid: (ENOTFOUND \(no such host \(DNS\)\)|EAI_AGAIN)/);
  });
});
