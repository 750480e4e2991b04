import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedNetwork } from '../../network/embedded-network.js';
import { ttsJson } from '../../network/tts-json.js';
import { VirtualScheduler } from '../../simulator/time/scheduler.js';
import { TtsClient } from '../../simulator/tts/http-client.js';
import { Journal } from '../../simulator/tts/journal.js';
import { GatewayTakenError, Provisioner, SoftDeletedError } from '../../simulator/tts/provisioning.js';

// The embedded network refuses, omits and soft-deletes as The Things Stack v3.32 does
// (tts-api.md Part 4), so that a test against it catches what TTS would (issue 12, points 1–4).
const ADMIN = 'NNSXS.FIDELITYADMIN00000.' + 'CD'.repeat(32);
const USER = 'NNSXS.FIDELITYUSER000000.' + 'EF'.repeat(32);
const RESTORE_WINDOW_MS = 300;

let net: EmbeddedNetwork;
let base: string;

async function api(method: string, path: string, body?: unknown, key = ADMIN) {
  const res = await fetch(`${base}/api/v3${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : {} };
}

beforeAll(async () => {
  net = new EmbeddedNetwork({
    scheduler: new VirtualScheduler(),
    apiKey: ADMIN,
    userKeys: { [USER]: 'alice' },
    restoreWindowMs: RESTORE_WINDOW_MS,
    mqtt: false,
  });
  const a = await net.start();
  base = `http://127.0.0.1:${a.http!.port}`;
  expect(
    (
      await api(
        'POST',
        '/users/alice/applications',
        { application: { ids: { application_id: 'fid' } } },
        USER,
      )
    ).status,
  ).toBe(200);
  const abp = {
    ids: { device_id: 'abp-1', dev_eui: '00000000000000A1', application_ids: { application_id: 'fid' } },
    lorawan_version: 'MAC_V1_0_3',
    lorawan_phy_version: 'PHY_V1_0_3_REV_A',
    frequency_plan_id: 'EU_863_870',
    supports_join: false,
  };
  expect(
    (await api('POST', '/applications/fid/devices', { end_device: { ids: abp.ids } }, USER)).status,
  ).toBe(200);
  expect(
    (
      await api(
        'PUT',
        '/ns/applications/fid/devices/abp-1',
        {
          end_device: {
            ...abp,
            session: {
              dev_addr: '27000001',
              keys: { f_nwk_s_int_key: { key: '11'.repeat(16) } },
            },
          },
          field_mask: {
            paths: [
              'lorawan_version',
              'lorawan_phy_version',
              'frequency_plan_id',
              'supports_join',
              'session.dev_addr',
              'session.keys.f_nwk_s_int_key.key',
            ],
          },
        },
        USER,
      )
    ).status,
  ).toBe(200);
});
afterAll(() => net.stop());

describe('point 1: wrapper types are bare values; the object form is refused with TTS 400', () => {
  const put = (settings: Record<string, unknown>) =>
    api(
      'PUT',
      '/ns/applications/fid/devices/abp-1',
      {
        end_device: { ids: { device_id: 'abp-1' }, mac_settings: settings },
        field_mask: { paths: Object.keys(settings).map((k) => `mac_settings.${k}`) },
      },
      USER,
    );

  it.each([
    ['rx1_delay', { value: 1 }, 'invalid value type for enum: Object'],
    ['desired_rx1_delay', { value: 1 }, 'invalid value type for enum: Object'],
    ['rx1_data_rate_offset', { value: 0 }, 'invalid value type for enum: Object'],
    ['rx2_data_rate_index', { value: 0 }, 'invalid value type for enum: Object'],
    ['ping_slot_periodicity', { value: 2 }, 'invalid value type for enum: Object'],
    ['resets_f_cnt', { value: false }, 'ReadBool: expect t or f, but found {'],
    ['supports_32_bit_f_cnt', { value: true }, 'ReadBool: expect t or f, but found {'],
    ['rx2_frequency', { value: 869525000 }, 'ReadUint64: unexpected value type: Object'],
  ])('%s in object form: 400 with TTS text and no details', async (field, value, text) => {
    const r = await put({ [field]: value });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      code: 3,
      message: `unmarshal error at path "end_device.mac_settings.${field}": ${text}`,
    });
  });

  it.each([
    ['rx1_delay', 1],
    ['desired_rx1_delay', 5],
    ['rx2_frequency', '869525000'],
    ['resets_f_cnt', true],
  ])('%s bare: accepted and echoed bare', async (field, value) => {
    expect((await put({ [field]: value })).status).toBe(200);
    const got = await api(
      'GET',
      `/ns/applications/fid/devices/abp-1?field_mask=mac_settings.${field}`,
      undefined,
      USER,
    );
    expect(got.status).toBe(200);
    expect(got.body.mac_settings[field]).toEqual(value);
  });

  it('resets_f_cnt is true only when it is the bare value true', async () => {
    expect((await put({ resets_f_cnt: false })).status).toBe(200);
    const got = await api(
      'GET',
      '/ns/applications/fid/devices/abp-1?field_mask=mac_settings',
      undefined,
      USER,
    );
    expect(got.body.mac_settings.resets_f_cnt).toBeUndefined(); // false is a zero value: omitted
  });
});

describe('point 2: zero values are omitted from everything the network writes', () => {
  it.each([
    [{ f_cnt: 0, f_port: 1, frm_payload: '' }, '{"f_port":1}'],
    [{ confirmed: false, rssi: 0, snr: -3.5 }, '{"snr":-3.5}'],
    [{ settings: {}, list: [], gateways: [0, false] }, '{"settings":{},"gateways":[0,false]}'],
    [{ name: null, nested: { a: 0, b: 'x' } }, '{"nested":{"b":"x"}}'],
  ])('%j is written as %s', (value, written) => {
    expect(ttsJson(value)).toBe(written);
  });

  it('an API answer omits zero-valued fields: an ABP device without supports_join', async () => {
    const r = await api(
      'GET',
      '/ns/applications/fid/devices/abp-1?field_mask=supports_join,session',
      undefined,
      USER,
    );
    expect(r.status).toBe(200);
    expect(r.text).not.toMatch(/"supports_join"|:0[,}]|:false|:""|:\[\]/);
    expect(r.body.session.dev_addr).toBe('27000001');
  });
});

describe('point 3: applications and gateways are soft-deleted', () => {
  const gateway = (id: string, eui: string) => ({
    gateway: { ids: { gateway_id: id, eui }, frequency_plan_ids: ['EU_863_870'] },
  });

  it.each([
    [
      'application',
      '/users/alice/applications',
      { application: { ids: { application_id: 'gone-app' } } },
      '/applications/gone-app',
      'admins_purge_applications',
    ],
    [
      'gateway',
      '/users/alice/gateways',
      gateway('gone-gw', 'AA555A0000000F01'),
      '/gateways/gone-gw',
      'admins_purge_gateways',
    ],
  ])(
    '%s: 404 after delete, ID still taken, listed with ?deleted=true, restorable, purge for admins only',
    async (kind, create, body, path, purgeError) => {
      const list = kind === 'application' ? '/applications' : '/gateways';
      expect((await api('POST', create, body, USER)).status).toBe(200);
      expect((await api('DELETE', path, undefined, USER)).status).toBe(200);
      expect((await api('GET', path, undefined, USER)).status).toBe(404);
      const again = await api('POST', create, body, USER);
      expect(again.status).toBe(409);
      expect(again.body.details[0]).toMatchObject({ namespace: 'pkg/util/store', name: 'id_taken' });
      const deleted = await api('GET', `${list}?deleted=true`, undefined, USER);
      expect(JSON.stringify(deleted.body)).toContain(path.split('/')[2]);
      expect(JSON.stringify((await api('GET', list, undefined, USER)).body)).not.toContain(
        path.split('/')[2],
      );

      expect((await api('POST', `${path}/restore`, {}, USER)).status).toBe(200);
      expect((await api('GET', path, undefined, USER)).status).toBe(200);

      expect((await api('DELETE', path, undefined, USER)).status).toBe(200);
      const refused = await api('DELETE', `${path}/purge`, undefined, USER);
      expect(refused.status).toBe(403);
      expect(refused.body.details[0]).toMatchObject({ namespace: 'pkg/identityserver', name: purgeError });
      expect((await api('DELETE', `${path}/purge`)).status).toBe(200);
      expect((await api('POST', create, body, USER)).status).toBe(200); // the ID is free again
    },
  );

  it('a restored gateway does not get its EUI back; the EUI was free while it was deleted', async () => {
    expect(
      (await api('POST', '/users/alice/gateways', gateway('eui-gw', 'AA555A0000000F02'), USER)).status,
    ).toBe(200);
    expect((await api('DELETE', '/gateways/eui-gw', undefined, USER)).status).toBe(200);
    expect(
      (await api('POST', '/users/alice/gateways', gateway('eui-gw-2', 'AA555A0000000F02'), USER)).status,
    ).toBe(200);
    expect((await api('POST', '/gateways/eui-gw/restore', {}, USER)).status).toBe(200);
    const got = await api('GET', '/gateways/eui-gw?field_mask=ids', undefined, USER);
    expect(got.body.ids.eui).toBeUndefined();
  });

  it('past the restore window: restore_window_expired', async () => {
    const body = { application: { ids: { application_id: 'late-app' } } };
    expect((await api('POST', '/users/alice/applications', body, USER)).status).toBe(200);
    expect((await api('DELETE', '/applications/late-app', undefined, USER)).status).toBe(200);
    await new Promise((r) => setTimeout(r, RESTORE_WINDOW_MS + 50));
    const r = await api('POST', '/applications/late-app/restore', {}, USER);
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.body.details[0].name).toBe('restore_window_expired');
  });

  it("error bodies: message filled in, message_format with TTS's placeholders", async () => {
    const r = await api('GET', '/applications/no-such-app');
    expect(r.status).toBe(404);
    expect(r.body.message).toBe(
      'error:pkg/identityserver/store:application_not_found (application `no-such-app` not found)',
    );
    expect(r.body.details[0].message_format).toBe('application `{application_id}` not found');
  });
});

describe('point 4: gateway identity', () => {
  const gateway = (id: string, eui: string) => ({
    gateway: { ids: { gateway_id: id, eui }, frequency_plan_ids: ['EU_863_870'] },
  });

  it.each([
    ['the same ID', gateway('ident-gw', 'AA555A0000000E02'), 'pkg/util/store', 'id_taken'],
    ['the same EUI', gateway('ident-gw-2', 'AA555A0000000E01'), 'pkg/identityserver', 'gateway_eui_taken'],
  ])('a second gateway with %s: 409 %s:%s', async (_what, body, namespace, name) => {
    if ((await api('GET', '/gateways/ident-gw', undefined, USER)).status === 404)
      expect(
        (await api('POST', '/users/alice/gateways', gateway('ident-gw', 'AA555A0000000E01'), USER)).status,
      ).toBe(200);
    const r = await api('POST', '/users/alice/gateways', body, USER);
    expect(r.status).toBe(409);
    expect(r.body.details[0]).toMatchObject({ namespace, name });
  });

  const provisioner = () =>
    new Provisioner(
      new TtsClient({ target: { url: base }, apiKey: USER, userAgent: 'lorafleet/test' }),
      new Journal(),
      { applicationId: 'fid', owner: { userId: 'alice' } },
    );

  it('lorafleet adopts a taken gateway ID only when the EUI matches', async () => {
    const p = provisioner();
    const other = await p
      .ensureGateway({ gatewayId: 'ident-gw', eui: 'AA555A0000000E99', frequencyPlanId: 'EU_863_870' })
      .catch((e: unknown) => e);
    expect(other).toBeInstanceOf(GatewayTakenError);
    expect((other as Error).message).toContain(
      'is registered with EUI AA555A0000000E01, not AA555A0000000E99',
    );
    await p.ensureGateway({ gatewayId: 'ident-gw', eui: 'AA555A0000000E01', frequencyPlanId: 'EU_863_870' });
  });

  it('lorafleet never takes over an ID someone else soft-deleted: it says what to do', async () => {
    expect(
      (await api('POST', '/users/alice/gateways', gateway('theirs-gw', 'AA555A0000000E03'), USER)).status,
    ).toBe(200);
    expect((await api('DELETE', '/gateways/theirs-gw', undefined, USER)).status).toBe(200);
    const e = await provisioner()
      .ensureGateway({ gatewayId: 'theirs-gw', eui: 'AA555A0000000E03', frequencyPlanId: 'EU_863_870' })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SoftDeletedError);
    expect((e as Error).message).toMatch(/not by an earlier run of this scenario: restore or purge it/);
  });
});
