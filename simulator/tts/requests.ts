import type { LoRaWANVersion } from '../lorawan/types.js';
import type { DeviceSpec } from '../scenario/device-spec.js';

export interface SetRequest {
  body: { end_device: Record<string, unknown>; field_mask: { paths: string[] } };
  paths: string[];
}

/** TTS MACVersion enum names. */
export function macVersionName(v: LoRaWANVersion): string {
  return v === '1.1' ? 'MAC_V1_1' : `MAC_V${v.replace(/\./g, '_')}`;
}

/** The PHY (regional parameters) version TTS pairs with a MAC version by default. */
export function phyVersionName(v: LoRaWANVersion): string {
  return (
    {
      '1.0.0': 'PHY_V1_0',
      '1.0.1': 'PHY_V1_0_1',
      '1.0.2': 'PHY_V1_0_2_REV_B',
      '1.0.3': 'PHY_V1_0_3_REV_A',
      '1.0.4': 'RP002_V1_0_3',
      '1.1': 'PHY_V1_1_REV_B',
    } as const
  )[v];
}

function ids(s: DeviceSpec): Record<string, unknown> {
  return {
    device_id: s.deviceId,
    dev_eui: s.devEui,
    ...(s.activation === 'otaa' ? { join_eui: s.joinEui ?? '0000000000000000' } : {}),
  };
}

const idPaths = (s: DeviceSpec) => [
  'ids.device_id',
  'ids.dev_eui',
  ...(s.activation === 'otaa' ? ['ids.join_eui'] : []),
];

/** IS create (`POST /applications/{app}/devices`): ids and server addresses. */
export function isCreateBody(s: DeviceSpec): { end_device: Record<string, unknown> } {
  const addr = s.serverAddress;
  return {
    end_device: {
      ids: ids(s),
      ...(addr
        ? {
            network_server_address: addr,
            application_server_address: addr,
            ...(s.activation === 'otaa' ? { join_server_address: addr } : {}),
          }
        : {}),
    },
  };
}

/** IS update (`PUT`) for a device that already exists: the same fields, with their mask. */
export function isUpdateRequest(s: DeviceSpec): SetRequest {
  const { end_device } = isCreateBody(s);
  const paths = [
    ...idPaths(s).filter((p) => p !== 'ids.device_id'),
    ...Object.keys(end_device).filter((k) => k !== 'ids'),
  ];
  return { body: { end_device, field_mask: { paths } }, paths };
}

/** JS set (OTAA only): root keys, and the NS/AS addresses. */
export function jsSetRequest(s: DeviceSpec): SetRequest {
  const paths = [
    ...(s.serverAddress ? ['network_server_address', 'application_server_address'] : []),
    ...idPaths(s),
    'root_keys.app_key.key',
    ...(s.lorawanVersion === '1.1' ? ['root_keys.nwk_key.key'] : []),
  ];
  const end_device = {
    ids: ids(s),
    ...(s.serverAddress
      ? { network_server_address: s.serverAddress, application_server_address: s.serverAddress }
      : {}),
    root_keys: {
      app_key: { key: s.appKey },
      ...(s.lorawanVersion === '1.1' ? { nwk_key: { key: s.nwkKey } } : {}),
    },
  };
  return { body: { end_device, field_mask: { paths } }, paths };
}

/** NS set: versions, frequency plan, join support, class C, ABP session and MAC settings. */
export function nsSetRequest(s: DeviceSpec): SetRequest {
  const abp = s.activation === 'abp';
  const v11 = s.lorawanVersion === '1.1';
  const end_device: Record<string, unknown> = {
    ids: ids(s),
    supports_join: !abp,
    lorawan_version: macVersionName(s.lorawanVersion),
    lorawan_phy_version: phyVersionName(s.lorawanVersion),
    frequency_plan_id: s.frequencyPlanId,
  };
  const paths = [
    ...idPaths(s),
    'supports_join',
    'lorawan_version',
    'lorawan_phy_version',
    'frequency_plan_id',
  ];
  if (s.supportsClassC) {
    end_device.supports_class_c = true;
    paths.push('supports_class_c');
  }
  if (abp) {
    const keys: Record<string, unknown> = { f_nwk_s_int_key: { key: s.fNwkSIntKey } };
    paths.push('session.dev_addr', 'session.keys.f_nwk_s_int_key.key');
    if (v11) {
      keys.s_nwk_s_int_key = { key: s.sNwkSIntKey };
      keys.nwk_s_enc_key = { key: s.nwkSEncKey };
      paths.push('session.keys.s_nwk_s_int_key.key', 'session.keys.nwk_s_enc_key.key');
    }
    const session: Record<string, unknown> = { dev_addr: s.devAddr, keys };
    const c = s.counters;
    // `last_f_cnt_up` is the last FCnt used; the device's bound is the next one it may use.
    if (c && c.fCntUp > 0) {
      session.last_f_cnt_up = c.fCntUp - 1;
      paths.push('session.last_f_cnt_up');
    }
    if (c?.nFCntDown !== undefined && c.nFCntDown > 0) {
      session.last_n_f_cnt_down = c.nFCntDown;
      paths.push('session.last_n_f_cnt_down');
    }
    if (c?.aFCntDown !== undefined && c.aFCntDown > 0) {
      session.last_a_f_cnt_down = c.aFCntDown;
      paths.push('session.last_a_f_cnt_down');
    }
    end_device.session = session;
    const mac: Record<string, unknown> = {};
    if (s.rx1Delay !== undefined) {
      // Both, so that the NS has no RXTimingSetupReq to negotiate (tts-api.md §3.5). Wrapper types are
      // bare JSON values: TTS refuses `{value: 1}` (tts-api.md Part 4).
      mac.rx1_delay = s.rx1Delay;
      mac.desired_rx1_delay = s.rx1Delay;
      paths.push('mac_settings.rx1_delay', 'mac_settings.desired_rx1_delay');
    }
    if (s.resetsFCnt !== undefined) {
      mac.resets_f_cnt = s.resetsFCnt;
      paths.push('mac_settings.resets_f_cnt');
    }
    if (s.factoryPresetFrequencies) {
      mac.factory_preset_frequencies = s.factoryPresetFrequencies.map(String); // uint64 as strings
      paths.push('mac_settings.factory_preset_frequencies');
    }
    if (Object.keys(mac).length > 0) end_device.mac_settings = mac;
  }
  if (s.supportsClassB) {
    end_device.supports_class_b = true;
    paths.push('supports_class_b');
    if (s.pingSlotPeriodicity !== undefined) {
      // PingSlotPeriod: PING_EVERY_1S = 0 … PING_EVERY_128S = 7, a bare enum number as TTS takes it.
      end_device.mac_settings = {
        ...((end_device.mac_settings as Record<string, unknown> | undefined) ?? {}),
        ping_slot_periodicity: s.pingSlotPeriodicity,
      };
      paths.push('mac_settings.ping_slot_periodicity');
    }
  }
  return { body: { end_device, field_mask: { paths } }, paths };
}

/** AS set: ids; for ABP the session's DevAddr and AppSKey. */
export function asSetRequest(s: DeviceSpec): SetRequest {
  const end_device: Record<string, unknown> = { ids: ids(s) };
  const paths = idPaths(s);
  if (s.activation === 'abp') {
    end_device.session = { dev_addr: s.devAddr, keys: { app_s_key: { key: s.appSKey } } };
    end_device.skip_payload_crypto = false;
    paths.push('session.dev_addr', 'session.keys.app_s_key.key', 'skip_payload_crypto');
  }
  return { body: { end_device, field_mask: { paths } }, paths };
}
