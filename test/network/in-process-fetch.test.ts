import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedNetwork } from '../../network/embedded-network.js';
import { VirtualScheduler } from '../../simulator/time/scheduler.js';
import { TtsClient } from '../../simulator/tts/http-client.js';

const ADMIN = 'NNSXS.TESTADMINKEY0000000.' + 'CD'.repeat(32);
let net: EmbeddedNetwork;
let base: string;

beforeAll(async () => {
  net = new EmbeddedNetwork({ scheduler: new VirtualScheduler(), apiKey: ADMIN, mqtt: false });
  base = `http://127.0.0.1:${(await net.start()).http!.port}`;
});
afterAll(() => net.stop());

/** The same request over loopback HTTP and through the in-process fetch: status, the headers that matter, body. */
async function both(method: string, path: string, body?: unknown, key: string | null = ADMIN) {
  const init: RequestInit = {
    method,
    headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  };
  const read = async (r: Response) => ({
    status: r.status,
    total: r.headers.get('x-total-count'),
    body: JSON.parse((await r.text()) || '{}') as Record<string, unknown>,
  });
  const overHttp = await read(await fetch(`${base}/api/v3${path}`, init));
  const inProcess = await read(await net.http!.fetch(`http://anywhere/api/v3${path}`, init));
  // Correlation IDs are random per error: compare everything else.
  const strip = (x: { body: Record<string, unknown> }) =>
    JSON.parse(JSON.stringify(x).replace(/"correlation_id":"[0-9a-f]+"/g, '"correlation_id":"…"'));
  return { overHttp: strip(overHttp), inProcess: strip(inProcess) };
}

describe('the HTTP API called in process (what an embedded run provisions through)', () => {
  it('answers as it does over a socket: creations, reads, lists, refusals and errors', async () => {
    const app = (id: string) => ({ application: { ids: { application_id: id } } });
    // Over HTTP first, then in process: the second creation of each is the in-process one's refusal.
    const created = await both('POST', '/users/admin/applications', app('same-app'));
    expect(created.overHttp.status).toBe(200);
    expect(created.inProcess.status).toBe(409); // id_taken, as over HTTP for a second creation
    expect(created.inProcess.body.message).toMatch(
      /^error:pkg\/identityserver:id_taken|already exists|taken/,
    );
    for (const [method, path, body, key] of [
      ['GET', '/applications/same-app', undefined, ADMIN],
      ['GET', '/applications', undefined, ADMIN],
      ['GET', '/applications/none-such', undefined, ADMIN],
      ['GET', '/applications', undefined, null],
      ['GET', '/applications', undefined, 'NNSXS.WRONG.KEY'],
      ['POST', '/users/admin/applications', { application: { ids: { application_id: 'Bad ID' } } }, ADMIN],
      ['PUT', '/nothing-here', {}, ADMIN],
    ] as const) {
      const r = await both(method, path, body, key);
      expect(r.inProcess, `${method} ${path}`).toEqual(r.overHttp);
    }
  });

  it('serves the API client (retries, JSON, errors) exactly as over HTTP', async () => {
    const client = new TtsClient({
      target: { url: 'http://in-process' },
      apiKey: ADMIN,
      userAgent: 'lorafleet-test',
      fetch: net.http!.fetch,
    });
    await client.post('/users/admin/applications', {
      application: { ids: { application_id: 'via-client' } },
    });
    const got = await client.get<{ ids: { application_id: string } }>('/applications/via-client');
    expect(got.ids.application_id).toBe('via-client');
    await expect(client.get('/applications/absent-app')).rejects.toMatchObject({ status: 404 });
  });

  it('lets go of a finished request: its signal (a timeout that outlives it) keeps no listener', async () => {
    // A 30 s timeout signal on every provisioning request used to hold each answered request — body,
    // streams, closures — for 30 s: about 16 KB a request, gigabytes for a million devices.
    const timeout = new AbortController();
    const res = await net.http!.fetch('http://in-process/api/v3/applications', {
      headers: { authorization: `Bearer ${ADMIN}` },
      signal: timeout.signal,
    });
    expect(res.status).toBe(200);
    await res.text();
    expect(getEventListeners(timeout.signal, 'abort')).toHaveLength(0);
    const refused = await net.http!.fetch('http://in-process/api/v3/applications/none-such', {
      headers: { authorization: `Bearer ${ADMIN}` },
      signal: timeout.signal,
    });
    expect(refused.status).toBe(404);
    expect(getEventListeners(timeout.signal, 'abort')).toHaveLength(0);
  });

  it('streams the events stream as over a socket, and ends the subscription when the caller aborts', async () => {
    await net.http!.fetch('http://in-process/api/v3/users/admin/applications', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ application: { ids: { application_id: 'streamed' } } }),
    });
    const ids = [{ application_ids: { application_id: 'streamed' } }];
    const abort = new AbortController();
    const res = await net.http!.fetch('http://in-process/api/v3/events', {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ identifiers: ids }),
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const until = async (re: RegExp) => {
      while (!re.test(text)) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      return re.test(text);
    };
    expect(await until(/events\.stream\.start/)).toBe(true);
    // An event published after the stream opened arrives on it, as over HTTP.
    net.events.publish('ns.up.data.drop', ids, { name: 'fcnt_replay' });
    expect(await until(/"name":"ns\.up\.data\.drop"/)).toBe(true);
    // A stream still open listens for its caller going away.
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(1);
    const before = net.events.subscriberCount();
    abort.abort();
    expect(net.events.subscriberCount()).toBe(before - 1);
  });
});
