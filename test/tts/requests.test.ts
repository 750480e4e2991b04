import { describe, expect, it } from 'vitest';
import { asSetRequest, isCreateBody, jsSetRequest, nsSetRequest } from '../../simulator/tts/requests.js';
import type { DeviceSpec } from '../../simulator/scenario/device-spec.js';

const otaa10: DeviceSpec = {
  deviceId: 'd1',
  devEui: '0000000000000011',
  joinEui: '1111111111111111',
  activation: 'otaa',
  lorawanVersion: '1.0.2',
  frequencyPlanId: 'EU_863_870_TTN',
  appKey: '2B7E151628AED2A6ABF7158809CF4F3C',
  serverAddress: 'host',
};

describe('request bodies and field masks, path by path, against the seed (TTS docs: adding devices manually)', () => {
  it('OTAA 1.0.x: IS ids and addresses; JS keys; NS versions and plan; AS only ids', () => {
    // DOCS:hardware/devices/adding-devices/manual/otaa: step 1
    expect(isCreateBody(otaa10)).toEqual({
      end_device: {
        ids: { device_id: 'd1', dev_eui: '0000000000000011', join_eui: '1111111111111111' },
        join_server_address: 'host',
        network_server_address: 'host',
        application_server_address: 'host',
      },
    });
    // step 2: exactly the seed's mask
    const js = jsSetRequest(otaa10);
    expect(js.paths).toEqual([
      'network_server_address',
      'application_server_address',
      'ids.device_id',
      'ids.dev_eui',
      'ids.join_eui',
      'root_keys.app_key.key',
    ]);
    expect(js.body.end_device).toMatchObject({
      root_keys: { app_key: { key: '2B7E151628AED2A6ABF7158809CF4F3C' } },
    });
    expect(js.body.field_mask.paths).toBe(js.paths);
    // step 3
    const ns = nsSetRequest(otaa10);
    expect(ns.body.end_device).toMatchObject({
      supports_join: true,
      lorawan_version: 'MAC_V1_0_2',
      lorawan_phy_version: 'PHY_V1_0_2_REV_B',
      frequency_plan_id: 'EU_863_870_TTN',
    });
    expect(ns.paths).toEqual([
      'ids.device_id',
      'ids.dev_eui',
      'ids.join_eui',
      'supports_join',
      'lorawan_version',
      'lorawan_phy_version',
      'frequency_plan_id',
    ]);
    // step 4: "only ids"
    expect(asSetRequest(otaa10).paths).toEqual(['ids.device_id', 'ids.dev_eui', 'ids.join_eui']);
    expect(Object.keys(asSetRequest(otaa10).body.end_device)).toEqual(['ids']);
  });

  it('OTAA 1.1: JS also gets the NwkKey; NS gets MAC_V1_1 and PHY_V1_1_REV_B', () => {
    const s: DeviceSpec = { ...otaa10, lorawanVersion: '1.1', nwkKey: '000102030405060708090A0B0C0D0E0F' };
    const js = jsSetRequest(s);
    expect(js.paths).toContain('root_keys.nwk_key.key');
    expect(js.body.end_device).toMatchObject({
      root_keys: { nwk_key: { key: '000102030405060708090A0B0C0D0E0F' } },
    });
    expect(nsSetRequest(s).body.end_device).toMatchObject({
      lorawan_version: 'MAC_V1_1',
      lorawan_phy_version: 'PHY_V1_1_REV_B',
    });
  });

  const abp10: DeviceSpec = {
    deviceId: 'a1',
    devEui: '0000000000000022',
    activation: 'abp',
    lorawanVersion: '1.0.3',
    frequencyPlanId: 'EU_863_870',
    devAddr: '12345678',
    fNwkSIntKey: '11'.repeat(16),
    appSKey: '22'.repeat(16),
    rx1Delay: 1,
    resetsFCnt: true,
    factoryPresetFrequencies: [868_100_000, 868_300_000, 868_500_000],
  };

  it('ABP 1.0.x: no JS step; NS session with FNwkSIntKey, MAC settings (uint64 as strings); AS AppSKey', () => {
    expect(isCreateBody(abp10).end_device.ids).toEqual({ device_id: 'a1', dev_eui: '0000000000000022' });
    const ns = nsSetRequest(abp10);
    expect(ns.body.end_device).toMatchObject({
      supports_join: false,
      session: { dev_addr: '12345678', keys: { f_nwk_s_int_key: { key: '11'.repeat(16) } } },
      mac_settings: {
        // Wrapper types are bare values in TTS's JSON (tts-api.md Part 4).
        rx1_delay: 1,
        desired_rx1_delay: 1,
        resets_f_cnt: true,
        factory_preset_frequencies: ['868100000', '868300000', '868500000'],
      },
    });
    expect(ns.paths).toEqual([
      'ids.device_id',
      'ids.dev_eui',
      'supports_join',
      'lorawan_version',
      'lorawan_phy_version',
      'frequency_plan_id',
      'session.dev_addr',
      'session.keys.f_nwk_s_int_key.key',
      'mac_settings.rx1_delay',
      'mac_settings.desired_rx1_delay',
      'mac_settings.resets_f_cnt',
      'mac_settings.factory_preset_frequencies',
    ]);
    const as = asSetRequest(abp10);
    expect(as.body.end_device).toMatchObject({
      session: { dev_addr: '12345678', keys: { app_s_key: { key: '22'.repeat(16) } } },
      skip_payload_crypto: false,
    });
    expect(as.paths).toEqual([
      'ids.device_id',
      'ids.dev_eui',
      'session.dev_addr',
      'session.keys.app_s_key.key',
      'skip_payload_crypto',
    ]);
  });

  it('ABP 1.1: the NS also requires SNwkSIntKey and NwkSEncKey', () => {
    const s: DeviceSpec = {
      ...abp10,
      lorawanVersion: '1.1',
      sNwkSIntKey: '33'.repeat(16),
      nwkSEncKey: '44'.repeat(16),
    };
    const ns = nsSetRequest(s);
    expect(ns.paths).toEqual(
      expect.arrayContaining(['session.keys.s_nwk_s_int_key.key', 'session.keys.nwk_s_enc_key.key']),
    );
    expect(ns.body.end_device).toMatchObject({
      session: {
        keys: { s_nwk_s_int_key: { key: '33'.repeat(16) }, nwk_s_enc_key: { key: '44'.repeat(16) } },
      },
    });
  });

  it('class C support goes to the NS', () => {
    const ns = nsSetRequest({ ...otaa10, supportsClassC: true });
    expect(ns.body.end_device.supports_class_c).toBe(true);
    expect(ns.paths).toContain('supports_class_c');
  });
});
