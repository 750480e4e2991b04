import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedNetwork } from '../../network/embedded-network.js';
import { VirtualScheduler } from '../../simulator/time/scheduler.js';

let net: EmbeddedNetwork;
let base: string;
const ADMIN = 'NNSXS.TESTADMINKEY0000000.' + 'AB'.repeat(32);

async function api(
  method: string,
  path: string,
  body?: unknown,
  key: string | null = ADMIN,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${base}/api/v3${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      'content-type': 'application/json',
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : {} };
}

const otaaIds = (id: string, devEui: string) => ({
  device_id: id,
  dev_eui: devEui,
  join_eui: '70B3D57ED0000000',
});

beforeAll(async () => {
  net = new EmbeddedNetwork({ scheduler: new VirtualScheduler(), apiKey: ADMIN, mqtt: false });
  const a = await net.start();
  base = `http://127.0.0.1:${a.http!.port}`;
});
afterAll(() => net.stop());

describe('HTTP API (TTS subset)', () => {
  it('needs a Bearer key, and answers errors in TTS shape', async () => {
    const r = await api('GET', '/applications', undefined, null);
    expect(r.status).toBe(401);
    expect(r.body.code).toBe(16);
    expect(r.body.message).toMatch(/^error:pkg\/auth:missing_token \(/);
    expect(r.body.details[0]).toMatchObject({
      '@type': 'type.googleapis.com/ttn.lorawan.v3.ErrorDetails',
      namespace: 'pkg/auth',
      name: 'missing_token',
    });
    expect(typeof r.body.details[0].correlation_id).toBe('string');
    expect((await api('GET', '/applications', undefined, 'NNSXS.WRONG.KEY')).status).toBe(401);
    expect((await api('GET', '/nothing-here')).status).toBe(404);
  });

  it('creates applications under a user or organisation; duplicates are id_taken (409)', async () => {
    const r = await api('POST', '/users/admin/applications', {
      application: { ids: { application_id: 'app1' }, name: 'App one' },
    });
    expect(r.status).toBe(200);
    expect(r.body.ids).toEqual({ application_id: 'app1' });
    expect(
      (
        await api('POST', '/organizations/acme/applications', {
          application: { ids: { application_id: 'app2' } },
        })
      ).status,
    ).toBe(200);
    const dup = await api('POST', '/users/admin/applications', {
      application: { ids: { application_id: 'app1' } },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.details[0].name).toBe('id_taken');
    const bad = await api('POST', '/users/admin/applications', {
      application: { ids: { application_id: 'Bad_ID' } },
    });
    expect(bad.status).toBe(400);
    // Field masks: only ids and timestamps unless asked.
    const plain = await api('GET', '/applications/app1');
    expect(plain.body.name).toBeUndefined();
    const named = await api('GET', '/applications/app1?field_mask=name');
    expect(named.body.name).toBe('App one');
    const list = await api('GET', '/applications');
    expect(list.headers.get('x-total-count')).toBe('2');
  });

  it('application API keys: shown once, limited to their application and rights', async () => {
    const k = await api('POST', '/applications/app1/api-keys', {
      name: 'sim',
      rights: ['RIGHT_APPLICATION_DEVICES_READ', 'RIGHT_APPLICATION_TRAFFIC_READ'],
    });
    expect(k.status).toBe(200);
    expect(k.body.key).toMatch(/^NNSXS\./);
    const listed = await api('GET', '/applications/app1/api-keys');
    expect(listed.body.api_keys[0]).not.toHaveProperty('key');
    expect((await api('GET', '/applications/app1', undefined, k.body.key)).status).toBe(200);
    const other = await api('GET', '/applications/app2', undefined, k.body.key);
    expect(other.status).toBe(403);
    expect(other.body.details[0].name).toBe('no_application_rights');
    const write = await api(
      'POST',
      '/applications/app1/devices',
      { end_device: { ids: otaaIds('x-dev', '0000000000000099') } },
      k.body.key,
    );
    expect(write.status).toBe(403);
    expect(write.body.details[0].name).toBe('insufficient_application_rights');
    expect((await api('POST', '/applications/app1/api-keys', { name: 'x', rights: [] })).status).toBe(400);
    expect((await api('DELETE', `/applications/app1/api-keys/${k.body.id}`)).status).toBe(200);
    expect((await api('GET', '/applications/app1', undefined, k.body.key)).status).toBe(401);
  });

  it('gateways: create, get with a field mask, duplicate EUI is gateway_eui_taken', async () => {
    const g = {
      gateway: {
        ids: { gateway_id: 'gw1', eui: 'aa555a0000000001' },
        frequency_plan_ids: ['EU_863_870'],
        enforce_duty_cycle: true,
      },
    };
    expect((await api('POST', '/users/admin/gateways', g)).status).toBe(200);
    const got = await api('GET', '/gateways/gw1?field_mask=frequency_plan_ids');
    expect(got.body).toMatchObject({
      ids: { gateway_id: 'gw1', eui: 'AA555A0000000001' },
      frequency_plan_ids: ['EU_863_870'],
    });
    expect(got.body.enforce_duty_cycle).toBeUndefined();
    const dup = await api('POST', '/users/admin/gateways', {
      gateway: { ids: { gateway_id: 'gw2', eui: 'AA555A0000000001' } },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.details[0].name).toBe('gateway_eui_taken');
  });

  it('end devices across IS, JS, NS and AS, with field masks and TTS validation', async () => {
    const ids = otaaIds('dev1', '0004a30b001c0530');
    expect((await api('POST', '/applications/app1/devices', { end_device: { ids } })).status).toBe(200);
    const taken = await api('POST', '/applications/app1/devices', {
      end_device: { ids: { ...ids, device_id: 'dev1-copy' } },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.details[0]).toMatchObject({
      name: 'end_device_euis_taken',
      attributes: { device_id: 'dev1' },
    });
    const noJoinEui = await api('PUT', '/js/applications/app1/devices/dev1', {
      end_device: { ids: { device_id: 'dev1', dev_eui: '0004A30B001C0530' } },
      field_mask: { paths: ['ids.device_id', 'ids.dev_eui'] },
    });
    expect(noJoinEui.status).toBe(400);
    expect(noJoinEui.body.details[0].name).toBe('no_join_eui');
    const js = await api('PUT', '/js/applications/app1/devices/dev1', {
      end_device: { ids, root_keys: { app_key: { key: '2b7e151628aed2a6abf7158809cf4f3c' } } },
      field_mask: { paths: ['ids.device_id', 'ids.dev_eui', 'ids.join_eui', 'root_keys.app_key.key'] },
    });
    expect(js.status).toBe(200);
    const ns = await api('PUT', '/ns/applications/app1/devices/dev1', {
      end_device: {
        ids,
        supports_join: true,
        lorawan_version: 'MAC_V1_0_3',
        lorawan_phy_version: 'PHY_V1_0_3_REV_A',
        frequency_plan_id: 'EU_863_870_TTN',
      },
      field_mask: { paths: ['supports_join', 'lorawan_version', 'lorawan_phy_version', 'frequency_plan_id'] },
    });
    expect(ns.status).toBe(200);
    expect(
      (
        await api('PUT', '/as/applications/app1/devices/dev1', {
          end_device: { ids },
          field_mask: { paths: ['ids.device_id'] },
        })
      ).status,
    ).toBe(200);
    // Keys come back in uppercase hex, and only when asked for.
    const got = await api('GET', '/js/applications/app1/devices/dev1?field_mask=root_keys.app_key.key');
    expect(got.body.root_keys.app_key.key).toBe('2B7E151628AED2A6ABF7158809CF4F3C');
    expect(got.body.ids.dev_eui).toBe('0004A30B001C0530');
    expect((await api('GET', '/ns/applications/app1/devices/dev1')).body.frequency_plan_id).toBeUndefined();
    const badFp = await api('PUT', '/ns/applications/app1/devices/dev1', {
      end_device: { frequency_plan_id: 'MARS_1' },
      field_mask: { paths: ['frequency_plan_id'] },
    });
    expect(badFp.status).toBe(400);
    const badPath = await api('PUT', '/as/applications/app1/devices/dev1', {
      end_device: {},
      field_mask: { paths: ['root_keys.app_key.key'] },
    });
    expect(badPath.status).toBe(400);
    // ABP without a session is refused by the NS.
    const abp = await api('PUT', '/ns/applications/app1/devices/abp1', {
      end_device: {
        ids: { device_id: 'abp1' },
        supports_join: false,
        lorawan_version: 'MAC_V1_0_3',
        frequency_plan_id: 'EU_863_870',
      },
      field_mask: { paths: ['supports_join', 'lorawan_version', 'frequency_plan_id'] },
    });
    expect(abp.status).toBe(400);
    expect(abp.body.message).toMatch(/session\.dev_addr/);
    const list = await api('GET', '/applications/app1/devices');
    expect(list.body.end_devices.map((d: { ids: { device_id: string } }) => d.ids.device_id)).toEqual([
      'dev1',
    ]);
    expect((await api('GET', '/applications/app1/devices/nope')).status).toBe(404);
  });

  it('downlink queue: no session yet, FPort checks, push and list', async () => {
    const noSession = await api('POST', '/as/applications/app1/devices/dev1/down/push', {
      downlinks: [{ f_port: 1, frm_payload: 'AQI=' }],
    });
    expect(noSession.status).toBe(400);
    expect(noSession.body.details[0].name).toBe('no_device_session');
    const port0 = await api('POST', '/as/applications/app1/devices/dev1/down/push', {
      downlinks: [{ f_port: 0, frm_payload: 'AQI=' }],
    });
    expect(port0.status).toBe(400);
    expect(port0.body.details[0].name).toBe('no_f_port');
    // An ABP device has a session as soon as NS and AS know it.
    const ids = { device_id: 'abp2', dev_eui: '0004A30B001C0777' };
    await api('POST', '/applications/app1/devices', { end_device: { ids } });
    await api('PUT', '/ns/applications/app1/devices/abp2', {
      end_device: {
        ids,
        supports_join: false,
        lorawan_version: '1.0.3',
        frequency_plan_id: 'EU_863_870',
        session: { dev_addr: '26011F2A', keys: { f_nwk_s_int_key: { key: '11'.repeat(16) } } },
      },
      field_mask: {
        paths: [
          'supports_join',
          'lorawan_version',
          'frequency_plan_id',
          'session.dev_addr',
          'session.keys.f_nwk_s_int_key.key',
        ],
      },
    });
    await api('PUT', '/as/applications/app1/devices/abp2', {
      end_device: { ids, session: { dev_addr: '26011F2A', keys: { app_s_key: { key: '22'.repeat(16) } } } },
      field_mask: { paths: ['session.dev_addr', 'session.keys.app_s_key.key'] },
    });
    const push = await api('POST', '/as/applications/app1/devices/abp2/down/push', {
      downlinks: [{ f_port: 7, frm_payload: 'AQI=', confirmed: true }],
    });
    expect(push.status).toBe(200);
    const queued = await api('GET', '/as/applications/app1/devices/abp2/down');
    expect(queued.body.downlinks).toEqual([
      expect.objectContaining({ f_port: 7, frm_payload: 'AQI=', confirmed: true }),
    ]);
    await api('POST', '/as/applications/app1/devices/abp2/down/replace', { downlinks: [] });
    expect((await api('GET', '/as/applications/app1/devices/abp2/down')).body.downlinks).toBeUndefined();
  });

  it('batch delete takes 1 to 20 ids and skips missing ones; an application with devices cannot be deleted', async () => {
    const many = Array.from({ length: 21 }, (_, i) => `device_ids=d${i}`).join('&');
    expect((await api('DELETE', `/as/applications/app1/devices/batch?${many}`)).status).toBe(400);
    const del = async (comp: string) =>
      api(
        'DELETE',
        `${comp}/applications/app1/devices/batch?device_ids=dev1&device_ids=abp2&device_ids=ghost`,
      );
    expect((await api('DELETE', '/applications/app1')).body.details[0].name).toBe('application_has_devices');
    for (const comp of ['/as', '/ns', '/js', '']) expect((await del(comp)).status).toBe(200);
    expect((await api('GET', '/applications/app1/devices')).body.end_devices).toBeUndefined();
    expect((await api('DELETE', '/applications/app1')).status).toBe(200);
  });

  it('streams events as {"result": …} objects separated by blank lines, starting with events.stream.start', async () => {
    await api('POST', '/users/admin/applications', { application: { ids: { application_id: 'evapp' } } });
    const ac = new AbortController();
    const res = await fetch(`${base}/api/v3/events`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${ADMIN}`,
        accept: 'text/event-stream',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ identifiers: [{ application_ids: { application_id: 'evapp' } }] }),
      signal: ac.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    let text = '';
    const readUntil = async (n: number) => {
      while (text.split('\n\n').filter(Boolean).length < n)
        text += new TextDecoder().decode((await reader.read()).value);
    };
    await readUntil(1);
    net.events.publish(
      'as.up.data.forward',
      [{ device_ids: { device_id: 'd', application_ids: { application_id: 'evapp' } } }],
      { f_cnt: 1 },
    );
    net.events.publish('ns.up.data.receive', [
      { device_ids: { device_id: 'd', application_ids: { application_id: 'evapp' } } },
    ]); // not propagated to the app
    net.events.publish(
      'as.up.data.forward',
      [{ device_ids: { device_id: 'd', application_ids: { application_id: 'evapp' } } }],
      { f_cnt: 2 },
    );
    await readUntil(3);
    ac.abort();
    const msgs = text
      .split('\n\n')
      .filter(Boolean)
      .map((m) => JSON.parse(m));
    expect(msgs[0].result.name).toBe('events.stream.start');
    expect(msgs.slice(1).map((m) => [m.result.name, m.result.data.f_cnt])).toEqual([
      ['as.up.data.forward', 1],
      ['as.up.data.forward', 2],
    ]);
    expect((await api('POST', '/events', { identifiers: [] })).status).toBe(400);
  });
});

describe('rate limiting', () => {
  it('sends X-Rate-Limit-* headers and answers 429 with X-Rate-Limit-Retry when a key is over its limit', async () => {
    const limited = new EmbeddedNetwork({
      scheduler: new VirtualScheduler(),
      apiKey: ADMIN,
      mqtt: false,
      rateLimit: { limit: 3, windowSeconds: 60 },
    });
    const a = await limited.start();
    const url = `http://127.0.0.1:${a.http!.port}/api/v3/applications`;
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) {
      last = await fetch(url, { headers: { authorization: `Bearer ${ADMIN}` } });
      statuses.push(last.status);
      if (i === 0) {
        expect(last.headers.get('x-rate-limit-limit')).toBe('3');
        expect(last.headers.get('x-rate-limit-available')).toBe('2');
      }
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(Number(last!.headers.get('x-rate-limit-retry'))).toBeGreaterThan(0);
    const errBody = (await last!.json()) as { details: { name: string }[] };
    expect(errBody.details[0]!.name).toBe('rate_limit_exceeded');
    await limited.stop();
  });
});
