import { describe, expect, it } from 'vitest';
import { EmbeddedNetwork } from '../../network/embedded-network.js';
import { VirtualScheduler } from '../../simulator/time/scheduler.js';
import { asSetRequest, isCreateBody, jsSetRequest, nsSetRequest } from '../../simulator/tts/requests.js';
import type { DeviceSpec } from '../../simulator/scenario/device-spec.js';

const otaa = (i: number, devEui = `0000000000${String(i).padStart(6, '0')}`): DeviceSpec => ({
  deviceId: `otaa-${i}`,
  devEui,
  joinEui: '70B3D57ED0000001',
  activation: 'otaa',
  lorawanVersion: '1.0.3',
  frequencyPlanId: 'EU_863_870',
  appKey: '2B7E151628AED2A6ABF7158809CF4F3C',
});
const abp = (i: number, devAddr: string): DeviceSpec => ({
  deviceId: `abp-${i}`,
  devEui: `1000000000${String(i).padStart(6, '0')}`,
  activation: 'abp',
  lorawanVersion: '1.0.3',
  frequencyPlanId: 'EU_863_870',
  devAddr,
  fNwkSIntKey: '00112233445566778899AABBCCDDEEFF',
  appSKey: 'FFEEDDCCBBAA99887766554433221100',
  rx1Delay: 1,
});

function register(net: EmbeddedNetwork, s: DeviceSpec): void {
  net.devices.create('app', isCreateBody(s).end_device);
  for (const [c, r] of [
    ...(s.activation === 'otaa' ? [['js', jsSetRequest(s)] as const] : []),
    ['ns', nsSetRequest(s)] as const,
    ['as', asSetRequest(s)] as const,
  ])
    net.devices.set(c, 'app', s.deviceId, r.body.end_device, r.paths);
}

// The uplink and join paths look devices up by DevAddr and by EUIs; these lookups are indexed, and
// the indexes must follow every registration, update and deletion.
describe('registry lookups', () => {
  const net = () => {
    const n = new EmbeddedNetwork({ scheduler: new VirtualScheduler(0), mqtt: false, http: false });
    n.createApplication('app', { user_id: 'admin' });
    return n;
  };

  it('finds a JS registration by its EUIs, and forgets it when the JS document or device goes', () => {
    const n = net();
    for (let i = 1; i <= 50; i++) register(n, otaa(i));
    const d = n.registry.byEuis('70B3D57ED0000001', '0000000000000007');
    expect(d?.deviceId).toBe('otaa-7');
    n.devices.delete('js', 'app', 'otaa-7');
    expect(n.registry.byEuis('70B3D57ED0000001', '0000000000000007')).toBeUndefined();
    expect(n.registry.byEuis('70B3D57ED0000001', '0000000000000008')?.deviceId).toBe('otaa-8');
  });

  it('refuses a second device with taken EUIs until the first is deleted from the IS', () => {
    const n = net();
    register(n, otaa(1, 'AAAAAAAAAAAAAAAA'));
    expect(() =>
      n.devices.create('app', isCreateBody({ ...otaa(2, 'AAAAAAAAAAAAAAAA') }).end_device),
    ).toThrow(/already registered as `otaa-1`/);
    for (const c of ['as', 'ns', 'js', 'is'] as const) n.devices.delete(c, 'app', 'otaa-1');
    expect(n.registry.devices.size).toBe(0);
    register(n, otaa(2, 'AAAAAAAAAAAAAAAA'));
    expect(n.registry.isByEui('70B3D57ED0000001', 'AAAAAAAAAAAAAAAA')?.deviceId).toBe('otaa-2');
  });

  it('finds ABP sessions by DevAddr, shared addresses included, and follows a changed or deleted session', () => {
    const n = net();
    register(n, abp(1, '26000001'));
    register(n, abp(2, '26000001'));
    register(n, abp(3, '26000003'));
    expect(
      n.registry
        .byDevAddr(0x26000001)
        .map((d) => d.deviceId)
        .sort(),
    ).toEqual(['abp-1', 'abp-2']);
    // A new DevAddr through an NS update moves the device in the index.
    const moved = abp(2, '26000009');
    const r = nsSetRequest(moved);
    n.devices.set('ns', 'app', 'abp-2', r.body.end_device, r.paths);
    expect(n.registry.byDevAddr(0x26000001).map((d) => d.deviceId)).toEqual(['abp-1']);
    expect(n.registry.byDevAddr(0x26000009).map((d) => d.deviceId)).toEqual(['abp-2']);
    n.devices.delete('ns', 'app', 'abp-3');
    expect(n.registry.byDevAddr(0x26000003)).toEqual([]);
  });
});

// Every uplink copy names its gateway by EUI: the lookup is remembered, and must follow each change
// the API makes to a gateway.
describe('gateway lookups by EUI', () => {
  it('follow creation, an EUI change, soft delete, restore and purge through the API', async () => {
    const key = 'NNSXS.TESTADMINKEY0000000.' + 'AB'.repeat(32);
    const n = new EmbeddedNetwork({ scheduler: new VirtualScheduler(0), apiKey: key, mqtt: false });
    const api = async (method: string, path: string, body?: unknown) => {
      const r = await n.http!.fetch(`http://anywhere/api/v3${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      expect(r.status).toBe(200);
    };
    const idOf = (eui: string) => n.registry.gatewayByEui(eui)?.ids;
    // Asked before it exists (an unregistered gateway's traffic), then registered.
    expect(idOf('AA555A0000000001')).toBeUndefined();
    await api('POST', '/users/admin/gateways', {
      gateway: { ids: { gateway_id: 'gw-1', eui: 'AA555A0000000001' }, frequency_plan_id: 'EU_863_870' },
    });
    expect(idOf('AA555A0000000001')).toEqual({ gateway_id: 'gw-1', eui: 'AA555A0000000001' });
    await api('PUT', '/gateways/gw-1', {
      gateway: { ids: { eui: 'AA555A0000000002' } },
      field_mask: { paths: ['ids.eui'] },
    });
    expect(idOf('AA555A0000000001')).toBeUndefined();
    expect(idOf('AA555A0000000002')).toEqual({ gateway_id: 'gw-1', eui: 'AA555A0000000002' });
    await api('DELETE', '/gateways/gw-1');
    expect(idOf('AA555A0000000002')).toBeUndefined();
    await api('POST', '/gateways/gw-1/restore');
    // TTS does not give a restored gateway its EUI back.
    expect(idOf('AA555A0000000002')).toBeUndefined();
    await api('PUT', '/gateways/gw-1', {
      gateway: { ids: { eui: 'AA555A0000000003' } },
      field_mask: { paths: ['ids.eui'] },
    });
    expect(idOf('AA555A0000000003')).toMatchObject({ gateway_id: 'gw-1' });
    await api('DELETE', '/gateways/gw-1/purge');
    await api('POST', '/users/admin/gateways', {
      gateway: { ids: { gateway_id: 'gw-1', eui: 'AA555A0000000003' }, frequency_plan_id: 'EU_863_870' },
    });
    expect(idOf('AA555A0000000003')).toMatchObject({ gateway_id: 'gw-1' });
    await n.stop();
  });
});
